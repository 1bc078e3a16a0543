"""The one recipient-spec language of alerts and next steps, and its one fallback rule."""

from __future__ import annotations

import pytest

from orders.recipients import load_people, resolve_all, valid_spec
from tests.conftest import make_app
from tests.factories import staff


@pytest.fixture(scope="module")
def people_app(tmp_path_factory):
    app = make_app(f"sqlite:///{tmp_path_factory.mktemp('recipients') / 'ops.db'}")
    rt = app.extensions["ops"]
    with rt.uow() as uow:
        boss = staff(uow, "王总", "manager")
        qc_head = staff(uow, "质检主管", "qc", manager=boss)
        staff(uow, "质检员甲", "qc", manager=qc_head)
        wh_head = staff(uow, "仓库主管", "warehouse", manager=boss)
        wh_clerk = staff(uow, "仓管员", "warehouse", manager=wh_head)
        prod_head = staff(uow, "生产主管", "production", manager=boss)
        lead = staff(uow, "一线班长", "production", manager=prod_head)
        lead.line = "1号线"
        gone = staff(uow, "离职员工", "sales")
        gone.active = False
        for person in (wh_head, wh_clerk):  # the whole warehouse is off duty
            person.on_duty = False
        uow.commit()
    yield app
    rt.engine.dispose()


@pytest.fixture
def people(people_app):
    with people_app.extensions["ops"].uow() as uow:
        directory = load_people(uow.session)
        yield directory, {p.name: p.id for p in directory.by_id.values()}


def _names(found) -> list[str]:
    return [p.name for p in found]


def test_role_names_the_people_on_duty(people):
    directory, _ = people
    found, problems = resolve_all(directory, "role:qc", owner_id=None)
    assert _names(found) == ["质检主管", "质检员甲"] and problems == []


def test_role_with_nobody_on_duty_falls_back_to_its_department_head(people):
    directory, _ = people
    found, problems = resolve_all(directory, ["role:warehouse"], owner_id=None)
    assert _names(found) == ["仓库主管"] and problems == []


def test_head_names_the_member_whose_manager_is_outside_the_role(people):
    directory, _ = people
    assert _names(resolve_all(directory, "head:qc", owner_id=None)[0]) == ["质检主管"]


def test_line_lead_is_the_lead_of_the_orders_line_else_the_production_head(people):
    directory, _ = people
    assert _names(resolve_all(directory, "line_lead", owner_id=None, line="1号线")[0]) == ["一线班长"]
    assert _names(resolve_all(directory, "line_lead", owner_id=None, line="9号线")[0]) == ["生产主管"]


def test_owner_and_staff_have_no_fallback_and_report_why(people):
    directory, ids = people
    found, problems = resolve_all(directory, "owner,staff:99999,role:finance", owner_id=None)
    assert found == []
    assert problems == ["订单没有负责人", "人员「staff:99999」不存在或已停用", "角色「finance」没有在岗人员"]
    found, problems = resolve_all(directory, f"owner,staff:{ids['质检员甲']}", owner_id=ids["一线班长"])
    assert _names(found) == ["一线班长", "质检员甲"] and problems == []


def test_specs_name_each_person_once_in_spec_order(people):
    directory, ids = people
    found, _ = resolve_all(directory, ["head:qc", "role:qc", f"staff:{ids['质检主管']}"], owner_id=None)
    assert _names(found) == ["质检主管", "质检员甲"]


def test_inactive_staff_are_never_named(people):
    directory, _ = people
    assert "离职员工" not in _names(directory.by_id.values())
    assert resolve_all(directory, "role:sales", owner_id=None)[0] == []


@pytest.mark.parametrize("spec", ["owner", "line_lead", "role:qc", "head:planner", "staff:12"])
def test_every_kind_of_spec_is_valid(spec):
    assert valid_spec(spec)


@pytest.mark.parametrize("spec", ["role:chef", "head:", "staff:x", "boss", "", None, "owner,role:qc"])
def test_unknown_specs_are_refused(spec):
    assert not valid_spec(spec)
