"""Shared fixtures: an app on a fresh database, API tokens, the demo factory.

Set OPS_TEST_DATABASE=postgres to run the database-backed tests on PostgreSQL
(127.0.0.1:5432, database `test`); `make test` runs the integration tests on both.
"""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text

PG_ADMIN_URL = os.environ.get("OPS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("OPS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _pg_available() -> bool:
    try:
        eng = create_engine(PG_ADMIN_URL)
        with eng.connect() as c:
            c.execute(text("SELECT 1"))
        eng.dispose()
        return True
    except Exception:
        return False


@pytest.fixture
def pg_url():
    """A fresh PostgreSQL schema for one test (search_path isolation), dropped after."""
    if not _pg_available():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not reachable on 127.0.0.1:5432 (CI must start it)")
        pytest.skip("PostgreSQL not reachable")
    schema = "t_" + uuid.uuid4().hex[:12]
    eng = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield f"{PG_ADMIN_URL}?options=-csearch_path%3D{schema}"
    with eng.connect() as c:
        c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    eng.dispose()


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'ops.db'}"


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path):
    """The database of a test: integration and e2e tests run on SQLite and PostgreSQL; unit tests on
    SQLite only unless OPS_TEST_BOTH is set (see pytest_collection_modifyitems)."""
    if request.param == "sqlite" and os.environ.get("OPS_TEST_DATABASE") != "postgres":
        return f"sqlite:///{tmp_path / 'ops.db'}"
    return request.getfixturevalue("pg_url")


def pytest_collection_modifyitems(config, items):
    """Unit tests run their database on SQLite only (PostgreSQL too with OPS_TEST_BOTH=1)."""
    if os.environ.get("OPS_TEST_BOTH"):
        return
    keep, drop = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        is_unit = "/tests/unit/" in str(item.path)
        (drop if is_unit and params.get("db_url") == "postgres" else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def make_app(db_url: str, **overrides):
    """An app on `db_url` with every table created; jobs run inline unless told otherwise.

    Tables come from the models (fast, and always the newest); tests/integration/test_migrations.py
    checks that the Alembic migrations build exactly the same schema.
    """
    from sqlmodel import SQLModel

    from app import create_app
    from bootstrap import load_models

    config = {"database_url": db_url, "run_jobs_inline": True, "secret_key": "test-secret",
              "redis_url": None, "public_base_url": "http://testserver"}
    config.update(overrides)
    application = create_app(config)
    application.config["TESTING"] = True
    load_models()
    SQLModel.metadata.create_all(application.extensions["ops"].engine)
    return application


@pytest.fixture
def app(db_url):
    """A fresh app, with its context pushed as a worker or request would have it."""
    application = make_app(db_url)
    with application.app_context():
        yield application
    application.extensions["ops"].engine.dispose()


@pytest.fixture
def seeded_app(app):
    from bootstrap import seed_demo

    seed_demo(app.extensions["ops"])
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def token_for(app):
    """Make an API token of a role: token_for('warehouse') -> 'oh_…'."""
    from accounts.service import create_token
    from core.db import new_session

    def make(role: str = "admin") -> str:
        with new_session(app.extensions["ops"].engine) as s:
            return create_token(s, f"test-{role}-{uuid.uuid4().hex[:6]}", role)

    return make


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}
