"""A QC verdict in chat records the defect category and the material batches, traced to the purchase
lines (and so the supplier) that received them; an unknown batch is still recorded and said so."""

from __future__ import annotations

import json
import time
import uuid

import pytest
from sqlmodel import select

from bot.models import ChatIdentity
from core.db import new_session
from insight.period import make_period
from insight.suppliers import batch_inspections, supplier_report
from orders.models import DefectCategory, PurchaseLine, QcInspection
from orders.status import Status
from tests.integration.bot.conftest import order_of, rows
from tests.integration.bot.wecom_client import bridge_headers


@pytest.fixture
def say(bot_app, rt, factory):
    client = bot_app.test_client()
    with rt.uow() as uow:
        for role, person in factory["people"].items():
            uow.session.add(ChatIdentity(platform="bridge", external_id=f"wx_{role}", staff_id=person.id))
        steel = factory["materials"]["steel"]
        uow.session.add(PurchaseLine(po_no="PO-7701", material_id=steel.id, quantity=500, arrived_quantity=500,
                                     batch_no="B2311", supplier="宁波华东钢材"))
        uow.session.add(PurchaseLine(po_no="PO-7702", material_id=steel.id, quantity=300, arrived_quantity=300,
                                     batch_no="B2312", supplier="苏州精铝"))
        uow.commit()

    def send(role: str, text: str) -> str:
        body = json.dumps({"msg_id": uuid.uuid4().hex, "chat_id": "wx-ops", "chat_name": "生产群",
                           "sender_id": f"wx_{role}", "sender_name": role, "text": text,
                           "sent_at": int(time.time())}, ensure_ascii=False).encode()
        r = client.post("/bridge/messages", data=body, headers=bridge_headers(body))
        assert r.status_code == 200, r.data
        return r.json["reply"]

    return send


def inspections(rt, no: str) -> list[QcInspection]:
    return rows(rt, QcInspection, QcInspection.order_id == order_of(rt, no).id)


def test_a_failed_qc_with_a_known_batch_records_category_batch_and_names_the_supplier(say, rt, make_order):
    no = make_order(Status.PENDING_QC)
    reply = say("qc", f"{no} 质检不合格 毛刺 批次B2311")
    assert order_of(rt, no).status == "rework"
    [insp] = inspections(rt, no)
    assert (insp.result, insp.defect_category, insp.material_batch, insp.defects) == ("fail", "毛刺", "B2311", "毛刺")
    assert "缺陷类别：毛刺" in reply
    assert "宁波华东钢材" in reply and "PO-7701" in reply and "6061铝棒" in reply


def test_several_batches_are_all_recorded_and_an_unknown_one_is_said_to_be_missing(say, rt, make_order):
    no = make_order(Status.PENDING_QC)
    reply = say("qc", f"{no} 质检不合格，批号：b2312、B9999 披锋严重")
    [insp] = inspections(rt, no)
    assert insp.material_batch == "B2312,B9999"
    assert insp.defect_category == "毛刺"  # 披锋 is another word for it
    assert "苏州精铝" in reply
    assert "批次 B9999：收货记录中没有这个批次" in reply
    with new_session(rt.engine) as s:
        report = supplier_report(s, make_period(30, rt.settings.tz))
        by_batch = {b["name"]: b for b in report["batches"]}
        assert by_batch["B2312"]["failed"] == 1 and by_batch["B2312"]["supplier"] == "苏州精铝"
        assert by_batch["B9999"]["inspections"] == 1  # counted, supplier unknown
        assert [i["order_no"] for i in batch_inspections(s, "B9999")] == [no]


def test_a_passed_qc_records_its_batches(say, rt, make_order):
    no = make_order(Status.PENDING_QC)
    reply = say("qc", f"{no} 质检合格 批次 B2311 和 B2312")
    [insp] = inspections(rt, no)
    assert (insp.result, insp.material_batch, insp.defect_category) == ("pass", "B2311,B2312", "")
    assert "质检合格已登记" in reply and "宁波华东钢材" in reply and "苏州精铝" in reply
    assert order_of(rt, no).status == "pending_qc"


def test_an_unlisted_defect_is_recorded_without_category_and_the_reply_lists_the_choices(say, rt, make_order):
    with rt.uow() as uow:
        uow.session.add(DefectCategory(name="漏油", words="渗油", seq=1))
        uow.commit()
    no = make_order(Status.PENDING_QC)
    reply = say("qc", f"{no} 质检不合格 颜色偏暗")
    [insp] = inspections(rt, no)
    assert insp.defect_category == "" and insp.material_batch == ""
    assert "缺陷类别：未识别" in reply and "漏油" in reply  # the edited list, not the defaults
    no2 = make_order(Status.PENDING_QC)
    say("qc", f"{no2} 质检不合格 有渗油")
    assert inspections(rt, no2)[0].defect_category == "漏油"


def test_the_api_records_a_failure_with_category_and_batches(bot_app, rt, make_order, say):
    from accounts.service import create_token

    no = make_order(Status.PENDING_QC)
    with new_session(rt.engine) as s:
        token = create_token(s, "test-qc", "qc")
    r = bot_app.test_client().post(f"/api/orders/{no}/status", headers={"Authorization": f"Bearer {token}"},
                                   json={"to": "rework", "reason": "尺寸偏大", "material_batch": "B2311, B2312",
                                         "defect_category": "尺寸超差"})
    assert r.status_code == 200, r.json
    [insp] = inspections(rt, no)
    assert (insp.defect_category, insp.material_batch) == ("尺寸超差", "B2311,B2312")
    with new_session(rt.engine) as s:
        assert s.exec(select(DefectCategory)).first() is not None
