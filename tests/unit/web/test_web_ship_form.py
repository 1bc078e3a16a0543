"""The ship form takes a listed carrier and a number of its known format (override for odd ones, never
`随便`/`123`); a shipped order's carrier or number is corrected from the web as an edit event, notice reissued."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from core.db import new_session
from logistics.waybill_format import CARRIERS, check_waybill
from notify.models import Notification
from orders.models import Order, StatusEvent
from orders.status import Status
from tests.factories import order_in


@pytest.mark.parametrize("carrier, number, expected", [
    ("顺丰", "sf1402938475621", "SF1402938475621"), ("京东", "JDVA12345678901", "JDVA12345678901"),
    ("圆通", "YT1234567890123", "YT1234567890123"), ("中通", "73512345678901", "73512345678901"),
    ("EMS", "EA123456789CN", "EA123456789CN"), ("极兔", "JT0001234567890", "JT0001234567890"),
    ("自提", "", None),
])
def test_known_formats_pass(carrier, number, expected):
    assert check_waybill(carrier, number) == (carrier, expected)


@pytest.mark.parametrize("carrier, number, override, reason", [
    ("顺丰", "随便", True, "看起来不对"), ("顺丰", "123", True, "看起来不对"), ("顺丰", "", False, "请填写运单号"),
    ("顺丰", "YT1234567890123", False, "不符合顺丰的格式"), ("快递", "SF1402938475621", False, "不在列表里"),
])
def test_bad_numbers_are_refused_with_a_reason(carrier, number, override, reason):
    with pytest.raises(ValueError, match=reason):
        check_waybill(carrier, number, override=override)


def test_override_accepts_an_unknown_but_plausible_format():
    assert check_waybill("顺丰", "ab-12345678", override=True) == ("顺丰", "AB-12345678")
    assert set(CARRIERS) >= {"顺丰", "京东", "中通", "圆通", "申通", "韵达", "德邦", "极兔", "EMS", "跨越", "自提"}


def _order(app, status: Status) -> Order:
    with app.extensions["ops"].uow() as uow:
        order = order_in(uow, status)
        uow.commit()
        return order


def _get(app, order_no: str) -> Order:
    with new_session(app.extensions["ops"].engine) as s:
        return s.exec(select(Order).where(Order.order_no == order_no)).one()


def _ship(client, token, order: Order, **form):
    return client.post(f"/admin/orders/{order.order_no}/status", follow_redirects=True,
                       data={"csrf_token": token, "to": "shipped", "version": order.version, **form})


def test_ship_form_lists_carriers_and_refuses_junk_numbers(app, signed_in):
    order = _order(app, Status.IN_STOCK)
    client, token = signed_in("warehouse")
    page = client.get(f"/admin/orders/{order.order_no}").get_data(as_text=True)
    assert '<select name="carrier"' in page and '<option value="极兔">' in page
    for number in ("随便", "123"):
        html = _ship(client, token, order, carrier="顺丰", tracking_no=number, override="1").get_data(as_text=True)
        assert "看起来不对" in html and _get(app, order.order_no).status == "in_stock"
    html = _ship(client, token, order, carrier="顺丰", tracking_no="YT1234567890123").get_data(as_text=True)
    assert "不符合顺丰的格式" in html and _get(app, order.order_no).status == "in_stock"
    _ship(client, token, order, carrier="顺丰", tracking_no="sf 1402938475621")
    shipped = _get(app, order.order_no)
    assert (shipped.status, shipped.carrier, shipped.tracking_no) == ("shipped", "顺丰", "SF1402938475621")


def test_correcting_the_waybill_is_an_edit_event_and_reissues_the_notice(app, signed_in):
    order = _order(app, Status.SHIPPED)
    client, token = signed_in("logistics")
    with new_session(app.extensions["ops"].engine) as s:
        before = s.exec(select(func.count()).select_from(Notification)).one()
    r = client.post(f"/admin/orders/{order.order_no}/waybill", follow_redirects=True,
                    data={"csrf_token": token, "carrier": "京东", "tracking_no": "JDVA12345678901",
                          "version": order.version})
    assert "物流信息已更正" in r.get_data(as_text=True)
    fixed = _get(app, order.order_no)
    assert (fixed.carrier, fixed.tracking_no, fixed.version) == ("京东", "JDVA12345678901", order.version + 1)
    with new_session(app.extensions["ops"].engine) as s:
        event = s.exec(select(StatusEvent).where(StatusEvent.order_id == order.id)
                       .order_by(StatusEvent.id.desc())).first()
        after = s.exec(select(func.count()).select_from(Notification)).one()
    assert (event.command, event.source, event.from_status, event.to_status) == ("edit", "web", "shipped", "shipped")
    assert event.data == {"carrier": ["顺丰", "京东"], "tracking_no": ["SF1402938475621", "JDVA12345678901"]}
    assert after > before
    bad = client.post(f"/admin/orders/{order.order_no}/waybill", follow_redirects=True,
                      data={"csrf_token": token, "carrier": "京东", "tracking_no": "123"})
    assert "看起来不对" in bad.get_data(as_text=True) and _get(app, order.order_no).tracking_no == "JDVA12345678901"


def test_roles_without_logistics_cannot_correct(app, signed_in):
    order = _order(app, Status.SHIPPED)
    client, token = signed_in("qc")
    r = client.post(f"/admin/orders/{order.order_no}/waybill", follow_redirects=True,
                    data={"csrf_token": token, "carrier": "京东", "tracking_no": "JDVA12345678901"})
    assert "不能更正" in r.get_data(as_text=True) and _get(app, order.order_no).carrier == "顺丰"
