"""`ops worker` as it runs in production: commands before chit-chat, a killed worker's message retried
after its lease, Redis stopped and started again under a running worker (which keeps the cron lead)."""

from __future__ import annotations

import os
import signal
import socket

import pytest
from rq import Worker
from sqlalchemy import text

from bot.models import InboundMessage
from core.db import new_session
from orders.models import Order, StatusEvent
from tests.integration.worker.conftest import until
from worker import CRON_LOCK

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def test_a_command_jumps_a_backlog_of_chit_chat(hub):
    no = hub.order()
    chatter = [hub.say(f"今天中午吃啥 {i}", sender="t.sales") for i in range(200)]
    command = hub.say(f"{no} CNC加工 完成50%")
    hub.start_worker()
    until(lambda: hub.message(command).status == "processed", "the command to be applied")
    waiting = hub.count(InboundMessage.id.in_(chatter), InboundMessage.status == "received")
    assert waiting > 150, f"only {waiting} of 200 earlier chit-chat messages were still waiting"
    until(lambda: hub.count(InboundMessage.id.in_(chatter), InboundMessage.status == "ignored") == 200,
          "the chit-chat to drain")


def _busy_worker_pid(rt) -> int | None:
    for w in Worker.all(connection=rt.redis):
        if w.get_state() == "busy":
            return w.pid
    return None


def test_a_message_whose_worker_was_killed_is_retried_after_its_lease(hub):
    no = hub.order()
    hub.start_worker(lease=2)
    hold = hub.rt.engine.connect()  # hold the order row: the job blocks inside its command
    try:
        hold.execute(text('SELECT id FROM "order" WHERE order_no = :no FOR UPDATE'), {"no": no})
        inbound = hub.say(f"{no} CNC加工 完成60%")
        until(lambda: hub.message(inbound).status == "processing", "the job to claim the message")
        pid = until(lambda: _busy_worker_pid(hub.rt), "the busy worker process")
        assert pid != hub.worker.pid  # a job worker, not the supervisor
        os.kill(pid, signal.SIGKILL)
    finally:
        hold.rollback()
        hold.close()
    until(lambda: hub.message(inbound).status == "processed", "the message to be retried", timeout=120)
    assert hub.worker.poll() is None, "the supervisor must outlive its job worker"
    with new_session(hub.rt.engine) as s:
        order = s.exec(Order.__table__.select().where(Order.order_no == no)).first()
        applied = s.exec(StatusEvent.__table__.select().where(StatusEvent.inbound_message_id == inbound)).all()
    assert order.status == "in_production" and len(applied) == 1
    assert "ended (exit -9); starting another" in hub.log()


def test_the_worker_waits_out_a_redis_outage_and_keeps_the_cron_lead(hub, redis_server):
    no = hub.order()
    hub.start_worker()
    first = hub.say(f"{no} CNC加工 完成10%")
    until(lambda: hub.message(first).status == "processed", "the first message")
    leader = f"{socket.gethostname()}:{hub.worker.pid}"
    until(lambda: hub.rt.redis.get(CRON_LOCK) == leader.encode(), "the worker to lead the cron")

    redis_server.stop()
    until(lambda: "Redis unreachable" in hub.log(), "the worker to notice", 30)
    stored_meanwhile = hub.say(f"{no} CNC加工 完成20%")  # stored; its enqueue fails while Redis is away
    assert hub.worker.poll() is None, hub.log()[-3000:]
    redis_server.start()  # empty: queues, registries and the cron lock are gone

    after = hub.say(f"{no} CNC加工 完成30%")
    until(lambda: hub.message(after).status == "processed", "a message sent after the outage", 30)
    until(lambda: hub.rt.redis.get(CRON_LOCK) == leader.encode(), "the cron lead to be taken again", 30)
    until(lambda: hub.message(stored_meanwhile).status == "processed", "the catch-up of the stranded message", 120)
    log = hub.log()
    assert hub.worker.poll() is None
    assert "quitting" not in log
    assert 1 <= log.count("Redis unreachable") <= 2, log[-3000:]  # once per process: supervisor, job worker
    assert "Redis reachable again" in log
