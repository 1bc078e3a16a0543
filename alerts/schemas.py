"""API shapes of alerts and alert rules (they also make the OpenAPI document)."""

from __future__ import annotations

from marshmallow import fields, validate

from alerts.models import ALERT_STATUSES, LEVELS
from api.schemas import Schema


class AlertQuery(Schema):
    order_no = fields.String(validate=validate.Length(1, 40))
    status = fields.String(validate=validate.OneOf(ALERT_STATUSES))
    level = fields.String(validate=validate.OneOf(LEVELS))
    rule = fields.String(validate=validate.Length(1, 40))
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 1000))
    offset = fields.Integer(load_default=0, validate=validate.Range(0, 10_000_000))


class AlertOut(Schema):
    id = fields.Integer()
    order_no = fields.String()
    rule = fields.String()
    rule_name = fields.String()
    level = fields.String()
    level_label = fields.String()
    status = fields.String()
    detail = fields.String()
    raised_at = fields.DateTime()
    acked_by = fields.String(allow_none=True)
    acked_at = fields.DateTime(allow_none=True)
    resolved_at = fields.DateTime(allow_none=True)
    escalation_level = fields.Integer()
    last_notified_at = fields.DateTime(allow_none=True)
    inhibited = fields.Boolean()


class BannerOut(Schema):
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    total = fields.Integer()
    items = fields.List(fields.Nested(AlertOut))


class RuleFields(Schema):
    """Editable fields; the service checks their meaning (kind, units, recipients) and answers 400."""

    name = fields.String(validate=validate.Length(1, 60))
    kind = fields.String(validate=validate.Length(1, 40))
    family = fields.String(validate=validate.Length(0, 40))
    threshold = fields.Float(allow_nan=False)
    unit = fields.String(validate=validate.Length(1, 20))
    statuses = fields.List(fields.String())
    level = fields.String(validate=validate.OneOf(LEVELS))
    recipients = fields.List(fields.String(), metadata={"description": "owner、role:<角色>、staff:<人员编号>"})
    channels = fields.List(fields.String(), metadata={"description": "wecom_app、sms、email"})
    cc_manager = fields.Boolean()
    repeat_minutes = fields.Integer(strict=True)
    ack_window_minutes = fields.Integer(strict=True)
    bypass_quiet = fields.Boolean()
    enabled = fields.Boolean()


class RuleCreate(RuleFields):
    code = fields.String(required=True, validate=validate.Length(2, 40))
    kind = fields.String(required=True, validate=validate.Length(1, 40))
    threshold = fields.Float(required=True, allow_nan=False)
    unit = fields.String(required=True, validate=validate.Length(1, 20))
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))


class RuleOut(RuleFields):
    id = fields.Integer()
    code = fields.String()
    last_run_at = fields.DateTime(allow_none=True)
    last_error = fields.String()
    updated_at = fields.DateTime()
