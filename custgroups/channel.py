"""The `wecom_groupsend` channel: one outbox row = one customer-group send task in WeCom.

Recipient = the sender, who must own every group of the row (WeCom refuses otherwise); payload =
`{"chat_id_list": [...], "image_path": ..., "text": ...}` (`custgroups.groupsend` puts one group in each
row, so each group has its own task, confirmation and result). The notice image is uploaded as
temporary media once and reused while WeCom still keeps it (3 days from its created_at, less a
margin); an expired media id that WeCom refuses anyway (40007) is uploaded again once.
The task's msgid is the row's provider_msgid, which `custgroups.poll` follows.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import select

from core.db import new_session
from custgroups import texts, wecom
from custgroups.models import WeComMedia
from notify.channels import ChannelError, SendResult
from notify.content import check_image, image_bytes, image_filename
from notify.models import Notification
from notify.wecom_api import WeComApiError, WeComClient

MEDIA_VALIDITY = timedelta(days=3)  # media/upload: temporary media are kept 3 days
MEDIA_MARGIN = timedelta(hours=1)  # upload again this long before WeCom forgets the media
INVALID_MEDIA = 40007
APP_IMAGE_LIMIT = 10 * 1024 * 1024


class MediaStore:
    """media_id of some bytes: the stored upload while fresh, else a new upload (stored)."""

    def __init__(self, engine: Engine, client: WeComClient, clock: Callable[[], float] = time.time):
        self.engine, self.client, self.clock = engine, client, clock

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def media_id(self, data: bytes, *, fresh: bool = False) -> str:
        """A media id WeCom still keeps for `data`; `fresh` forces a new upload."""
        digest = hashlib.sha256(data).hexdigest()
        with new_session(self.engine) as s:
            row = s.exec(select(WeComMedia).where(WeComMedia.sha256 == digest)
                         .order_by(WeComMedia.created_at.desc())).first()
            if row is not None and not fresh and self._now() < row.created_at + MEDIA_VALIDITY - MEDIA_MARGIN:
                return row.media_id
        media_id, created = wecom.upload_image(self.client, image_filename(data), data)
        at = datetime.fromtimestamp(created, UTC) if created else self._now()
        with new_session(self.engine) as s:
            s.add(WeComMedia(sha256=digest, kind="image", media_id=media_id, created_at=at))
            s.commit()
        return media_id


class GroupSendChannel:
    """Creates the group-send task; the owner confirms it with one tap in WeCom."""

    name = "wecom_groupsend"
    disabled_reason = None

    def __init__(self, client: WeComClient, media: MediaStore):
        self.client, self.media = client, media

    def send(self, n: Notification) -> SendResult:
        """Upload (or reuse) the image, create the task, return its msgid."""
        p = n.payload or {}
        chat_ids = [c for c in p.get("chat_id_list") or [] if c]
        if not n.recipient or not chat_ids:
            raise ChannelError(texts.NO_GROUPS, retry=False)
        data = check_image(image_bytes(p), limit=APP_IMAGE_LIMIT)
        try:
            answer = self._create(n, chat_ids, self.media.media_id(data), p)
        except WeComApiError as exc:
            if exc.errcode != INVALID_MEDIA:
                raise
            answer = self._create(n, chat_ids, self.media.media_id(data, fresh=True), p)
        msgid = str(answer.get("msgid") or "")
        if not msgid:
            raise ChannelError(texts.NO_MSGID.format(answer=str(answer)[:200]), retry=False)
        return SendResult(provider_msgid=msgid)

    def _create(self, n: Notification, chat_ids: list[str], media_id: str, p: dict) -> dict:
        return wecom.create_group_send(self.client, sender=n.recipient, chat_ids=chat_ids, media_id=media_id,
                                       text=p.get("text") or "")
