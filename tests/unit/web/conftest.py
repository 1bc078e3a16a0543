"""Fixtures of the admin tests: an app with a small factory and one login per role."""

from __future__ import annotations

import re

import pytest

from orders.roles import Role

PASSWORD = "pass-1234"
ROLES = [r.value for r in Role if r != Role.SYSTEM]


@pytest.fixture
def app(db_url):
    """A fresh app WITHOUT an app context pushed around the test.

    tests/conftest.py's `app` keeps one context open for the whole test; test-client
    requests would then share `g`, and Flask-Login caches the signed-in user there, so one
    request's login would leak into the next. Real requests each get their own context.
    """
    from tests.conftest import make_app

    application = make_app(db_url)
    yield application
    application.extensions["ops"].engine.dispose()


@pytest.fixture
def factory(app):
    """The small test factory (tests/factories.py) and a login named after each role."""
    from accounts.service import create_user
    from core.db import new_session
    from tests.factories import basic_factory

    rt = app.extensions["ops"]
    with rt.uow() as uow:
        made = basic_factory(uow)
        uow.commit()
    with new_session(rt.engine) as s:
        for role in ROLES:
            user = create_user(s, f"u_{role}", role, PASSWORD)
            person = made["people"].get(role)
            if person is not None:
                user.staff_id = person.id
                s.add(user)
                s.commit()
    return made


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(client, role: str) -> str:
    """Sign the test client in as the login of `role`; returns a CSRF token of the session."""
    page = client.get("/admin/login").get_data(as_text=True)
    token = csrf_of(page)
    r = client.post("/admin/login", data={"username": f"u_{role}", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    return csrf_of(client.get("/admin/password").get_data(as_text=True))  # the login rotated the token


@pytest.fixture
def signed_in(app, factory):
    """signed_in('sales') -> (client, csrf token)."""

    def make(role: str):
        client = app.test_client()
        return client, login(client, role)

    return make
