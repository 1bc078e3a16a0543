"""Back up and restore the database behind DATABASE_URL.

SQLite: the online backup API (a consistent copy while the app keeps writing). PostgreSQL: `pg_dump`
in its custom format and `pg_restore --clean`, limited to the schema named by a `search_path` option in
the URL when there is one. Both write one file; `restore` refuses a database that holds orders unless
told to overwrite it.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from datetime import datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from backups.exceptions import BackupError

SQLITE_SUFFIX = ".sqlite3"
PG_SUFFIX = ".pgdump"


def default_path(folder: Path, engine: Engine, now: datetime) -> Path:
    """instance/backups/ops-20261126-1430.sqlite3 (or .pgdump)."""
    suffix = SQLITE_SUFFIX if engine.dialect.name == "sqlite" else PG_SUFFIX
    return folder / f"ops-{now:%Y%m%d-%H%M%S}{suffix}"


def backup(engine: Engine, target: Path) -> Path:
    """Write a consistent copy of the database to `target`; returns it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if engine.dialect.name == "sqlite":
        _sqlite_copy(_sqlite_file(engine), target)
    else:
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={target}", *_schema_args(engine),
              _libpq_url(engine)])
    return target


def restore(engine: Engine, source: Path, *, overwrite: bool = False) -> None:
    """Replace the database's contents with the backup in `source`."""
    if not source.is_file():
        raise BackupError(f"备份文件不存在：{source}")
    if not overwrite and _has_orders(engine):
        raise BackupError("目标数据库已有订单；确认要覆盖时加 --yes")
    engine.dispose()
    if engine.dialect.name == "sqlite":
        if source.suffix == PG_SUFFIX:
            raise BackupError("这是 PostgreSQL 备份，不能恢复到 SQLite")
        _sqlite_copy(source, _sqlite_file(engine))
    else:
        if source.suffix == SQLITE_SUFFIX:
            raise BackupError("这是 SQLite 备份，不能恢复到 PostgreSQL")
        _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
              f"--dbname={_libpq_url(engine)}", str(source)])


def _sqlite_copy(source: Path, target: Path) -> None:
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
    finally:
        src.close()
        dst.close()


def _sqlite_file(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("内存数据库无法备份")
    return Path(database)


def _has_orders(engine: Engine) -> bool:
    try:
        with engine.connect() as conn:
            return conn.execute(text('SELECT 1 FROM "order" LIMIT 1')).first() is not None
    except Exception:  # no tables yet: an empty database
        return False


def _libpq_url(engine: Engine) -> str:
    url = make_url(str(engine.url.render_as_string(hide_password=False))).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _schema_args(engine: Engine) -> list[str]:
    options = engine.url.query.get("options")
    values = options if isinstance(options, tuple) else (options,) if options else ()
    for value in values:
        for part in value.split():
            if part.startswith("-csearch_path="):
                return [f"--schema={part.split('=', 1)[1].split(',')[0]}"]
    return []


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"找不到 {name}：请安装与数据库同版本的 PostgreSQL 客户端（postgresql-client）")
    return found


def _run(cmd: list[str]) -> None:
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{Path(cmd[0]).name} 失败：{result.stderr.strip()[-500:]}")
