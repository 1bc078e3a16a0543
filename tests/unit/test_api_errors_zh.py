"""API validation errors are Chinese: marshmallow's messages never reach a caller in English."""

from __future__ import annotations

import re

from tests.conftest import auth


def test_missing_and_malformed_fields_are_explained_in_chinese(app, client, token_for):
    tok = token_for("sales")
    r = client.post("/api/orders", json={"quantity": "many", "promised_date": "soon"}, headers=auth(tok))
    assert r.status_code == 400
    body = r.json
    flat = repr(body["errors"]) + body["message"]
    assert "必填" in flat and "日期格式应为" in flat
    assert not re.search(r"Missing data|Not a valid|Must be", flat), flat


def test_a_malformed_query_parameter_is_chinese(app, client, token_for):
    r = client.get("/api/orders?limit=abc", headers=auth(token_for("sales")))
    assert r.status_code == 400 and "limit" in r.json["message"] and "应为整数" in r.json["message"], r.json
