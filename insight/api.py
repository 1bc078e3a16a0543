"""Insight API: the dashboard and each of its figures, drill-down lists, the supplier report and a
customer's delivery buffer (read-only; any valid token may read); the monthly accuracy audits (managers
and admins: draw a month's sample, read it, record a verdict per order)."""

from __future__ import annotations

from flask import Response, g
from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import require_token
from insight import service
from insight.export import XLSX
from insight.schemas import (
    AuditDrawIn,
    AuditOut,
    AuditTallyOut,
    AuditVerdictIn,
    AuditVerdictOut,
    BufferOut,
    BufferQuery,
    DashboardOut,
    FigureOut,
    InspectionOut,
    ListOut,
    PeriodQuery,
    SupplierReportOut,
)


def _period(args: dict):
    """The period and order filters of a PeriodQuery (400 bad_filter for an unknown value)."""
    return service.period(**args)


blp = Blueprint("insight", __name__, url_prefix="/api/insight", description="经营洞察：交期缓冲、供应商质量、工厂健康指标")


@blp.route("/customers/<int:customer_id>/buffer")
class CustomerBuffer(MethodView):
    @require_token()
    @blp.arguments(BufferQuery, location="query")
    @blp.response(200, BufferOut)
    def get(self, args, customer_id):
        """A customer's on-time rate, delay distribution (working days) and suggested buffer (optionally
        of its orders in one product line)."""
        return service.customer_buffer(customer_id, args["window_days"], product_line=args["product_line"])


@blp.route("/product-lines/<string:product_line>/buffer")
class ProductLineBuffer(MethodView):
    @require_token()
    @blp.arguments(BufferQuery, location="query")
    @blp.response(200, BufferOut)
    def get(self, args, product_line):
        """A product line's on-time rate, delay distribution and suggested buffer across every customer."""
        return service.product_line_buffer(product_line, args["window_days"])


@blp.route("/dashboard")
class Dashboard(MethodView):
    @require_token()
    @blp.arguments(PeriodQuery, location="query")
    @blp.response(200, DashboardOut)
    def get(self, args):
        """Every figure of the factory health dashboard for the period, with definitions. Filters
        (customer_id, customer_level, product_line, sales_owner_id, line) narrow every order-based figure;
        chat is never filtered (period.unfiltered), notifications then count only those about the
        filtered orders (period.order_only); an unknown value answers 400 bad_filter. figures.line_load:
        {window_start, window_end, workdays, planned_hours, capacity_hours, load_rate, max_load_rate,
        lines: [{line, label, planned_hours, capacity_hours, load_rate}]} over the next 7 working days (the
        period does not apply; line keeps that line's row, the other filters the tasks of their orders)."""
        return service.dashboard(_period(args))


@blp.route("/figures/<string:figure>")
class Figure(MethodView):
    @require_token()
    @blp.arguments(PeriodQuery, location="query")
    @blp.response(200, FigureOut)
    def get(self, args, figure):
        """One figure: delivery (on-time rate, lead time, trend), status_now, dwell, late (late and at-risk),
        alerts, qc, sources, notifications, chat, line_load (per production line: standard hours planned over
        the next 7 working days vs capacity hours, and load_rate = planned / capacity)."""
        return service.figure(figure, _period(args))


@blp.route("/lists/<string:name>")
class DrillList(MethodView):
    @require_token()
    @blp.arguments(PeriodQuery, location="query")
    @blp.response(200, ListOut)
    def get(self, args, name):
        """A drill-down list: late, at_risk, delivered (lead time, longest first), delivered_late, qc_failed,
        alerts, sources, notifications_failed, chat_help, status_<status code> (orders in that status now),
        dwell_<status code> (stays in that status ended in the period, longest first), line_load (orders planned on each line in the next 7 working days;
        with line=<name>, that line's)."""
        return service.drill_list(name, _period(args))


@blp.route("/lists/<string:name>.xlsx")
class DrillListXlsx(MethodView):
    @require_token()
    @blp.arguments(PeriodQuery, location="query")
    @blp.doc(responses={"200": {"description": "xlsx", "content": {XLSX: {}}}})
    def get(self, args, name):
        """A drill-down list as an xlsx (same names and filters as /lists/<name>), with a sheet of its filters."""
        body = service.drill_list_xlsx(name, _period(args))
        return Response(body, mimetype=XLSX, headers={"Content-Disposition": f"attachment; filename={name}.xlsx",
                                                      "Cache-Control": "no-store"})


@blp.route("/suppliers")
class Suppliers(MethodView):
    @require_token()
    @blp.arguments(PeriodQuery, location="query")
    @blp.response(200, SupplierReportOut)
    def get(self, args):
        """Suppliers and material batches ranked by QC defect rate (Wilson 95 % interval, minimum sample)."""
        return service.supplier_report(_period(args))


@blp.route("/batches/<string:batch>/inspections")
class BatchInspections(MethodView):
    @require_token()
    @blp.response(200, InspectionOut(many=True))
    def get(self, batch):
        """Every QC inspection that used one material batch, with its order and customer."""
        return service.batch_inspections(batch[:60])


@blp.route("/audits")
class Audits(MethodView):
    @require_token("manager")
    @blp.response(200, AuditTallyOut(many=True))
    def get(self):
        """Every monthly accuracy audit, newest month first: sample, progress, accuracy rate and its Wilson
        95 % interval (the trend)."""
        return service.audits()

    @require_token("manager")
    @blp.arguments(AuditDrawIn)
    @blp.response(201, AuditOut)
    @blp.alt_response(200, schema=AuditOut, description="该月已抽样：返回已有的样本")
    def post(self, args):
        """Draw a month's sample: up to 100 orders delivered that month, uniformly at random from a stored
        seed. One audit per month: an existing one is returned (200) unless `redraw`, which is refused
        (409 audit_locked) once any verdict was given; a month with no delivery answers 409
        nothing_delivered, a future or malformed month 400 bad_month."""
        found, drawn = service.draw_audit(args["month"], g.actor.name, redraw=args["redraw"])
        return found, 201 if drawn else 200


@blp.route("/audits/<string:month>")
class Audit(MethodView):
    @require_token("manager")
    @blp.response(200, AuditOut)
    def get(self, month):
        """One month's audit with every sampled order, its verdict and who gave it when."""
        return service.audit_month(month)


@blp.route("/audits/<string:month>.xlsx")
class AuditXlsx(MethodView):
    @require_token("manager")
    @blp.doc(responses={"200": {"description": "xlsx", "content": {XLSX: {}}}})
    def get(self, month):
        """One month's audit as an xlsx: the sampled orders and verdicts, the summary, every verdict change."""
        body = service.audit_xlsx(month)
        return Response(body, mimetype=XLSX, headers={
            "Content-Disposition": f"attachment; filename=audit-{month}.xlsx", "Cache-Control": "no-store"})


@blp.route("/audits/<string:month>/items/<int:item_id>")
class AuditVerdict(MethodView):
    @require_token("manager")
    @blp.arguments(AuditVerdictIn)
    @blp.response(200, AuditVerdictOut)
    def post(self, args, month, item_id):
        """Record the verdict on one sampled order's status history (correct / wrong / unchecked, with an
        optional note); traced with the token's name and the time. Answers the audit's new tally."""
        return service.set_audit_verdict(month, item_id, args["verdict"], args["note"], g.actor.name,
                                         order_no=args["order_no"])
