"""`ops export`: the full order export (open orders and the last 90 days) as one xlsx file."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from core.runtime import current_runtime
from dataio import texts
from dataio.nightly import export_folder, write_export


@click.command("export")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="folder of the file (default: EXPORT_DIR, else instance/exports)")
@with_appcontext
def export_command(out: Path | None) -> None:
    """Write an xlsx of all open orders and the last 90 days, one sheet per status group; prints its path."""
    rt = current_runtime()
    path, count = write_export(rt, out or export_folder(rt))
    click.echo(texts.EXPORT_SAVED.format(count=count, path=path))
    click.echo(str(path))
