"""The ordering link through real HTTP handling (Flask test client, real database, WeCom stand-in):
ordering, the sales owner's message, idempotency, revocation, other customers, the attachment rules."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from PIL import Image
from sqlmodel import select

from orders.models import Order, StatusEvent
from shop.models import ShopAttachment, ShopRequest
from tests.integration.shop.conftest import (
    customer_id,
    filled,
    form_of,
    issue,
    png_bytes,
    product_id,
    staff_client,
)


def _orders(app, **where):
    with app.extensions["ops"].uow() as uow:
        rows = uow.session.exec(select(Order).order_by(Order.id)).all()
        uow.session.expunge_all()
        return [o for o in rows if all(getattr(o, k) == v for k, v in where.items())]


def test_customer_orders_two_products_and_the_sales_owner_is_told(make_shop_app, wecom):
    app = make_shop_app()
    token = issue(app)
    client = app.test_client()
    form = form_of(client, token)
    a, b = product_id(app, "SH-100"), product_id(app, "SH-200")
    assert sorted(map(int, form["products"])) == sorted([a, b])
    assert "¥" not in form["html"] and "12.5" not in form["html"]  # no prices unless enabled

    r = client.post(f"/s/{token}", data=filled(form, {a: 120, b: 30}))
    assert r.status_code == 303
    request_no = re.search(r"/r/(RQ\d{8}-\d{5})$", r.headers["Location"]).group(1)
    confirmation = client.get(r.headers["Location"]).get_data(as_text=True)
    assert request_no in confirmation and "待审核" in confirmation

    made = _orders(app, status="pending_review")
    assert sorted((o.quantity, o.promised_date.isoformat()) for o in made) == \
        sorted([(120, form["earliest"]), (30, form["earliest"])])
    with app.extensions["ops"].uow() as uow:
        sources = {uow.session.exec(select(StatusEvent.source).where(StatusEvent.order_id == o.id)).one()
                   for o in made}
    assert sources == {"customer"}
    assert all("李工 13900001111" in o.internal_note and request_no in o.internal_note for o in made)

    sales_msgs = [body for user, body in wecom.app_deliveries if user == "t.sales"
                  and request_no in body.get("text", {}).get("content", "")]
    assert len(sales_msgs) == 1
    text = sales_msgs[0]["text"]["content"]
    assert all(o.order_no in text for o in made) and f"/admin/shop/requests/{request_no}" in text

    page = client.get(f"/s/{token}")
    listing = page.get_data(as_text=True)
    assert request_no in listing and all(o.order_no in listing for o in made)
    staff_phones = [f"1390000{i:04d}" for i in range(1, 9)] + ["13800000000"]  # tests/factories.py
    assert not any(p in listing or p in confirmation for p in staff_phones)
    assert "12.5" not in listing and "internal" not in listing and "请用木箱包装" not in listing
    assert page.headers["Cache-Control"] == "no-store" and page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["X-Robots-Tag"].startswith("noindex")


def test_a_repeated_submit_finds_the_same_request_and_makes_no_second_order(make_shop_app, wecom):
    app = make_shop_app()
    token = issue(app)
    client = app.test_client()
    form = form_of(client, token)
    data = filled(form, {product_id(app, "SH-100"): 50})
    first = client.post(f"/s/{token}", data=data)
    second = client.post(f"/s/{token}", data=data)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert len(_orders(app)) == 1
    assert len([1 for u, _ in wecom.app_deliveries if u == "t.sales"]) == 1


def test_a_revoked_link_answers_exactly_like_an_unknown_one(make_shop_app):
    app = make_shop_app()
    token = issue(app)
    client = app.test_client()
    assert client.get(f"/s/{token}").status_code == 200
    unknown = client.get("/s/" + "x" * len(token))

    staff, csrf = staff_client(app)
    cid = customer_id(app, "宁波测试机械有限公司")
    assert staff.post(f"/admin/shop/customers/{cid}/revoke", data={"csrf_token": csrf}).status_code == 302
    revoked = client.get(f"/s/{token}")
    assert revoked.status_code == unknown.status_code == 404
    assert revoked.get_data() == unknown.get_data()
    assert client.post(f"/s/{token}", data={}).get_data() == unknown.get_data()


def test_reissuing_a_live_link_asks_first_and_then_the_old_link_is_dead(make_shop_app):
    app = make_shop_app()
    old = issue(app)
    staff, csrf = staff_client(app)
    cid = customer_id(app, "宁波测试机械有限公司")
    ask = staff.post(f"/admin/shop/customers/{cid}/link", data={"csrf_token": csrf})
    assert ask.status_code == 200 and "将立即失效" in ask.get_data(as_text=True)
    assert app.test_client().get(f"/s/{old}").status_code == 200  # not revoked until confirmed
    assert staff.post(f"/admin/shop/customers/{cid}/link", data={"csrf_token": csrf, "confirm": "1"}
                      ).status_code == 302
    page = staff.get(f"/admin/shop/customers/{cid}").get_data(as_text=True)
    new = re.search(r"/s/([A-Za-z0-9_-]{20,})", page).group(1)
    assert new != old
    assert app.test_client().get(f"/s/{old}").status_code == 404
    assert app.test_client().get(f"/s/{new}").status_code == 200
    qr = staff.get(f"/admin/shop/customers/{cid}/qr.png")
    assert qr.status_code == 200 and qr.data.startswith(b"\x89PNG")
    assert app.test_client().get(f"/admin/shop/customers/{cid}/qr.png").status_code == 302  # staff only


def test_a_second_customers_link_never_shows_the_first_customers_orders(make_shop_app):
    app = make_shop_app()
    first = issue(app)
    second = issue(app, "杭州另一家电器有限公司", enable=("SH-200",), address="杭州市滨江区测试大道 9 号")
    client = app.test_client()
    r = client.post(f"/s/{first}", data=filled(form_of(client, first), {product_id(app, "SH-100"): 10}))
    first_request = r.headers["Location"].rsplit("/", 1)[1]
    order_no = _orders(app)[0].order_no

    other = client.get(f"/s/{second}").get_data(as_text=True)
    assert order_no not in other and first_request not in other and "SH-100" not in other
    assert client.get(f"/s/{second}/r/{first_request}").status_code == 404
    assert client.get(f"/s/{second}/track/{order_no}").status_code == 404

    # Only the link's own addresses and catalogue: the first customer's address id and a product the second
    # customer cannot order are not taken.
    first_address = form_of(client, first)["address_id"]
    second_form = form_of(client, second)
    assert "宁波市北仑区" not in second_form["html"]
    r = client.post(f"/s/{second}", data=filled(second_form, {product_id(app, "SH-200"): 3},
                                                   address_id=first_address))
    assert r.status_code == 400 and "请选择送货地址" in r.get_data(as_text=True)
    r = client.post(f"/s/{second}", data=filled(form_of(client, second), {product_id(app, "SH-100"): 3}))
    assert r.status_code == 400 and "请至少填写一个产品的数量" in r.get_data(as_text=True)
    assert len(_orders(app)) == 1


def test_the_form_refuses_a_missing_csrf_token_and_a_too_early_date(make_shop_app):
    app = make_shop_app()
    token = issue(app)
    client = app.test_client()
    form = form_of(client, token)
    pid = product_id(app, "SH-100")
    no_csrf = client.post(f"/s/{token}", data={k: v for k, v in filled(form, {pid: 5}).items() if k != "csrf_token"})
    assert no_csrf.status_code == 400 and "页面已过期" in no_csrf.get_data(as_text=True)
    early = client.post(f"/s/{token}", data=filled(form, {pid: 5}, wanted_date="2000-01-01"))
    assert early.status_code == 400 and f"期望交货日期最早为 {form['earliest']}" in early.get_data(as_text=True)
    bad_qty = client.post(f"/s/{token}", data=filled(form, {pid: "-3"}))
    assert bad_qty.status_code == 400 and "数量请填写正整数" in bad_qty.get_data(as_text=True)
    assert _orders(app) == []


def test_attachments_are_sniffed_by_content_and_only_staff_download_them(make_shop_app):
    app = make_shop_app()
    token = issue(app)
    client = app.test_client()
    pid = product_id(app, "SH-100")

    disguised = filled(form_of(client, token), {pid: 5})
    disguised["attachment"] = (io.BytesIO(b"<html><script>alert(1)</script></html>"), "drawing.png", "image/png")
    r = client.post(f"/s/{token}", data=disguised, content_type="multipart/form-data")
    assert r.status_code == 400 and "附件只能是图片" in r.get_data(as_text=True)
    fake_png = filled(form_of(client, token), {pid: 5})
    fake_png["attachment"] = (io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100), "x.png", "image/png")
    assert client.post(f"/s/{token}", data=fake_png, content_type="multipart/form-data").status_code == 400
    assert _orders(app) == []

    good = filled(form_of(client, token), {pid: 5})
    good["attachment"] = (io.BytesIO(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"), "图纸\".pdf", "text/html")
    r = client.post(f"/s/{token}", data=good, content_type="multipart/form-data")
    assert r.status_code == 303
    with app.extensions["ops"].uow() as uow:
        att = uow.session.exec(select(ShopAttachment)).one()
        assert (att.content_type, att.filename) == ("application/pdf", "图纸.pdf")
        assert not att.stored_name.startswith("图纸")
        att_id = att.id

    assert client.get(f"/admin/shop/attachments/{att_id}").status_code == 302  # the customer: to the login
    staff, _ = staff_client(app)
    dl = staff.get(f"/admin/shop/attachments/{att_id}")
    assert dl.status_code == 200 and dl.data.startswith(b"%PDF-")
    assert dl.headers["Content-Disposition"].startswith("attachment")
    assert dl.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in dl.headers["Content-Security-Policy"]
    assert dl.headers["Content-Type"] == "application/pdf"


def test_attachments_over_the_size_limit_are_refused(make_shop_app):
    app = make_shop_app(attachment_max_bytes=4000)
    token = issue(app)
    client = app.test_client()
    pid = product_id(app, "SH-100")
    noisy = io.BytesIO()
    Image.effect_noise((200, 200), 80).convert("RGB").save(noisy, "PNG")
    big = noisy.getvalue()
    assert 4000 < len(big) < 256 << 10
    data = filled(form_of(client, token), {pid: 5})
    data["attachment"] = (io.BytesIO(big), "photo.png", "image/png")
    r = client.post(f"/s/{token}", data=data, content_type="multipart/form-data")
    assert r.status_code == 400 and "附件不能超过" in r.get_data(as_text=True)

    huge = filled(form_of(client, token), {pid: 5})
    huge["attachment"] = (io.BytesIO(b"\xff\xd8\xff" + b"\x00" * (400 << 10)), "photo.jpg", "image/jpeg")
    r = client.post(f"/s/{token}", data=huge, content_type="multipart/form-data")
    assert r.status_code == 413 and "附件不能超过" in r.get_data(as_text=True)
    assert _orders(app) == []

    small = filled(form_of(client, token), {pid: 5})
    small["attachment"] = (io.BytesIO(png_bytes()), "ok.png", "image/png")
    assert client.post(f"/s/{token}", data=small, content_type="multipart/form-data").status_code == 303
    with app.extensions["ops"].uow() as uow:
        assert uow.session.exec(select(ShopRequest)).one() is not None


def test_requests_are_limited_per_link_and_per_address(make_shop_app):
    app = make_shop_app(rate_link="4/minute", rate_ip="7/minute")
    token = issue(app)
    client = app.test_client()
    answers = [client.get(f"/s/{token}").status_code for _ in range(5)]
    assert answers == [200, 200, 200, 200, 429]
    # Guessing other tokens from the same address: counted per address, whatever the token.
    guesses = [client.get(f"/s/guess{i:04d}abcdefghijklmnopqrstuv").status_code for i in range(3)]
    assert guesses == [404, 404, 429]
    other_address = app.test_client()
    r = other_address.get(f"/s/{token}", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert r.status_code == 429  # the link itself is over its limit, from anywhere
    assert "操作太频繁" in r.get_data(as_text=True) and int(r.headers["Retry-After"]) > 0


def test_submissions_are_limited_per_link(make_shop_app):
    app = make_shop_app(submit_rate_link="2/hour")
    token = issue(app)
    client = app.test_client()
    pid = product_id(app, "SH-100")
    codes = [client.post(f"/s/{token}", data=filled(form_of(client, token), {pid: 1 + i})).status_code
             for i in range(3)]
    assert codes == [303, 303, 429]
    assert len(_orders(app)) == 2


def test_the_qr_card_goes_to_the_customers_robot_group_as_an_image(make_shop_app, wecom):
    from orders.models import CustomerChat

    app = make_shop_app()
    cid = customer_id(app, "宁波测试机械有限公司")
    with app.extensions["ops"].uow() as uow:
        uow.session.add(CustomerChat(customer_id=cid, chat_id="wr-cust", chat_name="客户群", robot_key="rk-cust-1"))
        uow.session.add(CustomerChat(customer_id=None, chat_id="wr-ops", chat_name="内部群", robot_key="rk-ops",
                                     internal=True))
        uow.commit()
    wecom.valid_webhook_keys |= {"rk-cust-1", "rk-ops"}
    issue(app)
    staff, csrf = staff_client(app)
    r = staff.post(f"/admin/shop/customers/{cid}/send", data={"csrf_token": csrf})
    assert r.status_code == 302
    sent = [(key, body["msgtype"]) for key, body in wecom.webhook_messages]
    assert sorted(sent) == [("rk-cust-1", "image"), ("rk-cust-1", "text")]  # never the internal group
    printable = staff.get(f"/admin/shop/customers/{cid}/print").get_data(as_text=True)
    assert f"/admin/shop/customers/{cid}/qr.png" in printable


def test_the_qr_card_goes_to_the_customers_wecom_customer_groups_as_a_group_send_with_the_image(make_shop_app,
                                                                                                wecom):
    """Robots cannot post into external groups: the card becomes one group-send task per group owner (who
    confirms with one tap), never into another customer's group."""
    from core.types import utcnow
    from custgroups.models import CustomerGroup, GroupSendTask
    from custgroups.poll import poll_group_sends
    from custgroups.service import link_group
    from notify.models import Notification

    app = make_shop_app()
    cid = customer_id(app, "宁波测试机械有限公司")
    wecom.add_customer_group("wrA", "测试机械采购群", "t.sales")
    wecom.add_customer_group("wrX", "别家公司客户群", "t.sales")
    with app.extensions["ops"].uow() as uow:
        group = CustomerGroup(chat_id="wrA", name="测试机械采购群", owner_userid="t.sales")
        uow.session.add_all([group, CustomerGroup(chat_id="wrX", name="别家公司客户群", owner_userid="t.sales")])
        uow.session.flush()
        link_group(uow.session, cid, group.id, by="王总")
        uow.commit()
    issue(app)
    staff, csrf = staff_client(app)
    assert staff.post(f"/admin/shop/customers/{cid}/send", data={"csrf_token": csrf}).status_code == 302
    [task] = wecom.group_send_tasks.values()
    assert task["sender"] == "t.sales" and task["chat_ids"] == ["wrA"]
    assert [a["msgtype"] for a in task["body"]["attachments"]] == ["image"]
    assert "专属下单二维码" in task["body"]["text"]["content"]
    assert any("客户群群发任务" in b["text"]["content"] for u, b in wecom.app_deliveries
               if u == "t.sales" and b["msgtype"] == "text")
    assert not any(b["msgtype"] == "image" for u, b in wecom.app_deliveries)  # nothing to forward by hand
    with app.extensions["ops"].uow() as uow:
        assert uow.session.exec(select(GroupSendTask)).one().order_id is None
        assert {n.status for n in uow.session.exec(select(Notification).where(Notification.kind == "shop_qr"))} \
            == {"sent"}
    later = utcnow() + timedelta(hours=app.extensions["ops"].settings.notify.groupsend_remind_hours, minutes=1)
    with app.app_context():
        assert poll_group_sends(later)["reminded"] == 1  # a task with no order is reminded on its own
    [reminder] = [b["text"]["content"] for u, b in wecom.app_deliveries
                  if u == "t.sales" and b["msgtype"] == "text" and "提醒：" in b["text"]["content"]]
    assert "下单二维码的客户群群发" in reminder and "1 个客户群" in reminder


def test_with_no_customer_group_the_sales_owner_gets_the_qr_card_to_forward(make_shop_app, wecom):
    app = make_shop_app()
    cid = customer_id(app, "宁波测试机械有限公司")
    issue(app)
    staff, csrf = staff_client(app)
    r = staff.post(f"/admin/shop/customers/{cid}/send", data={"csrf_token": csrf}, follow_redirects=True)
    assert "已排队发送" in r.get_data(as_text=True)
    to_sales = [b for u, b in wecom.app_deliveries if u == "t.sales"]
    assert [b["msgtype"] for b in to_sales] == ["image", "text"]
    assert "转发给客户" in to_sales[1]["text"]["content"]
    assert wecom.group_send_tasks == {} and wecom.webhook_messages == []


def test_the_limits_count_on_the_real_redis_shared_by_every_process(make_shop_app):
    import uuid

    import redis

    from tests.conftest import REDIS_URL

    app = make_shop_app(redis_url=REDIS_URL, rate_link="1000/minute", rate_ip="3/minute")
    token = issue(app)
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.7"  # a fresh per-IP counter
    other = app.test_client()
    codes = [other.get(f"/s/{token}", environ_base={"REMOTE_ADDR": address}).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    conn = redis.Redis.from_url(REDIS_URL)
    keys = list(conn.scan_iter(match=f"*ops-shop*{address}*"))
    assert keys  # the counter lives in Redis, so every web process shares it
    conn.delete(*keys)


def _card_app(make_shop_app, wecom):
    from tests.integration.bot.wecom_client import bot_settings

    return make_shop_app(overrides={**bot_settings(wecom.base_url), "notify": {"wecom_cards": True}})


def _request_card(wecom, userid: str, request_no: str) -> dict:
    [card] = [c["body"]["template_card"] for c in wecom.cards.values()
              if userid in c["userids"] and request_no in c["body"]["template_card"]["main_title"]["title"]]
    return card


def _click(app, wecom, userid: str, card: dict, key: str) -> None:
    from tests.integration.bot.wecom_client import app_post

    event = wecom.click(card["task_id"], userid, key)
    assert app_post(app.test_client(), wecom.card_event_xml(event)).status_code == 200


def test_with_cards_the_sales_owner_gets_a_card_to_contact_the_customer(make_shop_app, wecom):
    """A plain salesperson may not approve (the flow gives 审核通过 to planners and managers): the card has
    联系客户 (the request page, the customer's phone as a tel: link) and 去处理, and no 审核通过."""
    app = _card_app(make_shop_app, wecom)
    token = issue(app)
    client = app.test_client()
    a, b = product_id(app, "SH-100"), product_id(app, "SH-200")
    r = client.post(f"/s/{token}", data=filled(form_of(client, token), {a: 120, b: 30}))
    request_no = r.headers["Location"].rsplit("/", 1)[1]
    card = _request_card(wecom, "t.sales", request_no)
    assert card["card_type"] == "button_interaction" and "客户下单待审核" in card["main_title"]["title"]
    assert all(o.order_no in card["sub_title_text"] for o in _orders(app))
    assert [b.get("key") for b in card["button_list"] if not b.get("type")] == []
    jumps = {b["text"]: b["url"] for b in card["button_list"] if b.get("type") == 1}
    assert jumps["联系客户"] == f"http://testserver/admin/shop/requests/{request_no}#contact"
    assert "去处理" in jumps
    staff, _ = staff_client(app)
    page = staff.get(f"/admin/shop/requests/{request_no}").get_data(as_text=True)
    assert re.search(r'id="contact">李工\s*<a href="tel:13900001111"', page)


def test_approve_on_the_sales_owners_card_approves_every_order_of_the_request(make_shop_app, wecom):
    from sqlmodel import update

    from orders import editing
    from orders.models import Staff
    from tests.factories import admin_actor

    app = _card_app(make_shop_app, wecom)
    with app.extensions["ops"].uow() as uow:  # the sales owner is also a manager: they may approve
        uow.session.exec(update(Staff).where(Staff.userid == "t.sales").values(roles="sales,manager"))
        uow.commit()
    token = issue(app)
    client = app.test_client()
    a, b = product_id(app, "SH-100"), product_id(app, "SH-200")
    r = client.post(f"/s/{token}", data=filled(form_of(client, token), {a: 120, b: 30}))
    request_no = r.headers["Location"].rsplit("/", 1)[1]
    card = _request_card(wecom, "t.sales", request_no)
    assert [b.get("key") for b in card["button_list"] if not b.get("type")] == ["approve"]
    assert [b["text"] for b in card["button_list"]][:2] == ["审核通过", "联系客户"]
    _click(app, wecom, "t.sales", card, "approve")
    made = _orders(app)
    assert len(made) == 2 and all(o.status != "pending_review" for o in made)
    with app.extensions["ops"].uow() as uow:
        approvals = uow.session.exec(select(StatusEvent).where(StatusEvent.command == "approve")).all()
        assert sorted(e.order_id for e in approvals) == sorted(o.id for o in made)
        assert {e.source for e in approvals} == {"card"}
    assert "审核通过" in wecom.card_updates[-1]["button"]["replace_name"]

    # A request one of whose orders changed after the card went out: the click approves none of them.
    r = client.post(f"/s/{token}", data=filled(form_of(client, token), {a: 7, b: 8}))
    second = r.headers["Location"].rsplit("/", 1)[1]
    fresh = [o for o in _orders(app) if o.status == "pending_review"]
    assert len(fresh) == 2
    with app.extensions["ops"].uow() as uow:
        editing.edit_order(uow, fresh[1].order_no, actor=admin_actor(), changes={"quantity": 9})
        uow.commit()
    _click(app, wecom, "t.sales", _request_card(wecom, "t.sales", second), "approve")
    assert all(o.status == "pending_review" for o in _orders(app) if o.id in {f.id for f in fresh})
    assert wecom.card_updates[-1]["button"]["replace_name"] == "已失效：订单或预警已变化"
