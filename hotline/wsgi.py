"""The WSGI entry point the web server serves (Procfile `web:` runs `hotline web`, which
checks the settings once and serves this with Granian; gunicorn serves it too)."""

import gc
import sys

from hotline.settings import SettingsError

try:
    from hotline import create_app

    app = create_app()
except SettingsError as exc:  # one line naming the variable, not a traceback per worker
    print(f"hotline: bad setting: {exc}", file=sys.stderr, flush=True)
    raise SystemExit(3) from None  # gunicorn's "worker failed to boot": the arbiter stops

from hotline.channels.writeback import start_drainer  # noqa: E402


@app.before_request
def _writeback_thread() -> None:
    """The outage write-back runs in a thread of each web process (started after gunicorn's
    fork, or Granian's, on the process's first request), never inside the request itself."""
    start_drainer(app.extensions["hotline"])


# What the app built (protocol, lexicons, routes, libraries: ~70,000 objects) lives as long as
# the process; frozen, Python's full collections skip it. Unfrozen, each full collection walked
# it all, ~20 ms on an idle core and several times that under load: the p99 of every webhook
# that waited on one (scripts/bench).
gc.freeze()
