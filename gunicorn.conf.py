"""Read by gunicorn from the working directory (the Procfile's web line runs in the checkout).

The settings are checked once in gunicorn's master, before any worker boots, so a bad setting
is one line naming the variable rather than one per worker."""

import sys


def on_starting(server) -> None:
    from hotline.settings import Settings, SettingsError

    try:
        Settings.from_env()
    except SettingsError as exc:
        print(f"hotline: bad setting: {exc}", file=sys.stderr, flush=True)
        sys.exit(2)
