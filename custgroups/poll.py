"""Cron job: follow open group-send tasks until every group has a result.

For each open task whose outbox row has created it in WeCom (provider_msgid = msgid):
`get_groupmsg_task` says whether the owner confirmed, `get_groupmsg_send_result` gives each
group's status (0 not sent yet, 1 sent, 2/3 failed). Results are stored per group for the
notification log. A shipment makes one task per group, so an owner may have several unconfirmed tasks
for one order: tasks still unconfirmed after `groupsend_remind_hours` are gathered per order and owner
within one poll round (a task with no order, shop's QR card, stays on its own), and the owner gets ONE
reminder by app message naming how many groups still wait; after `groupsend_escalate_hours` the owner's
manager gets one message likewise. Each task is marked reminded / escalated, so it is part of one
reminder and one escalation at most.
A task WeCom refused (outbox row failed or skipped) falls back to the manual forward: the owner gets
the image and the reason by app message (per task, so for a shipment per group). So do the groups of a
confirmed task that WeCom reports failed (status 2/3, e.g. the group already received its share of group
sends): the owner forwards the image into those groups by hand, so the customer still sees the notice.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from core.bus import UnitOfWork
from core.runtime import Runtime, current_runtime
from core.types import utcnow
from custgroups import texts, wecom
from custgroups.models import CustomerGroup, GroupSendResult, GroupSendTask
from notify.channels import ChannelError
from notify.models import Notification
from notify.outbox import queue_notification
from orders.models import Order, Staff

log = logging.getLogger(__name__)
FOLLOW_DAYS = 30  # tasks older than this are no longer polled
SENT, UNSENT = 1, 0
WAITING = "waiting"  # poll_task: polled, some group still unconfirmed


def poll_group_sends(now: datetime | None = None) -> dict:
    """Job: poll every open task once, then remind per order and owner; returns counts for the log
    ("reminded" / "escalated" count messages, not tasks)."""
    rt = current_runtime()
    channel = rt.channels.get("wecom_groupsend")
    client = getattr(channel, "client", None)
    now = now or utcnow()
    counts = {"polled": 0, "done": 0, "reminded": 0, "escalated": 0, "errors": 0}
    with rt.uow() as uow:
        ids = uow.session.exec(select(GroupSendTask.id).where(
            GroupSendTask.state == "open", GroupSendTask.created_at > now - timedelta(days=FOLLOW_DAYS))).all()
    waiting: list[int] = []
    for task_id in ids:
        with rt.uow() as uow:
            try:
                outcome = poll_task(uow, rt, client, task_id, now)
            except ChannelError as exc:
                log.warning("group-send task %s: polling failed: %s", task_id, exc)
                counts["errors"] += 1
                continue
            uow.commit()
        for key in outcome:
            if key == WAITING:
                waiting.append(task_id)
            else:
                counts[key] += 1
    for task_ids in _by_order_and_sender(rt, waiting):
        with rt.uow() as uow:
            outcome = remind(uow, rt, task_ids, now)
            uow.commit()
        for key in outcome:
            counts[key] += 1
    return counts


def poll_task(uow: UnitOfWork, rt: Runtime, client, task_id: int, now: datetime) -> list[str]:
    """Update one task from WeCom; returns what happened ("waiting": polled and still unconfirmed)."""
    s = uow.session
    task = s.get(GroupSendTask, task_id)
    n = s.get(Notification, task.notification_id)
    results = {r.chat_id: r for r in s.exec(select(GroupSendResult).where(GroupSendResult.task_id == task.id))}
    if n is None or n.status in ("failed", "skipped"):
        for r in results.values():
            r.state, r.detail = "failed", (n.last_error if n else "")[:300]
            s.add(r)
        task.state = "done"
        s.add(task)
        if n is not None:
            _fall_back_to_forward(uow, task, n)
        return ["done"]
    if n.status != "sent" or not n.provider_msgid or client is None:
        return []  # not created in WeCom yet
    newly_failed = _apply(task, results, wecom.task_list(client, n.provider_msgid),
                          wecom.send_results(client, n.provider_msgid, task.sender))
    if newly_failed:
        _forward_failed_groups(uow, task, n, [results[c] for c in newly_failed])
    task.polled_at = now
    outcome = ["polled"]
    if all(r.state != "unconfirmed" for r in results.values()):
        task.state = "done"
        outcome.append("done")
    else:
        outcome.append(WAITING)
    s.add(task)
    s.add_all(results.values())
    return outcome


def _by_order_and_sender(rt: Runtime, task_ids: list[int]) -> list[list[int]]:
    """The waiting tasks gathered per (order, sender), each list in task order; a task with no order
    (shop's QR card, one task per owner already) stays on its own."""
    if not task_ids:
        return []
    with rt.uow() as uow:
        rows = uow.session.exec(select(GroupSendTask.id, GroupSendTask.order_id, GroupSendTask.sender)
                                .where(GroupSendTask.id.in_(task_ids)).order_by(GroupSendTask.id)).all()
    out: dict[tuple, list[int]] = {}
    for task_id, order_id, sender in rows:
        out.setdefault((order_id, sender) if order_id else ("task", task_id), []).append(task_id)
    return list(out.values())


def _fall_back_to_forward(uow: UnitOfWork, task: GroupSendTask, n: Notification) -> None:
    """The task could not be created: the owner gets the image to forward by hand, with the reason."""
    order = uow.session.get(Order, task.order_id) if task.order_id else None
    names = dict(uow.session.exec(select(CustomerGroup.chat_id, CustomerGroup.name)
                                  .where(CustomerGroup.chat_id.in_(task.chat_ids))).all())
    body = texts.forward_instead(order.order_no if order else "", n.last_error,
                                 [names.get(c) or c for c in task.chat_ids])
    common = {"kind": "notice", "channel": "wecom_app", "recipient": task.sender,
              "recipient_name": n.recipient_name, "order_id": task.order_id}
    queue_notification(uow, body=body, payload={"msgtype": "image", "image_path": (n.payload or {}).get("image_path")},
                       dedupe_key=f"groupsend:{task.id}:fallback:image", **common)
    queue_notification(uow, body=body, payload={"msgtype": "text"}, dedupe_key=f"groupsend:{task.id}:fallback:text",
                       **common)


def _forward_failed_groups(uow: UnitOfWork, task: GroupSendTask, n: Notification,
                           failed: list[GroupSendResult]) -> None:
    """Groups WeCom did not deliver to after the owner confirmed: the owner forwards the image there by hand."""
    order = uow.session.get(Order, task.order_id) if task.order_id else None
    chat_ids = [r.chat_id for r in failed]
    names = dict(uow.session.exec(select(CustomerGroup.chat_id, CustomerGroup.name)
                                  .where(CustomerGroup.chat_id.in_(chat_ids))).all())
    body = texts.forward_failed_groups(order.order_no if order else "",
                                       [(names.get(r.chat_id) or r.chat_id, r.detail) for r in failed])
    common = {"kind": "notice", "channel": "wecom_app", "recipient": task.sender,
              "recipient_name": n.recipient_name, "order_id": task.order_id}
    key = f"groupsend:{task.id}:failed:{hashlib.sha1(','.join(sorted(chat_ids)).encode()).hexdigest()[:16]}"
    queue_notification(uow, body=body, payload={"msgtype": "image", "image_path": (n.payload or {}).get("image_path")},
                       dedupe_key=f"{key}:image", **common)
    queue_notification(uow, body=body, payload={"msgtype": "text"}, dedupe_key=f"{key}:text", **common)


def _at(stamp) -> datetime | None:
    return datetime.fromtimestamp(int(stamp), UTC) if str(stamp or "").isdigit() and int(stamp) else None


def _apply(task: GroupSendTask, results: dict[str, GroupSendResult], members: list[dict],
           sends: list[dict]) -> list[str]:
    """Store WeCom's per-member and per-group results; returns the chat ids that failed in this poll."""
    newly_failed = []
    for m in members:
        if m.get("userid") == task.sender and m.get("status") == SENT and task.confirmed_at is None:
            task.confirmed_at = _at(m.get("send_time")) or utcnow()
    for item in sends:
        r = results.get(item.get("chat_id") or "")
        if r is None:
            continue
        status = int(item.get("status", UNSENT))
        if status == SENT:
            r.state, r.detail, r.sent_at = "sent", "", _at(item.get("send_time")) or utcnow()
        elif status == UNSENT:
            r.state = "unconfirmed"
        else:
            if r.state != "failed":
                newly_failed.append(r.chat_id)
            r.state, r.detail = "failed", texts.FAIL_REASONS.get(status, f"status {status}")
    return newly_failed


def remind(uow: UnitOfWork, rt: Runtime, task_ids: list[int], now: datetime) -> list[str]:
    """One reminder to the owner (and later one message to their manager) for the open tasks of one order
    and one owner that are due; marks each of those tasks. Returns "reminded" / "escalated" once each."""
    s = uow.session
    cfg = rt.settings.notify
    tasks = list(s.exec(select(GroupSendTask).where(GroupSendTask.id.in_(task_ids), GroupSendTask.state == "open")
                        .order_by(GroupSendTask.id)).all())
    if not tasks:
        return []
    first = tasks[0]
    waiting = len(set(s.exec(select(GroupSendResult.chat_id).where(
        GroupSendResult.task_id.in_([t.id for t in tasks]), GroupSendResult.state == "unconfirmed")).all()))
    order = s.get(Order, first.order_id) if first.order_id else None
    order_no = order.order_no if order else ""
    owner = s.exec(select(Staff).where(Staff.userid == first.sender)).first()
    done = []
    due = [t for t in tasks if t.reminded_at is None
           and now - t.created_at >= timedelta(hours=cfg.groupsend_remind_hours)]
    if due:
        queue_notification(uow, kind="groupsend_remind", channel="wecom_app", recipient=first.sender,
                           recipient_name=owner.name if owner else first.sender, order_id=first.order_id,
                           body=texts.remind_owner(order_no, waiting, cfg.groupsend_remind_hours),
                           payload={"msgtype": "text"}, dedupe_key=f"groupsend:{due[0].id}:remind")
        for t in due:
            t.reminded_at = now
            s.add(t)
        done.append("reminded")
    manager = s.get(Staff, owner.manager_id) if owner and owner.manager_id else None
    due = [t for t in tasks if t.escalated_at is None
           and now - t.created_at >= timedelta(hours=cfg.groupsend_escalate_hours)]
    if due and manager is not None and manager.userid:
        queue_notification(uow, kind="groupsend_remind", channel="wecom_app", recipient=manager.userid,
                           recipient_name=manager.name, order_id=first.order_id,
                           body=texts.escalate_manager(owner.name, order_no, waiting, cfg.groupsend_escalate_hours),
                           payload={"msgtype": "text"}, dedupe_key=f"groupsend:{due[0].id}:escalate")
        for t in due:
            t.escalated_at = now
            s.add(t)
        done.append("escalated")
    return done
