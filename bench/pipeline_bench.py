"""Chat pipeline in the production layout: worker drain rate and chat → visible latency.

    .venv/bin/python bench/pipeline_bench.py [--burst 2000] [--samples 40] [--processes 1] [--web 2]

Starts a private redis-server, a fresh PostgreSQL schema (127.0.0.1:5432, database `test`), gunicorn
serving `app:create_app()` and one `ops worker`, all as separate processes; a local WeCom stand-in
takes the robot replies. Chat messages go in as encrypted robot callbacks over HTTP, as WeCom sends
them. Measures:
  - idle latency: a progress report (报工) sent, until the order's new event shows in GET /api/orders/…/events;
  - the same right after a burst of chit-chat was posted (commands take the priority queue);
  - drain rate: burst messages / (last processed_at − first received_at);
next to the floor: bare nlu.parse of the same messages in this process.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from tests.integration.bot.wecom_client import BOT_AES_KEY, BOT_TOKEN, encrypt, signed_query  # noqa: E402
from tests.support.wecom_standin import WeComStandin  # noqa: E402

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BIN = Path(sys.executable).parent
CHITCHAT = ["今天中午吃啥", "收到", "好的👌", "明天几点开会？", "那批料到了没有，老张问一下", "辛苦了", "哈哈哈",
            "下午三点车间开会", "这个月的报表谁在做", "空调又坏了"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check, what: str, timeout: float = 60.0, every: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = check()
            if value:
                return value
        except Exception:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(every)


def world(db_url: str, n_orders: int) -> tuple[list[str], str]:
    """Tables, a staff per role and n orders in production; returns (order numbers, API token)."""
    from sqlmodel import SQLModel

    from accounts.service import create_token
    from app import create_app
    from bootstrap import load_models
    from core.db import new_session
    from orders.status import Status
    from tests.factories import basic_factory, order_in

    app = create_app({"database_url": db_url, "redis_url": None, "secret_key": "bench", "run_jobs_inline": True})
    rt = app.extensions["ops"]
    load_models()
    SQLModel.metadata.create_all(rt.engine)
    with rt.uow() as uow:
        basic_factory(uow)
        uow.commit()
    orders = []
    for _ in range(n_orders):
        with rt.uow() as uow:
            orders.append(order_in(uow, Status.IN_PRODUCTION).order_no)
            uow.commit()
    with new_session(rt.engine) as s:
        token = create_token(s, "bench", "admin")
    rt.engine.dispose()
    return orders, token


class Chat:
    """Posts robot callbacks (encrypted, signed) to /wecom/bot of the web tier."""

    def __init__(self, base: str, standin: WeComStandin):
        self.base, self.standin, self.http = base, standin, requests.Session()

    def body(self, text_: str, sender: str) -> tuple[dict, bytes]:
        msgid = uuid.uuid4().hex
        msg = {"msgid": msgid, "aibotid": "bench", "chatid": "grp-bench", "chattype": "group",
               "from": {"userid": sender}, "response_url": self.standin.response_url(msgid),
               "msgtype": "text", "text": {"content": text_}}
        ciphertext = encrypt(BOT_AES_KEY, json.dumps(msg, ensure_ascii=False), "")
        return signed_query(BOT_TOKEN, ciphertext), json.dumps({"encrypt": ciphertext}).encode()

    def send(self, text_: str, sender: str = "t.production", http: requests.Session | None = None) -> None:
        query, data = self.body(text_, sender)
        r = (http or self.http).post(f"{self.base}/wecom/bot", params=query, data=data, timeout=30)
        if r.status_code != 200:
            raise SystemExit(f"/wecom/bot answered {r.status_code}")


class Api:
    def __init__(self, base: str, token: str):
        self.base, self.http = base, requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"

    def events(self, order_no: str) -> int:
        r = self.http.get(f"{self.base}/api/orders/{order_no}/events", timeout=30)
        r.raise_for_status()
        return len(r.json())


def latencies(chat: Chat, api: Api, orders: list[str], samples: int, start: int) -> list[float]:
    """Send progress reports one at a time; seconds until each shows in the API."""
    out = []
    for i in range(samples):
        no = orders[i % len(orders)]
        before = api.events(no)
        t0 = time.perf_counter()
        chat.send(f"{no} CNC加工 完成{(start + i) % 98 + 1}%")
        wait_until(lambda no=no, before=before: api.events(no) > before, "a report to show", every=0.002)
        out.append(time.perf_counter() - t0)
    return out


def cuts(values: list[float]) -> str:
    q = statistics.quantiles(values, n=100, method="inclusive") if len(values) > 1 else values * 99
    return (f"p50 {q[49] * 1000:7.1f} ms   p95 {q[94] * 1000:7.1f} ms   p99 {q[98] * 1000:7.1f} ms   "
            f"max {max(values) * 1000:7.1f} ms")


def floor(texts: list[str]) -> float:
    """Bare parse of the same messages in this process: messages/s."""
    from nlu import parse

    parse("预热", datetime.now())
    t0 = time.perf_counter()
    for t in texts:
        parse(t, datetime.now())
    return len(texts) / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--burst", type=int, default=2000)
    ap.add_argument("--samples", type=int, default=40)
    ap.add_argument("--processes", type=int, default=1, help="job worker processes of the one `ops worker`")
    ap.add_argument("--web", type=int, default=2, help="gunicorn workers")
    args = ap.parse_args()
    if shutil.which("redis-server") is None:
        raise SystemExit("redis-server is needed")
    schema = "bench_" + uuid.uuid4().hex[:10]
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    db_url = f"{PG_ADMIN}?options=-csearch_path%3D{schema}"
    redis_port, web_port = free_port(), free_port()
    procs: list[subprocess.Popen] = []
    try:
        procs.append(subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                                       "--appendonly", "no"], stdout=subprocess.DEVNULL))
        orders, token = world(db_url, 8)
        with WeComStandin(corp_id="ww_bench", secret="s") as standin:
            env = {**os.environ, "DATABASE_URL": db_url, "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
                   "SECRET_KEY": "bench", "WECOM_BOT_TOKEN": BOT_TOKEN, "WECOM_BOT_AES_KEY": BOT_AES_KEY,
                   "WECOM_API_BASE": standin.base_url}
            procs.append(subprocess.Popen([str(BIN / "gunicorn"), "-w", str(args.web), "-b", f"127.0.0.1:{web_port}",
                                           "--log-level", "warning", "app:create_app()"], cwd=ROOT, env=env))
            procs.append(subprocess.Popen([sys.executable, "-m", "cli", "worker", "--processes", str(args.processes),
                                           "--log-level", "WARNING"], cwd=ROOT, env=env))
            base = f"http://127.0.0.1:{web_port}"
            wait_until(lambda: requests.get(f"{base}/healthz", timeout=2).status_code < 500, "gunicorn", 60)
            chat, api = Chat(base, standin), Api(base, token)
            latencies(chat, api, orders, 3, 0)  # warm-up: the worker's first connections
            idle = latencies(chat, api, orders, args.samples, 10)
            texts = [CHITCHAT[i % len(CHITCHAT)] + f" {i}" for i in range(args.burst)]
            sessions = [requests.Session() for _ in range(8)]
            t0 = time.perf_counter()
            with ThreadPoolExecutor(8) as pool:
                list(pool.map(lambda it: chat.send(it[1], "t.sales", sessions[it[0] % 8]), enumerate(texts)))
            posted = time.perf_counter() - t0
            engine = create_engine(db_url)

            def backlog() -> int:
                with engine.connect() as c:
                    return c.execute(text("SELECT count(*) FROM inbound_message WHERE sender_id = 't.sales' "
                                          "AND status IN ('received', 'processing')")).scalar()

            left_at_first_command = backlog()
            busy = latencies(chat, api, orders, min(args.samples, 20), 60)
            left_after_commands = backlog()
            wait_until(lambda: backlog() == 0, "the burst to drain", timeout=3600, every=0.2)
            with engine.connect() as c:
                first, last, n = c.execute(text(
                    "SELECT min(received_at), max(processed_at), count(*) FROM inbound_message "
                    "WHERE sender_id = 't.sales'")).one()
            engine.dispose()
        drain = n / (last - first).total_seconds()
        print(f"chat pipeline: gunicorn -w {args.web}, ops worker --processes {args.processes}, PostgreSQL, Redis")
        print(f"  floor: bare nlu.parse of the burst messages     {floor(texts):8.0f} messages/s")
        print(f"  burst of {n} chit-chat posted to /wecom/bot in {posted:.1f} s ({n / posted:.0f}/s)")
        print(f"  worker drain rate (first received → last processed) {drain:8.0f} messages/s")
        print(f"  chat → visible, idle ({len(idle)} reports)          {cuts(idle)}")
        print(f"  chat → visible, after the burst ({len(busy)} reports) {cuts(busy)}")
        print(f"    burst messages still waiting: {left_at_first_command} at the first report, "
              f"{left_after_commands} after the last")
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        with admin.connect() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
