"""The WSGI entry point gunicorn serves (Procfile `web:`)."""

from hotline import create_app

app = create_app()
