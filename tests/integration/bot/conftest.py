"""Fixtures of the bot tests: an app with the WeCom app, robot and bridge switched on, against a
local WeCom stand-in, with the basic factory loaded."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.conftest import make_app
from tests.factories import basic_factory, order_in
from tests.integration.bot.wecom_client import CORP_ID, bot_settings
from tests.support.wecom_standin import WeComStandin


@pytest.fixture
def wecom():
    with WeComStandin(corp_id=CORP_ID, secret="s3cret", agent_id=1000002) as standin:
        yield standin


@pytest.fixture
def bot_app(db_url, wecom):
    application = make_app(db_url, **bot_settings(wecom.base_url))
    yield application
    application.extensions["ops"].engine.dispose()


@pytest.fixture
def rt(bot_app):
    return bot_app.extensions["ops"]


@pytest.fixture
def factory(rt):
    with rt.uow() as uow:
        made = basic_factory(uow)
        uow.commit()
    return made


@pytest.fixture
def make_order(rt, factory):
    """make_order(Status.IN_STOCK) -> order number of a new order walked to that status."""

    def make(status, **kw) -> str:
        with rt.uow() as uow:
            order = order_in(uow, status, **kw)
            uow.commit()
            return order.order_no

    return make


def rows(rt, model, *where):
    """Every row of `model` matching `where`."""
    from core.db import new_session

    with new_session(rt.engine) as s:
        return list(s.exec(select(model).where(*where)).all())


def order_of(rt, order_no: str):
    from orders.models import Order

    return rows(rt, Order, Order.order_no == order_no)[0]
