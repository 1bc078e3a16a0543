"""Close the still-open cards of an alert once it is settled elsewhere (acked in chat, on the web, by the
API or on another card; resolved by the sweep): their buttons are replaced with who did what, through
message/update_template_card with the response_code each card's send returned (usable once).

A card is marked done under a row lock before WeCom is called, the same mark a click checks, so a click
racing this job is applied at most once either way.
"""

from __future__ import annotations

import logging

from sqlmodel import select

from core.runtime import current_runtime
from core.types import utcnow
from notify.adapters import wecom_app_api
from notify.channels import ChannelError
from notify.models import Notification

log = logging.getLogger(__name__)


def close_alert_cards(alert_id: int, text: str) -> int:
    """Job: replace the buttons of every open card of this alert with `text`; returns how many changed."""
    rt = current_runtime()
    client = wecom_app_api(rt)
    if client is None:
        return 0
    todo: list[tuple[list[str], str]] = []
    with rt.uow() as uow:
        rows = uow.session.exec(select(Notification).where(Notification.alert_id == alert_id,
                                                           Notification.channel == "wecom_app")
                                .with_for_update()).all()
        for n in rows:
            p = dict(n.payload or {})
            if p.get("msgtype") != "template_card" or p.get("card_done") or not p.get("response_code"):
                continue
            n.payload = {**p, "card_done": {"key": "closed", "at": utcnow().isoformat(), "text": text}}
            uow.session.add(n)
            todo.append(([u for u in n.recipient.split("|") if u], p["response_code"]))
        uow.commit()
    changed = 0
    for userids, code in todo:
        try:
            client.update_template_card({"userids": userids, "agentid": rt.settings.wecom_agent_id,
                                         "response_code": code, "button": {"replace_name": text}})
            changed += 1
        except ChannelError as exc:  # the card keeps its buttons; a click on it then does nothing
            log.warning("card of alert %s for %s not closed: %s", alert_id, userids, exc)
    return changed
