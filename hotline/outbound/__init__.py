"""Everything the hotline sends later, not as a webhook's reply: follow-up check-ins, the text
after a call, the safety net (a nudge after silence, the text that closes a conversation with no
reply, on-call alerts by text and webhook), and their scheduling on RQ, the exactly-once send
and the worker that runs it.

The only part that calls Twilio's REST API (twilio_rest.py) and the only part that knows RQ
(followups.py, worker.py). May import: hotline.settings, hotline.services, hotline.store,
hotline.triage, hotline.redact, and hotline.staff.retention (the worker runs the daily
retention job); never hotline.channels.
"""
