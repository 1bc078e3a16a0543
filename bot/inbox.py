"""The webhook's hand-off to the workers: one Redis list entry per stored message, turned into RQ jobs by
a dispatcher in `ops worker`.

The webhook stores the message (PostgreSQL) and pushes `[id, priority, request id, text]` onto the inbox
list: one RPUSH for every message of a group commit. Building an RQ job (uuid, pickled call, a hash of a
dozen fields, registries) and the routing parse cost the robot callback more than its INSERT
(bench/bot_bench.py), so both moved here: the dispatcher pops up to BATCH entries at a time, routes each
(a state-changing command, a card click or a photo goes to the priority queue, every worker serves it
first) and enqueues their jobs in one pipeline, each tagged with the request that brought it. Parsing for
routing costs ~0.1 ms a message, so a command reaches the priority queue well under a second after even
a burst of thousands of messages.

Nothing is lost when a dispatcher dies between pop and enqueue: the message is stored as `received`, and
the catch-up cron (bot.jobs.catch_up_inbound) queues it after LOST_AFTER.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterable
from datetime import datetime

from core.logs import bound_request_id
from core.outage import REDIS
from core.runtime import Runtime
from nlu import STATE_CHANGING, parse

log = logging.getLogger(__name__)

BATCH = 500  # entries popped and enqueued per round
WAIT_SECONDS = 1  # a blocking pop wakes at least this often to notice a stop


def inbox_key(rt: Runtime) -> str:
    return f"{rt.queue.name}:inbox"


def entry(inbound_id: int, priority: bool, request_id: str | None, text: str) -> str:
    """One inbox entry (JSON: the dispatcher may run another release of the code for a moment)."""
    return json.dumps([inbound_id, priority, request_id, text], ensure_ascii=False)


def push(rt: Runtime, entries: list[str], pipe=None) -> None:
    """Hand stored messages to the dispatcher: one RPUSH (on `pipe` when given)."""
    if entries:
        (pipe if pipe is not None else rt.redis).rpush(inbox_key(rt), *entries)


def is_command(rt: Runtime, text: str) -> bool:
    """True when the parser reads a state-changing command (routing only; the job parses again)."""
    try:
        return parse(text, datetime.now(rt.settings.tz)).intent in STATE_CHANGING
    except Exception:  # the parser is pure and total; routing must never lose a message anyway
        log.warning("routing parse failed; treating as chit-chat", exc_info=True)
        return False


def dispatch(rt: Runtime, raw_entries: Iterable[bytes | str]) -> int:
    """Enqueue the jobs of popped entries in one pipeline (no MULTI: a job hash without its queue entry is
    harmless, the catch-up finds the message by status); how many were enqueued."""
    from bot.jobs import process_inbound

    jobs = []
    for raw in raw_entries:
        try:
            inbound_id, priority, request_id, text = json.loads(raw)
            jobs.append((int(inbound_id), bool(priority) or is_command(rt, str(text or "")), request_id))
        except (ValueError, TypeError):  # not ours: nothing to route; a stored message is caught up later
            log.warning("inbox entry dropped, unreadable: %r", raw[:200])
    if not jobs:
        return 0
    with rt.redis.pipeline(transaction=False) as pipe:
        for inbound_id, priority, request_id in jobs:
            with bound_request_id(request_id):
                rt.enqueue(process_inbound, inbound_id, priority=priority, result_ttl=0, pipeline=pipe)
        pipe.execute()
    return len(jobs)


def drain(rt: Runtime) -> int:
    """Dispatch everything waiting now, without blocking (burst workers, the in-process worker)."""
    done = 0
    while True:
        batch = rt.redis.lpop(inbox_key(rt), BATCH)
        if not batch:
            return done
        done += dispatch(rt, batch)


def dispatch_round(rt: Runtime, wait: float = WAIT_SECONDS) -> int:
    """Wait up to `wait` seconds for entries, then dispatch what is there (up to BATCH)."""
    first = rt.redis.blpop([inbox_key(rt)], timeout=wait)
    if first is None:
        return 0
    rest = rt.redis.lpop(inbox_key(rt), BATCH - 1) or []
    return dispatch(rt, [first[1], *rest])


class Dispatcher(threading.Thread):
    """A daemon thread of each job worker process: inbox → RQ jobs, until `stop` is set. A Redis outage is
    waited out (logged once, by the process's outage state); any other error is logged and the loop goes on."""

    def __init__(self, app, stop: threading.Event):
        super().__init__(name="ops-inbox-dispatcher", daemon=True)
        self.app, self.stop = app, stop

    def run(self) -> None:
        rt: Runtime = self.app.extensions["ops"]
        delay = 0.25
        with self.app.app_context():
            while not self.stop.is_set():
                started = time.monotonic()
                try:
                    dispatch_round(rt)
                    REDIS.up(started)
                    delay = 0.25
                except Exception as exc:
                    if REDIS.failed(exc):
                        REDIS.down(exc)
                    else:
                        log.exception("inbox dispatch round failed; next round in %.1f s", delay)
                    self.stop.wait(delay)
                    delay = min(delay * 2, 5.0)
