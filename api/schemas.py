"""Request and response shapes of the API (they also make the OpenAPI document)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from marshmallow import Schema as BaseSchema
from marshmallow import ValidationError, fields, pre_load, validate

from orders.status import Status

STATUS_CODES = [s.value for s in Status]
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SURROGATES = re.compile("[\ud800-\udfff]")  # "\ud800" in JSON: valid JSON, but no UTF-8 text can hold it


class Schema(BaseSchema):
    """Every API schema: text with control characters (NUL …) or lone surrogates is refused before storage."""

    @pre_load
    def refuse_control_characters(self, data, **kwargs):
        if isinstance(data, Mapping):
            bad = {k: ["不能包含控制字符。"] for k in data
                   if isinstance(data.get(k), str) and CONTROL_CHARS.search(data.get(k))}
            bad |= {k: ["包含无效的 Unicode 字符（不成对的代理项），请检查编码。"] for k in data
                    if isinstance(data.get(k), str) and SURROGATES.search(data.get(k))}
            if bad:
                raise ValidationError(bad)
        return data
ORDER_NO_PATTERN = r"^[A-Za-z0-9\-_]{1,40}$"


class OrderCreate(Schema):
    customer = fields.String(required=True, validate=validate.Length(1, 100), metadata={"example": "宁波海天精工"})
    product = fields.String(required=True, validate=validate.Length(1, 60), metadata={"example": "SH-2040"})
    quantity = fields.Integer(required=True, validate=validate.Range(1, 10_000_000), strict=True)
    promised_date = fields.Date(required=True)
    erp_no = fields.String(validate=validate.Regexp(ORDER_NO_PATTERN))
    priority = fields.String(validate=validate.OneOf(["normal", "high", "urgent"]), load_default="normal")
    note = fields.String(validate=validate.Length(0, 1000), load_default="")


class OrderOut(Schema):
    order_no = fields.String()
    erp_no = fields.String(allow_none=True)
    status = fields.String()
    status_label = fields.String()
    customer = fields.String()
    product = fields.String()
    product_name = fields.String()
    quantity = fields.Integer()
    promised_date = fields.Date()
    priority = fields.String()
    sales_owner = fields.String(allow_none=True)
    line = fields.String(allow_none=True)
    planned_start = fields.Date(allow_none=True)
    planned_end = fields.Date(allow_none=True)
    carrier = fields.String(allow_none=True)
    tracking_no = fields.String(allow_none=True)
    shipped_at = fields.DateTime(allow_none=True)
    picked_up_at = fields.DateTime(allow_none=True)
    delivered_at = fields.DateTime(allow_none=True)
    eta = fields.Date(allow_none=True)
    qc_passed = fields.Boolean()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    updated_by = fields.String()
    version = fields.Integer()
    plan = fields.Nested(lambda: PlanOut(), metadata={
        "description": "only in the answer to a move to scheduled: the plan measured against the promise"})


class PlanOut(Schema):
    start = fields.Date()
    end = fields.Date()
    promised_date = fields.Date()
    late = fields.Boolean()
    late_working_days = fields.Integer()
    earliest_start = fields.Date(allow_none=True)
    earliest_end = fields.Date(allow_none=True)
    overtime_hours = fields.Dict(keys=fields.String(), values=fields.Float(),
                                 metadata={"description": "standard hours per line after the promised date"})
    message = fields.String(metadata={"description": "the same Chinese text chat and the web show"})


class OrderQuery(Schema):
    status = fields.String(validate=validate.OneOf(STATUS_CODES))
    customer = fields.String(validate=validate.Length(1, 100))
    q = fields.String(validate=validate.Length(1, 60), metadata={"description": "订单号、ERP 单号或客户名的一部分"})
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 500))
    offset = fields.Integer(load_default=0, validate=validate.Range(0, 10_000_000))


class StatusChange(Schema):
    to = fields.String(required=True, validate=validate.OneOf(STATUS_CODES))
    carrier = fields.String(validate=validate.Length(1, 20))
    tracking_no = fields.String(validate=validate.Regexp(r"^[A-Za-z0-9\-]{4,40}$"))
    date = fields.Date(metadata={"description": "排产日期（schedule 需要）"})
    end_date = fields.Date()
    line = fields.String(validate=validate.Length(1, 20))
    reason = fields.String(validate=validate.Length(1, 500))
    material_batch = fields.String(validate=validate.Length(0, 400),
                                   metadata={"description": "质检不合格时：材料批次，多个用逗号分隔"})
    defect_category = fields.String(validate=validate.Length(0, 40),
                                    metadata={"description": "质检不合格时：缺陷类别（可编辑列表中的名称）"})
    eta = fields.Date()
    version = fields.Integer(metadata={"description": "乐观锁：读到的版本号，不一致时返回 409"})


class OrderEdit(Schema):
    promised_date = fields.Date()
    quantity = fields.Integer(validate=validate.Range(1, 10_000_000), strict=True)
    priority = fields.String(validate=validate.OneOf(["normal", "high", "urgent"]))
    note = fields.String(validate=validate.Length(0, 1000), metadata={"description": "内部备注"})
    sales_owner_id = fields.Integer(strict=True, metadata={"description": "业务员（人员 id；仅经理、管理员或销售主管可改）"})
    version = fields.Integer(metadata={"description": "乐观锁：读到的版本号，不一致时返回 409"})


class StatusEventOut(Schema):
    class Meta:
        ordered = True

    from_ = fields.String(data_key="from", attribute="from_status", allow_none=True)
    to = fields.String(attribute="to_status")
    command = fields.String()
    at = fields.DateTime()
    actor = fields.String()
    source = fields.String()
    device_id = fields.String(allow_none=True)
    temperature = fields.Float(allow_none=True)
    humidity = fields.Float(allow_none=True)
    inbound_message_id = fields.Integer(allow_none=True)
    note = fields.String()


class QcPass(Schema):
    material_batch = fields.String(validate=validate.Length(0, 400), load_default="",
                                   metadata={"description": "材料批次，多个用逗号分隔"})
    defect_category = fields.String(validate=validate.Length(0, 40), load_default="",
                                    metadata={"description": "缺陷类别（可编辑列表中的名称）"})
    note = fields.String(validate=validate.Length(0, 500), load_default="")
