"""The admin tests' app (no context pushed around the test) and logins, shared with the insight tests."""

from tests.unit.web.conftest import app, factory  # noqa: F401
