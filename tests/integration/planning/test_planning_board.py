"""The planning board on the demo factory: load in % of each line's capacity on a fixed scale, the line's
days off, and a capacity edited in the admin showing at once."""

from __future__ import annotations

import re

from sqlmodel import select

from core.db import new_session
from tests.integration.planning.conftest import web_login
from web.board_planning import band
from workcal.models import ProductionLine


def heat_row(html: str, line: str) -> tuple[float, list[dict]]:
    """(capacity, cells) of one line's heatmap row."""
    row = re.search(rf"<tr><th class=\"sticky\">{line}<br><span class=\"cap\" data-capacity=\"([\d.]+)\">(.*?)</tr>",
                    html, re.S)
    assert row, html[:1500]
    cells = [{"cls": c, "pct": int(p) if p else None, "hours": float(h)}
             for c, p, h in re.findall(r'<td class="(\w+)" data-pct="(\d*)" data-hours="([\d.]+)"', row[2])]
    return float(row[1]), cells


def test_heatmap_is_in_percent_of_each_lines_capacity_with_a_legend(demo, rt):
    client = demo.test_client()
    web_login(client, "planner")
    html = client.get("/admin/boards/planning/fragment").get_data(as_text=True)
    assert 'id="heat-legend"' in html and "≤ 70%" in html and "&gt; 100% 超负荷" in html
    with new_session(rt.engine) as s:
        capacities = {r.name: r.day_hours for r in s.exec(select(ProductionLine)).all()}
    for line in ("1号线", "2号线", "3号线", "4号线"):
        capacity, cells = heat_row(html, line)
        assert capacity == capacities[line]
        assert f"{capacity:g} 小时/天" in html or f"{capacity} 小时/天" in html
        assert len(cells) == 7
        for c in cells:
            if c["pct"] is None:  # a day off of that line
                assert c["cls"] in ("off", "b3")
            else:
                assert c["pct"] == round(100 * c["hours"] / capacity, 0) or abs(c["pct"] - 100 * c["hours"] / capacity) <= 1
                assert c["cls"] == band(c["pct"])
    assert "委外" not in re.findall(r'<tr><th class="sticky">([^<]+)<br>', html)  # no capacity to fill


def test_a_capacity_edited_in_the_admin_changes_the_heatmap(demo, rt):
    client = demo.test_client()
    token = web_login(client, "admin")
    before_cap, before = heat_row(client.get("/admin/boards/planning/fragment").get_data(as_text=True), "3号线")
    with new_session(rt.engine) as s:
        line = s.exec(select(ProductionLine).where(ProductionLine.name == "3号线")).one()
        line_id, processes = line.id, line.processes
    bad = client.post(f"/admin/data/lines/{line_id}", data={"name": "3号线", "day_hours": "-5", "processes": processes,
                                                             "csrf_token": token})
    assert bad.status_code == 400 and "每天产能须大于 0" in bad.get_data(as_text=True)
    new_cap = before_cap / 4
    r = client.post(f"/admin/data/lines/{line_id}", data={"name": "3号线", "day_hours": str(new_cap),
                                                           "processes": processes, "lead_days": "0",
                                                           "csrf_token": token})
    assert r.status_code == 302, r.get_data(as_text=True)[:800]
    after_cap, after = heat_row(client.get("/admin/boards/planning/fragment").get_data(as_text=True), "3号线")
    assert after_cap == new_cap
    loaded = [(b, a) for b, a in zip(before, after, strict=True) if b["pct"] is not None and b["hours"] > 0]
    assert loaded, before
    for b, a in loaded:
        assert a["hours"] == b["hours"]
        assert abs(a["pct"] - 4 * b["pct"]) <= 4  # the same hours are four times as much of the new capacity
        assert a["cls"] == band(a["pct"])
    assert any(a["cls"] == "b3" for _, a in loaded)  # a quarter of the capacity overloads the line
    client.post(f"/admin/data/lines/{line_id}", data={"name": "3号线", "day_hours": str(before_cap),
                                                       "processes": processes, "lead_days": "0", "csrf_token": token})


def test_sunday_is_a_day_off_for_every_line_and_the_saturday_shift_is_not(demo, rt):
    from datetime import datetime, timedelta

    client = demo.test_client()
    web_login(client, "planner")
    html = client.get("/admin/boards/planning/fragment").get_data(as_text=True)
    today = datetime.now(rt.settings.tz).date()
    days = [today + timedelta(days=i) for i in range(7)]
    sunday, saturday = (days.index(next(d for d in days if d.weekday() == w)) for w in (6, 5))
    for line in ("1号线", "2号线", "3号线", "4号线"):
        _, cells = heat_row(html, line)
        assert cells[sunday]["pct"] is None
        assert (cells[saturday]["pct"] is not None) == (line == "1号线")  # the demo's Saturday shift


def test_gantt_shades_each_lines_days_off_draws_progress_and_marks_late_bars(demo, rt):
    """Gantt: a grey cell on every day a line rests (its own calendar: 1号线 works the Saturday), progress
    drawn in each bar (--p) and said in it, late bars marked and explained, each bar linking its order."""
    from datetime import datetime, timedelta

    from nextsteps.planning import lines_for
    from orders.models import Order, ProductionTask

    client = demo.test_client()
    web_login(client, "planner")
    html = client.get("/admin/boards/planning/fragment").get_data(as_text=True)
    gantt = html[html.index('id="gantt"'):]
    today = datetime.now(rt.settings.tz).date()
    days = [today + timedelta(days=i) for i in range(7)]
    with new_session(rt.engine) as s:
        lines = lines_for(s, rt.settings)
    labels = re.findall(r'<div class="gl sticky[^"]*" style="grid-row:(\d+) / span (\d+);grid-column:1">([^<]+)<', gantt)
    assert labels
    for row, _, name in labels:
        shaded = {int(c) - 2 for c in re.findall(rf'<div class="goff" style="grid-row:{row} / span \d+;grid-column:(\d+)"',
                                                 gantt)}
        assert shaded == {i for i, d in enumerate(days) if not lines.get(name).calendar.is_workday(d)}, name
    bars = re.findall(r'<a class="task([^"]*)" style="[^"]*--p:(\d+)%"\s+href="/admin/orders/(SO[\d-]+)" '
                      r'title="[^"（]*(（[^）]+）)?"><span class="no">\3</span><span class="what">([^<]*)</span></a>', gantt)
    assert len(bars) > 5
    late = [b for b in bars if " late" in b[0]]
    assert late, "the demo has orders planned past their promise"
    with new_session(rt.engine) as s:
        for cls, pct, order_no, why, what in bars:
            assert what.rstrip().endswith(f" {pct}%")  # progress said in the bar as drawn
            assert (" late" in cls) == what.startswith("⚠") == bool(why)
            if why == "（晚于交期）":
                order = s.exec(select(Order).where(Order.order_no == order_no)).one()
                ends = s.exec(select(ProductionTask.planned_end).where(ProductionTask.order_id == order.id,
                                                                      ProductionTask.done == False)).all()  # noqa: E712
                assert max(e.astimezone(rt.settings.tz).date() for e in ends if e) > order.promised_date
