"""Job processing: `ops worker` (a supervisor of non-forking RQ workers), and the in-process worker of `make run`.

`ops worker` loads the app, jieba and the domain dictionary once, then forks worker processes that run
jobs in-process (RQ's SimpleWorker): a job no longer pays a fork, a new database connection and a
parser load (the per-job fork of RQ's default Worker drained about 1 chat message/s). Isolation is
kept one level up: a job that raises is failed by RQ; a job that kills its process (crash, SIGKILL,
OOM) takes only that process down, the supervisor forks a new one within a second, and the killed
job's message is retried when its lease runs out (bot.jobs). Job timeouts use SIGALRM in each worker's
main thread. Every worker takes the priority queue (state-changing chat commands) first. Each worker
process also runs the robot's inbox dispatcher (bot/inbox.py) in a thread: the webhook pushes stored
messages there, the dispatcher routes them and creates their jobs.

The supervisor's own loop runs RQ's scheduler (delayed jobs) and RQ's CronScheduler (features'
`Feature.cron`) behind a Redis leader lock, since RQ's cron has no cross-process lock. Redis and
database outages are waited out with backoff and logged once (`core/outage.py`); the process exits
non-zero only on configuration errors.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time

from rq import SimpleWorker
from rq.cron import CronScheduler
from rq.defaults import DEFAULT_WORKER_TTL
from rq.exceptions import StopRequested
from rq.scheduler import RQScheduler
from rq.timeouts import TimerDeathPenalty

from bootstrap import cron_entries, warm_up
from bot.inbox import Dispatcher, drain
from core.logs import CRON_META, job_context
from core.outage import DB, REDIS, QuietRedisLog, is_db_outage, wait_for_db, wait_for_redis
from core.runtime import Runtime

log = logging.getLogger(__name__)
jobs_log = logging.getLogger("ops.jobs")

CRON_LOCK = "ops:cron-leader"
CRON_LOCK_TTL = 30
TICK = 0.5  # seconds between supervisor rounds (scheduler, cron, reaping workers)
MAINTENANCE_INTERVAL = 60  # RQ registry clean-up (jobs abandoned by killed workers) every minute, not 10


def job_queues(rt: Runtime) -> list:
    """The queues a worker serves, in the order it takes them: priority first."""
    return [q for q in (rt.priority_queue, rt.queue) if q is not None]


def build_cron(runtime: Runtime) -> CronScheduler:
    cron = CronScheduler(connection=runtime.redis, logging_level=logging.WARNING)
    logging.getLogger("rq.cron").addFilter(_QUIET_ROUTINE)
    for entry in cron_entries():  # meta: their log lines are debug lines (core/logs.py)
        cron.register(entry.func, queue_name=runtime.queue.name, interval=entry.interval, cron=entry.cron,
                      meta={CRON_META: True})
    return cron


# RQ's own INFO lines of each job and of its registry clean-up: our job line (TaggedJobs) says the same with
# the request id, so these become debug lines and an idle worker prints nothing at INFO.
_RQ_ROUTINE = frozenset({
    "Worker %s: %s: %s (%s)", "Worker %s: %s: %s", "Worker %s: job %s result is kept for %s seconds",
    "Worker %s: job %s result discarded immediately", "Worker %s: cleaning registries for queue: %s",
    "Worker %s: job %s result will never expire, clean up result key manually",
    "Successfully completed %s job in %ss on worker %s", "Successfully completed job %s in %ss on worker %s",
})
_RQ_ROUTINE_PREFIXES = ("Enqueued job ", "Registered '")  # rq.cron's f-strings: each round, and at start


class QuietRoutineLines(logging.Filter):
    """On `rq.worker` and `rq.cron`: RQ's routine lines of every job and cron round at debug level."""

    def filter(self, record: logging.LogRecord) -> bool:
        routine = record.msg in _RQ_ROUTINE or str(record.msg).startswith(_RQ_ROUTINE_PREFIXES)
        if record.levelno == logging.INFO and routine:
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)
        return True


_QUIET_ROUTINE = QuietRoutineLines()  # one object: addFilter adds it once however often it is called


class TaggedJobs:
    """Runs each job with its request's id on every log line and ends with one line saying how it went
    (INFO; DEBUG for the cron's jobs)."""

    def perform_job(self, job, queue) -> bool:
        with job_context(job.meta) as cron:
            started = time.perf_counter()
            ok = super().perform_job(job, queue)
            jobs_log.log(logging.DEBUG if cron else logging.INFO, "job %s %s in %.0f ms (%s, queue %s)",
                         job.func_name, "done" if ok else "failed", (time.perf_counter() - started) * 1000,
                         job.id, queue.name)
        return ok


def hold_cron_lead(runtime: Runtime, me: str) -> bool:
    """Take or keep the one cron-leader lock; True while this process holds it (re-taken after an outage)."""
    r = runtime.redis
    if r.set(CRON_LOCK, me, nx=True, ex=CRON_LOCK_TTL):
        return True
    holder = r.get(CRON_LOCK)
    if holder is not None and holder.decode() == me:
        r.expire(CRON_LOCK, CRON_LOCK_TTL)
        return True
    return False


class JobWorker(TaggedJobs, SimpleWorker):
    """RQ's SimpleWorker (jobs run in this process) that waits out Redis and database outages."""

    max_connection_wait_time = 5.0  # RQ's reconnect back-off cap (60 s by default)

    def __init__(self, *args, rt: Runtime, stop: threading.Event, **kwargs):
        self.rt, self.stop = rt, stop
        super().__init__(*args, **kwargs)

    def dequeue_job_and_maintain_ttl(self, timeout, max_idle_time=None):
        if DB.is_down:  # leave jobs queued while the database is away, instead of failing them all
            wait_for_db(self.rt, stop=self.stop, heartbeat=self._quiet_heartbeat)
            if self.stop.is_set():
                raise StopRequested()
        started = time.monotonic()
        result = super().dequeue_job_and_maintain_ttl(timeout, max_idle_time)
        REDIS.up(started)
        return result

    def handle_exception(self, job, *exc_info):
        if is_db_outage(exc_info[1]):  # one line per outage, not one traceback per job
            DB.down(exc_info[1])
            return
        super().handle_exception(job, *exc_info)

    def request_stop(self, signum, frame):
        self.stop.set()
        try:
            super().request_stop(signum, frame)
        except StopRequested:
            raise
        except Exception:  # RQ asks Redis whether a job runs; with Redis away, stop now
            raise StopRequested() from None

    def _quiet_heartbeat(self) -> None:
        try:
            self.heartbeat()
        except Exception:  # Redis may be away too; the heartbeat is only for `rq info`
            pass


class ThreadWorker(TaggedJobs, SimpleWorker):
    """An RQ SimpleWorker that may run outside the main thread (no signal handlers).

    Job timeouts use a timer thread instead of SIGALRM, which only the main thread may set.
    """

    death_penalty_class = TimerDeathPenalty

    def _install_signal_handlers(self):
        pass


def serve_jobs(app, *, burst: bool = False, logging_level: str = "INFO") -> None:
    """One worker process: run jobs until asked to stop; reconnect to Redis after an outage."""
    rt: Runtime = app.extensions["ops"]
    stop = threading.Event()
    _long_reads(rt)
    logging.getLogger("rq.worker").addFilter(QuietRedisLog())
    logging.getLogger("rq.worker").addFilter(_QUIET_ROUTINE)
    with app.app_context():
        dispatcher = None
        if not burst:  # the robot's inbox → RQ jobs, beside the jobs themselves (bot/inbox.py)
            dispatcher = Dispatcher(app, stop)
            dispatcher.start()
        try:
            _work_until_stopped(rt, stop, burst, logging_level)
        finally:
            stop.set()
            if dispatcher is not None:  # let a round in progress finish its pipeline (its pop waits 1 s at most)
                dispatcher.join(timeout=5)


def _long_reads(rt: Runtime) -> None:
    """Every Redis connection of this process waits as long as RQ's dequeue does.

    redis-py (8.x) gives a connection a 5 s read timeout unless told otherwise. RQ raises the pool's
    setting to its BLPOP timeout + 10 s when its worker is built, but a connection the pool made before
    (the inbox dispatcher starts first) keeps 5 s; when RQ's BLPOP later took that connection, an idle
    worker quit every 5 s with "Redis connection timeout" (seen as a false Redis outage in the log). So
    the setting is made before any connection exists in this process, and the pool is emptied."""
    pool = rt.redis.connection_pool
    pool.connection_kwargs["socket_timeout"] = max(1, DEFAULT_WORKER_TTL - 15) + 10  # RQ's connection_timeout
    pool.reset()


def _work_until_stopped(rt: Runtime, stop: threading.Event, burst: bool, logging_level: str) -> None:
    """RQ workers one after another until `stop`: a fresh one after a Redis outage or an unexpected end."""
    while not stop.is_set():
        try:  # RQ's Worker talks to Redis from its constructor on
            if burst:
                drain(rt)
            worker = JobWorker(job_queues(rt), connection=rt.redis, maintenance_interval=MAINTENANCE_INTERVAL,
                               rt=rt, stop=stop)
            worker.work(burst=burst, logging_level=logging_level)
        except Exception as exc:
            if not REDIS.failed(exc):
                raise
            REDIS.down(exc)
        for sig in (signal.SIGTERM, signal.SIGINT):  # RQ's handlers need Redis: ours, between workers
            signal.signal(sig, lambda *_: stop.set())
        if stop.is_set():
            return
        had_outage = wait_for_redis(rt, stop=stop)
        if burst and not had_outage:
            return
        if not had_outage:  # RQ quit on something else (logged by RQ): start a fresh worker
            stop.wait(1)


class Supervisor:
    """`ops worker`: forks `processes` job workers from a warmed-up parent, replaces any that die, and
    runs the scheduler and the cron (when it leads) between rounds."""

    def __init__(self, app, *, processes: int = 1, burst: bool = False, with_cron: bool = True,
                 logging_level: str = "INFO"):
        self.app, self.rt = app, app.extensions["ops"]
        self.processes, self.burst, self.with_cron, self.logging_level = processes, burst, with_cron, logging_level
        self.children: dict[int, multiprocessing.process.BaseProcess] = {}
        self.stopping = False
        self.me = f"{socket.gethostname()}:{os.getpid()}"
        self.fork = multiprocessing.get_context("fork")

    def run(self) -> None:
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        warm_up(self.rt)  # before the fork: every worker shares jieba and the dictionary
        self.rt.engine.dispose()  # no pooled connection crosses the fork
        with self.app.app_context():
            scheduler = RQScheduler(job_queues(self.rt), connection=self.rt.redis)
            cron = build_cron(self.rt) if self.with_cron and cron_entries() else None
            self._tick(scheduler, cron)
            for _ in range(self.processes):
                if self.stopping:  # stopped while warming up: start no job worker the signal cannot reach
                    break
                self._spawn()
            while self.children:
                if not self.stopping and not self.burst:
                    self._tick(scheduler, cron)
                self._reap()
                time.sleep(TICK)
        log.info("ops worker stopped")

    def _tick(self, scheduler: RQScheduler, cron: CronScheduler | None) -> None:
        """Delayed jobs due now, and the cron while this process leads; an outage is logged once."""
        started = time.monotonic()
        try:
            if scheduler.acquire_locks():
                scheduler.enqueue_scheduled_jobs()
            if cron is not None and hold_cron_lead(self.rt, self.me):
                cron.enqueue_jobs()
            REDIS.up(started)
        except Exception as exc:
            if REDIS.failed(exc):
                REDIS.down(exc)
            else:
                log.exception("scheduler/cron round failed; next round in %s s", TICK)

    def _spawn(self) -> None:
        proc = self.fork.Process(target=_child, args=(self.app, self.burst, self.logging_level),
                                 name="ops-job-worker", daemon=False)
        proc.start()
        self.children[proc.pid] = proc
        log.info("job worker process %s started", proc.pid)
        if self.stopping:  # the stop came while forking, before this child was in the list to signal
            os.kill(proc.pid, signal.SIGTERM)

    def _reap(self) -> None:
        for pid, proc in list(self.children.items()):
            if proc.is_alive():
                continue
            proc.join()
            del self.children[pid]
            if self.stopping or self.burst:
                continue
            log.warning("job worker process %s ended (exit %s); starting another", pid, proc.exitcode)
            self._spawn()

    def _stop(self, signum, _frame) -> None:
        if not self.stopping:
            log.info("stopping: job workers finish their current job")
        self.stopping = True
        for pid in list(self.children):
            try:
                os.kill(pid, signum)
            except ProcessLookupError:
                pass


def _child(app, burst: bool, logging_level: str) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # RQ installs its own in work()
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    _die_with_parent()
    serve_jobs(app, burst=burst, logging_level=logging_level)


def _die_with_parent() -> None:
    """Linux: SIGTERM this process when the supervisor dies (even by SIGKILL), so no worker is orphaned."""
    if sys.platform.startswith("linux"):
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def run_worker(app, *, burst: bool = False, with_cron: bool = True, processes: int = 1,
               logging_level: str = "INFO") -> None:
    """`ops worker`: job worker processes with RQ's scheduler, and the cron if this process leads."""
    Supervisor(app, processes=processes, burst=burst, with_cron=with_cron, logging_level=logging_level).run()


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
        logging.getLogger("rq.worker").addFilter(_QUIET_ROUTINE)
        with self.app.app_context():
            worker = ThreadWorker(job_queues(rt), connection=rt.redis)
            scheduler = RQScheduler(job_queues(rt), connection=rt.redis)
            cron = build_cron(rt)
            me = f"inprocess:{os.getpid()}"
            while not self.stopping.is_set():
                try:  # a failing scheduler or cron round must not stop the jobs themselves
                    if scheduler.acquire_locks():
                        scheduler.enqueue_scheduled_jobs()
                    if hold_cron_lead(rt, me):
                        cron.enqueue_jobs()
                except Exception:
                    log.exception("in-process scheduler/cron round failed; continuing")
                try:
                    drain(rt)  # the robot's inbox → RQ jobs (bot/inbox.py)
                    worker.work(burst=True, logging_level="WARNING")
                except Exception:
                    log.exception("in-process worker loop failed; continuing")
                self.stopping.wait(self.poll)

    def stop(self) -> None:
        self.stopping.set()
