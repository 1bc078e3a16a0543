"""Robot callback throughput over HTTP: `ops serve` vs. a bare verify-and-decrypt app on the same gunicorn.

    .venv/bin/python bench/bot_bench.py [--n 4000] [--clients 8] [--workers 2]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test] [--redis-url redis://127.0.0.1:6379/10]

Both servers run side by side in this run with the same gunicorn settings (serve.gunicorn_options:
gthread, workers, threads): `ops serve` (verify, decrypt, parse the envelope, store the
InboundMessage in PostgreSQL — a fresh schema, dropped after — and push it onto the robot's inbox in
Redis, bot/inbox.py; no worker runs, so nothing is dispatched) and the floor, a Flask app that only verifies the signature and
decrypts. Client processes post the same kind of pre-encrypted messages (distinct msgids) over
keep-alive connections, one server at a time. Prints answers/s, p50, p99 and the rate ratio.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import http.client
import json
import multiprocessing
import os
import socket
import statistics
import struct
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes  # noqa: E402

TOKEN = "bench-token"
AES_KEY = base64.b64encode(bytes(range(32))).decode().rstrip("=")


def encrypt(message: str) -> str:
    key = base64.b64decode(AES_KEY + "=")
    body = message.encode()
    plain = os.urandom(16) + struct.pack(">I", len(body)) + body
    pad = 32 - len(plain) % 32
    plain += bytes([pad]) * pad
    enc = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(enc.update(plain) + enc.finalize()).decode()


def requests_for(n: int, prefix: str) -> list[tuple[str, bytes]]:
    """n signed robot callbacks (path with query, body) with distinct msgids, built before timing."""
    out = []
    for i in range(n):
        body = {"msgid": f"{prefix}-{i}", "aibotid": "bench", "chatid": "grp", "chattype": "group",
                "from": {"userid": "demo.warehouse"}, "response_url": "http://127.0.0.1:9/r",
                "msgtype": "text", "text": {"content": f"@订单助手 SO20261120-{i % 10000:04d} 到哪了"}}
        ciphertext = encrypt(json.dumps(body, ensure_ascii=False))
        ts, nonce = str(int(time.time())), f"{prefix}{i}"
        sig = hashlib.sha1("".join(sorted([TOKEN, ts, nonce, ciphertext])).encode()).hexdigest()
        query = urlencode({"msg_signature": sig, "timestamp": ts, "nonce": nonce})
        out.append((f"/wecom/bot?{query}", json.dumps({"encrypt": ciphertext}).encode()))
    return out


def floor_app():
    """A bare handler that only verifies the signature and decrypts."""
    from flask import Flask, Response, request
    from wechatpy.work.crypto import PrpCrypto

    prp = PrpCrypto(base64.b64decode(AES_KEY + "="))
    app = Flask("floor")

    @app.post("/wecom/bot")
    def bare():
        a = request.args
        ciphertext = json.loads(request.get_data())["encrypt"]
        expected = hashlib.sha1("".join(sorted([TOKEN, a["timestamp"], a["nonce"], ciphertext])).encode()).hexdigest()
        if not hmac.compare_digest(expected, a["msg_signature"]):
            return Response("", status=403)
        json.loads(prp.decrypt(ciphertext, ""))
        return Response("", status=200)

    @app.get("/healthz")
    def health():
        return "ok"

    return app


def serve_floor(port: int, workers: int, threads: int) -> None:
    """The floor app under exactly the gunicorn settings of `ops serve` (run as a subprocess)."""
    from serve import WebTier, gunicorn_options

    WebTier(floor_app(), gunicorn_options(host="127.0.0.1", port=port, workers=workers, threads=threads,
                                          max_streams=0)).run()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_up(port: int, proc: subprocess.Popen) -> None:
    for _ in range(300):
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/healthz")
            c.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("server did not come up")


def _client(args) -> list[float]:
    """One keep-alive client posting its share in sequence; latencies in seconds."""
    port, reqs = args
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    out = []
    for path, body in reqs:
        t0 = time.perf_counter()
        conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
        r = conn.getresponse()
        r.read()
        out.append(time.perf_counter() - t0)
        if r.status != 200:
            raise SystemExit(f"unexpected answer {r.status}")
    conn.close()
    return out


def measure(pool, port: int, reqs: list[tuple[str, bytes]], clients: int) -> dict:
    shares = [(port, reqs[i::clients]) for i in range(clients)]
    started = time.perf_counter()
    latencies = [x for part in pool.map(_client, shares) for x in part]
    total = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100)
    return {"rate": len(reqs) / total, "p50": cuts[49] * 1000, "p99": cuts[98] * 1000}


def _schema(admin_url: str) -> tuple[str, str]:
    """A fresh PostgreSQL schema with every table; (url using it, schema name)."""
    from sqlalchemy import create_engine, text
    from sqlmodel import SQLModel

    from bootstrap import load_models

    schema = "bench_" + uuid.uuid4().hex[:10]
    eng = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    eng.dispose()
    url = f"{admin_url}?options=-csearch_path%3D{schema}"
    load_models()
    eng = create_engine(url)
    SQLModel.metadata.create_all(eng)
    eng.dispose()
    return url, schema


def _drop(admin_url: str, schema: str) -> None:
    from sqlalchemy import create_engine, text

    eng = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    eng.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=4000, help="callbacks per server")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client processes")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/10")
    parser.add_argument("--serve-floor", type=int, help=argparse.SUPPRESS)
    a = parser.parse_args()
    if a.serve_floor:
        return serve_floor(a.serve_floor, a.workers, a.threads)
    import redis

    db_url, schema = _schema(a.database_url)
    hub_port, floor_port = _free_port(), _free_port()
    env = {**os.environ, "DATABASE_URL": db_url, "REDIS_URL": a.redis_url, "SECRET_KEY": "bench",
           "WECOM_BOT_TOKEN": TOKEN, "WECOM_BOT_AES_KEY": AES_KEY}
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "cwd": ROOT, "env": env}
    hub = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--port", str(hub_port), "--workers",
                            str(a.workers), "--threads", str(a.threads)], **quiet)
    floor = subprocess.Popen([sys.executable, __file__, "--serve-floor", str(floor_port), "--workers",
                              str(a.workers), "--threads", str(a.threads)], **quiet)
    try:
        _wait_up(hub_port, hub)
        _wait_up(floor_port, floor)
        with multiprocessing.Pool(a.clients) as pool:
            measure(pool, floor_port, requests_for(400, "warm-f"), a.clients)
            measure(pool, hub_port, requests_for(400, "warm-h"), a.clients)
            f = measure(pool, floor_port, requests_for(a.n, "floor"), a.clients)
            h = measure(pool, hub_port, requests_for(a.n, "hub"), a.clients)
    finally:
        for p in (hub, floor):
            p.terminate()
            p.wait(timeout=30)
        _drop(a.database_url, schema)
        redis.Redis.from_url(a.redis_url).flushdb()
    print(f"robot callback over HTTP, {a.n} messages each, {a.clients} keep-alive clients, gunicorn gthread "
          f"{a.workers} workers x {a.threads} threads, PostgreSQL + Redis, no worker")
    for name, r in (("floor (verify + decrypt only)", f), ("ops serve /wecom/bot (+ store, to inbox)", h)):
        print(f"  {name:40s} {r['rate']:7.0f} answers/s   p50 {r['p50']:6.2f} ms   p99 {r['p99']:6.2f} ms")
    print(f"  rate ratio ops serve / floor: {h['rate'] / f['rate']:.2f}")


if __name__ == "__main__":
    main()
