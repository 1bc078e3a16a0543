"""Texts of the working-time calendar that admins read (health warnings, import report)."""

from __future__ import annotations


def fallback_warning(year: int) -> str:
    """A year without official 调休 data: holidays are guessed, make-up workdays unknown."""
    return (f"{year} 年没有官方调休数据：节假日按 holidays 包推算，调休上班日未知。"
            f"请在国务院放假通知发布后用 `ops import-holidays 文件` 导入 {year} 年的安排。")


def bad_override_line(lineno: int, line: str) -> str:
    return f"第 {lineno} 行无法识别：「{line}」，请写成「2027-02-06 休」或「2027-02-14 班」。"


def import_summary(added: int, updated: int, errors: int) -> str:
    return f"导入完成：新增 {added} 条，更新 {updated} 条，错误 {errors} 行。"


def bad_shift(value: str) -> str:
    return f"班次时间格式不对：「{value}」，请写成 08:00。"


DEMO_SATURDAY_NOTE = "赶货：本周六加班"


def bad_day_hours(value) -> str:
    return f"每天产能须大于 0 小时（委外可填 0）：「{value}」。"
