"""/healthz latency of `ops serve` while live boards hold their streams open.

    .venv/bin/python bench/tier_bench.py [--boards 20] [--n 1000] [--workers 2]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test] [--redis-url redis://127.0.0.1:6379/10]

Starts `ops serve` on a fresh PostgreSQL schema (dropped after) and Redis, signs in, opens
`--boards` /admin/live streams, then asks /healthz `--n` times from 4 client threads and prints
answers/s, p50 and p99; then the same with no board open, for comparison.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bot_bench import _drop, _free_port, _schema  # noqa: E402
from tests.e2e.web.server import login_session  # noqa: E402


def _board(url: str, cookies, opened: threading.Event, stop: threading.Event) -> None:
    http = requests.Session()
    http.cookies.update(cookies)
    with http.get(f"{url}/admin/live", stream=True, timeout=(5, 60)) as r:
        for line in r.iter_lines(decode_unicode=True):
            if line.startswith("event: hello"):
                opened.set()
            if stop.is_set():
                return


def _healthz(url: str, n: int) -> dict:
    def one(_):
        t0 = time.perf_counter()
        r = requests.get(f"{url}/healthz", timeout=10)
        r.raise_for_status()
        return time.perf_counter() - t0

    started = time.perf_counter()
    with ThreadPoolExecutor(4) as pool:
        lat = list(pool.map(one, range(n)))
    cuts = statistics.quantiles(lat, n=100)
    return {"rate": n / (time.perf_counter() - started), "p50": cuts[49] * 1000, "p99": cuts[98] * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--boards", type=int, default=20)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/10")
    a = parser.parse_args()
    import redis
    from sqlalchemy import create_engine

    from accounts.service import create_user
    from core.db import new_session

    db_url, schema = _schema(a.database_url)
    eng = create_engine(db_url)
    with new_session(eng) as s:
        create_user(s, "boss", "manager", "pass-1234")
    eng.dispose()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": db_url, "REDIS_URL": a.redis_url, "SECRET_KEY": "bench"}
    proc = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--port", str(port), "--workers",
                             str(a.workers)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stop = threading.Event()
    try:
        for _ in range(300):
            try:
                requests.get(f"{url}/healthz", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        idle = _healthz(url, a.n)
        cookies = login_session(url, "boss", "pass-1234").cookies
        opened = [threading.Event() for _ in range(a.boards)]
        for ev in opened:
            threading.Thread(target=_board, args=(url, cookies, ev, stop), daemon=True).start()
        if not all(ev.wait(15) for ev in opened):
            raise SystemExit("not every board got its stream")
        busy = _healthz(url, a.n)
    finally:
        stop.set()
        proc.terminate()
        proc.wait(timeout=30)
        _drop(a.database_url, schema)
        redis.Redis.from_url(a.redis_url).flushdb()
    print(f"/healthz of ops serve ({a.workers} workers, gthread), {a.n} requests from 4 threads, PostgreSQL + Redis")
    for name, r in ((f"{a.boards} boards open", busy), ("no board open", idle)):
        print(f"  {name:16s} {r['rate']:7.0f} answers/s   p50 {r['p50']:6.2f} ms   p99 {r['p99']:6.2f} ms")


if __name__ == "__main__":
    main()
