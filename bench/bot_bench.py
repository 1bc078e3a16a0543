"""Robot callback throughput: `/wecom/bot` with real encryption vs. a bare verify-and-decrypt handler.

    .venv/bin/python bench/bot_bench.py [--n 2000]

Both run in this process through Flask's test client (no sockets), on the same pre-encrypted
messages, so the difference is what Order Hub adds on top of the crypto floor: parsing the
envelope, screening, storing the InboundMessage (SQLite file) and enqueueing the job (embedded
Redis; jobs are queued, not run, as in production). Prints answers/s, p50 and p99.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import os
import statistics
import struct
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes  # noqa: E402
from flask import Flask, Response, request  # noqa: E402

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


def requests_for(n: int, prefix: str = "bench") -> list[tuple[dict, bytes]]:
    """n signed robot callbacks with distinct msgids, built before timing starts."""
    out = []
    for i in range(n):
        body = {"msgid": f"{prefix}-{i}", "aibotid": "bench", "chatid": "grp", "chattype": "group",
                "from": {"userid": "demo.warehouse"}, "response_url": "http://127.0.0.1:9/r",
                "msgtype": "text", "text": {"content": f"@订单助手 SO20261120-{i % 10000:04d} 到哪了"}}
        ciphertext = encrypt(json.dumps(body, ensure_ascii=False))
        ts, nonce = str(int(time.time())), f"{prefix}{i}"
        sig = hashlib.sha1("".join(sorted([TOKEN, ts, nonce, ciphertext])).encode()).hexdigest()
        out.append(({"msg_signature": sig, "timestamp": ts, "nonce": nonce},
                    json.dumps({"encrypt": ciphertext}).encode()))
    return out


def floor_app() -> Flask:
    """A bare handler that only verifies the signature and decrypts."""
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

    return app


def order_hub_app(db_path: str) -> Flask:
    from sqlmodel import SQLModel

    from app import create_app
    from bootstrap import load_models

    app = create_app({"database_url": f"sqlite:///{db_path}", "redis_url": None, "secret_key": "bench",
                      "run_jobs_inline": False, "wecom_bot_token": TOKEN, "wecom_bot_aes_key": AES_KEY})
    load_models()
    SQLModel.metadata.create_all(app.extensions["ops"].engine)
    return app


def measure(app: Flask, reqs: list[tuple[dict, bytes]]) -> dict:
    client = app.test_client()
    latencies = []
    started = time.perf_counter()
    for query, body in reqs:
        t0 = time.perf_counter()
        r = client.post("/wecom/bot", query_string=query, data=body, content_type="application/json")
        latencies.append(time.perf_counter() - t0)
        if r.status_code != 200:
            raise SystemExit(f"unexpected answer {r.status_code}")
    total = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100)
    return {"rate": len(reqs) / total, "p50": cuts[49] * 1000, "p99": cuts[98] * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="callbacks per run")
    n = parser.parse_args().n
    with tempfile.TemporaryDirectory() as tmp:
        hub = order_hub_app(str(Path(tmp) / "bench.db"))
        floor = floor_app()
        measure(floor, requests_for(50, "warm"))  # warm-up both (imports, first connections)
        measure(hub, requests_for(50, "warm"))
        results = {"floor (verify + decrypt only)": measure(floor, requests_for(n)),
                   "/wecom/bot (verify, decrypt, store, enqueue)": measure(hub, requests_for(n))}
        hub.extensions["ops"].engine.dispose()
    print(f"robot callback, {n} encrypted messages each, Flask test client, SQLite file, jobs queued")
    for name, r in results.items():
        print(f"  {name:46s} {r['rate']:8.0f} answers/s   p50 {r['p50']:6.2f} ms   p99 {r['p99']:6.2f} ms")


if __name__ == "__main__":
    main()
