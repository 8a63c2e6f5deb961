"""The HTTP routes others call: Twilio's webhooks (SMS, voice and its call flow, delivery and
call status callbacks), their signature check, the reply given when the hotline itself fails,
and /healthz for the load balancer.

Each request becomes an `Inbound` for the core (hotline.triage), one store turn
(hotline.store) and a TwiML reply built with twilio's builders. May import: hotline.settings,
hotline.services, hotline.triage, hotline.store, hotline.outbound (to hand a later text to the
worker), hotline.redact; never hotline.staff or hotline.dev.
"""
