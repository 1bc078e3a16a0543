"""Schemathesis sends generated requests from /api/openapi.json: none may answer 500."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings

from orders.status import Status
from tests.conftest import auth
from tests.factories import basic_factory, order_in

MIN_REQUESTS = 300


def test_generated_requests_never_get_a_server_error(app, token_for):
    with app.extensions["ops"].uow() as uow:
        basic_factory(uow)
        for status in (Status.PENDING_REVIEW, Status.IN_STOCK, Status.SHIPPED):
            order_in(uow, status)
        uow.commit()
    headers = auth(token_for("admin"))
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    seen = {"requests": 0, "codes": set()}
    operations = [result.ok() for result in schema.get_all_operations()]
    per_operation = MIN_REQUESTS // len(operations) + 20

    for operation in operations:
        @settings(max_examples=per_operation, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def call(case):
            response = case.call(headers=headers)
            seen["requests"] += 1
            seen["codes"].add(response.status_code)
            assert response.status_code < 500, (case.method, case.formatted_path, response.text[:300])
            if response.status_code >= 400:
                assert "message" in response.json()

        call()
    assert seen["requests"] >= MIN_REQUESTS
    assert seen["codes"] & {200, 201}, "the fuzz run must reach successful paths too"
