"""Staff roles; an order move names which of them may make it."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A job in the factory (CONTRACT §4 demo roles)."""

    SALES = "sales"
    PLANNER = "planner"
    PURCHASING = "purchasing"
    PRODUCTION = "production"
    QC = "qc"
    WAREHOUSE = "warehouse"
    LOGISTICS = "logistics"
    FINANCE = "finance"
    MANAGER = "manager"
    ADMIN = "admin"
    # Not people: carriers' pushes and the rule sweep act as the system.
    SYSTEM = "system"


ROLE_LABELS: dict[Role, str] = {
    Role.SALES: "销售",
    Role.PLANNER: "计划",
    Role.PURCHASING: "采购",
    Role.PRODUCTION: "生产",
    Role.QC: "质检",
    Role.WAREHOUSE: "仓库",
    Role.LOGISTICS: "物流",
    Role.FINANCE: "财务",
    Role.MANAGER: "经理",
    Role.ADMIN: "管理员",
    Role.SYSTEM: "系统",
}

# Managers and admins may make every move: they are the top of the escalation ladder.
OVERRIDE_ROLES = frozenset({Role.MANAGER, Role.ADMIN})


def parse_roles(text: str | None) -> frozenset[Role]:
    """Roles from a comma-separated string; unknown names are ignored."""
    roles = set()
    for part in (text or "").replace("，", ",").split(","):
        try:
            roles.add(Role(part.strip()))
        except ValueError:
            continue
    return frozenset(roles)
