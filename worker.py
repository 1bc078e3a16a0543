"""Job processing: the RQ worker of `ops worker`, and the in-process worker of `make run`.

Scheduled work (the alert sweep, outbox catch-up …) is declared by the features
(`Feature.cron`, collected by `bootstrap.cron_entries`) and run by RQ's own CronScheduler. RQ's cron has no
cross-process lock, so a Redis lock makes exactly one process the cron leader.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time

from rq import SimpleWorker, Worker
from rq.cron import CronScheduler
from rq.scheduler import RQScheduler
from rq.timeouts import TimerDeathPenalty

from bootstrap import cron_entries
from core.runtime import Runtime

log = logging.getLogger(__name__)

CRON_LOCK = "ops:cron-leader"
CRON_LOCK_TTL = 30


def build_cron(runtime: Runtime) -> CronScheduler:
    cron = CronScheduler(connection=runtime.redis, logging_level=logging.WARNING)
    for entry in cron_entries():
        cron.register(entry.func, queue_name=runtime.queue.name, interval=entry.interval, cron=entry.cron)
    return cron


def hold_cron_lead(runtime: Runtime, me: str) -> bool:
    """Take or keep the one cron-leader lock; True while this process holds it."""
    r = runtime.redis
    if r.set(CRON_LOCK, me, nx=True, ex=CRON_LOCK_TTL):
        return True
    holder = r.get(CRON_LOCK)
    if holder is not None and holder.decode() == me:
        r.expire(CRON_LOCK, CRON_LOCK_TTL)
        return True
    return False


class ThreadWorker(SimpleWorker):
    """An RQ SimpleWorker that may run outside the main thread (no signal handlers).

    Job timeouts use a timer thread instead of SIGALRM, which only the main thread may set.
    """

    death_penalty_class = TimerDeathPenalty

    def _install_signal_handlers(self):
        pass


class InProcessWorker(threading.Thread):
    """Runs queued jobs, RQ's scheduled/retry jobs and the cron in one daemon thread.

    Used by `make run` with the embedded Redis, which no second process can reach.
    """

    def __init__(self, app, poll: float = 0.2):
        super().__init__(name="ops-inprocess-worker", daemon=True)
        self.app = app
        self.poll = poll
        self.stopping = threading.Event()

    def run(self) -> None:
        rt: Runtime = self.app.extensions["ops"]
        with self.app.app_context():
            worker = ThreadWorker([rt.queue], connection=rt.redis)
            scheduler = RQScheduler([rt.queue], connection=rt.redis)
            cron = build_cron(rt)
            me = f"inprocess:{os.getpid()}"
            while not self.stopping.is_set():
                try:
                    scheduler.enqueue_scheduled_jobs()
                    if hold_cron_lead(rt, me):
                        cron.enqueue_jobs()
                    worker.work(burst=True, logging_level="WARNING")
                except Exception:
                    log.exception("in-process worker loop failed; continuing")
                self.stopping.wait(self.poll)

    def stop(self) -> None:
        self.stopping.set()


def run_worker(app, *, burst: bool = False, with_cron: bool = True) -> None:
    """`ops worker`: an RQ worker with RQ's scheduler, and the cron if this process leads."""
    rt: Runtime = app.extensions["ops"]
    with app.app_context():
        if with_cron and cron_entries():
            threading.Thread(target=_cron_loop, args=(app,), name="ops-cron", daemon=True).start()
        worker = Worker([rt.queue], connection=rt.redis)
        worker.work(burst=burst, with_scheduler=True, logging_level="INFO")


def _cron_loop(app) -> None:
    rt: Runtime = app.extensions["ops"]
    me = f"{socket.gethostname()}:{os.getpid()}"
    with app.app_context():
        cron = build_cron(rt)
        while True:
            try:
                if hold_cron_lead(rt, me):
                    cron.enqueue_jobs()
            except Exception:
                log.exception("cron tick failed; will retry")
            time.sleep(1)
