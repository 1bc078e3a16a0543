"""Scans per second end to end (publish -> StatusEvent committed) and latency, against Mosquitto.

    .venv/bin/python bench/devices_bench.py [--scans 300] [--broker mqtt://127.0.0.1:1883]
                                            [--db sqlite|URL] [--rq redis://127.0.0.1:6379/13]

Default: jobs run inline in the MQTT client's thread (what tests do). With --rq the jobs
go through that Redis (use a spare database number) to an in-process RQ worker thread,
as in `make run`. Each scan ships one order (in_stock -> shipped) as a warehouse keeper,
with the zone's sensor reading attached. First --paced scans go one at a time (latency
of a quiet system), then the rest all at once (throughput; their latency is mostly
queueing). Latency = StatusEvent.at (stamped inside the committing transaction) minus
the moment the scan was handed to the publisher.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import paho.mqtt.client as mqtt  # noqa: E402
from paho.mqtt.enums import CallbackAPIVersion  # noqa: E402
from sqlmodel import SQLModel, func, select  # noqa: E402


def build_app(args):
    """An app on a fresh database with the hub client configured (not started)."""
    from app import create_app
    from bootstrap import load_models

    db = args.db if args.db != "sqlite" else f"sqlite:///{tempfile.mkdtemp(prefix='devbench-')}/ops.db"
    app = create_app({"database_url": db, "run_jobs_inline": not args.rq, "redis_url": args.rq,
                      "secret_key": "bench", "mqtt_url": args.broker,
                      "devices": {"client_id": f"bench-hub-{uuid.uuid4().hex[:8]}", "session_expiry": 60}})
    load_models()
    SQLModel.metadata.create_all(app.extensions["ops"].engine)
    return app


def prepare(rt, n: int) -> tuple[str, str, list[str]]:
    """A small factory, a scanner and a sensor in one zone, and `n` orders in stock."""
    from devices.registry import register_device
    from orders.status import Status
    from tests.factories import basic_factory, order_in

    tag = uuid.uuid4().hex[:6]
    with rt.uow() as uow:
        world = basic_factory(uow)
        keeper = world["people"]["warehouse"]
        register_device(uow.session, f"bench-scan-{tag}", kind="scanner", zone="成品仓A区", owner=keeper)
        register_device(uow.session, f"bench-env-{tag}", kind="sensor", zone="成品仓A区", owner=keeper)
        orders = [order_in(uow, Status.IN_STOCK).order_no for _ in range(n)]
        uow.commit()
    return f"bench-scan-{tag}", f"bench-env-{tag}", orders


def publisher(host: str, port: int) -> mqtt.Client:
    c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"bench-dev-{uuid.uuid4().hex[:8]}", protocol=mqtt.MQTTv5)
    c.max_inflight_messages_set(100)
    c.connect(host, port)
    c.loop_start()
    return c


def committed(rt, scanner: str) -> list:
    from orders.models import Order, StatusEvent

    with rt.uow() as uow:
        return list(uow.session.exec(
            select(Order.order_no, StatusEvent.at).join(Order, Order.id == StatusEvent.order_id)
            .where(StatusEvent.device_id == scanner, StatusEvent.command == "ship")).all())


def start_rq_thread(app):
    """An RQ worker thread like `make run`'s, with a timer-based job timeout (no SIGALRM off the main thread)."""
    import threading

    from rq.timeouts import TimerDeathPenalty

    from worker import ThreadWorker

    class BenchWorker(ThreadWorker):
        death_penalty_class = TimerDeathPenalty

    stop = threading.Event()

    def loop():
        rt = app.extensions["ops"]
        with app.app_context():
            w = BenchWorker([rt.queue], connection=rt.redis)
            while not stop.is_set():
                w.work(burst=True, logging_level="WARNING")
                stop.wait(0.01)

    threading.Thread(target=loop, daemon=True).start()
    return stop


def publish_scan(pub: mqtt.Client, scanner: str, order_no: str, sent: dict):
    """Publish one ship scan (QoS 1) and note when it was handed over."""
    import json

    body = {"event_id": uuid.uuid4().hex, "order_no": order_no, "action": "ship", "operator": "t.warehouse",
            "carrier": "顺丰", "tracking_no": "SF1402938475621"}
    sent[order_no] = datetime.now(UTC)
    return pub.publish(f"ops/scan/{scanner}", json.dumps(body, ensure_ascii=False), qos=1)


def wait_committed(rt, scanner: str, wanted: set[str], deadline: float) -> list:
    """Poll until every wanted order has its ship event (or the deadline passes)."""
    rows = committed(rt, scanner)
    while not wanted <= {no for no, _ in rows} and time.monotonic() < deadline:
        time.sleep(0.002 if len(wanted) == 1 else 0.2)
        rows = committed(rt, scanner)
    return rows


def report(name: str, orders: list[str], sent: dict, at_of: dict) -> None:
    """Print throughput and latency percentiles of one phase."""
    lat = sorted((at_of[no] - sent[no]).total_seconds() * 1000 for no in orders if no in at_of)
    if not lat:
        return
    span = (max(at_of[no] for no in orders if no in at_of) - min(sent[no] for no in orders)).total_seconds()
    q = statistics.quantiles(lat, n=100) if len(lat) >= 2 else lat * 99
    print(f"{name:>14}: {len(lat)} scans in {span:.2f} s -> {len(lat) / span:.1f} scans/s; "
          f"latency p50 {q[49]:.1f} ms, p95 {q[94]:.1f} ms, max {lat[-1]:.1f} ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scans", type=int, default=300)
    ap.add_argument("--broker", default="mqtt://127.0.0.1:1883")
    ap.add_argument("--db", default="sqlite", help="'sqlite' (temp file) or an SQLAlchemy URL of an EMPTY db")
    ap.add_argument("--rq", default=None, help="Redis URL: run jobs through RQ and a worker thread")
    ap.add_argument("--paced", type=int, default=50, help="scans sent one at a time before the burst")
    ap.add_argument("--timeout", type=float, default=300)
    args = ap.parse_args()

    import json

    import devices.wiring
    from devices.client import Broker

    app = build_app(args)
    rt = app.extensions["ops"]
    print(f"preparing {args.scans} orders on {rt.engine.dialect.name} …", flush=True)
    scanner, sensor, orders = prepare(rt, args.scans)
    worker = None
    if args.rq:
        worker = start_rq_thread(app)
    devices.wiring.start(app)
    hub = rt.extras[devices.wiring.CLIENT_KEY]
    if not hub.connected.wait(15):
        sys.exit("hub could not connect to the broker")
    b = Broker.from_url(args.broker)
    pub = publisher(b.host, b.port)
    pub.publish(f"ops/sensor/{sensor}", json.dumps({"temperature": 22.0, "humidity": 50.0}), qos=1).wait_for_publish(5)
    time.sleep(0.5)

    paced, burst = orders[: args.paced], orders[args.paced:]
    sent: dict[str, datetime] = {}
    for no in paced:  # one at a time: the latency of a scan on a quiet system
        publish_scan(pub, scanner, no, sent).wait_for_publish(30)
        wait_committed(rt, scanner, {no}, time.monotonic() + 30)
    infos = [publish_scan(pub, scanner, no, sent) for no in burst]  # all at once: throughput
    for info in infos:
        info.wait_for_publish(30)
    rows = wait_committed(rt, scanner, set(orders), time.monotonic() + args.timeout)
    pub.disconnect()
    pub.loop_stop()
    devices.wiring.stop(app)
    if worker:
        worker.set()

    at_of = dict(rows)
    mode = f"RQ worker thread via {args.rq}" if args.rq else "jobs inline in the MQTT thread"
    print(f"database: {rt.engine.dialect.name}; {mode}; committed {len(rows)}/{len(orders)}")
    report("one at a time", paced, sent, at_of)
    report("burst", burst, sent, at_of)
    with rt.uow() as uow:
        from orders.models import StatusEvent

        climate = uow.session.exec(select(func.count()).select_from(StatusEvent).where(
            StatusEvent.device_id == scanner, StatusEvent.temperature.is_not(None))).one()
    print(f"scans carrying the zone's temperature: {climate}/{len(rows)}")


if __name__ == "__main__":
    main()
