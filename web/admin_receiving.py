"""到货登记: open purchase lines with a receive button for purchasing and the warehouse (phone friendly)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlmodel import select

from core.runtime import current_runtime
from orders.exceptions import OrderError
from orders.models import Material, PurchaseLine
from orders.purchasing import receive_purchase_line
from web import texts
from web.access import enforce, page
from web.ui import register_error_pages

bp = Blueprint("admin_receiving", __name__, url_prefix="/admin/receiving")
bp.before_request(enforce)
register_error_pages(bp)
LIST_LIMIT = 300


@bp.get("")
@page("receiving")
def open_lines():
    """Purchase lines not fully received, earliest expected first."""
    q = (request.args.get("q") or "").strip()[:60]
    with current_runtime().uow() as uow:
        stmt = (select(PurchaseLine, Material).join(Material, Material.id == PurchaseLine.material_id)
                .where(PurchaseLine.arrived_on.is_(None))
                .order_by(PurchaseLine.expected_on.is_(None), PurchaseLine.expected_on, PurchaseLine.id)
                .limit(LIST_LIMIT))
        if q:
            pat = f"%{q}%"
            stmt = stmt.where(PurchaseLine.po_no.like(pat) | Material.code.like(pat) | Material.name.like(pat)
                              | PurchaseLine.supplier.like(pat))
        rows = [(line.model_dump(), m.model_dump()) for line, m in uow.session.exec(stmt).all()]
    return render_template("admin/receiving.html", rows=rows, q=q)


@bp.post("/<int:line_id>")
@page("receiving")
def receive(line_id: int):
    """Book goods arrived on one line as the signed-in person (source web)."""
    rt = current_runtime()
    try:
        with rt.uow() as uow:
            line, released = receive_purchase_line(uow, line_id, quantity=request.form.get("quantity"),
                                                   batch=request.form.get("batch") or "",
                                                   actor=current_user.actor(), tz=rt.settings.tz)
            uow.commit()
        flash(texts.RECEIVED.format(po_no=line.po_no or "—", released="、".join(released) or texts.NONE_RELEASED), "ok")
    except OrderError as exc:
        flash(exc.message, "error")
    return redirect(url_for(".open_lines", q=request.args.get("q") or None))
