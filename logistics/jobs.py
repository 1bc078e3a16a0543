"""Event handler and jobs of shipping notices.

`on_order_shipped` runs inside the shipping transaction (any source: chat, web, scan, API):
it fills in the default ETA and, after commit, enqueues `send_shipping_notice` (and
`subscribe_waybill` when Kuaidi100 is configured). The job
renders the image, issues the tracking token and queues the messages in one transaction; a
token already issued for the same shipment means the job already ran, so a retry sends nothing.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from rq import Retry
from sqlmodel import select

from core.bus import UnitOfWork
from core.runtime import Runtime, current_runtime
from logistics.eta import default_eta, seed_carrier_eta
from logistics.models import TrackingToken
from logistics.notices import issue_notice, queue_notice_messages
from logistics.subscribe import subscribe_waybill
from logistics.tokens import current_token, public_url
from orders.events import OrderShipped, WaybillChanged
from orders.models import Customer, Order
from orders.status import Status
from orders.waybill import waybill_known

SHIPPED_OR_LATER = {Status.SHIPPED.value, Status.IN_TRANSIT.value, Status.DELIVERED.value, Status.COMPLETED.value}
NOTICE_RETRY = Retry(max=3, interval=[10, 60, 300])
SUBSCRIBE_RETRY = Retry(max=5, interval=[60, 300, 1800, 3600, 7200])


def on_order_shipped(event: OrderShipped, uow: UnitOfWork) -> None:
    """Default ETA now; the notice after commit."""
    rt: Runtime = uow.runtime
    order = uow.session.get(Order, event.order_id)
    if order is not None:
        _seed_eta(uow, rt, order)
    if order is not None and not waybill_known(order):
        return  # shipped before the waybill was known: the notice waits for on_waybill_changed
    _queue_notice(uow, rt, event.order_id, f"se{event.status_event_id}")


def on_waybill_changed(event: WaybillChanged, uow: UnitOfWork) -> None:
    """The waybill was filled in or corrected: (re)issue the notice with it, revoking older links."""
    rt: Runtime = uow.runtime
    order = uow.session.get(Order, event.order_id)
    if order is None or not waybill_known(order) or order.status not in SHIPPED_OR_LATER:
        return
    _seed_eta(uow, rt, order)
    _queue_notice(uow, rt, event.order_id, f"wb{event.status_event_id}", revoke_old=True)


def _seed_eta(uow: UnitOfWork, rt: Runtime, order: Order) -> None:
    if order.eta is None and order.shipped_at is not None:
        seed_carrier_eta(uow.session)
        customer = uow.session.get(Customer, order.customer_id)
        order.eta = default_eta(uow.session, order.carrier, customer.region if customer else None,
                                order.shipped_at, rt.settings.tz)
        uow.session.add(order)


def _queue_notice(uow: UnitOfWork, rt: Runtime, order_id: int, ref: str, *, revoke_old: bool = False) -> None:
    uow.after_commit(lambda: rt.enqueue(send_shipping_notice, order_id, ref, revoke_old, retry=NOTICE_RETRY))
    if rt.settings.logistics.kuaidi100_key and rt.settings.logistics.kuaidi100_salt:
        uow.after_commit(lambda: rt.enqueue(subscribe_waybill, order_id, retry=SUBSCRIBE_RETRY))


def send_shipping_notice(order_id: int, shipment_ref: str, revoke_old: bool = False) -> str:
    """Job: image + token + outbox rows for one shipment, exactly once."""
    rt = current_runtime()
    with rt.uow() as uow:
        s = uow.session
        done = s.exec(select(TrackingToken.id).where(TrackingToken.order_id == order_id,
                                                     TrackingToken.shipment_ref == shipment_ref)).first()
        if done:
            return "already-sent"
        order = s.get(Order, order_id)
        if order is None or order.status not in SHIPPED_OR_LATER:
            return "not-shipped"
        raw, token = issue_notice(uow, rt, order, shipment_ref=shipment_ref, revoke_old=revoke_old)
        added = queue_notice_messages(uow, rt, order, token.notice_path, public_url(rt, raw),
                                      key=f"notice:{order.id}:{shipment_ref}")
        uow.commit()
    return f"queued {added}"


def resend_notice(uow: UnitOfWork, rt: Runtime, order: Order, *, reissue: bool = False) -> dict:
    """Queue the notice again; `reissue` revokes old links and prints a new one."""
    token = current_token(uow.session, order.id)
    url = None
    if reissue or token is None or not Path(token.notice_path or "/nonexistent").is_file():
        raw, token = issue_notice(uow, rt, order, shipment_ref="resend", revoke_old=reissue)
        url = public_url(rt, raw)
    added = queue_notice_messages(uow, rt, order, token.notice_path, url,
                                  key=f"notice:{order.id}:resend:{uuid.uuid4().hex[:12]}")
    return {"order_no": order.order_no, "queued": added, "reissued": url is not None, "url": url}


def notice_file(uow: UnitOfWork, rt: Runtime, order: Order) -> Path:
    """The current notice PNG, rendered now (with a new link) when there is none on disk."""
    token = current_token(uow.session, order.id)
    if token is not None and token.notice_path and Path(token.notice_path).is_file():
        return Path(token.notice_path)
    _, token = issue_notice(uow, rt, order, shipment_ref="download")
    uow.commit()
    return Path(token.notice_path)
