"""WeCom app template cards (doc 90236, `button_interaction`): alerts and next steps with buttons.

A producer (alerts, nextsteps) puts `card_payload(...)` on its outbox row when WECOM_CARDS is on; the
app channel turns it into the `template_card` body here. The task id names the outbox row, so a click
(`template_card_event`, TaskId + EventKey) leads back to it (`notification_id_of`). Callback buttons
carry the action as their key (`ack`, `approve`, `seen`); 去处理 is a jump button (type 1) to the page.
A producer may add more jump buttons (`links`: text and url each), e.g. 联系客户 on a customer's request.
"""

from __future__ import annotations

import re

from notify import texts
from notify.content import truncate_utf8
from notify.models import Notification

CARD_TYPE = "button_interaction"
CALLBACK_KEYS = ("ack", "approve", "seen")  # button keys whose click comes back as template_card_event
_TASK_ID = re.compile(r"^ops-n(\d+)-[0-9a-z]+$")
TITLE_LIMIT = 36 * 3  # WeCom suggests ≤ 26 characters for main_title.title; bytes keep it short
DESC_LIMIT = 44 * 3
SUB_TITLE_LIMIT = 160 * 3


def card_payload(*, title: str, buttons: list[str], url: str | None, links: list[dict] | None = None,
                 **refs) -> dict:
    """The outbox payload of a card: its title, the callback buttons (keys), extra jump buttons (`links`:
    {"text", "url"}) and the page of 去处理; `refs` (alert_id, order_no, version…) say what a click acts on."""
    card = {"title": title, "buttons": list(buttons), "url": url or ""}
    if links:
        card["links"] = [{"text": link["text"], "url": link["url"]} for link in links]
    return {"msgtype": "template_card", "card": card, **refs}


def task_id_of(n: Notification) -> str:
    """Unique per app (WeCom refuses a repeated task_id): the row id plus its creation time."""
    stamp = format(int(n.created_at.timestamp()), "x") if n.created_at else "0"
    return f"ops-n{n.id}-{stamp}"


def notification_id_of(task_id: str) -> int | None:
    """The outbox row a card's task id names, or None for a task id we never made."""
    m = _TASK_ID.match(task_id or "")
    return int(m.group(1)) if m else None


def template_card(n: Notification) -> dict:
    """The `template_card` part of message/send for a card notification."""
    card = (n.payload or {}).get("card") or {}
    title = card.get("title") or n.subject or texts.DEFAULT_SUBJECT
    buttons = [{"text": texts.CARD_BUTTONS[key], "style": 1 if i == 0 else 2, "key": key}
               for i, key in enumerate(k for k in card.get("buttons", []) if k in CALLBACK_KEYS)]
    for link in card.get("links", []):
        if link.get("text") and link.get("url"):
            buttons.append({"type": 1, "text": link["text"], "style": 1 if not buttons else 2, "url": link["url"]})
    if card.get("url"):
        buttons.append({"type": 1, "text": texts.CARD_GO, "style": 4, "url": card["url"]})
    body = {
        "card_type": CARD_TYPE,
        "source": {"desc": texts.CARD_SOURCE},
        "main_title": {"title": truncate_utf8(title, TITLE_LIMIT, "…")},
        "sub_title_text": truncate_utf8(n.body, SUB_TITLE_LIMIT),
        "task_id": task_id_of(n),
        "button_list": buttons[:6],
    }
    if card.get("url"):
        body["card_action"] = {"type": 1, "url": card["url"]}
    return body


def order_link(settings, order_no: str) -> str:
    """The order's admin page (opened inside WeCom it signs in through OAuth2)."""
    return f"{settings.public_base_url.rstrip('/')}/admin/orders/{order_no}"
