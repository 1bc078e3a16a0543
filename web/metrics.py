"""`GET /metrics`: Prometheus text format (prometheus-client), for the addresses or token allowed.

Every figure is read at scrape time from where it lives, so every gunicorn worker answers the same and no
prometheus multiprocess directory is needed: job queues and registries from Redis (RQ), the inbound
backlog and the outbox from the database, the alert sweep's duration, the open live streams and the
request counts from Redis hashes that every process adds to (core/metrics.py). A source that cannot be
read is reported as `ops_metrics_source_up{source=…} 0` and the rest is still served.

Access: a client address in METRICS_ALLOW (after TRUSTED_PROXY_HOPS) or `Authorization: Bearer
<METRICS_TOKEN>`; anyone else gets 404 (the path is not advertised), a wrong token 403.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
from datetime import UTC, timedelta

from flask import Blueprint, Response, abort, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from rq import Queue, Worker
from sqlalchemy import func
from sqlmodel import select

from bot.inbox import inbox_key
from bot.models import InboundMessage
from core.db import new_session
from core.metrics import flush_requests, open_streams, request_counts, sweep_figures
from core.runtime import PRIORITY_QUEUE_NAME, QUEUE_NAME, Runtime, current_runtime
from core.types import utcnow
from notify.models import Notification

log = logging.getLogger(__name__)
bp = Blueprint("metrics", __name__)

INBOUND_BACKLOG = ("received", "processing", "failed")  # processed/ignored are history, not backlog
OUTBOX_OPEN = ("queued", "sending", "retrying", "delayed", "failed")  # sent/skipped are history
OUTBOX_WAITING = ("queued", "retrying")


@bp.get("/metrics")
def metrics():
    """Prometheus exposition of Order Hub's figures."""
    rt = current_runtime()
    _check_access(rt)
    registry = CollectorRegistry(auto_describe=False)
    registry.register(OrderHubCollector(rt))
    return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST,
                    headers={"Cache-Control": "no-store"})


def _check_access(rt: Runtime) -> None:
    web = rt.settings.web
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        if web.metrics_token and hmac.compare_digest(token.strip().encode(), web.metrics_token.encode()):
            return
        abort(403)
    try:
        address = ipaddress.ip_address((request.remote_addr or "").split("%")[0])
    except ValueError:
        abort(404)
    if getattr(address, "ipv4_mapped", None):
        address = address.ipv4_mapped
    if not any(address in net for net in web.metrics_networks):
        abort(404)


class OrderHubCollector:
    """Reads every figure when Prometheus scrapes."""

    def __init__(self, rt: Runtime):
        self.rt = rt

    def collect(self):
        up = GaugeMetricFamily("ops_metrics_source_up", "1 when the source of some figures could be read",
                               labels=["source"])
        for source, part in (("redis", self._redis_figures), ("database", self._database_figures)):
            try:
                families = list(part())
            except Exception as exc:  # a scrape never fails as a whole
                log.warning("metrics: %s unavailable: %s", source, exc)
                up.add_metric([source], 0)
                continue
            up.add_metric([source], 1)
            yield from families
        yield up

    def _redis_figures(self):
        r = self.rt.redis
        jobs = GaugeMetricFamily("ops_queue_jobs", "RQ jobs by queue and state (queued = waiting for a worker)",
                                 labels=["queue", "state"])
        for name in (PRIORITY_QUEUE_NAME, QUEUE_NAME):
            q = Queue(name, connection=r)
            jobs.add_metric([name, "queued"], q.count)
            for state, registry in (("started", q.started_job_registry), ("scheduled", q.scheduled_job_registry),
                                    ("deferred", q.deferred_job_registry), ("failed", q.failed_job_registry)):
                jobs.add_metric([name, state], registry.get_job_count(cleanup=False))
        yield jobs
        yield GaugeMetricFamily("ops_inbox_waiting", "chat messages stored and waiting for the dispatcher to queue "
                                "their job (bot/inbox.py)", value=r.llen(inbox_key(self.rt)))
        yield GaugeMetricFamily("ops_workers", "RQ job workers alive", value=Worker.count(connection=r))
        yield GaugeMetricFamily("ops_live_streams_open", "open live-board streams (SSE) across web processes",
                                value=open_streams(r))
        yield from self._sweep(r)
        requests_total = CounterMetricFamily("ops_http_requests", "HTTP requests by endpoint, method and status",
                                             labels=["endpoint", "method", "status"])
        flush_requests(r)  # this process's latest counts; the others' reach Redis within a second
        for (endpoint, method, status), n in sorted(request_counts(r).items()):
            requests_total.add_metric([endpoint, method, status], n)
        yield requests_total

    def _sweep(self, r):
        figures = sweep_figures(r)
        if figures is None:
            return
        yield GaugeMetricFamily("ops_alert_sweep_last_seconds", "duration of the latest alert sweep",
                                value=figures["last"])
        yield GaugeMetricFamily("ops_alert_sweep_last_run_timestamp_seconds", "when the latest alert sweep ended",
                                value=figures["last_at"])
        buckets = [(repr(bound), n) for bound, n in figures["buckets"]] + [("+Inf", figures["count"])]
        yield HistogramMetricFamily("ops_alert_sweep_seconds", "alert sweep durations", buckets=buckets,
                                    sum_value=figures["sum"])

    def _database_figures(self):
        now = utcnow()
        with new_session(self.rt.engine) as s:
            inbound = s.exec(select(InboundMessage.status, func.count()).where(
                InboundMessage.status.in_(INBOUND_BACKLOG)).group_by(InboundMessage.status)).all()
            oldest_inbound = s.exec(select(func.min(InboundMessage.received_at)).where(
                InboundMessage.status.in_(("received", "processing")))).one()
            outbox = s.exec(select(Notification.channel, Notification.status, func.count()).where(
                Notification.status.in_(OUTBOX_OPEN)).group_by(Notification.channel, Notification.status)).all()
            oldest_outbox = s.exec(select(func.min(Notification.created_at)).where(
                Notification.status.in_(OUTBOX_WAITING),
                (Notification.not_before.is_(None)) | (Notification.not_before <= now))).one()
        backlog = GaugeMetricFamily("ops_inbound_messages", "chat messages not yet done, by status",
                                    labels=["status"])
        found = dict(inbound)
        for status in INBOUND_BACKLOG:
            backlog.add_metric([status], found.get(status, 0))
        yield backlog
        yield GaugeMetricFamily("ops_inbound_oldest_waiting_seconds",
                                "age of the oldest chat message still waiting to be applied (0: none)",
                                value=_age(now, oldest_inbound))
        notes = GaugeMetricFamily("ops_outbox_notifications", "notifications not yet sent, by channel and status",
                                  labels=["channel", "status"])
        for channel, status, n in sorted(outbox):
            notes.add_metric([channel, status], n)
        yield notes
        yield GaugeMetricFamily("ops_outbox_oldest_due_seconds",
                                "age of the oldest notification due but not sent (0: none)",
                                value=_age(now, oldest_outbox))


def _age(now, then) -> float:
    if then is None:
        return 0.0
    if then.tzinfo is None:  # an aggregate (min) bypasses the column type: SQLite hands back naive UTC
        then = then.replace(tzinfo=UTC)
    return max((now - then) / timedelta(seconds=1), 0.0)
