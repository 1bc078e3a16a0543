"""Logistics API: notice image, notice re-send, tracking links, traces, ETA override."""

from __future__ import annotations

from flask import g, send_file
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate
from sqlmodel import select

from api.auth import require_token
from api.schemas import Schema
from core.runtime import current_runtime
from logistics import jobs, service, texts, tokens
from logistics.models import Waybill
from orders import service as order_service
from orders.exceptions import IllegalTransition
from orders.status import Status

blp = Blueprint("logistics_api", __name__, url_prefix="/api/orders", description="物流、发货通知")
WRITERS = ("logistics", "warehouse", "sales")


class ResendIn(Schema):
    reissue = fields.Boolean(load_default=False,
                             metadata={"description": "true：作废旧的查询链接并生成新的二维码"})


class ResendOut(Schema):
    order_no = fields.String()
    queued = fields.Integer()
    reissued = fields.Boolean()


class RevokeOut(Schema):
    order_no = fields.String()
    revoked = fields.Integer()


class TraceIn(Schema):
    context = fields.String(required=True, validate=validate.Length(1, 500), metadata={"example": "已到达杭州转运中心"})
    at = fields.AwareDateTime(metadata={"description": "默认当前时间"})
    area = fields.String(load_default="", validate=validate.Length(0, 100))
    status = fields.String(load_default="", validate=validate.Length(0, 20))


class TraceOut(Schema):
    at = fields.DateTime()
    context = fields.String()
    area = fields.String()
    status = fields.String()
    source = fields.String()


class ViewsOut(Schema):
    view_count = fields.Integer()
    first_viewed_at = fields.DateTime(allow_none=True)
    checked_before_delivery = fields.Boolean(metadata={"description": "客户在签收前打开过查询链接"})


class TracesOut(Schema):
    order_no = fields.String()
    customer_views = fields.Nested(ViewsOut)
    carrier = fields.String(allow_none=True)
    tracking_no = fields.String(allow_none=True)
    state = fields.String(allow_none=True)
    monitor_status = fields.String(allow_none=True)
    traces = fields.List(fields.Nested(TraceOut))


class EtaIn(Schema):
    eta = fields.Date(required=True)


class EtaOut(Schema):
    order_no = fields.String()
    eta = fields.Date(allow_none=True)
    version = fields.Integer()


def _trace_view(session, order, wb=None) -> dict:
    """Plain values (the session closes before the response is written)."""
    lines = [{"at": x.at, "context": x.context, "area": x.area, "status": x.status, "source": x.source}
             for x in service.traces_of(session, order.id)]
    return {"order_no": order.order_no, "carrier": order.carrier, "tracking_no": order.tracking_no,
            "state": wb.state if wb else None, "monitor_status": wb.monitor_status if wb else None,
            "traces": lines, "customer_views": tokens.views_of(session, order.id)}


def _shipped_order(uow, order_no: str):
    order = order_service.find_order(uow, order_no)
    if order.status not in jobs.SHIPPED_OR_LATER:
        raise IllegalTransition(texts.NOTICE_NOT_READY.format(order_no=order.order_no), current_status=order.status)
    return order


@blp.route("/<order_no>/notice.png")
class NoticeImage(MethodView):
    @require_token()
    @blp.doc(responses={"200": {"description": "PNG", "content": {"image/png": {}}}})
    def get(self, order_no):
        """The order's current shipping-notice image (PNG, ≤ 2 MB)."""
        rt = current_runtime()
        with rt.uow() as uow:
            path = jobs.notice_file(uow, rt, _shipped_order(uow, order_no))
        return send_file(path, mimetype="image/png", max_age=0)


@blp.route("/<order_no>/notice/resend")
class NoticeResend(MethodView):
    @require_token(*WRITERS)
    @blp.arguments(ResendIn)
    @blp.response(200, ResendOut)
    def post(self, data, order_no):
        """Send the notice again to the ops group, the salesperson and bridged groups."""
        rt = current_runtime()
        with rt.uow() as uow:
            result = jobs.resend_notice(uow, rt, _shipped_order(uow, order_no), reissue=data["reissue"])
            uow.commit()
        return result


@blp.route("/<order_no>/tracking-links")
class TrackingLinks(MethodView):
    @require_token(*WRITERS)
    @blp.response(200, RevokeOut)
    def delete(self, order_no):
        """Revoke every tracking link of the order (re-send with reissue=true to print a new one)."""
        with current_runtime().uow() as uow:
            order = order_service.find_order(uow, order_no)
            n = tokens.revoke_for_order(uow.session, order.id)
            uow.commit()
        return {"order_no": order.order_no, "revoked": n}


@blp.route("/<order_no>/traces")
class Traces(MethodView):
    @require_token()
    @blp.response(200, TracesOut)
    def get(self, order_no):
        """Carrier trace of the order, newest first."""
        with current_runtime().uow() as uow:
            order = order_service.find_order(uow, order_no)
            wb = uow.session.exec(select(Waybill).where(Waybill.order_id == order.id)).first()
            return _trace_view(uow.session, order, wb)

    @require_token(*WRITERS)
    @blp.arguments(TraceIn)
    @blp.response(201, TracesOut)
    def post(self, data, order_no):
        """Add a trace line by hand (carriers without Kuaidi100, news by phone)."""
        rt = current_runtime()
        with rt.uow() as uow:
            order = _shipped_order(uow, order_no)
            service.add_manual_trace(uow, rt, order, context=data["context"], actor=g.actor, at=data.get("at"),
                                     area=data["area"], status=data["status"])
            uow.commit()
            return _trace_view(uow.session, order)


@blp.route("/<order_no>/eta")
class Eta(MethodView):
    @require_token(*WRITERS)
    @blp.arguments(EtaIn)
    @blp.response(200, EtaOut)
    def patch(self, data, order_no):
        """Override the expected arrival date shown on the tracking page."""
        with current_runtime().uow() as uow:
            order = order_service.find_order(uow, order_no)
            if order.status in (Status.CANCELLED, Status.COMPLETED):
                raise IllegalTransition(f"订单 {order.order_no} 已结束，不能修改预计到达日期。",
                                        current_status=order.status)
            service.set_eta(uow, order, data["eta"], actor=g.actor)
            uow.commit()
            return {"order_no": order.order_no, "eta": order.eta, "version": order.version}
