"""ERP import throughput: generated ERP rows (CSV) through `orders.importer.import_file`, on PostgreSQL and SQLite.

    .venv/bin/python bench/import_bench.py                    # 100 000 rows, both databases
    .venv/bin/python bench/import_bench.py --rows 20000 --db sqlite

Rows spread over 120 days of order dates (a quarter falls outside the 90-day window and is skipped),
every ERP status word of the default mapping, salespeople by name. Prints rows/s, the wall time and
the process's peak RSS after it; a second pass over the same file (every row
unchanged) is timed too. PostgreSQL runs in a throw-away schema of OPS_BENCH_PG_URL.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlmodel import SQLModel  # noqa: E402

PG_URL = os.environ.get("OPS_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def build_app(url: str):
    from app import create_app
    from bootstrap import load_models

    app = create_app({"database_url": url, "run_jobs_inline": False, "redis_url": None, "secret_key": "bench",
                      "public_base_url": "http://bench"})
    load_models()
    SQLModel.metadata.create_all(app.extensions["ops"].engine)
    return app


def write_rows(path: Path, n: int, rng: random.Random) -> None:
    from core.types import utcnow
    from orders.status_map import DEFAULT_WORDS

    today = utcnow().date()
    words = list(DEFAULT_WORDS)
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["ERP单号", "客户", "产品编码", "数量", "下单日期", "交期", "状态", "业务员"])
        for i in range(n):
            ordered = today - timedelta(days=rng.randint(0, 119))
            out.writerow([f"ERP-B{i:07d}", "测试机械", "SH-100", rng.randint(1, 5000), ordered.isoformat(),
                          (ordered + timedelta(days=rng.randint(5, 60))).isoformat(), rng.choice(words), "sales员"])


def run(url: str, path: Path, n: int) -> None:
    from orders.importer import import_file
    from tests.factories import basic_factory

    app = build_app(url)
    rt = app.extensions["ops"]
    with app.app_context():
        with rt.uow() as uow:
            basic_factory(uow)
            uow.commit()
        for label in ("first", "again"):
            start = time.perf_counter()
            report = import_file(rt, path)
            took = time.perf_counter() - start
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
            print(f"  {label:5} {n:>7} rows  {took:7.1f} s  {n / took:8.0f} rows/s  peak RSS {peak:6.0f} MB  "
                  f"created {report.created} unchanged/skipped {report.skipped} failed {report.failed}")
    rt.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", choices=["postgres", "sqlite", "both"], default="both")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "erp.csv"
        write_rows(path, args.rows, random.Random(15))
        if args.db in ("postgres", "both"):
            schema = "bench_" + uuid.uuid4().hex[:10]
            admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as c:
                c.execute(text(f'CREATE SCHEMA "{schema}"'))
            try:
                print("PostgreSQL")
                run(f"{PG_URL}?options=-csearch_path%3D{schema}", path, args.rows)
            finally:
                with admin.connect() as c:
                    c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        if args.db in ("sqlite", "both"):
            print("SQLite")
            run(f"sqlite:///{Path(folder) / 'bench.db'}", path, args.rows)


if __name__ == "__main__":
    main()
