"""A separate process for the concurrency tests: hammer the same orders, print what was accepted.

usage: python -m tests.integration.orders.race_worker toggle|create DATABASE_URL COUNT [ORDER_NO …]
"""

from __future__ import annotations

import json
import random
import sys
from collections import Counter
from datetime import date

from app import create_app
from orders import service
from orders.exceptions import IllegalTransition, VersionConflict
from orders.status import Status
from tests.factories import admin_actor


def toggle(rt, count: int, order_nos: list[str]) -> dict:
    """Move orders between 待排产 and 已排产 as fast as possible; count accepted moves per order."""
    accepted, conflicts = Counter(), 0
    rnd = random.Random()
    for _ in range(count):
        no = rnd.choice(order_nos)
        try:
            with rt.uow() as uow:
                order = service.find_order(uow, no)
                if order.status == Status.PENDING_SCHEDULE:
                    service.change_status(uow, no, actor=admin_actor(), to="scheduled",
                                          fields={"date": date(2026, 12, 1)})
                else:
                    service.change_status(uow, no, actor=admin_actor(), to="pending_schedule")
                uow.commit()
            accepted[no] += 1
        except (VersionConflict, IllegalTransition):
            conflicts += 1
    return {"accepted": dict(accepted), "conflicts": conflicts}


def create(rt, count: int) -> dict:
    numbers = []
    for _ in range(count):
        with rt.uow() as uow:
            order = service.create_order(uow, customer="测试机械", product="SH-100", quantity=1,
                                         promised_date=date(2026, 12, 31), actor=admin_actor(), tz=rt.settings.tz)
            uow.commit()
            numbers.append(order.order_no)
    return {"numbers": numbers}


def main() -> None:
    mode, url, count, *order_nos = sys.argv[1:]
    app = create_app({"database_url": url, "run_jobs_inline": True, "secret_key": "x", "redis_url": None})
    rt = app.extensions["ops"]
    with app.app_context():
        result = toggle(rt, int(count), order_nos) if mode == "toggle" else create(rt, int(count))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
