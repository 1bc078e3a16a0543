"""The seeded next-step rules (issue: every status change tells the next person what to do)."""

from __future__ import annotations

from sqlmodel import Session, select

from core.db import insert_defaults
from nextsteps.models import NextStepRule

AT_RISK_WORKING_DAYS = 5  # condition at_risk: the promise is this many working days away or less

DEFAULT_RULES = [
    ("submitted", "OrderCreated", "head:planner", "", "新订单待审核 → 计划经理"),
    ("purchase_needed", "PurchaseRequested", "role:purchasing", "", "审核后缺料 → 采购"),
    ("approved", "OrderApproved", "role:planner", "", "审核通过、物料齐套 → 计划排产"),
    ("materials_ready", "MaterialsReady", "role:planner", "", "物料到齐 → 计划排产"),
    ("scheduled", "OrderScheduled", "line_lead", "", "已排产 → 产线负责人"),
    ("to_qc", "ProductionFinished", "role:qc", "", "完工待质检 → 质检"),
    ("to_qc_rework", "ReworkDone", "role:qc", "", "返工完成待复检 → 质检"),
    ("to_qc_outsource", "OutsourceReturned", "role:qc", "", "委外回厂待质检 → 质检"),
    ("qc_passed", "QcPassed", "role:warehouse", "", "质检合格待入库 → 仓库"),
    ("qc_failed", "QcFailed", "line_lead", "", "质检不合格待返工 → 生产"),
    ("qc_failed_risk", "QcFailed", "owner", "at_risk", "质检不合格且交期有风险 → 销售"),
    ("in_stock", "OrderStockedIn", "role:warehouse,owner", "", "已入库可发货 → 仓库、销售"),
    ("shipped", "OrderShipped", "owner", "", "已发货 → 销售"),
    ("picked_up", "OrderPickedUp", "owner", "", "物流已揽收 → 销售"),
    ("delivered", "OrderDelivered", "owner", "", "客户已签收 → 销售"),
]


def ensure_default_rules(session: Session) -> int:
    """Insert the default rules when the table is empty (an edited table is left alone); commits."""
    added = add_default_rules(session)
    session.commit()
    return added


def add_default_rules(session: Session) -> int:
    """Add the default rules to an empty table inside the caller's transaction."""
    if session.exec(select(NextStepRule.id)).first() is not None:
        return 0
    return insert_defaults(session, [NextStepRule(key=key, event=event, recipients=recipients, condition=condition,
                                                  description=description)
                                     for key, event, recipients, condition, description in DEFAULT_RULES])
