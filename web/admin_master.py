"""Admin pages for master data: staff, customers and their chats, products and routes, materials,
alert rules, holiday overrides, and web logins."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlmodel import Session, select

from accounts.models import User
from accounts.service import create_user
from alerts.conditions import DATE_UNITS, KINDS, TIME_UNITS
from alerts.models import AlertRule
from alerts.rules import create_rule, update_rule
from alerts.texts import UNIT_LABELS
from core.db import new_session
from core.runtime import current_runtime
from core.types import utcnow
from orders.exceptions import OrderError
from orders.models import (
    BomLine,
    Customer,
    CustomerChat,
    DefectCategory,
    Material,
    Order,
    Product,
    PurchaseLine,
    RouteStep,
    Staff,
    Supplier,
)
from orders.roles import ROLE_LABELS, Role
from web import texts
from web.access import enforce, page
from web.crud import Col, Crud, FormError, register_crud
from web.labels import label, specs_text
from web.ui import register_error_pages
from workcal import texts as workcal_texts
from workcal.models import HolidayOverride, LineDayOverride, ProductionLine

bp = Blueprint("admin_master", __name__, url_prefix="/admin")
bp.before_request(enforce)
register_error_pages(bp)


def _staff(s: Session):
    return [(p.id, p.name) for p in s.exec(select(Staff).order_by(Staff.name)).all()]


def _sales(s: Session):
    return [(p.id, p.name) for p in s.exec(select(Staff).where(Staff.roles.like("%sales%")).order_by(Staff.name))]


def _customers(s: Session):
    return [(c.id, c.name) for c in s.exec(select(Customer).order_by(Customer.name)).all()]


def _products(s: Session):
    return [(p.id, f"{p.code} {p.name}") for p in s.exec(select(Product).order_by(Product.code)).all()]


def _packaging(s: Session):
    rows = s.exec(select(Material).where(Material.kind == "packaging").order_by(Material.code)).all()
    return [(m.id, f"{m.code} {m.name}") for m in rows]


def _materials(s: Session):
    return [(m.id, f"{m.code} {m.name}") for m in s.exec(select(Material).order_by(Material.code)).all()]


def _open_orders(s: Session):
    rows = s.exec(select(Order.id, Order.order_no).where(Order.status == "pending_purchase")
                  .order_by(Order.id.desc()).limit(300)).all()
    return [(i, no) for i, no in rows]


def _line_names(s: Session):
    return [(n, n) for n in s.exec(select(ProductionLine.name).order_by(ProductionLine.name)).all()]


def _fixed(*pairs):
    return lambda _s: list(pairs)


BASE_SPECS = (
    Crud("staff", "人员与角色", Staff, (
        Col("name", "姓名", required=True), Col("userid", "企业微信 userid", null=True), Col("department", "部门"),
        Col("roles", "角色", "roles"), Col("mobile", "手机", null=True), Col("email", "邮箱", in_list=False, null=True),
        Col("manager_id", "上级", "select", choices=_staff), Col("line", "负责产线", in_list=False, null=True),
        Col("on_duty", "在岗", "bool"),
        Col("active", "启用", "bool")), group="staff", order_by="name"),
    Crud("customers", "客户", Customer, (
        Col("name", "客户名称", required=True), Col("short_name", "简称"), Col("region", "地区"),
        Col("level", "等级", "select", choices=_fixed(("A", "A"), ("B", "B"), ("C", "C"))),
        Col("sales_owner_id", "业务员", "select", choices=_sales), Col("contact_name", "联系人"),
        Col("contact_phone", "联系电话")), group="master_data", order_by="name",
        links=(("群聊", "chats", "customer_id"),)),
    Crud("chats", "客户群聊", CustomerChat, (
        Col("customer_id", "客户", "select", choices=_customers),
        Col("platform", "平台", "select", required=True, choices=_fixed(
            ("wecom", "企业微信内部群"), ("wecom_external", "企业微信外部群"), ("bridge", "桥接微信群"))),
        Col("chat_id", "群 ID", required=True), Col("chat_name", "群名称"),
        Col("robot_key", "群机器人 key", in_list=False, null=True), Col("internal", "内部群", "bool")),
        group="master_data", parent="customer_id", deletable=True),
    Crud("products", "产品", Product, (
        Col("code", "产品编码", required=True), Col("name", "名称", required=True), Col("spec", "规格"),
        Col("product_line", "产品线", hint="交期缓冲与看板按产品线分组，例如 法兰、轴类"),
        Col("qc_standard_doc", "检验标准", in_list=False),
        Col("packaging_material_id", "包材", "select", choices=_packaging),
        Col("packaging_per_unit", "每件包材用量", "float"), Col("unit_price", "单价", "float")),
        group="master_data", order_by="code",
        links=(("工艺路线", "routes", "product_id"), ("物料清单", "bom", "product_id"))),
    Crud("routes", "工艺路线", RouteStep, (
        Col("product_id", "产品", "select", required=True, choices=_products),
        Col("seq", "序号", "int", required=True), Col("process", "工序", required=True),
        Col("std_hours_per_100", "标准工时/百件", "float"), Col("line", "产线")),
        group="master_data", order_by="seq", parent="product_id", deletable=True),
    Crud("suppliers", "供应商", Supplier, (
        Col("name", "供应商名称", required=True), Col("contact_name", "联系人"), Col("contact_phone", "联系电话"),
        Col("email", "邮箱", in_list=False), Col("address", "地址", in_list=False), Col("note", "说明"),
        Col("active", "合作中", "bool")), group="master_data", order_by="name"),
    Crud("materials", "物料与包材", Material, (
        Col("code", "编码", required=True), Col("name", "名称", required=True),
        Col("kind", "类别", "select", required=True, choices=_fixed(("raw", "原材料"), ("packaging", "包材"))),
        Col("unit", "单位"), Col("stock_on_hand", "库存", "float"), Col("safety_stock", "安全库存", "float"),
        Col("supplier", "供应商")), group="master_data", order_by="code", links=(("采购行", "purchases", "material_id"),)),
    Crud("bom", "物料清单", BomLine, (
        Col("product_id", "产品", "select", required=True, choices=_products),
        Col("material_id", "物料", "select", required=True, choices=_materials),
        Col("qty_per_unit", "每件用量", "float", required=True), Col("scrap_pct", "损耗率（%）", "float")),
        group="master_data", parent="product_id", deletable=True),
    Crud("purchases", "采购行", PurchaseLine, (
        Col("po_no", "采购单号", required=True), Col("supplier", "供应商"),
        Col("material_id", "物料", "select", required=True, choices=_materials),
        Col("quantity", "采购数量", "float", required=True), Col("expected_on", "预计到货", "date"),
        Col("arrived_quantity", "已到数量", "float", readonly=True), Col("arrived_on", "到齐日期", "date", readonly=True),
        Col("batch_no", "批次号"), Col("order_id", "关联订单", "select", in_list=False, choices=_open_orders)),
        group="master_data", order_by="id", parent="material_id", deletable=True),
)


def _save_rule(s: Session, values: dict, row):
    """Alert rules are saved through the alerts package's own validation."""
    if row is None:
        return create_rule(s, values)
    values.pop("code", None)
    return update_rule(s, row.id, values)


ALERT_RULES = Crud("alert_rules", "预警规则", AlertRule, (
    Col("code", "编码", required=True, in_list=False), Col("name", "名称"),
    Col("kind", "条件", "select", required=True, choices=lambda _s: [(k, label("alert_kind", k)) for k in KINDS]),
    Col("threshold", "阈值", "float"),
    Col("unit", "单位", "select", choices=lambda _s: [(u, UNIT_LABELS.get(u, u)) for u in (*TIME_UNITS, *DATE_UNITS)]),
    Col("level", "级别", "select", required=True, choices=_fixed(("yellow", "黄色"), ("orange", "橙色"), ("red", "红色"))),
    Col("family", "同类", in_list=False), Col("statuses", "适用状态", "list", in_list=False),
    Col("recipients", "通知对象", "list", shown=specs_text, hint=texts.RECIPIENTS_HINT),
    Col("channels", "渠道", "list", shown=lambda v: specs_text(v, "channel"), hint=texts.CHANNELS_HINT),
    Col("cc_manager", "抄送上级", "bool", in_list=False), Col("repeat_minutes", "重复提醒（分钟）", "int", in_list=False),
    Col("ack_window_minutes", "升级等待（分钟）", "int", in_list=False),
    Col("bypass_quiet", "夜间与节假日也发送", "bool", in_list=False), Col("enabled", "启用", "bool"),
    Col("last_error", "问题", readonly=True)), group="master_data", order_by="code", save=_save_rule)

HOLIDAYS = Crud("holidays", "节假日调整", HolidayOverride, (
    Col("day", "日期", "date", required=True), Col("is_workday", "上班", "bool"), Col("note", "说明"),
    Col("source", "来源", readonly=True)), group="master_data", order_by="day", deletable=True)



def _save_line(s: Session, values: dict, row):
    """A line's capacity must be positive (an outsourced line has none); the processes are kept as typed."""
    hours = values.get("day_hours")
    if hours is not None and (hours < 0 or (hours == 0 and not values.get("outsourced"))):
        raise FormError([workcal_texts.bad_day_hours(hours)])
    if values.get("lead_days") is None:
        values["lead_days"] = 0
    row = row or ProductionLine()
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_at = utcnow()
    s.add(row)
    s.commit()
    return row


LINES = Crud("lines", "产线与产能", ProductionLine, (
    Col("name", "产线", required=True), Col("day_hours", "每天产能（标准工时）", "float", required=True,
                                          hint=texts.DAY_HOURS_HINT),
    Col("processes", "可做工序", hint=texts.LINE_PROCESSES_HINT), Col("outsourced", "委外", "bool"),
    Col("lead_days", "委外周期（工作日）", "int"), Col("note", "说明")),
    group="master_data", order_by="name", save=_save_line)

LINE_DAYS = Crud("line_days", "产线日历调整", LineDayOverride, (
    Col("line", "产线", "select", required=True, choices=_line_names), Col("day", "日期", "date", required=True),
    Col("is_workday", "上班", "bool"), Col("note", "说明")),
    group="master_data", order_by="day", deletable=True)

DEFECT_CATEGORIES = Crud("defect_categories", "缺陷类别", DefectCategory, (
    Col("name", "类别", required=True), Col("words", "其他写法", hint="聊天里这些词也归入此类，空格分隔"),
    Col("seq", "排序", "int")), group="master_data", order_by="seq", deletable=True)

SPECS = {spec.key: spec for spec in (*BASE_SPECS, ALERT_RULES, HOLIDAYS, LINES, LINE_DAYS, DEFECT_CATEGORIES)}


def specs() -> dict[str, Crud]:
    """Every list+form page."""
    return SPECS


register_crud(bp, specs)


@bp.get("/data")
@page("master_data")
def index():
    """Links to every master-data page."""
    return render_template("admin/master_index.html", specs=specs())


@bp.get("/staff")
@page("staff")
def staff_list():
    """People and their web logins."""
    with new_session(current_runtime().engine) as s:
        users = s.exec(select(User, Staff.name).outerjoin(Staff, Staff.id == User.staff_id)
                       .order_by(User.username)).all()
        staff = _staff(s)
    return render_template("admin/users.html", users=users, staff=staff,
                           roles=[(r.value, ROLE_LABELS[r]) for r in Role if r != Role.SYSTEM])


@bp.post("/staff/users")
@page("staff")
def user_create():
    """Create a web login linked to a staff member."""
    f = request.form
    staff_id = f.get("staff_id", type=int)
    with new_session(current_runtime().engine) as s:
        try:
            user = create_user(s, (f.get("username") or "").strip(), f.get("role") or "", f.get("password") or "")
        except OrderError as exc:
            flash(exc.message, "error")
            return redirect(url_for(".staff_list"))
        if staff_id and s.get(Staff, staff_id):
            user.staff_id = staff_id
            s.add(user)
            s.commit()
        flash(texts.USER_CREATED.format(username=user.username), "ok")
    return redirect(url_for(".staff_list"))


@bp.post("/staff/users/<int:user_id>/active")
@page("staff")
def user_toggle(user_id: int):
    """Disable or re-enable a login (a disabled login is signed out at its next request)."""
    with new_session(current_runtime().engine) as s:
        user = s.get(User, user_id)
        if user is None:
            abort(404)
        user.active = not user.active
        s.add(user)
        s.commit()
    flash(texts.SAVED, "ok")
    return redirect(url_for(".staff_list"))
