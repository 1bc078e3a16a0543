"""Insight figures on the demo factory (SQLite and PostgreSQL) equal plain SQL written here, and the
supplier report puts the demo's bad supplier first."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from core.db import new_session
from insight import kpis, summaries, suppliers
from insight.period import make_period
from insight.seed import BAD_SUPPLIER
from insight.stats import wilson


def test_demo_figures_match_sql(seeded_app):
    rt = seeded_app.extensions["ops"]
    p = make_period(90, rt.settings.tz)
    with new_session(rt.engine) as s:
        summaries.refresh(s)
        pg = s.get_bind().dialect.name == "postgresql"
        local_day = "(delivered_at AT TIME ZONE 'Asia/Shanghai')::date" if pg else "date(delivered_at, '+8 hours')"
        (n, on_time), = s.execute(text(
            f'SELECT count(*), sum(CASE WHEN {local_day} <= promised_date THEN 1 ELSE 0 END) FROM "order" '
            "WHERE delivered_at >= :s AND delivered_at < :e"), {"s": p.start, "e": p.end}).all()
        fig = kpis.delivery(s, p)
        assert n > 10 and (fig["delivered"], fig["on_time"]) == (n, on_time)
        # PostgreSQL aggregates the figure in the database: the same trend, histogram and lead times as Python
        assert fig == kpis._delivery_in_python(s, p) and fig["trend"] and fig["lead_histogram"]
        by_status = dict(s.execute(text('SELECT status, count(*) FROM "order" '
                                        "WHERE status NOT IN ('completed', 'cancelled') GROUP BY status")).all())
        assert {r["status"]: r["orders"] for r in kpis.status_now(s, p)} == by_status
        by_source = dict(s.execute(text("SELECT source, count(*) FROM statusevent WHERE at >= :s AND at < :e "
                                        "GROUP BY source"), {"s": p.start, "e": p.end}).all())
        assert {r["code"]: r["count"] for r in kpis.sources(s, p)} == by_source
        stays = {r["status"]: r["stays"] for r in kpis.dwell(s, p)}
        assert stays["pending_review"] > 0


def test_demo_supplier_report_ranks_the_bad_supplier_first(seeded_app):
    rt = seeded_app.extensions["ops"]
    with new_session(rt.engine) as s:
        report = suppliers.supplier_report(s, make_period(90, rt.settings.tz))
    first = report["suppliers"][0]
    assert first["name"] == BAD_SUPPLIER and first["rank"] == 1
    assert (first["ci_low"], first["ci_high"]) == pytest.approx(wilson(first["failed"], first["inspections"]))
    assert first["ci_low"] > report["suppliers"][1]["ci_low"]


def test_demo_products_have_product_lines_and_the_line_load_splits_over_them(seeded_app):
    from insight import filters, lineload
    from nextsteps.planning import lines_for

    rt = seeded_app.extensions["ops"]
    with new_session(rt.engine) as s:
        assert s.execute(text("SELECT count(*) FROM product WHERE product_line = ''")).scalar() == 0
        offered = [v for v, _ in filters.choices(s)["product_line"]]
        in_db = [r[0] for r in s.execute(text("SELECT DISTINCT product_line FROM product ORDER BY product_line"))]
        assert offered == in_db and {"外壳", "支架", "精密轴类"} <= set(offered)
        lines = lines_for(s, rt.settings)
        every = lineload.line_load(s, make_period(90, rt.settings.tz), lines)
        assert every["planned_hours"] > 0 and every["capacity_hours"] > 0
        # every demo product has a line, so the product lines split each production line's planned hours
        split: dict[str, float] = {}
        for pl in offered:
            for row in lineload.line_load(s, make_period(90, rt.settings.tz, product_line=pl), lines)["lines"]:
                split[row["line"]] = split.get(row["line"], 0.0) + row["planned_hours"]
        for row in every["lines"]:
            assert split[row["line"]] == pytest.approx(row["planned_hours"], abs=0.05 * len(offered) + 0.01)
