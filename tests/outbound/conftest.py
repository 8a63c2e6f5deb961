"""Worker processes for the end-to-end tests of what the worker sends (follow-ups, the safety
net): each test module gives its own `env`."""

from __future__ import annotations

import pytest

from tests.support.workers import Workers


@pytest.fixture
def make_workers(tmp_path):
    pools = []

    def make(env: dict[str, str]) -> Workers:
        pool = Workers(env, tmp_path)
        pools.append(pool)
        return pool

    yield make
    for pool in pools:
        pool.close()
        print(pool.logs())  # shown when the test failed


@pytest.fixture
def workers(make_workers, env):
    return make_workers(env)
