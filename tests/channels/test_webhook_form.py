"""The webhook's own form parser reads every body exactly as werkzeug's parser would."""

from __future__ import annotations

from urllib.parse import urlencode

from hypothesis import given
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict
from werkzeug.formparser import FormDataParser

from hotline.channels.webhook_form import parse_urlencoded
from tests.conftest import AUTH_TOKEN
from tests.support.webhooks import message_sid, new_phone, sign


def werkzeug_reads(raw: bytes) -> MultiDict:
    import io

    parser = FormDataParser()
    _, form, _ = parser.parse(io.BytesIO(raw), "application/x-www-form-urlencoded",
                              len(raw), {})
    return form


def same(ours, theirs: MultiDict) -> bool:
    if isinstance(ours, MultiDict):
        return list(ours.items(multi=True)) == list(theirs.items(multi=True))
    return ours == theirs.to_dict() and len(ours) == len(list(theirs.items(multi=True)))


text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)


@given(st.lists(st.tuples(text, text), max_size=25))
def test_any_encoded_form_reads_as_werkzeug_reads_it(pairs):
    raw = urlencode(pairs).encode()
    assert same(parse_urlencoded(raw), werkzeug_reads(raw))


@given(st.text(alphabet="&=+%;aé0F9 \x00", max_size=60))
def test_stray_separators_and_broken_escapes_read_as_werkzeug_reads_them(body):
    raw = body.encode()
    assert same(parse_urlencoded(raw), werkzeug_reads(raw))


@given(st.binary(max_size=200))
def test_any_bytes_at_all_read_as_werkzeug_reads_them(raw):
    assert same(parse_urlencoded(raw), werkzeug_reads(raw))


@given(st.lists(st.tuples(text, text), max_size=25))
def test_twilio_signs_our_form_as_it_signs_werkzeugs(pairs):
    # twilio reads our form through its getall; werkzeug's through getlist.
    raw = urlencode(pairs).encode()
    validator = RequestValidator(AUTH_TOKEN)
    url = "https://hotline.example.org/sms"
    ours = validator.compute_signature(url, parse_urlencoded(raw))
    assert ours == validator.compute_signature(url, werkzeug_reads(raw))


def test_a_repeated_field_keeps_every_value_for_the_signature(client, twilio):
    phone = new_phone()
    pairs = [("From", phone), ("To", "+15550001111"), ("Body", "hello"),
             ("MessageSid", message_sid()), ("Extra", "a"), ("Extra", "b")]
    signature = sign(AUTH_TOKEN, "http://localhost/sms", MultiDict(pairs))
    response = client.post("/sms", data=urlencode(pairs),
                           content_type="application/x-www-form-urlencoded",
                           headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200
    dropped = sign(AUTH_TOKEN, "http://localhost/sms", dict(pairs))  # one value of Extra
    response = client.post("/sms", data=urlencode(pairs),
                           content_type="application/x-www-form-urlencoded",
                           headers={"X-Twilio-Signature": dropped})
    assert response.status_code == 403


def test_a_multipart_body_is_still_read(client):
    params = {"From": new_phone(), "To": "+15550001111", "Body": "hello",
              "MessageSid": message_sid()}
    signature = sign(AUTH_TOKEN, "http://localhost/sms", params)
    response = client.post("/sms", data=params, content_type="multipart/form-data",
                           headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200
    assert b"<Message>" in response.data


def test_what_a_person_wrote_and_long_values_are_not_kept_past_the_request():
    from hotline.channels import webhook_form

    webhook_form._unquoted.cache_clear()
    long_value = "x+" * 100
    raw = urlencode({"From": "+15550001234", "Body": "my leg is numb", "Other": long_value})
    form = parse_urlencoded(raw.encode())
    assert form["Body"] == "my leg is numb" and form["Other"] == long_value
    assert webhook_form._unquoted.cache_info().currsize == 1  # the number only
