"""The chat playground's way into the bot: the very pipeline WeCom messages take.

The message is handed to `bot.inbound.accept` exactly like a WeCom robot group @-message
(stored inbound record → parser → domain → reply), with a `playground-` message id so the
inbound log tells them apart.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from bot.inbound import Incoming, accept, reply_of
from core.runtime import Runtime

MSG_PREFIX = "playground-"
# The robot's platform name: the bot maps its sender ids to Staff.userid, as for real WeCom messages.
PLATFORM = "wecom_bot"


@dataclass(frozen=True)
class Said:
    """What the playground sends: who speaks, where, what."""

    staff_userid: str
    staff_name: str
    chat_id: str
    chat_name: str
    text: str
    signed_in_as: str


def send(rt: Runtime, said: Said) -> list[str]:
    """Store and process inline, as the bot does for a WeCom robot message, and read back the reply."""
    msg = Incoming(platform=PLATFORM, platform_msg_id=MSG_PREFIX + uuid.uuid4().hex, text=said.text,
                   chat_id=said.chat_id, chat_name=said.chat_name,
                   chat_type="group" if said.chat_id else "single",
                   sender_id=said.staff_userid, sender_name=said.staff_name,
                   raw={"playground": True, "signed_in_as": said.signed_in_as})
    row, _ = accept(rt, msg, inline=True)
    reply = reply_of(rt, row.id)
    return [reply] if reply else []
