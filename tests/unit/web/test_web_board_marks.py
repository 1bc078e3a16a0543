"""Board marks and whole numbers: packaging counted in whole units (rounded up, and said so), the
sales board's red flag and start countdown, the planning board's marks section, and progress reports
in the order timeline as what changed (CNC加工 60% → 92%)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from sqlmodel import select

from alerts.models import Alert, AlertRule, open_key
from alerts.rules import seed_rules
from core.db import new_session
from orders import commands
from orders.materials import whole_units
from orders.models import Material, Order, Product
from orders.status import Status
from tests.factories import actor_of, order_in
from web.board_data import warehouse_board


def test_whole_units_round_up_and_ignore_float_noise():
    assert whole_units(44.3) == 45 and whole_units(72.5) == 73 and whole_units(8.0) == 8
    assert whole_units(0.1 * 30) == 3  # 3.0000000000000004 in floats is still three boxes
    assert whole_units(0) == 0


def test_warehouse_board_counts_packaging_in_whole_units_per_order(app, factory):
    rt = app.extensions["ops"]
    with rt.uow() as uow:
        prod = uow.session.get(Product, factory["product"].id)
        prod.packaging_per_unit = 0.133  # 100 pieces need 13.3 boxes: 14
        box = uow.session.get(Material, factory["materials"]["box"].id)
        box.stock_on_hand = 20.5  # half a box packs nothing
        first = order_in(uow, Status.IN_STOCK, promised_date=date.today() + timedelta(days=1))
        second = order_in(uow, Status.IN_STOCK, promised_date=date.today() + timedelta(days=2))
        uow.commit()
        d = warehouse_board(uow.session)
        expected = [(first.order_no, 14, False), (second.order_no, 14, True)]
    assert [(o["order_no"], o["need"], o["short"]) for o in d["orders"]] == expected
    [m] = d["materials"]
    assert (m["stock"], m["need"], m["shortage"]) == (20, 28, 8)
    assert all(isinstance(v, int) for v in (m["stock"], m["need"], m["shortage"]))


def test_warehouse_board_page_says_counts_are_rounded_up(signed_in, factory):
    client, _ = signed_in("warehouse")
    html = client.get("/admin/boards/warehouse").get_data(as_text=True)
    assert "向上取整" in html


def _flag(app, order: Order) -> None:
    with new_session(app.extensions["ops"].engine) as s:
        seed_rules(s)
        rule = s.exec(select(AlertRule).where(AlertRule.code == "promise_near")).one()
        s.add(Alert(rule_id=rule.id, rule_code=rule.code, order_id=order.id, order_no=order.order_no, level="red",
                    open_key=open_key(order.id, rule.id), detail="临近交期"))
        s.commit()


def _row(html: str, order_no: str) -> str:
    return re.search(rf'<tr[^>]*data-order="{order_no}">(.*?)</tr>', html, re.S).group(1)


def test_sales_board_shows_the_red_flag_and_the_start_countdown(app, signed_in, factory):
    rt = app.extensions["ops"]
    with rt.uow() as uow:
        near = order_in(uow, Status.IN_STOCK, promised_date=date.today() + timedelta(days=2))
        planned = order_in(uow, Status.SCHEDULED, promised_date=date.today() + timedelta(days=5))
        calm = order_in(uow, Status.PENDING_REVIEW, promised_date=date.today() + timedelta(days=6))
        uow.commit()
        start = planned.planned_start
    _flag(app, near)
    client, _ = signed_in("sales")
    html = client.get("/admin/boards/sales").get_data(as_text=True)
    assert "红旗" in _row(html, near.order_no)
    with rt.uow() as uow:
        from workcal.service import calendar_for

        today = datetime.now(rt.settings.tz).date()  # the business day, as the board counts
        days = 0 if start == today else calendar_for(uow.session, rt.settings).working_days_between(today, start)
    expected = "今天开工" if days == 0 else f"{days} 天后开工" if days > 0 else f"应开工已过 {-days} 天"
    assert expected in _row(html, planned.order_no) and "红旗" not in _row(html, planned.order_no)
    assert "开工" not in _row(html, calm.order_no) and "红旗" not in _row(html, calm.order_no)


def test_planning_board_lists_countdowns_in_its_own_section(app, signed_in, factory):
    with app.extensions["ops"].uow() as uow:
        planned = order_in(uow, Status.SCHEDULED)
        uow.commit()
    client, _ = signed_in("planner")
    html = client.get("/admin/boards/planning").get_data(as_text=True)
    section = html[html.index('id="start-marks"'):]
    assert re.search(r"(今天开工|\d+ 天后开工)", _row(section, planned.order_no))


def test_progress_reports_show_what_changed_in_the_timeline(app, signed_in, factory):
    rt = app.extensions["ops"]
    with rt.uow() as uow:
        order = order_in(uow, Status.SCHEDULED)
        uow.commit()
    lead = actor_of(factory["people"]["production"], "chat")
    for percent in (60, 92):
        with rt.uow() as uow:
            commands.run(uow, "report", order.order_no, actor=lead, fields={"process": "CNC加工", "percent": percent})
            uow.commit()
    client, _ = signed_in("sales")
    html = client.get(f"/admin/orders/{order.order_no}").get_data(as_text=True)
    timeline = html[html.index('id="timeline"'):]
    assert "CNC加工 0% → 60%" in timeline and "CNC加工 60% → 92%" in timeline
    assert "加工中 → 加工中" not in timeline


def _today_line_between(html: str, table_id: str, before: str, after: str) -> None:
    """The table's today line comes after the order `before` (past its date) and before `after`."""
    table = html[html.index(f'id="{table_id}"'):]
    table = table[:table.index("</table>")]
    assert table.count('id="today-line"') == 1
    line = table.index('id="today-line"')
    assert table.index(f'data-order="{before}"') < line < table.index(f'data-order="{after}"')


def test_sales_board_has_a_legend_and_a_today_line_under_the_late_orders(app, signed_in, factory):
    rt = app.extensions["ops"]
    today = datetime.now(rt.settings.tz).date()
    with rt.uow() as uow:
        late = order_in(uow, Status.IN_STOCK, promised_date=today - timedelta(days=2))
        due = order_in(uow, Status.IN_STOCK, promised_date=today)
        uow.commit()
    client, _ = signed_in("sales")
    html = client.get("/admin/boards/sales").get_data(as_text=True)
    legend = re.search(r'<p class="legend" id="sales-legend">(.*?)</p>', html, re.S)
    assert legend and all(w in legend[1] for w in ("红旗", "天后开工", "应开工已过", "今天"))
    _today_line_between(html, "urgent", late.order_no, due.order_no)  # due today: below the line
    assert f"今天 {today.strftime('%m-%d')}" in html


def test_warehouse_board_has_a_legend_and_a_today_line(app, signed_in, factory):
    rt = app.extensions["ops"]
    today = datetime.now(rt.settings.tz).date()
    with rt.uow() as uow:
        late = order_in(uow, Status.IN_STOCK, promised_date=today - timedelta(days=1))
        coming = order_in(uow, Status.IN_STOCK, promised_date=today + timedelta(days=3))
        uow.commit()
    client, _ = signed_in("warehouse")
    html = client.get("/admin/boards/warehouse").get_data(as_text=True)
    legend = re.search(r'<p class="legend" id="warehouse-legend">(.*?)</p>', html, re.S)
    assert legend and "包材不足" in legend[1] and "今天" in legend[1]
    _today_line_between(html, "ready-orders", late.order_no, coming.order_no)


def test_a_list_with_nothing_late_has_its_today_line_on_top(app, signed_in, factory):
    rt = app.extensions["ops"]
    today = datetime.now(rt.settings.tz).date()
    with rt.uow() as uow:
        coming = order_in(uow, Status.IN_STOCK, promised_date=today + timedelta(days=3))
        uow.commit()
    client, _ = signed_in("warehouse")
    html = client.get("/admin/boards/warehouse/fragment").get_data(as_text=True)
    table = html[html.index('id="ready-orders"'):]
    assert table.index('id="today-line"') < table.index(f'data-order="{coming.order_no}"')
