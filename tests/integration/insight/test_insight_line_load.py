"""Load per line vs capacity on the health dashboard (SQLite and PostgreSQL): over the next 7 working
days each line's planned standard hours equal what this test sums from the task, route and order rows
by plain SQL, its capacity is its day hours × the working days written out here by hand, and the line,
product-line and customer-level filters pick the tasks they should; the drill-down list, the API and the
page show the same."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from core.db import new_session
from insight import drill, kpis, lineload
from insight.period import make_period
from nextsteps.planning import lines_for
from orders.models import Customer, Order, Product, ProductionTask, RouteStep
from workcal.models import LineDayOverride, ProductionLine
from workcal.service import calendar_for

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 31, 4, 0, tzinfo=UTC)  # Tuesday 12:00 in Shanghai, inside the 08:00–17:30 shift
# 7 factory working days from Tuesday 31 March: 4–6 April is the Qingming break (Sat–Mon)
WINDOW = [date(2026, 3, 31), date(2026, 4, 1), date(2026, 4, 2), date(2026, 4, 3), date(2026, 4, 7),
          date(2026, 4, 8), date(2026, 4, 9)]
DAY_HOURS = {"1号线": 16.0, "2号线": 8.0, "3号线": 12.0}
WORKDAYS = {"1号线": 7, "2号线": 8, "3号线": 7}  # 2号线 works Saturday 4 April (a line override)


def local(day: date, hour: float) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=TZ) + timedelta(hours=hour)


# order: (customer, product, quantity, order line, [(seq, line, start, end, progress, done)])
ORDERS = {
    "SO-L1": ("a", "P-1", 1000, "1号线", [(1, "1号线", local(WINDOW[0], 13), local(WINDOW[0], 16), 50, False),
                                           (2, "2号线", local(WINDOW[1], 9), local(WINDOW[1], 11), 0, False)]),
    "SO-L2": ("c", "P-2", 1000, "2号线", [(1, "2号线", local(WINDOW[2], 9), local(WINDOW[2], 15), 0, False),
                                           (2, "委外", local(WINDOW[3], 8), local(WINDOW[4], 17), 0, False)]),
    "SO-L3": ("a", "P-1", 1000, "1号线", [(1, "1号线", local(date(2026, 3, 20), 8), local(date(2026, 3, 20), 17),
                                           0, False)]),  # overdue, not done: counts today
    "SO-L4": ("c", "P-1", 1000, "1号线", [(1, "1号线", local(WINDOW[1], 8), local(WINDOW[1], 12), 0, True),
                                           (2, "2号线", local(date(2026, 4, 20), 8), local(date(2026, 4, 20), 12),
                                            0, False)]),  # done / after the window
    "SO-L5": ("a", "P-2", 500, "1号线", [(1, "1号线", local(WINDOW[6], 8), local(date(2026, 4, 10), 17.5),
                                          0, False)]),  # half on the window's last day, half after it
}
# share of each open in-house task's hours that falls in the window, worked out by hand from the above
IN_WINDOW = {("SO-L1", 1): 1, ("SO-L1", 2): 1, ("SO-L2", 1): 1, ("SO-L3", 1): 1, ("SO-L5", 1): 0.5}


@pytest.fixture
def world(app):
    rt = app.extensions["ops"]
    with new_session(rt.engine) as s:
        a, c = Customer(name="甲客户", level="A"), Customer(name="丙客户", level="C")
        p1, p2 = Product(code="P-1", name="外壳", product_line="外壳"), Product(code="P-2", name="支架", product_line="支架")
        s.add_all([a, c, p1, p2])
        s.add_all([ProductionLine(name=n, day_hours=h) for n, h in DAY_HOURS.items()])
        s.add(ProductionLine(name="委外", outsourced=True))
        s.add(LineDayOverride(line="2号线", day=date(2026, 4, 4), is_workday=True, note="周六加班"))
        s.flush()
        s.add_all([RouteStep(product_id=p1.id, seq=1, process="车削", std_hours_per_100=2.0, line="1号线"),
                   RouteStep(product_id=p1.id, seq=2, process="包装", std_hours_per_100=0.5, line="2号线"),
                   RouteStep(product_id=p2.id, seq=1, process="焊接", std_hours_per_100=4.0, line="2号线"),
                   RouteStep(product_id=p2.id, seq=2, process="喷涂", std_hours_per_100=1.0, line="委外")])
        customers, products = {"a": a, "c": c}, {"P-1": p1, "P-2": p2}
        for no, (cust, prod, qty, line, tasks) in ORDERS.items():
            o = Order(order_no=no, customer_id=customers[cust].id, product_id=products[prod].id, quantity=qty,
                      promised_date=date(2026, 4, 15), status="in_production", line=line, created_at=NOW, version=1)
            s.add(o)
            s.flush()
            for seq, tline, start, end, progress, done in tasks:
                s.add(ProductionTask(order_id=o.id, seq=seq, process="", line=tline, planned_start=start,
                                     planned_end=end, progress=progress, done=done))
        s.commit()
    session = new_session(rt.engine)
    yield session, rt.settings
    session.close()


def expected(s, where: str = "1 = 1", params: dict | None = None) -> dict[str, float]:
    """Hours per line: each open in-house task's standard hours (route hours × quantity, at least 0.5, less
    progress) by SQL, times its share in the window, for the orders and task lines `where` selects."""
    rows = s.execute(text(
        "SELECT o.order_no, t.seq, t.line, "
        "CASE WHEN r.std_hours_per_100 * o.quantity / 100.0 < 0.5 THEN 0.5 "
        "ELSE r.std_hours_per_100 * o.quantity / 100.0 END * (1 - t.progress / 100.0) "
        'FROM productiontask t JOIN "order" o ON o.id = t.order_id JOIN customer c ON c.id = o.customer_id '
        "JOIN product p ON p.id = o.product_id "
        "JOIN routestep r ON r.product_id = o.product_id AND r.seq = t.seq "
        "JOIN production_line l ON l.name = t.line "
        f"WHERE t.done = :no AND l.outsourced = :no AND {where}"), {"no": False, **(params or {})}).all()
    out: dict[str, float] = {}
    for no, seq, line, hours in rows:
        out[line] = out.get(line, 0.0) + IN_WINDOW.get((no, seq), 0) * float(hours)
    return out


CASES = {  # filters -> the SQL condition selecting the same orders and task lines
    "none": ({}, "1 = 1", {}),
    "product line 外壳": ({"product_line": "外壳"}, "p.product_line = :pl", {"pl": "外壳"}),
    "level C": ({"customer_level": "C"}, "c.level = :lv", {"lv": "C"}),
    "line 2号线": ({"line": "2号线"}, "t.line = :ln", {"ln": "2号线"}),
    "line 1号线 + 支架": ({"line": "1号线", "product_line": "支架"}, "t.line = :ln AND p.product_line = :pl",
                        {"ln": "1号线", "pl": "支架"}),
}


@pytest.mark.parametrize("case", list(CASES))
def test_line_load_equals_the_hours_sql_sums_over_the_capacity_of_the_window(world, case):
    s, settings = world
    filters, where, params = CASES[case]
    p = make_period(30, TZ, now=NOW, **filters)
    lines = lines_for(s, settings)
    assert lineload.window(lines, p.today) == [WINDOW[0] + timedelta(days=i) for i in range(10)]
    fig = kpis.dashboard(s, p, calendar_for(s, settings), lines)["line_load"]
    want = expected(s, where, params)
    shown = [filters["line"]] if "line" in filters else sorted(DAY_HOURS)  # 委外 never: no capacity
    assert [r["line"] for r in fig["lines"]] == shown
    for row in fig["lines"]:
        name = row["line"]
        capacity = DAY_HOURS[name] * WORKDAYS[name]
        assert row["capacity_hours"] == pytest.approx(capacity)
        assert row["planned_hours"] == pytest.approx(want.get(name, 0.0), abs=0.051)  # rounded to 0.1
        assert row["load_rate"] == pytest.approx(want.get(name, 0.0) / capacity, abs=1e-6)
    total = sum(want.get(n, 0.0) for n in shown)
    assert fig["planned_hours"] == pytest.approx(total, abs=0.051)
    assert (fig["window_start"], fig["window_end"], fig["workdays"]) == (WINDOW[0], WINDOW[-1], 7)

    listed = drill.drill_list(s, "line_load", p, calendar_for(s, settings), lines)
    got = {}
    for row in listed["rows"]:
        got[row["line"]] = got.get(row["line"], 0.0) + row["hours"]
    assert {k: pytest.approx(v, abs=0.051) for k, v in got.items()} == {k: v for k, v in want.items() if v and k in shown}


def test_the_hand_figures_are_what_the_fixture_means(world):
    s, _ = world
    # 1号线: SO-L1 车削 20 h half done (10) + SO-L3 overdue 20 + SO-L5 焊接 20 h, half in the window (10);
    # 2号线: SO-L1 包装 5 + SO-L2 焊接 40; 委外 and done or later tasks count nowhere
    assert expected(s) == pytest.approx({"1号线": 40.0, "2号线": 45.0})


def test_api_and_page_show_the_line_load_with_its_definition_and_drill_down(world, app, token_for):
    """The API and the page read the real clock: the fixture's tasks are overdue by then and count today."""
    from accounts.service import create_user
    from tests.unit.web.conftest import PASSWORD, login

    with new_session(app.extensions["ops"].engine) as s:
        create_user(s, "u_manager", "manager", PASSWORD)
        s.commit()
    client = app.test_client()
    auth = {"Authorization": f"Bearer {token_for('manager')}"}
    dash = client.get("/api/insight/dashboard?days=30&line=2号线", headers=auth).json
    assert [r["line"] for r in dash["figures"]["line_load"]["lines"]] == ["2号线"]
    assert "产能" in dash["definitions"]["line_load"] and "7 个工作日" in dash["definitions"]["line_load"]
    one = client.get("/api/insight/figures/line_load?product_line=外壳", headers=auth)
    assert one.status_code == 200 and one.json["name"] == "产线负荷" and "lines" in one.json["value"]
    assert client.get("/api/insight/lists/line_load?line=1号线", headers=auth).status_code == 200
    assert client.get("/api/insight/lists/line_load.xlsx", headers=auth).status_code == 200
    spec = client.get("/api/openapi.json").json
    assert "line_load" in spec["paths"]["/api/insight/figures/{figure}"]["get"]["summary"]
    assert "line_load" in spec["paths"]["/api/insight/lists/{name}"]["get"]["summary"]
    assert "line_load" in spec["components"]["schemas"]["DashboardOut"]["properties"]["figures"]["description"]
    login(client, "manager")
    html = client.get("/admin/insight/?days=30").get_data(as_text=True)
    assert 'id="kpi-line_load"' in html and 'data-chart="line_load"' in html and 'id="line-load-table"' in html
    assert 'title="未来 7 个工作日' in html
    assert "/admin/insight/lists/line_load?days=30&amp;line=2" in html  # each line opens its orders
    assert client.get("/admin/insight/lists/line_load?days=30&line=2号线").status_code == 200
