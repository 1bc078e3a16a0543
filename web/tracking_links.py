"""Reissuing a customer tracking link from the order page: a live link is only revoked after a confirm step
(the QR codes already sent stop working), and the shipping notice can be sent again with the new link."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from core.runtime import current_runtime
from logistics.jobs import SHIPPED_OR_LATER, resend_notice
from logistics.tokens import current_token, issue_token, public_url, revoke_for_order
from orders import service
from orders.exceptions import OrderNotFound
from web import texts


def reissue_link(order_no: str):
    """POST /admin/orders/<no>/tracking-link: confirm first when a link is live; then revoke, issue, maybe resend."""
    rt = current_runtime()
    with rt.uow() as uow:
        try:
            order = service.find_order(uow, order_no)
        except OrderNotFound:
            abort(404)
        live = current_token(uow.session, order.id)
        shipped = order.status in SHIPPED_OR_LATER
        if live is not None and request.form.get("confirm") != "1":
            return render_template("admin/tracking_confirm.html", order_no=order.order_no, shipped=shipped,
                                   live=live)
        if shipped and request.form.get("resend") == "1":
            result = resend_notice(uow, rt, order, reissue=True)
            uow.commit()
            flash(texts.TRACKING_LINK.format(url=result["url"]), "ok")
            flash(texts.NOTICE_RESENT_NEW_LINK.format(count=result["queued"]), "info")
            return redirect(url_for(".order_detail", order_no=order.order_no))
        revoke_for_order(uow.session, order.id)
        raw, _row = issue_token(uow.session, order.id, ttl_days=rt.settings.logistics.tracking_token_days)
        uow.session.commit()
    flash(texts.TRACKING_LINK.format(url=public_url(rt, raw)), "ok")
    return redirect(url_for(".order_detail", order_no=order.order_no))
