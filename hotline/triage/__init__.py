"""The pure core: the protocol loaded from prompts/, reading what a person wrote (answers, red
flags, language, keywords), the clinical decision and one conversation step. Plain data in,
plain data out (state, replies, effects): no Flask, no Redis, no Twilio, no clock but the one
passed in.

Imports nothing of the hotline outside this package; everything else imports it.
"""
