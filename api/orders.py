"""Orders API: create, read, list and filter, status changes, status events."""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import require_token
from api.schemas import OrderCreate, OrderEdit, OrderOut, OrderQuery, QcPass, StatusChange, StatusEventOut
from core.db import new_session
from core.runtime import current_runtime
from nextsteps.planning import plan_advice
from orders import commands, service, views
from orders.actor import Trace
from orders.editing import edit_order
from orders.status import Status

blp = Blueprint("orders", __name__, url_prefix="/api/orders", description="订单")


@blp.route("")
class Orders(MethodView):
    @require_token()
    @blp.arguments(OrderQuery, location="query")
    @blp.response(200, OrderOut(many=True))
    def get(self, args):
        """List orders, newest first, filtered by status, customer or search text."""
        with new_session(current_runtime().engine) as s:
            return views.list_orders(s, **args)

    @require_token("sales")
    @blp.arguments(OrderCreate)
    @blp.response(201, OrderOut)
    def post(self, data):
        """Create an order in 待审核 with a new order number."""
        rt = current_runtime()
        with rt.uow() as uow:
            order = service.create_order(
                uow, customer=data["customer"], product=data["product"], quantity=data["quantity"],
                promised_date=data["promised_date"], erp_no=data.get("erp_no"), priority=data["priority"],
                internal_note=data.get("note", ""), actor=g.actor, tz=rt.settings.tz)
            uow.commit()
            return views.order_dict(uow.session, order.id)


@blp.route("/<order_no>")
class OrderItem(MethodView):
    @require_token()
    @blp.response(200, OrderOut)
    def get(self, order_no):
        """One order by number or ERP alias."""
        with current_runtime().uow() as uow:
            order = service.find_order(uow, order_no)
            return views.order_dict(uow.session, order.id)

    @require_token("sales", "planner")
    @blp.arguments(OrderEdit)
    @blp.response(200, OrderOut)
    def patch(self, data, order_no):
        """Change promised date, quantity, priority or internal note (traced as an `edit` event)."""
        changes = {("internal_note" if k == "note" else k): v for k, v in data.items() if k != "version"}
        with current_runtime().uow() as uow:
            order = edit_order(uow, order_no, actor=g.actor, changes=changes,
                               expected_version=data.get("version"))
            uow.commit()
            return views.order_dict(uow.session, order.id)


@blp.route("/<order_no>/status")
class OrderStatus(MethodView):
    @require_token()
    @blp.arguments(StatusChange)
    @blp.response(200, OrderOut)
    def post(self, data, order_no):
        """Move the order to another status; 409 names the current status when illegal."""
        fields = {k: v for k, v in data.items() if k not in ("to", "version")}
        with current_runtime().uow() as uow:
            order = commands.move_to(uow, order_no, data["to"], actor=g.actor, fields=fields,
                                     expected_version=data.get("version"), trace=Trace())
            uow.commit()
            out = views.order_dict(uow.session, order.id)
            advice = plan_advice(uow.session, order, current_runtime().settings) \
                if order.status == Status.SCHEDULED.value else None
            if advice is not None:
                out["plan"] = {"start": advice.start, "end": advice.end, "promised_date": advice.promised,
                               "late": advice.late, "late_working_days": advice.late_days,
                               "earliest_start": advice.earliest_start, "earliest_end": advice.earliest_end,
                               "overtime_hours": {k: round(v, 1) for k, v in advice.overtime.items()},
                               "message": advice.text()}
            return out


@blp.route("/<order_no>/qc-pass")
class OrderQcPass(MethodView):
    @require_token(*sorted(commands.COMMANDS["qc_pass"].roles))
    @blp.arguments(QcPass)
    @blp.response(200, OrderOut)
    def post(self, data, order_no):
        """Record a passed QC inspection; the warehouse can then stock the order in."""
        with current_runtime().uow() as uow:
            order = commands.run(uow, "qc_pass", order_no, actor=g.actor,
                                 fields={"material_batch": data["material_batch"],
                                         "defect_category": data["defect_category"]})
            uow.commit()
            return views.order_dict(uow.session, order.id)


@blp.route("/<order_no>/events")
class OrderEvents(MethodView):
    @require_token()
    @blp.response(200, StatusEventOut(many=True))
    def get(self, order_no):
        """The order's status events, oldest first: who, when, from where."""
        with current_runtime().uow() as uow:
            order = service.find_order(uow, order_no)
            return views.status_events(uow.session, order.id)
