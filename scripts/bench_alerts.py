"""How long after an emergency text does the on-call text reach Twilio's API?

Everything runs on this machine and is started here: a Redis of its own, the local stand-in of
Twilio's REST API (tests/support/twilio_api.py), a local alert webhook receiver
(tests/support/alert_webhook.py) and `hotline worker` processes (the Procfile's `worker:` line).
The app answers signed POST /sms requests in this process (Flask's test client), one emergency
text at a time, spaced out so each alert meets idle workers.

Measured per emergency: from the moment the text is posted to the hotline until the stand-in
accepted the on-call text (each number), and until the webhook receiver accepted the alert.

    .venv/bin/python scripts/bench_alerts.py [--count 50] [--workers 2] [--gap 0.2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hotline import create_app  # noqa: E402
from hotline.dev.redis_provision import provision_redis  # noqa: E402
from hotline.settings import Settings  # noqa: E402
from scripts.bench_followups import start_workers, stop  # noqa: E402
from tests.support.alert_webhook import AlertWebhookReceiver  # noqa: E402
from tests.support.twilio_api import FakeTwilioAPI  # noqa: E402
from tests.support.webhooks import TwilioWebhooks  # noqa: E402

ACCOUNT_SID = "AC" + "c" * 32
AUTH_TOKEN = "bench-auth-token"
ONCALL = ("+15550009001", "+15550009002")
SECRET = "bench-webhook-secret"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=50, help="emergency texts")
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument("--gap", type=float, default=0.2, help="seconds between texts")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="hotline-bench-") as scratch:
        redis = provision_redis(None, Path(scratch) / "redis")
        api = FakeTwilioAPI(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN).start()
        hook = AlertWebhookReceiver(SECRET).start()
        workers = []
        try:
            env = {
                "REDIS_URL": redis.url,
                "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
                "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
                "TWILIO_PHONE_NUMBER": "+15550001111",
                "TWILIO_API_BASE_URL": api.url,
                "HOTLINE_PUBLIC_URL": "http://localhost",
                "HOTLINE_ONCALL_NUMBERS": ",".join(ONCALL),
                "HOTLINE_ALERT_WEBHOOK_URL": hook.url,
                "HOTLINE_ALERT_WEBHOOK_SECRET": SECRET,
                "HOTLINE_SPOOL_DIR": str(Path(scratch) / "spool"),
            }
            workers = start_workers(args.workers, env, Path(scratch))
            app = create_app(Settings.from_env(env))
            twilio = TwilioWebhooks(app.test_client(), AUTH_TOKEN)
            warm_up(twilio, api)
            report(args, measure(args, twilio, api, hook))
        finally:
            for worker in workers:
                stop(worker)
            hook.stop()
            api.stop()
            redis.stop()
    return 0


def warm_up(twilio: TwilioWebhooks, api: FakeTwilioAPI) -> None:
    """One emergency first, so the workers are up and their imports done."""
    twilio.sms("+15559990000", "I lost control of my bladder")
    api.wait_for(len(ONCALL), timeout=60)
    api.clear()


def measure(args, twilio: TwilioWebhooks, api: FakeTwilioAPI, hook: AlertWebhookReceiver):
    hook.clear()
    posted: dict[str, float] = {}
    answered: list[float] = []
    for index in range(args.count):
        phone = f"+1555{index:07d}"
        posted[phone[-4:]] = time.time()
        twilio.sms(phone, "I can't control my bladder since this morning")
        answered.append(time.time() - posted[phone[-4:]])
        time.sleep(args.gap)
    api.wait_for(args.count * len(ONCALL), timeout=60)
    hook.wait_for(args.count, timeout=60)
    texts = [m.date_created.timestamp() - posted[_last4(m.body)] for m in api.messages]
    calls = [d.at - posted[d.payload["phone_last4"]] for d in hook.accepted()]
    return answered, texts, calls, api.messages


def _last4(body: str) -> str:
    return body.split("number ending ")[1][:4]


def report(args, measured) -> None:
    answered, texts, calls, messages = measured
    duplicates = len(messages) - len({(m.to, _last4(m.body)) for m in messages})
    rows = [
        ("emergency texts, one at a time", f"{args.count} ({args.gap:g} s apart)"),
        ("worker processes (`hotline worker`)", str(args.workers)),
        ("POST /sms answered (p50 / p95)", ms(answered)),
        ("on-call text at Twilio's API after the text came in (p50 / p95 / max)", ms(texts, True)),
        ("webhook accepted after the text came in (p50 / p95 / max)", ms(calls, True)),
        ("on-call texts sent twice", str(duplicates)),
        ("machine", f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}"),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"\n| {'measure':<{width}} | value |\n| {'-' * width} | ----- |")
    for name, value in rows:
        print(f"| {name:<{width}} | {value} |")


def ms(values: list[float], with_max: bool = False) -> str:
    values = sorted(values)
    q = statistics.quantiles(values, n=100, method="inclusive") if len(values) > 1 else values * 99
    out = f"{q[49] * 1000:.0f} / {q[94] * 1000:.0f}"
    return out + (f" / {values[-1] * 1000:.0f} ms" if with_max else " ms")


if __name__ == "__main__":
    sys.exit(main())
