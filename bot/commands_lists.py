"""Chat v2 commands without an order number (issue #14): lists (今天要发哪些, 我的待办, 逾期的, 本周交货)
and creating an order from a chat line matched against the master data (nothing guessed)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, or_
from sqlmodel import select

from bot import texts
from bot.registry import CommandContext, command
from core.types import utcnow
from insight import decision_text
from nextsteps import texts as step_texts
from nextsteps.todo import todo_for
from orders.exceptions import OrderError
from orders.models import Customer, Order, Product
from orders.roles import OVERRIDE_ROLES, Role
from orders.service import create_order
from orders.status import OPEN_STATUSES, Status
from workcal.service import calendar_for

NOT_YET_SHIPPED = sorted(s.value for s in OPEN_STATUSES - {Status.SHIPPED, Status.IN_TRANSIT, Status.DELIVERED})
LIST_WORDS = (("overdue", ("逾期", "超期", "延期", "过期")), ("mine", ("待办", "我的", "该我")),
              ("this_week", ("本周", "这周", "这星期", "这礼拜")), ("ship_soon", ("要发", "待发", "发货", "发哪些")))
CREATE_ROLES = frozenset({Role.SALES}) | OVERRIDE_ROLES


def list_kind(text: str) -> str | None:
    """Which list the message asks for, from its words."""
    for kind, words in LIST_WORDS:
        if any(w in text for w in words):
            return kind
    return None


def _today(ctx: CommandContext) -> date:
    return utcnow().astimezone(ctx.runtime.settings.tz).date()


def _query(ctx: CommandContext, kind: str):
    """The SELECT of one list, and its admin link arguments."""
    today = _today(ctx)
    stmt = select(Order).where(Order.status.in_(sorted(s.value for s in OPEN_STATUSES)))
    if kind == "ship_soon":
        return (stmt.where(Order.status == Status.IN_STOCK.value, Order.promised_date <= today + timedelta(days=1)),
                "status=in_stock&due=1")
    if kind == "overdue":
        return stmt.where(Order.status.in_(NOT_YET_SHIPPED), Order.promised_date < today), "status=open&due=0"
    if kind == "this_week":
        monday = today - timedelta(days=today.weekday())
        return (stmt.where(Order.promised_date >= monday, Order.promised_date <= monday + timedelta(days=6),
                           Order.status.in_(NOT_YET_SHIPPED)), "status=open&due=7")
    raise ValueError(kind)  # "mine" is answered by my_todo


@command("list", changes=False, needs_order=False)
def list_(ctx: CommandContext) -> str:
    """清单：今天要发哪些 / 我的待办 / 逾期的 / 本周交货"""
    if not ctx.sender.is_staff:
        return texts.CUSTOMER_NO_LIST if ctx.sender.is_customer else texts.STAFF_ONLY
    kind = list_kind(ctx.message.text)
    if kind is None:
        return texts.LIST_WHICH
    if kind == "mine":
        return my_todo(ctx)
    stmt, args = _query(ctx, kind)
    with ctx.runtime.uow() as uow:
        s = uow.session
        total = s.exec(select(func.count()).select_from(stmt.subquery())).one()
        rows = s.exec(stmt.order_by(Order.promised_date, Order.order_no).limit(texts.LIST_MAX)).all()
        lines = []
        for o in rows:
            cust, prod = s.get(Customer, o.customer_id), s.get(Product, o.product_id)
            lines.append(texts.list_line(o.order_no, cust.short_name or cust.name, prod.code, o.quantity,
                                         o.promised_date.strftime("%m-%d"), Status(o.status).label))
    link = f"{ctx.runtime.settings.public_base_url.rstrip('/')}/admin/orders?{args}"
    return texts.list_text(kind, lines, total, link)


def my_todo(ctx: CommandContext) -> str:
    """我的待办: the same list as the web page (nextsteps.todo.todo_for), earliest due first."""
    rt = ctx.runtime
    with rt.uow() as uow:
        found = todo_for(uow.session, ctx.sender.actor, today=_today(ctx), cal=calendar_for(uow.session, rt.settings),
                         limit=texts.LIST_MAX)
    lines = [texts.todo_line(t.order_no, t.step, t.customer, t.product, t.quantity, t.due_label,
                             t.due.strftime("%m-%d"), step_texts.days_text(t.days_to_due), t.red_flag)
             for t in found.items]
    return texts.list_text("mine", lines, found.total, f"{rt.settings.public_base_url.rstrip('/')}/admin/todo")


def _match(s, model, written: str):
    """Rows of Customer/Product matching what was written: exact first, then contained."""
    w = written.strip()
    if model is Customer:
        exact = or_(Customer.name == w, Customer.short_name == w)
        like = or_(Customer.name.contains(w), Customer.short_name.contains(w))
    else:
        exact = or_(func.upper(Product.code) == w.upper(), Product.name == w)
        like = or_(Product.code.contains(w), Product.name.contains(w))
    found = s.exec(select(model).where(exact)).all()
    return list(found or s.exec(select(model).where(like).limit(20)).all())


@command("create", needs_order=False)
def create(ctx: CommandContext) -> str:
    """新订单：新订单 华东机械 P-100 200件 12月10日交"""
    actor = ctx.sender.actor
    if not set(actor.roles) & CREATE_ROLES:
        return texts.CREATE_NOT_ALLOWED
    wanted = {f: ctx.field(f) for f in ("customer", "product", "quantity", "date")}
    missing = [texts.CREATE_FIELD_LABELS[f] for f, v in wanted.items() if v in (None, "")]
    if missing:
        return texts.CREATE_NEEDS.format(missing="、".join(missing))
    with ctx.runtime.uow() as uow:
        picked = {}
        for key, model, show in (("customer", Customer, lambda c: c.name), ("product", Product, lambda p: p.code)):
            rows = _match(uow.session, model, str(wanted[key]))
            label = texts.CREATE_FIELD_LABELS[key]
            if not rows:
                return texts.create_unknown(label, str(wanted[key]))
            if len(rows) > 1:
                return texts.create_ambiguous(label, str(wanted[key]), [show(r) for r in rows])
            picked[key] = rows[0]
        cust, prod = picked["customer"], picked["product"]
        try:
            order = create_order(uow, customer=cust.name, product=prod.code, quantity=int(wanted["quantity"]),
                                 promised_date=_date(wanted["date"]), actor=actor, tz=ctx.runtime.settings.tz)
        except (OrderError, ValueError) as exc:
            return getattr(exc, "message", None) or texts.CREATE_NEEDS.format(missing="有效的数量和交期")
        reply = texts.created(order.order_no, cust.name, f"{prod.code} {prod.name}", order.quantity,
                              order.promised_date.isoformat())
        reply += "\n" + decision_text(uow.session, cust.id, prod.product_line, settings=ctx.runtime.settings)
        uow.commit()
    return reply


def _date(value) -> date:
    return value if isinstance(value, date) else datetime.strptime(str(value), "%Y-%m-%d").date()
