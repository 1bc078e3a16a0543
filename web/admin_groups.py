"""Admin page of WeCom customer groups: the synced groups with their customers, suggested mappings
(group name contains the customer's name or short name) that a person confirms, removing a
mapping, each customer's shipping-notice route, and the button that syncs groups now."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlmodel import select

from core.db import new_session
from core.runtime import current_runtime
from custgroups import texts as group_texts
from custgroups.models import ROUTES, CustomerGroup
from custgroups.service import MappingError, link_group, links_by_group, set_route, suggestions, unlink_group
from custgroups.sync import sync_customer_groups
from orders.models import Customer
from web.access import enforce, page
from web.ui import register_error_pages

bp = Blueprint("admin_groups", __name__, url_prefix="/admin")
bp.before_request(enforce)
register_error_pages(bp)


def _int(name: str) -> int | None:
    raw = (request.form.get(name) or "").strip()
    return int(raw) if raw.isdigit() else None


@bp.get("/customer-groups")
@page("master_data")
def groups():
    """Groups, suggestions, mappings and notice routes on one page."""
    with new_session(current_runtime().engine) as s:
        rows = s.exec(select(CustomerGroup).order_by(CustomerGroup.gone, CustomerGroup.name)).all()
        customers = s.exec(select(Customer).order_by(Customer.name)).all()
        return render_template("admin/customer_groups.html", groups=rows, links=links_by_group(s),
                               suggestions=suggestions(s), customers=customers, routes=ROUTES,
                               route_labels=group_texts.ROUTE_LABELS)


@bp.post("/customer-groups/sync")
@page("master_data")
def sync_now():
    """Sync every salesperson's customer groups now (a job; inline runs finish before the redirect)."""
    rt = current_runtime()
    if getattr(rt.channels.get("wecom_groupsend"), "client", None) is None:
        flash(group_texts.SYNC_OFF, "error")
        return redirect(url_for(".groups"))
    job = rt.enqueue(sync_customer_groups)
    result = job.return_value() if job is not None and job.is_finished else None
    if isinstance(result, dict):
        flash(group_texts.SYNC_DONE.format(**result), "ok")
    else:
        flash(group_texts.SYNC_STARTED, "ok")
    return redirect(url_for(".groups"))


@bp.post("/customer-groups/links")
@page("master_data")
def link():
    """A person confirms a (suggested or chosen) customer for a group."""
    customer_id, group_id = _int("customer_id"), _int("group_id")
    with new_session(current_runtime().engine) as s:
        try:
            made = link_group(s, customer_id or 0, group_id or 0, by=current_user.display_name)
            group, customer = s.get(CustomerGroup, made.group_id), s.get(Customer, made.customer_id)
            s.commit()
            flash(group_texts.LINK_SAVED.format(group=group.name, customer=customer.name), "ok")
        except MappingError as exc:
            flash(exc.message, "error")
    return redirect(url_for(".groups"))


@bp.post("/customer-groups/links/<int:link_id>/delete")
@page("master_data")
def unlink(link_id: int):
    """Remove a mapping."""
    with new_session(current_runtime().engine) as s:
        try:
            group, customer = unlink_group(s, link_id)
            s.commit()
            flash(group_texts.LINK_REMOVED.format(group=group, customer=customer), "ok")
        except MappingError as exc:
            flash(exc.message, "error")
    return redirect(url_for(".groups"))


@bp.post("/customer-groups/routes")
@page("master_data")
def route():
    """How one customer's shipping notices go out."""
    with new_session(current_runtime().engine) as s:
        try:
            customer = set_route(s, _int("customer_id") or 0, request.form.get("route") or "")
            s.commit()
            flash(group_texts.ROUTE_SAVED.format(customer=customer.name,
                                                 route=group_texts.ROUTE_LABELS[customer.notice_route]), "ok")
        except MappingError as exc:
            flash(exc.message, "error")
    return redirect(url_for(".groups"))
