"""Notify benchmark: notifications delivered per second through the WeCom stand-in (robot and app).

Two figures per channel and database:
- inline: queue + commit + deliver in one thread (what `run_jobs_inline` and a single worker do);
- parallel: rows already queued, delivered by N threads calling the `deliver` job (N workers).
Robot keys get 20 messages each and users 30 each, so our own rate limits never hold a message back.

usage: .venv/bin/python bench/notify_bench.py [--count 600] [--threads 4] [--backends sqlite,postgres]
Redis: redis://127.0.0.1:6379/15 when reachable (keys of this run are deleted), else embedded.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import redis
from sqlalchemy import create_engine, text

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS_15 = "redis://127.0.0.1:6379/15"


def _redis_url() -> str | None:
    try:
        redis.Redis.from_url(REDIS_15, socket_connect_timeout=1).ping()
        return REDIS_15
    except redis.RedisError:
        return None


def _app(db_url: str, wecom, redis_url: str | None):
    from flask import Flask
    from sqlmodel import SQLModel

    from bootstrap import build_runtime, load_models
    from config import from_env

    settings = from_env(env={"SECRET_KEY": "bench", "DATABASE_URL": db_url}).replace(
        run_jobs_inline=True, redis_url=redis_url, wecom_api_base=wecom.base_url, wecom_corp_id=wecom.corp_id,
        wecom_secret=wecom.secret, wecom_agent_id=1000002)
    app = Flask("notify-bench")
    app.extensions["ops"] = build_runtime(settings)
    load_models()
    SQLModel.metadata.create_all(app.extensions["ops"].engine)
    return app


def _recipients(channel: str, count: int, wecom, tag: str) -> list[str]:
    """One robot key per 20 messages, one user per 30: under every rate limit."""
    per = 20 if channel == "wecom_robot" else 30
    names = [f"bench-{tag}-{i}" for i in range(count // per + 1)]
    if channel == "wecom_robot":
        wecom.valid_webhook_keys.update(names)
    return [names[i // per] for i in range(count)]


def inline_rate(app, channel: str, recipients: list[str]) -> float:
    """Queue, commit and deliver one by one; notifications per second."""
    from notify.outbox import queue_notification

    rt = app.extensions["ops"]
    start = time.perf_counter()
    with app.app_context():
        for i, who in enumerate(recipients):
            with rt.uow() as uow:
                queue_notification(uow, kind="bench", channel=channel, recipient=who, body=f"基准消息 {i}",
                                   dedupe_key=f"bench-{uuid.uuid4().hex}")
                uow.commit()
    return len(recipients) / (time.perf_counter() - start)


def parallel_rate(app, channel: str, recipients: list[str], threads: int) -> float:
    """Rows already in the outbox, delivered by `threads` concurrent deliver jobs; per second."""
    from core.db import new_session
    from notify.models import Notification
    from notify.outbox import deliver

    rt = app.extensions["ops"]
    with new_session(rt.engine) as s:
        rows = [Notification(kind="bench", channel=channel, recipient=who, body=f"并发消息 {i}",
                             dedupe_key=f"bench-{uuid.uuid4().hex}") for i, who in enumerate(recipients)]
        s.add_all(rows)
        s.commit()
        ids = [n.id for n in rows]

    def job(nid: int) -> str:
        with app.app_context():
            return deliver(nid)

    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(job, ids))
    elapsed = time.perf_counter() - start
    if results.count("sent") != len(ids):
        print(f"  warning: {len(ids) - results.count('sent')} not sent: {set(results)}")
    return len(ids) / elapsed


def _pg_schema() -> tuple[str, callable] | None:
    try:
        eng = create_engine(PG, isolation_level="AUTOCOMMIT")
        schema = "bench_" + uuid.uuid4().hex[:10]
        with eng.connect() as c:
            c.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception:
        return None

    def drop():
        with eng.connect() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        eng.dispose()

    return f"{PG}?options=-csearch_path%3D{schema}", drop


def run(backend: str, count: int, threads: int, redis_url: str | None) -> None:
    from tests.support.wecom_standin import WeComStandin

    cleanup = None
    if backend == "postgres":
        made = _pg_schema()
        if made is None:
            print("postgres: not reachable, skipped")
            return
        db_url, cleanup = made
    else:
        db_url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    corp = "ww_bench_" + uuid.uuid4().hex[:8]
    try:
        with WeComStandin(corp_id=corp, secret="bench") as wecom:
            app = _app(db_url, wecom, redis_url)
            for channel in ("wecom_robot", "wecom_app"):
                rate = inline_rate(app, channel, _recipients(channel, count, wecom, f"i{channel}"))
                print(f"{backend:8} {channel:11} inline   {count:5d} notifications: {rate:8.1f}/s")
                rate = parallel_rate(app, channel, _recipients(channel, count, wecom, f"p{channel}"), threads)
                print(f"{backend:8} {channel:11} {threads} threads {count:5d} notifications: {rate:8.1f}/s")
            print(f"{backend:8} stand-in recorded robot={len(wecom.webhook_messages)} app={len(wecom.app_messages)} "
                  f"dropped={wecom.dropped} throttled={wecom.throttled} token_fetches={wecom.token_fetches}")
            conn = app.extensions["ops"].redis
            for key in conn.scan_iter(match="ops:*bench*"):
                conn.delete(key)
            app.extensions["ops"].engine.dispose()
    finally:
        if cleanup:
            cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=600)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    redis_url = _redis_url()
    print(f"redis: {redis_url or 'embedded (fakeredis)'}")
    for backend in args.backends.split(","):
        run(backend.strip(), args.count, args.threads, redis_url)


if __name__ == "__main__":
    main()
