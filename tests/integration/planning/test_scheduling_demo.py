"""Scheduling on the demo factory: each line's calendar and capacity, routes with outsourcing, named lines,
and the answer to a plan that ends after the promised date (chat and web)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from sqlmodel import select

from core.db import new_session
from nextsteps.planning import lines_for
from orders.models import Order, ProductionTask
from tests.integration.planning.conftest import web_login

DATE = r"(\d{4}-\d{2}-\d{2})"


def order_and_tasks(rt, order_no: str) -> tuple[Order, list[ProductionTask]]:
    with new_session(rt.engine) as s:
        order = s.exec(select(Order).where(Order.order_no == order_no)).one()
        tasks = s.exec(select(ProductionTask).where(ProductionTask.order_id == order.id)
                       .order_by(ProductionTask.seq)).all()
        return order, list(tasks)


def lines_now(rt):
    with new_session(rt.engine) as s:
        return lines_for(s, rt.settings)


def today(rt) -> date:
    return datetime.now(rt.settings.tz).date()


def coming_saturday(rt) -> date:
    d = today(rt)
    return d + timedelta(days=(5 - d.weekday()) % 7 or 7)


def demo_saturday(rt) -> date:
    """The Saturday the demo seed lets 1号线 work (workcal.seed): today when today is a Saturday."""
    d = today(rt)
    return d + timedelta(days=(5 - d.weekday()) % 7)


def set_promise(rt, order_no: str, promised: date) -> None:
    with new_session(rt.engine) as s:
        order = s.exec(select(Order).where(Order.order_no == order_no)).one()
        order.promised_date = promised
        s.add(order)
        s.commit()


def test_no_task_is_planned_on_a_non_working_day_of_its_line(rt, say, pending):
    saturday = coming_saturday(rt)
    numbers = [pending.take(outsourced=False) for _ in range(3)] + [pending.take(outsourced=True) for _ in range(2)]
    for no in numbers:
        reply = say(f"{no} 排产 {saturday.isoformat()}")
        assert "已排产" in reply, reply
        order, tasks = order_and_tasks(rt, no)
        lines = lines_now(rt)
        assert tasks
        for t in tasks:
            cal = lines.get(t.line).calendar
            start, end = t.planned_start.astimezone(cal.tz), t.planned_end.astimezone(cal.tz)
            assert cal.is_workday(start.date()) and cal.is_workday(end.date()), (t.process, t.line, start, end)
            assert cal.shift_start <= start.time() <= cal.shift_end and cal.shift_start <= end.time() <= cal.shift_end
        for before, after in zip(tasks, tasks[1:], strict=False):
            assert after.planned_start >= before.planned_end  # a process starts when the previous one is done
        # the answer names the day the first task really starts, never the Saturday the planner typed
        # (unless the first line works that Saturday)
        first = tasks[0]
        real_start = first.planned_start.astimezone(rt.settings.tz).date()
        assert f"开工 {real_start.isoformat()}" in reply and order.planned_start == real_start
        assert real_start != saturday or lines.get(first.line).calendar.is_workday(saturday)


def test_a_line_working_saturday_gets_work_that_day_and_others_do_not(rt, pending):
    lines = lines_now(rt)
    saturday = demo_saturday(rt)  # on a Saturday coming_saturday is next week's, which the seed leaves alone
    assert lines.get("1号线").calendar.is_workday(saturday)  # the demo's per-line override
    assert not lines.get("2号线").calendar.is_workday(saturday)
    assert not lines.factory_calendar.is_workday(saturday)


def test_outsourced_processes_never_land_on_a_factory_line(rt, say, pending):
    no = pending.take(outsourced=True)
    reply = say(f"{no} 排产 明天 2号线")
    assert "已排产" in reply, reply
    _, tasks = order_and_tasks(rt, no)
    lines = lines_now(rt)
    by_process = {t.process: t.line for t in tasks}
    outsourced = [t for t in tasks if t.process in ("阳极氧化", "喷涂", "热处理")]
    assert outsourced and all(t.line == "委外" for t in outsourced), by_process
    two = lines.get("2号线")
    for t in tasks:  # the named line took only what it can do; the rest stayed on their default lines
        if t.line == "2号线":
            assert two.can_do(t.process)
        assert not (t.line != "委外" and t.process in ("阳极氧化", "喷涂", "热处理"))
    assert "委外" in reply and "2号线" in reply


def test_a_named_line_that_cannot_do_any_of_the_processes_is_refused_in_chinese(rt, say, pending):
    from workcal.models import ProductionLine

    with new_session(rt.engine) as s:
        s.add(ProductionLine(name="5号线", day_hours=40, processes="激光打标、装配"))
        s.commit()
    no = pending.take(outsourced=False)
    reply = say(f"{no} 排产 明天 5号线")
    assert "5号线 做不了这个订单的任何工序" in reply and "激光打标" in reply, reply
    assert order_and_tasks(rt, no)[0].status == "pending_schedule"
    reply = say(f"{no} 排产 明天 9号线")
    assert "没有名为“9号线”的产线" in reply and "1号线" in reply, reply
    order, tasks = order_and_tasks(rt, no)
    assert order.status == "pending_schedule" and not tasks


def test_a_late_plan_is_answered_with_the_warning_and_a_feasible_date(rt, say, pending):
    no = pending.take(outsourced=True)
    promised = lines_now(rt).factory_calendar.next_workday(today(rt))
    set_promise(rt, no, promised)
    reply = say(f"{no} 排产 明天")
    order, tasks = order_and_tasks(rt, no)
    assert order.status == "scheduled" and order.planned_end > promised
    assert "✅" not in reply
    assert f"计划完工 {order.planned_end.isoformat()} 晚于交期 {promised.isoformat()}" in reply
    m = re.search(rf"最早 {DATE} 完工（{DATE} 开工）", reply)
    assert m, reply
    earliest_end, earliest_start = date.fromisoformat(m[1]), date.fromisoformat(m[2])
    assert "加班赶不回来" in reply  # the outsourced step alone is back after the promise
    # the proposed date is feasible: planning from that start ends exactly then
    assert "已撤回" in say(f"{no} 撤回")
    assert order_and_tasks(rt, no)[0].status == "pending_schedule"
    say(f"{no} 排产 {earliest_start.isoformat()}")
    assert order_and_tasks(rt, no)[0].planned_end == earliest_end


def test_a_late_start_is_answered_with_an_earlier_start_that_keeps_the_promise(rt, say, pending):
    no = pending.take(outsourced=False)
    cal = lines_now(rt).factory_calendar
    promised = cal.add_working_days(today(rt), 15)
    set_promise(rt, no, promised)
    reply = say(f"{no} 排产 {cal.next_workday(promised).isoformat()}")  # starts after the promise
    assert "✅" not in reply and "晚于交期" in reply, reply
    m = re.search(rf"改为 {DATE} 开工，可在 {DATE} 完工", reply)
    assert m, reply
    start, end = date.fromisoformat(m[1]), date.fromisoformat(m[2])
    assert end <= promised
    over = re.search(r"加班约 ([\d.]+) 标准工时", reply)
    assert over and float(over[1]) > 0
    assert "已撤回" in say(f"{no} 撤回")
    reply = say(f"{no} 排产 {start.isoformat()}")
    assert reply.startswith("✅") and "晚于交期" not in reply, reply
    assert order_and_tasks(rt, no)[0].planned_end <= promised


def test_an_on_time_plan_says_its_dates(rt, say, pending):
    no = pending.take(outsourced=False)
    cal = lines_now(rt).factory_calendar
    set_promise(rt, no, cal.add_working_days(today(rt), 40))
    reply = say(f"{no} 排产 明天")
    order, _ = order_and_tasks(rt, no)
    assert reply.startswith("✅") and f"计划完工 {order.planned_end.isoformat()}" in reply
    assert "⚠️" not in reply


def test_the_web_schedule_form_warns_of_a_late_plan(demo, rt, pending):
    no = pending.take(outsourced=True)
    promised = lines_now(rt).factory_calendar.next_workday(today(rt))
    set_promise(rt, no, promised)
    client = demo.test_client()
    token = web_login(client, "planner")
    with new_session(rt.engine) as s:
        version = s.exec(select(Order.version).where(Order.order_no == no)).one()
    r = client.post(f"/admin/orders/{no}/status", data={"to": "scheduled", "date": today(rt).isoformat(),
                                                       "version": version, "csrf_token": token},
                    follow_redirects=True)
    html = r.get_data(as_text=True)
    order, _ = order_and_tasks(rt, no)
    assert order.status == "scheduled"
    warn = re.search(r'<div class="flash flash-(\w+)" role="alert">([^<]*)</div>', html)
    assert warn and warn[1] == "warn", html[:2000]
    assert f"晚于交期 {promised.isoformat()}" in warn[2] and re.search(rf"最早 {DATE} 完工", warn[2])


def test_the_api_answer_to_a_schedule_carries_the_late_plan(demo, rt, pending):
    from accounts.service import create_token

    no = pending.take(outsourced=True)
    promised = lines_now(rt).factory_calendar.next_workday(today(rt))
    set_promise(rt, no, promised)
    with new_session(rt.engine) as s:
        token = create_token(s, "plan-test", "planner")
    r = demo.test_client().post(f"/api/orders/{no}/status", json={"to": "scheduled", "date": today(rt).isoformat()},
                                headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.get_data(as_text=True)
    plan = r.json["plan"]
    order, _ = order_and_tasks(rt, no)
    assert plan["late"] is True and plan["end"] == order.planned_end.isoformat() > promised.isoformat()
    assert plan["promised_date"] == promised.isoformat() and plan["earliest_end"] >= plan["earliest_start"]
    assert "晚于交期" in plan["message"] and "✅" not in plan["message"]


def test_a_saturday_shift_added_in_the_admin_takes_work_on_that_line_only(demo, rt, say, pending):
    """产线日历调整 in the admin: 3号线 (every route's first step, 下料) works the coming Saturday. An order
    scheduled for that Saturday starts there that day; its next process, on a line resting that day, waits
    for Monday (each process after the previous one, on its own line's working days)."""
    from workcal.models import LineDayOverride

    saturday = coming_saturday(rt)
    client = demo.test_client()
    token = web_login(client, "admin")
    r = client.post("/admin/data/line_days/new", data={"line": "3号线", "day": saturday.isoformat(),
                                                       "is_workday": "y", "note": "周六加班", "csrf_token": token})
    assert r.status_code == 302, r.get_data(as_text=True)[:800]
    lines = lines_now(rt)
    assert lines.get("3号线").calendar.is_workday(saturday) and not lines.get("2号线").calendar.is_workday(saturday)
    no = pending.take()
    try:
        reply = say(f"{no} 排产 {saturday.isoformat()}")
        assert "已排产" in reply, reply
        order, tasks = order_and_tasks(rt, no)
        tz = rt.settings.tz
        first, rest = tasks[0], tasks[1:]
        assert (first.process, first.line) == ("下料", "3号线")
        assert first.planned_start.astimezone(tz).date() == saturday == order.planned_start
        assert f"开工 {saturday.isoformat()}" in reply
        monday = saturday + timedelta(days=2)
        for t in rest:
            day = t.planned_start.astimezone(tz).date()
            assert lines.get(t.line).calendar.is_workday(day), (t.process, t.line, day)
            if t.line != "3号线":
                assert day >= monday, (t.process, t.line, day)  # no other line works that weekend
    finally:
        say(f"{no} 撤回")
        with new_session(rt.engine) as s:
            row = s.exec(select(LineDayOverride).where(LineDayOverride.line == "3号线",
                                                       LineDayOverride.day == saturday)).one()
            row_id = row.id
        assert client.post(f"/admin/data/line_days/{row_id}/delete", data={"csrf_token": token}).status_code == 302
    assert not lines_now(rt).get("3号线").calendar.is_workday(saturday)
