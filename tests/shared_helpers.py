"""Helpers of the shared-editing tests: a model put on the test server by pgcore's push."""

from __future__ import annotations

import psycopg

from fma_app.domain.model import Model
from fma_app.storage.shared import parse_location
from fma_app.storage.shared.store import push


def push_for_tests(url: str, model: Model, key: str) -> str:
    """Put `model` on the server under `key` (pgcore's push); the URL with ?model=KEY."""
    shared = f"{url}?model={key}"
    push(model, parse_location(shared))
    return shared


def grant_team_access(pg_url: str, role: str) -> None:
    """What the README tells a database's owner to run for a team member."""
    with psycopg.connect(pg_url) as conn:
        conn.execute(f"GRANT USAGE ON SCHEMA fma TO {role}")  # type: ignore[arg-type]
        conn.execute(  # type: ignore[call-overload]
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA fma TO {role}"
        )
