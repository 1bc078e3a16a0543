"""Admin page of customer groups: suggestions by name, a person's confirmation, removal, notice route, roles."""

from __future__ import annotations

from sqlmodel import select

from core.db import new_session
from custgroups.models import CustomerGroup, CustomerGroupLink
from orders.models import Customer


def _add_groups(app, *groups: tuple[str, str, str]) -> dict[str, int]:
    with new_session(app.extensions["ops"].engine) as s:
        rows = [CustomerGroup(chat_id=c, name=n, owner_userid=o) for c, n, o in groups]
        s.add_all(rows)
        s.commit()
        return {r.chat_id: r.id for r in rows}


def _links(app) -> list[tuple[int, int, str]]:
    with new_session(app.extensions["ops"].engine) as s:
        return [(link.customer_id, link.group_id, link.confirmed_by) for link in s.exec(select(CustomerGroupLink))]


def test_a_group_named_after_the_customer_is_suggested_and_mapped_once_a_person_confirms(app, signed_in, factory):
    ids = _add_groups(app, ("wrA", "测试机械采购对接群", "t.sales"), ("wrZ", "杭州别家五金群", "t.sales"))
    customer = factory["customer"]
    client, token = signed_in("manager")
    html = client.get("/admin/customer-groups").get_data(as_text=True)
    suggestions = html.split('id="suggestions"')[1].split("</table>")[0]
    assert "测试机械采购对接群" in suggestions and "群名包含「测试机械」" in suggestions
    assert "杭州别家五金群" not in suggestions
    assert _links(app) == [], "a suggestion is not a mapping until a person confirms it"

    r = client.post("/admin/customer-groups/links", data={"csrf_token": token, "group_id": ids["wrA"],
                                                          "customer_id": customer.id})
    assert r.status_code == 302
    assert _links(app) == [(customer.id, ids["wrA"], "王总")]
    html = client.get("/admin/customer-groups").get_data(as_text=True)
    assert "测试机械采购对接群" not in html.split('id="suggestions"')[1].split("</table>")[0]
    assert "已将客户群「测试机械采购对接群」关联到客户「宁波测试机械有限公司」" in html

    again = client.post("/admin/customer-groups/links", data={"csrf_token": token, "group_id": ids["wrA"],
                                                              "customer_id": customer.id}, follow_redirects=True)
    assert "已关联客户" in again.get_data(as_text=True) and len(_links(app)) == 1


def test_a_customer_may_have_several_groups_and_a_mapping_can_be_removed(app, signed_in, factory):
    ids = _add_groups(app, ("wrA", "测试机械采购群", "t.sales"), ("wrB", "测试机械售后群", "t.sales"))
    client, token = signed_in("admin")
    for chat_id in ("wrA", "wrB"):
        client.post("/admin/customer-groups/links", data={"csrf_token": token, "group_id": ids[chat_id],
                                                          "customer_id": factory["customer"].id})
    assert len(_links(app)) == 2
    with new_session(app.extensions["ops"].engine) as s:
        link_id = s.exec(select(CustomerGroupLink.id).where(CustomerGroupLink.group_id == ids["wrB"])).one()
    client.post(f"/admin/customer-groups/links/{link_id}/delete", data={"csrf_token": token})
    assert [g for _c, g, _by in _links(app)] == [ids["wrA"]]


def test_the_notice_route_is_set_per_customer_and_bad_input_gets_chinese(app, signed_in, factory):
    client, token = signed_in("manager")
    cid = factory["customer"].id
    r = client.post("/admin/customer-groups/routes", data={"csrf_token": token, "customer_id": cid, "route": "group"},
                    follow_redirects=True)
    assert "发货通知方式设为「客户群群发（群主一键确认）」" in r.get_data(as_text=True)
    with new_session(app.extensions["ops"].engine) as s:
        assert s.get(Customer, cid).notice_route == "group"
    bad = client.post("/admin/customer-groups/routes", data={"csrf_token": token, "customer_id": cid, "route": "fax"},
                      follow_redirects=True)
    assert bad.status_code == 200 and "无效的通知方式" in bad.get_data(as_text=True)
    junk = client.post("/admin/customer-groups/links", data={"csrf_token": token, "group_id": "x", "customer_id": ""},
                       follow_redirects=True)
    assert "请选择有效的客户和客户群" in junk.get_data(as_text=True)


def test_sync_without_wecom_says_so_and_sales_may_not_open_the_page(app, signed_in, factory):
    client, token = signed_in("manager")
    r = client.post("/admin/customer-groups/sync", data={"csrf_token": token}, follow_redirects=True)
    assert "未配置企业微信应用，无法同步客户群" in r.get_data(as_text=True)
    sales, _ = signed_in("sales")
    assert sales.get("/admin/customer-groups").status_code == 403
