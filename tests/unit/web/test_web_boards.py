"""Board read models and fragments: follow-up counts, packaging shortages, line load."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from orders.models import Material, ProductionTask
from orders.status import Status
from tests.factories import order_in
from web.board_data import sales_board, warehouse_board
from web.board_planning import merge_cards, planning_board

TZ = ZoneInfo("Asia/Shanghai")


def test_sales_board_counts_orders_needing_follow_up_by_customer_region_and_owner(app, factory):
    with app.extensions["ops"].uow() as uow:
        order_in(uow, Status.PENDING_REVIEW, promised_date=date.today() + timedelta(days=60))  # waits for review
        order_in(uow, Status.SCHEDULED, promised_date=date.today() - timedelta(days=2))  # late
        order_in(uow, Status.SCHEDULED, promised_date=date.today() + timedelta(days=60))  # not yet
        order_in(uow, Status.DELIVERED, promised_date=date.today())  # with the customer
        uow.commit()
        d = sales_board(uow.session, date.today())
    assert d["total"] == 2 and d["late"] == 1
    assert d["groups"]["customer"] == [{"name": "宁波测试机械有限公司", "count": 2, "late": 1}]
    assert d["groups"]["region"][0]["name"] == "浙江"
    assert d["groups"]["owner"][0] == {"name": "sales员", "count": 2, "late": 1}
    assert d["urgent"][0]["late"] is True


def test_warehouse_board_marks_the_orders_packaging_stock_cannot_cover(app, factory):
    rt = app.extensions["ops"]
    with rt.uow() as uow:
        box = uow.session.get(Material, factory["materials"]["box"].id)
        box.stock_on_hand = 15  # 0.1 box per piece: 100 pieces need 10
        first = order_in(uow, Status.IN_STOCK, promised_date=date.today() + timedelta(days=1))
        second = order_in(uow, Status.IN_STOCK, promised_date=date.today() + timedelta(days=2))
        order_in(uow, Status.PENDING_QC)  # QC not passed yet: not ready to ship
        uow.commit()
        d = warehouse_board(uow.session)
        expected = [first.order_no, second.order_no]
    assert [o["order_no"] for o in d["orders"]] == expected
    assert [o["short"] for o in d["orders"]] == [False, True]
    assert d["materials"][0]["need"] == 20 and d["materials"][0]["shortage"] == 5


def test_qc_passed_orders_waiting_in_pending_qc_count_as_ready(app, factory):
    from orders import service
    from tests.factories import admin_actor

    with app.extensions["ops"].uow() as uow:
        o = order_in(uow, Status.PENDING_QC)
        service.record_qc_pass(uow, o.order_no, actor=admin_actor())
        uow.commit()
        assert [x["order_no"] for x in warehouse_board(uow.session)["orders"]] == [o.order_no]


def test_planning_heat_adds_task_hours_on_their_line_and_day(app, factory):
    from nextsteps.planning import lines_for

    now = datetime.now(TZ)
    today = now.date()
    rt = app.extensions["ops"]
    with rt.uow() as uow:
        o = order_in(uow, Status.IN_PRODUCTION, quantity=200)
        uow.commit()  # scheduling planned the route's tasks on 1号线
    with rt.uow() as uow:
        day = lines_for(uow.session, rt.settings).factory_calendar.next_workday(today)
        index = (day - today).days
        start = datetime.combine(day, datetime.min.time(), TZ).replace(hour=9)
        uow.session.add(ProductionTask(order_id=o.id, seq=1, process="CNC加工", line="A线",
                                       planned_start=start.astimezone(UTC),
                                       planned_end=(start + timedelta(hours=3)).astimezone(UTC), progress=50))
        uow.commit()
        d = planning_board(uow.session, today, TZ, now, lines_for(uow.session, rt.settings))
    row = next(r for r in d["heat"] if r["line"] == "A线")
    assert row["cells"][index]["hours"] == 2.0  # 2 h per 100 × 200 pieces × half left
    assert row["cells"][index]["pct"] == round(100 * 2.0 / rt.settings.planning.line_day_hours)
    assert row["cells"][0]["hours"] == 0 or index == 0
    bars = next(g for g in d["gantt"] if g["line"] == "A线")["cards"]
    assert [(b["col"], b["span"]) for b in bars] == [(index + 2, 1)]  # column 1 is the line name


def test_tasks_of_one_order_on_one_line_make_one_gantt_bar():
    from web.board_planning import Card

    bars = merge_cards([Card("SO1", "下料", "1号线", 0, 0), Card("SO1", "折弯", "1号线", 1, 2),
                        Card("SO1", "包装", "2号线", 3, 3)])
    assert [(b.line, b.label, b.start, b.end) for b in bars] == [("1号线", "下料、折弯", 0, 2), ("2号线", "包装", 3, 3)]


def test_board_fragments_render_for_their_roles(signed_in, factory):
    client, _ = signed_in("manager")
    for name, marker in (("sales", "需跟进订单"), ("planning", "产线负荷"), ("warehouse", "待发货")):
        r = client.get(f"/admin/boards/{name}/fragment")
        assert r.status_code == 200 and marker in r.get_data(as_text=True)
        assert "<html" not in r.get_data(as_text=True)
        page = client.get(f"/admin/boards/{name}").get_data(as_text=True)
        assert 'data-live="/admin/live"' in page and "live.js" in page


def test_unknown_board_is_not_found_or_forbidden(signed_in, factory):
    client, _ = signed_in("admin")
    assert client.get("/admin/boards/nope").status_code in (403, 404)
