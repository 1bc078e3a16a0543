"""ETA: carrier's typical days to the customer's region, from an editable table."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from logistics.eta import DEFAULTS, default_eta, seed_carrier_eta, typical_days
from logistics.models import CarrierEta


def test_seeded_table_knows_near_far_and_unknown(app):
    with app.extensions["ops"].uow() as uow:
        s = uow.session
        assert seed_carrier_eta(s) > 10
        assert seed_carrier_eta(s) == 0  # seeding twice adds nothing
        assert typical_days(s, "顺丰", "浙江") == 1
        assert typical_days(s, "顺丰", "浙江省宁波市") == 1
        assert typical_days(s, "顺丰", "新疆") == 3
        assert typical_days(s, "中通", "广东") == 3
        assert typical_days(s, "无名快递", "广东") == 4
        assert typical_days(s, "自提", "浙江") == 0


def test_an_edited_row_wins_over_the_default(app):
    with app.extensions["ops"].uow() as uow:
        s = uow.session
        seed_carrier_eta(s)
        s.add(CarrierEta(carrier="顺丰", region="广东", days=5))
        s.flush()
        assert typical_days(s, "顺丰", "广东") == 5
        shipped = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)  # 21 Nov 01:00 in Shanghai
        assert default_eta(s, "顺丰", "广东", shipped, ZoneInfo("Asia/Shanghai")) == date(2026, 11, 26)


def test_two_first_shipments_at_once_seed_the_table_once(pg_url):
    """Two workers' first shipments both find the table empty; the second seed meets the first's rows
    (it waits on the unique key until the first commits) and gives up only the seed, not its transaction."""
    import threading

    from sqlmodel import func, select

    from tests.conftest import make_app

    rt = make_app(pg_url).extensions["ops"]
    outcome = {}
    with rt.uow() as first:
        assert seed_carrier_eta(first.session) > 10

        def second():
            with rt.uow() as uow:
                outcome["added"] = seed_carrier_eta(uow.session)
                outcome["days"] = typical_days(uow.session, "顺丰", "新疆")
                uow.commit()

        t = threading.Thread(target=second)
        t.start()
        t.join(1)
        assert t.is_alive()  # waiting for the first transaction's rows
        first.commit()
    t.join(30)
    assert outcome == {"added": 0, "days": 3}
    with rt.uow() as uow:
        assert uow.session.exec(select(func.count()).select_from(CarrierEta)).one() == len(DEFAULTS)
    rt.engine.dispose()
