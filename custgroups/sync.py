"""Sync each salesperson's customer groups from WeCom (on a schedule and from the admin button).

Per owner: `groupchat/list` filtered by owner (paged by cursor), then `groupchat/get` per group
for its name and members. Groups of a synced owner that WeCom no longer lists are marked gone
(mappings are kept, so a group that comes back needs no new confirmation).
"""

from __future__ import annotations

import logging

from sqlmodel import select

from core.runtime import Runtime, current_runtime
from core.types import utcnow
from custgroups import wecom
from custgroups.models import CustomerGroup
from notify.channels import ChannelError
from orders.models import Staff

log = logging.getLogger(__name__)


def group_owners(rt: Runtime) -> list[str]:
    """WeCom userids of active salespeople: the people whose customer groups we follow."""
    with rt.uow() as uow:
        rows = uow.session.exec(select(Staff.userid).where(
            Staff.active.is_(True), Staff.userid.is_not(None), Staff.roles.like("%sales%"))).all()
    return sorted(u for u in rows if u)


def sync_customer_groups() -> dict:
    """Job (cron and admin button): every salesperson's groups; returns counts."""
    rt = current_runtime()
    client = getattr(rt.channels.get("wecom_groupsend"), "client", None)
    counts = {"owners": 0, "groups": 0, "added": 0, "gone": 0, "errors": 0, "off": client is None}
    if client is None:
        return counts
    for owner in group_owners(rt):
        try:
            details = [wecom.group_detail(client, chat_id) for chat_id in wecom.owner_group_ids(client, owner)]
        except ChannelError as exc:
            log.warning("customer groups of %s not synced: %s", owner, exc)
            counts["errors"] += 1
            continue
        added, gone = store_owner_groups(rt, owner, details)
        counts["owners"] += 1
        counts["groups"] += len(details)
        counts["added"] += added
        counts["gone"] += gone
    return counts


def store_owner_groups(rt: Runtime, owner: str, details: list[dict]) -> tuple[int, int]:
    """Upsert one owner's groups; mark their groups missing from `details` gone. Returns (added, gone)."""
    now = utcnow()
    seen = set()
    added = gone = 0
    with rt.uow() as uow:
        s = uow.session
        for d in details:
            chat_id = d.get("chat_id")
            if not chat_id:
                continue
            seen.add(chat_id)
            row = s.exec(select(CustomerGroup).where(CustomerGroup.chat_id == chat_id)).first()
            if row is None:
                row = CustomerGroup(chat_id=chat_id)
                added += 1
            row.name = str(d.get("name") or "")
            row.owner_userid = str(d.get("owner") or owner)
            row.member_count = len(d.get("member_list") or [])
            row.follow_status = int(d.get("status") or 0)
            row.gone, row.synced_at = False, now
            s.add(row)
        for row in s.exec(select(CustomerGroup).where(CustomerGroup.owner_userid == owner,
                                                      CustomerGroup.gone.is_(False))).all():
            if row.chat_id not in seen:
                row.gone = True
                s.add(row)
                gone += 1
        uow.commit()
    return added, gone
