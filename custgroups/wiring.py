"""Wiring of custgroups: its tables, the `wecom_groupsend` channel, and the cron jobs that sync the
salespeople's customer groups (hourly) and follow open group-send tasks (every 5 minutes)."""

from __future__ import annotations

from core.feature import CronEntry, Feature
from core.runtime import Runtime
from custgroups import models, texts
from custgroups.channel import GroupSendChannel, MediaStore
from custgroups.poll import poll_group_sends
from custgroups.seed import seed_customer_groups
from custgroups.sync import sync_customer_groups
from notify.adapters import wecom_client
from notify.channels import DisabledChannel


def channels(rt: Runtime) -> dict:
    """The group-send channel, on the app's WeCom client (off when the app is not configured)."""
    client = wecom_client(rt.settings, rt.redis)
    if client is None:
        return {"wecom_groupsend": DisabledChannel("wecom_groupsend", texts.GROUPSEND_OFF)}
    return {"wecom_groupsend": GroupSendChannel(client, MediaStore(rt.engine, client))}


FEATURE = Feature(
    name="custgroups",
    models=[models],
    channels=channels,
    cron=[CronEntry(func=sync_customer_groups, cron="7 * * * *"),
          CronEntry(func=poll_group_sends, interval=300)],
    seed=seed_customer_groups,
)
