"""`ops import-holidays FILE`: import a State Council notice as lines of dates."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app

from core.db import new_session
from workcal.service import import_overrides


def import_file(runtime, path: str | Path, *, source: str = "notice") -> list[str]:
    """Import one file of '2027-02-06 休' lines; returns the report lines (errors, then the summary)."""
    text = Path(path).read_text(encoding="utf-8-sig")
    with new_session(runtime.engine) as s:
        result = import_overrides(s, text.splitlines(), source=source)
    return [*result.errors, result.summary()]


@click.command("import-holidays")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--manual", is_flag=True, help="single adjustments, not a whole year's official notice")
def import_holidays_command(file, manual):
    """Import holiday / make-up workday dates (e.g. '2027-02-06 休', '2027-02-14 班')."""
    lines = import_file(current_app.extensions["ops"], file, source="manual" if manual else "notice")
    for line in lines:
        click.echo(line)
    if len(lines) > 1:
        sys.exit(1)
