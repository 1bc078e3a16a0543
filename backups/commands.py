"""`ops backup` and `ops restore`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
from flask.cli import with_appcontext

from backups.exceptions import BackupError
from backups.service import backup, default_path, restore
from core.runtime import current_runtime


@click.command("backup")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="backup file (default: instance/backups/ops-<time>.sqlite3 or .pgdump)")
@with_appcontext
def backup_command(out: Path | None) -> None:
    """Write a consistent backup of the whole database to one file and print its path."""
    from config import INSTANCE

    rt = current_runtime()
    target = out or default_path(INSTANCE / "backups", rt.engine, datetime.now(rt.settings.tz))
    try:
        click.echo(str(backup(rt.engine, target)))
    except BackupError as exc:
        raise click.ClickException(exc.message) from None


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="overwrite a database that already holds orders")
@with_appcontext
def restore_command(file: Path, yes: bool) -> None:
    """Replace the database's contents with a backup made by `ops backup`."""
    rt = current_runtime()
    try:
        restore(rt.engine, file, overwrite=yes)
    except BackupError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"restored from {file}; run `ops db upgrade` if the backup is older than this version")
