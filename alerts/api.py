"""Alerts API: list and filter alerts, acknowledge, the banner feed, and editable rules."""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlmodel import select

from alerts import queries, rules, service
from alerts.models import AlertRule
from alerts.schemas import AlertOut, AlertQuery, BannerOut, RuleCreate, RuleFields, RuleOut
from api.auth import require_token
from core.db import new_session
from core.runtime import current_runtime

blp = Blueprint("alerts", __name__, url_prefix="/api", description="预警与预警规则")


@blp.route("/alerts")
class Alerts(MethodView):
    @require_token()
    @blp.arguments(AlertQuery, location="query")
    @blp.response(200, AlertOut(many=True))
    def get(self, args):
        """Alerts newest first, filtered by order number, status (open|acked|resolved), level, rule."""
        with new_session(current_runtime().engine) as s:
            return queries.list_alerts(s, **args)


@blp.route("/alerts/banner")
class Banner(MethodView):
    @require_token()
    @blp.response(200, BannerOut)
    def get(self):
        """Board banner: open alert counts by level and the latest items."""
        with new_session(current_runtime().engine) as s:
            return queries.banner(s)


@blp.route("/alerts/<int:alert_id>/ack")
class AlertAck(MethodView):
    @require_token()
    @blp.response(200, AlertOut)
    def post(self, alert_id):
        """Acknowledge an alert: escalation stops; it still resolves by itself when the condition clears."""
        with current_runtime().uow() as uow:
            alert = service.ack_alert(uow, alert_id, g.actor)
            uow.commit()
            return queries.alert_dict(alert)


@blp.route("/alert-rules")
class Rules(MethodView):
    @require_token()
    @blp.response(200, RuleOut(many=True))
    def get(self):
        """Every alert rule (thresholds, recipients, channels, windows)."""
        with new_session(current_runtime().engine) as s:
            rules.ensure_default_rules(s)
            return [queries.rule_dict(r) for r in s.exec(select(AlertRule).order_by(AlertRule.id)).all()]

    @require_token("manager")
    @blp.arguments(RuleCreate)
    @blp.response(201, RuleOut)
    def post(self, data):
        """Add a rule; bad data answers 400 with the reasons in Chinese."""
        with new_session(current_runtime().engine) as s:
            return queries.rule_dict(rules.create_rule(s, data))


@blp.route("/alert-rules/<int:rule_id>")
class RuleItem(MethodView):
    @require_token("manager")
    @blp.arguments(RuleFields)
    @blp.response(200, RuleOut)
    def patch(self, data, rule_id):
        """Change some fields of a rule; bad data answers 400 and changes nothing."""
        with new_session(current_runtime().engine) as s:
            return queries.rule_dict(rules.update_rule(s, rule_id, data))
