"""The calendar from the database: imported notices, hand overrides, shift hours, warnings, CLI."""

from __future__ import annotations

from datetime import UTC, date, datetime

from core.db import new_session
from workcal.models import HolidayOverride, WorkSettings
from workcal.service import (
    calendar_for,
    fallback_warning_text,
    import_overrides,
    set_shift_hours,
    shift_hours,
)

NOTICE_2027 = """# 国务院办公厅关于2027年部分节假日安排的通知（节选）
2027-02-06 休 春节
2027-02-07 休
2027-02-08 休
2027-02-09 休
2027-02-10 休
2027-02-11 休
2027-02-12 休
2027-02-14 班 春节调休
2027年2月20日 班
"""


def test_import_overrides_reads_a_notice_and_reports_bad_lines(app):
    rt = app.extensions["ops"]
    with new_session(rt.engine) as s:
        result = import_overrides(s, NOTICE_2027.splitlines() + ["2027-13-01 休", "明天放假"])
        assert (result.added, result.updated, len(result.errors)) == (9, 0, 2)
        assert "第 11 行" in result.errors[0]
        again = import_overrides(s, ["2027-02-14 休 改了"])
        assert (again.added, again.updated) == (0, 1)
        row = s.get(HolidayOverride, 8)
        assert row.day == date(2027, 2, 14) and row.is_workday is False and row.note == "改了"


def test_a_notice_year_stops_the_warning_and_overrides_win(app):
    rt = app.extensions["ops"]
    now = datetime(2026, 12, 20, 2, tzinfo=UTC)
    with new_session(rt.engine) as s:
        assert "2027" in fallback_warning_text(s, rt.settings, now=now)
        import_overrides(s, NOTICE_2027.splitlines())
        import_overrides(s, ["2026-10-08 休 厂休"], source="manual")
        assert fallback_warning_text(s, rt.settings, now=now) is None
        cal = calendar_for(s, rt.settings)
    assert cal.is_workday(date(2027, 2, 14)) and cal.is_workday(date(2027, 2, 20))
    assert not cal.is_workday(date(2027, 2, 12))
    assert cal.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 9)


def test_shift_hours_come_from_the_row_then_settings_then_defaults(app):
    rt = app.extensions["ops"]
    with new_session(rt.engine) as s:
        assert shift_hours(s, rt.settings) == ("08:00", "17:30")
        assert shift_hours(s, rt.settings.replace(planning={"shift_start": "07:30"}))[0] == "07:30"
        set_shift_hours(s, "09:00", "18:00")
        assert s.get(WorkSettings, 1).shift_end == "18:00"
        assert calendar_for(s, rt.settings).shift_end.hour == 18


def test_import_holidays_command(app, tmp_path):
    path = tmp_path / "notice.txt"
    path.write_text(NOTICE_2027, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["import-holidays", str(path)])
    assert result.exit_code == 0, result.output
    assert "新增 9 条" in result.output
    bad = tmp_path / "bad.txt"
    bad.write_text("2027-02-06 maybe\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["import-holidays", str(bad)])
    assert result.exit_code == 1 and "无法识别" in result.output


def test_healthz_warns_about_a_year_the_sweep_had_to_guess(app, client, token_for):
    from alerts.sweep import run_sweep

    with app.app_context():
        run_sweep(now=datetime(2028, 3, 1, 2, tzinfo=UTC))
    body = client.get("/healthz", headers={"Authorization": f"Bearer {token_for('manager')}"}).json
    assert body["status"] == "ok"
    assert any("2028" in w for w in body["workcal"]["warnings"])
