"""What the customer may order and how soon: products ordered before plus enabled ones, prices only when
enabled, and the earliest date (lead days in working days, plus the customer's delivery buffer)."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from sqlmodel import select

from core.types import utcnow
from orders.models import Customer, Order
from orders.status import Status
from shop.catalogue import catalogue_for, earliest_promise_date
from shop.models import ShopAddress, ShopProduct
from tests.factories import order_in
from tests.integration.shop.conftest import customer_id, form_of, issue, staff_client
from workcal.service import calendar_for


def test_the_catalogue_has_products_ordered_before_and_those_enabled_and_prices_only_when_enabled(make_shop_app):
    app = make_shop_app()
    rt = app.extensions["ops"]
    with rt.uow() as uow:
        order_in(uow, Status.DELIVERED, product="SH-100")
        uow.commit()
    token = issue(app, enable=())
    client = app.test_client()
    html = form_of(client, token)["html"]
    assert "SH-100" in html and "SH-200" not in html and "¥" not in html

    staff, csrf = staff_client(app)
    cid = customer_id(app, "宁波测试机械有限公司")
    staff.post(f"/admin/shop/customers/{cid}/products", data={"code": "SH-200", "csrf_token": csrf})
    staff.post(f"/admin/shop/customers/{cid}/prices", data={"show_prices": "1", "csrf_token": csrf})
    html = form_of(client, token)["html"]
    assert "Φ40×12" in html and "单价 ¥12.50" in html and "单价 ¥8.00" in html
    with rt.uow() as uow:
        other = uow.session.exec(select(Customer.id).where(Customer.name == "杭州另一家电器有限公司")).one()
        assert catalogue_for(uow.session, other) == []  # nothing ordered, nothing enabled


def test_a_salesperson_manages_only_their_own_customers_links(make_shop_app):
    app = make_shop_app()
    rt = app.extensions["ops"]
    with rt.uow() as uow:
        uow.session.add(Customer(name="别人的客户有限公司", sales_owner_id=None))
        uow.commit()
    staff, csrf = staff_client(app)
    stranger = customer_id(app, "别人的客户有限公司")
    assert staff.get(f"/admin/shop/customers/{stranger}").status_code == 403
    assert staff.post(f"/admin/shop/customers/{stranger}/link", data={"csrf_token": csrf}).status_code == 403
    listing = staff.get("/admin/shop/customers").get_data(as_text=True)
    assert "宁波测试机械有限公司" in listing and "别人的客户有限公司" not in listing
    admin, admin_csrf = staff_client(app, "admin")
    assert admin.get(f"/admin/shop/customers/{stranger}").status_code == 200

    # Every action on another person's customer is refused, not only the pages: revoking, the QR card (it
    # carries the link), sending it, removing products and addresses.
    admin.post(f"/admin/shop/customers/{stranger}/products", data={"code": "SH-200", "csrf_token": admin_csrf})
    admin.post(f"/admin/shop/customers/{stranger}/addresses", data={"address": "别处 1 号", "csrf_token": admin_csrf})
    assert admin.post(f"/admin/shop/customers/{stranger}/link", data={"csrf_token": admin_csrf}).status_code == 302
    token = re.search(r"/s/([A-Za-z0-9_-]{20,})", admin.get(f"/admin/shop/customers/{stranger}")
                      .get_data(as_text=True)).group(1)
    with rt.uow() as uow:
        product_row = uow.session.exec(select(ShopProduct.id).where(ShopProduct.customer_id == stranger)).one()
        address_row = uow.session.exec(select(ShopAddress.id).where(ShopAddress.customer_id == stranger)).one()
    assert staff.get(f"/admin/shop/customers/{stranger}/qr.png").status_code == 403
    assert staff.get(f"/admin/shop/customers/{stranger}/print").status_code == 403
    for action in ("revoke", "send", f"products/{product_row}/delete", f"addresses/{address_row}/delete"):
        assert staff.post(f"/admin/shop/customers/{stranger}/{action}", data={"csrf_token": csrf}
                          ).status_code == 403, action
    assert app.test_client().get(f"/s/{token}").status_code == 200  # still live
    with rt.uow() as uow:
        assert uow.session.get(ShopProduct, product_row) is not None
        assert uow.session.get(ShopAddress, address_row).active
    assert admin.get(f"/admin/shop/customers/{stranger}/qr.png").status_code == 200


def test_the_earliest_date_is_lead_days_plus_the_customers_delivery_buffer(make_shop_app):
    app = make_shop_app(lead_days=3)
    rt = app.extensions["ops"]
    now = utcnow()
    with rt.uow() as uow:
        cid = uow.session.exec(select(Customer.id).where(Customer.name == "宁波测试机械有限公司")).one()
        cal = calendar_for(uow.session, rt.settings)
        today = now.astimezone(rt.settings.tz).date()
        assert earliest_promise_date(uow.session, rt.settings, cid, now=now) == cal.add_working_days(today, 3)
        # Five deliveries, each two working days late: the buffer suggests 2 more working days.
        for _ in range(5):
            order = order_in(uow, Status.DELIVERED)
            delivered = (now - timedelta(days=10)).astimezone(rt.settings.tz)
            promised = cal.add_working_days(delivered.date(), -2)
            uow.session.get(Order, order.id).promised_date = promised
            uow.session.get(Order, order.id).delivered_at = delivered
        uow.session.flush()
        assert earliest_promise_date(uow.session, rt.settings, cid, now=now) == cal.add_working_days(today, 5)
        assert cal.is_workday(earliest_promise_date(uow.session, rt.settings, cid, now=now))


def test_the_earliest_date_follows_the_plan_of_the_lines_and_the_quantity(make_shop_app):
    """The lead days are a floor; beyond them the date is when scheduling now would finish the products, after
    the work already planned on their lines, so a full line or a large quantity moves it later."""
    from nextsteps.planning import lines_for, plan_tasks
    from orders.models import RouteStep
    from tests.integration.shop.conftest import filled, product_id
    from workcal.models import ProductionLine

    app = make_shop_app(lead_days=3)
    rt = app.extensions["ops"]
    with rt.uow() as uow:  # SH-100: 3 steps of 2 standard hours per 100 pieces, all on 1号线 (8 h a day)
        uow.session.add(ProductionLine(name="1号线", day_hours=8))
        for step in uow.session.exec(select(RouteStep)).all():
            step.line = "1号线"
            uow.session.add(step)
        uow.commit()
    token = issue(app, enable=("SH-100",))
    cid, pid = customer_id(app, "宁波测试机械有限公司"), product_id(app, "SH-100")
    # Planned from the start of today (midnight, so the shift's first hour): the big order below then fills
    # today's shift from its start, as the page (planning from the real now) counts a day's load. Planning
    # it from the real now in mid-shift would leave the hours before now looking free (see the closing note).
    today = utcnow().astimezone(rt.settings.tz).date()
    now = datetime.combine(today, time(0, 0), tzinfo=rt.settings.tz)
    with rt.uow() as uow:
        s = uow.session
        cal = calendar_for(s, rt.settings)
        base = cal.add_working_days(today, 3)
        assert earliest_promise_date(s, rt.settings, cid, now=now) == base  # an empty line: the lead days
        big = earliest_promise_date(s, rt.settings, cid, now=now, lines=[(pid, 3000)])  # 180 h: ~23 days
        assert big > base and cal.is_workday(big)
        # exactly the day scheduling an order of 3000 now plans it to end
        order = order_in(uow, Status.PENDING_SCHEDULE, quantity=3000)
        plan_tasks(s, s.get(Order, order.id), lines_for(s, rt.settings), now=now)
        planned_end = s.get(Order, order.id).planned_end
        uow.commit()
    assert big == planned_end

    # That order now fills 1号线: the page offers no day before it ends, and a large request is later still.
    client = app.test_client()
    form = form_of(client, token)
    offered = date.fromisoformat(form["earliest"])
    assert offered >= planned_end > base and f"最早可交货日期：{form['earliest']}" in form["html"]
    r = client.post(f"/s/{token}", data=filled(form, {pid: 3000}))
    assert r.status_code == 400
    later = re.search(r"期望交货日期最早为 ([0-9-]{10})", r.get_data(as_text=True)).group(1)
    assert date.fromisoformat(later) > offered
    assert client.post(f"/s/{token}", data=filled(form_of(client, token), {pid: 5})).status_code == 303
