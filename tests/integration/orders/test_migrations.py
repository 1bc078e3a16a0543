"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from bootstrap import load_models
from core.db import make_engine
from orders.migrate import upgrade


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_upgrade_head_matches_the_models(backend, request, tmp_path):
    url = request.getfixturevalue("pg_url") if backend == "postgres" else f"sqlite:///{tmp_path / 'm.db'}"
    engine = make_engine(url)
    upgrade(engine)
    upgrade(engine)  # a second run is a no-op
    load_models()
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata)
    engine.dispose()
    assert diff == [], "run `ops db revision -m ...` after changing models:\n" + "\n".join(map(str, diff))
