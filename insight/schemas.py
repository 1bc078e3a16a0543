"""API shapes of the insight endpoints (they also make the OpenAPI document)."""

from __future__ import annotations

from marshmallow import fields, validate

from api.schemas import Schema
from insight.period import MAX_DAYS


class PeriodQuery(Schema):
    """The period and the order filters of every dashboard, figure, list and report query; an unknown
    customer, level, product line, salesperson or line answers 400 (bad_filter). Chat figures ignore
    the order filters (a message belongs to no order); notifications then count only those about the
    filtered orders."""

    days = fields.Integer(load_default=30, validate=validate.Range(1, MAX_DAYS, error="统计周期必须是 1–365 天。"),
                          metadata={"description": "统计最近多少天（1–365）"})
    customer_id = fields.Integer(load_default=None, validate=validate.Range(1, 2**31 - 1, error="客户编号无效。"),
                                 metadata={"description": "只看某个客户的订单"})
    customer_level = fields.String(load_default=None, validate=validate.Length(1, 20, error="客户等级无效。"),
                                   metadata={"description": "只看该等级（Customer.level，如 A/B/C）客户的订单"})
    product_line = fields.String(load_default=None, validate=validate.Length(1, 60, error="产品线无效。"),
                                 metadata={"description": "只看该产品线（Product.product_line）的订单"})
    sales_owner_id = fields.Integer(load_default=None, validate=validate.Range(1, 2**31 - 1, error="业务员编号无效。"),
                                    metadata={"description": "只看该业务员（订单的 sales_owner，员工编号）的订单"})
    line = fields.String(load_default=None, validate=validate.Length(1, 60, error="产线无效。"),
                         metadata={"description": "只看排在该产线（订单的 line，如 1号线）的订单"})


class BufferQuery(Schema):
    window_days = fields.Integer(load_default=90, validate=validate.Range(7, MAX_DAYS, error="窗口必须是 7–365 天。"))
    product_line = fields.String(load_default=None, validate=validate.Length(1, 60),
                                 metadata={"description": "只看该产品线的订单"})


class DelayOut(Schema):
    days = fields.Integer()
    orders = fields.Integer()


class BufferOut(Schema):
    customer_id = fields.Integer(allow_none=True, metadata={"description": "空：产品线全部客户"})
    product_line = fields.String(allow_none=True, metadata={"description": "空：全部产品线"})
    customer = fields.String()
    window_days = fields.Integer()
    delivered = fields.Integer()
    on_time = fields.Integer()
    late = fields.Integer()
    on_time_rate = fields.Float(allow_none=True)
    delays = fields.List(fields.Nested(DelayOut), metadata={"description": "迟交工作日数的分布"})
    suggested_days = fields.Integer(allow_none=True, metadata={"description": "建议缓冲工作日；历史不足（数据不足）时为空"})
    enough_data = fields.Boolean()
    text = fields.String()
    rule = fields.String()
    by_product_line = fields.List(fields.Nested("BufferOut", exclude=("by_product_line",)),
                                  metadata={"description": "该客户在各产品线的缓冲"})


class RankedOut(Schema):
    rank = fields.Integer(allow_none=True)
    name = fields.String()
    supplier = fields.String()
    material = fields.String()
    batches = fields.Integer()
    inspections = fields.Integer()
    failed = fields.Integer()
    defect_rate = fields.Float(allow_none=True)
    ci_low = fields.Float()
    ci_high = fields.Float()
    ranked = fields.Boolean()


class SupplierReportOut(Schema):
    min_sample = fields.Integer()
    rule = fields.String()
    suppliers = fields.List(fields.Nested(RankedOut))
    batches = fields.List(fields.Nested(RankedOut))


class InspectionOut(Schema):
    id = fields.Integer()
    order_no = fields.String()
    customer = fields.String()
    result = fields.String()
    result_label = fields.String()
    defects = fields.String()
    inspector = fields.String()
    at = fields.DateTime()


class FigureOut(Schema):
    figure = fields.String()
    name = fields.String()
    definition = fields.String()
    value = fields.Raw(metadata={"description": "该指标的数值（结构见各指标说明）"})


class DashboardOut(Schema):
    period = fields.Dict()
    figures = fields.Dict(keys=fields.String(), values=fields.Raw(), metadata={
        "description": "delivery, status_now, dwell, late, alerts, qc, sources, notifications, chat, line_load"
                       "（产线负荷：lines[{line, label, planned_hours, capacity_hours, load_rate}]，未来 7 个工作日）"})
    definitions = fields.Dict(keys=fields.String(), values=fields.String())


class ListOut(Schema):
    name = fields.String()
    title = fields.String()
    columns = fields.List(fields.String())
    rows = fields.List(fields.Dict())


MONTH_PATTERN = r"^\d{4}-\d{2}$"


class AuditDrawIn(Schema):
    month = fields.String(required=True, validate=validate.Regexp(MONTH_PATTERN, error="月份格式应为 YYYY-MM。"),
                          metadata={"example": "2026-11", "description": "业务时区的月份，不能晚于本月"})
    redraw = fields.Boolean(load_default=False,
                            metadata={"description": "重新抽样（新种子）；只在尚无任何核对时允许，否则 409"})


class AuditVerdictIn(Schema):
    verdict = fields.String(required=True, validate=validate.OneOf(["correct", "wrong", "unchecked"]),
                            metadata={"description": "correct 状态记录正确 / wrong 有误 / unchecked 未核对"})
    note = fields.String(load_default="", validate=validate.Length(0, 500), metadata={"description": "备注（可选）"})
    order_no = fields.String(load_default=None, validate=validate.Length(1, 40),
                             metadata={"description": "可选：该条目应为的订单号；样本已重新抽取而不符时 409 sample_changed"})


class AuditTallyOut(Schema):
    id = fields.Integer()
    month = fields.String()
    seed = fields.Integer(metadata={"description": "抽样的随机种子（random.Random(seed).sample，按订单 id 排序）"})
    delivered = fields.Integer(metadata={"description": "抽样时当月签收的订单数"})
    sample_size = fields.Integer()
    checked = fields.Integer()
    correct = fields.Integer()
    wrong = fields.Integer()
    rate = fields.Float(allow_none=True, metadata={"description": "准确率＝正确 ÷ 已核对；未核对时为空"})
    ci_low = fields.Float(allow_none=True, metadata={"description": "Wilson 95% 区间下限"})
    ci_high = fields.Float(allow_none=True, metadata={"description": "Wilson 95% 区间上限"})
    drawn_at = fields.DateTime()
    drawn_by = fields.String()


class AuditItemOut(Schema):
    id = fields.Integer()
    position = fields.Integer()
    order_no = fields.String()
    customer = fields.String()
    status = fields.String()
    delivered_on = fields.Date(allow_none=True)
    verdict = fields.String()
    verdict_label = fields.String()
    note = fields.String()
    checked_by = fields.String(metadata={"description": "最后一次修改核对结果的人"})
    checked_at = fields.DateTime(allow_none=True)


class AuditOut(AuditTallyOut):
    ever_checked = fields.Boolean(metadata={"description": "曾有核对记录（此后不能重新抽样）"})
    items = fields.List(fields.Nested(AuditItemOut))


class AuditVerdictOut(AuditTallyOut):
    item = fields.Nested(AuditItemOut)
