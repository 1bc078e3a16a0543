"""A PostgreSQL connection that dies under the pool (server restart, network cut) costs one request a
Chinese 503 (WeCom and browsers retry), never a 500, and the next request reconnects."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import PG_ADMIN_URL, auth, make_app

pytestmark = pytest.mark.postgres


def test_a_dead_pooled_connection_gives_one_503_then_the_pool_reconnects(pg_url):
    app = make_app(pg_url)
    rt = app.extensions["ops"]
    from accounts.service import create_token
    from core.db import new_session

    with new_session(rt.engine) as s:
        token = create_token(s, "restart-test", "admin")
    client = app.test_client()
    assert client.get("/api/orders", headers=auth(token)).status_code == 200
    with rt.engine.connect() as conn:  # the pooled connection the next request will take
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()

    answer = client.get("/api/orders", headers=auth(token))
    assert answer.status_code == 503  # one pooled connection, now dead: this request learns it
    assert "稍后" in answer.get_json()["message"]
    assert client.get("/api/orders", headers=auth(token)).status_code == 200
    rt.engine.dispose()
