"""The WeCom stand-in's sign-in and card section enforces the rules the product relies on (over HTTP)."""

from __future__ import annotations

import requests

from tests.support.wecom_standin import WeComStandin


def _token(w: WeComStandin) -> str:
    return requests.get(f"{w.base_url}/cgi-bin/gettoken",
                        params={"corpid": w.corp_id, "corpsecret": w.secret}).json()["access_token"]


def _post(w: WeComStandin, path: str, body: dict, token: str) -> dict:
    return requests.post(f"{w.base_url}{path}", params={"access_token": token}, json=body, timeout=10).json()


def card(task_id: str, to: str = "u1", **part) -> dict:
    tc = {"card_type": "button_interaction", "main_title": {"title": "预警"}, "task_id": task_id,
          "button_list": [{"text": "确认收到", "key": "ack"}], **part}
    return {"touser": to, "msgtype": "template_card", "agentid": 1000002, "template_card": tc}


def test_a_card_answers_a_response_code_and_a_task_id_is_used_once():
    with WeComStandin(agent_id=1000002) as w:
        token = _token(w)
        first = _post(w, "/cgi-bin/message/send", card("ops-n1-a"), token)
        assert first["errcode"] == 0 and first["response_code"]
        assert _post(w, "/cgi-bin/message/send", card("ops-n1-a"), token)["errcode"] == 40058
        assert _post(w, "/cgi-bin/message/send", card("bad id!"), token)["errcode"] == 40058
        no_key = card("ops-n2-a", button_list=[{"text": "确认收到"}])
        assert _post(w, "/cgi-bin/message/send", no_key, token)["errcode"] == 40058
        assert len(w.cards) == 1


def test_an_update_uses_a_response_code_once_and_within_72_hours():
    with WeComStandin(agent_id=1000002) as w:
        token = _token(w)
        sent = _post(w, "/cgi-bin/message/send", card("ops-n1-a"), token)
        update = {"userids": ["u1"], "agentid": 1000002, "response_code": sent["response_code"],
                  "button": {"replace_name": "已由 王磊 确认 14:32"}}
        assert _post(w, "/cgi-bin/message/update_template_card", update, token)["errcode"] == 0
        assert _post(w, "/cgi-bin/message/update_template_card", update, token)["errcode"] == 40058
        assert w.cards["ops-n1-a"]["disabled"] == {"u1": "已由 王磊 确认 14:32"}
        _post(w, "/cgi-bin/message/send", card("ops-n2-a", to="u2"), token)
        click = w.click("ops-n2-a", "u2", "ack")
        w.advance(72 * 3600 + 1)
        token = _token(w)  # the old one expired after 2 hours
        late = {**update, "userids": ["u2"], "response_code": click["ResponseCode"]}
        assert _post(w, "/cgi-bin/message/update_template_card", late, token)["errcode"] == 40058
        stranger = {**update, "userids": ["u9"], "response_code": w.click("ops-n2-a", "u2", "ack")["ResponseCode"]}
        assert _post(w, "/cgi-bin/message/update_template_card", stranger, token)["errcode"] == 40058


def test_getuserinfo_codes_work_once_and_for_five_minutes():
    with WeComStandin() as w:
        token = _token(w)
        url = f"{w.base_url}/cgi-bin/auth/getuserinfo"
        code = w.oauth_code("u1")
        assert requests.get(url, params={"access_token": token, "code": code}).json() == \
            {"errcode": 0, "errmsg": "ok", "userid": "u1"}
        assert requests.get(url, params={"access_token": token, "code": code}).json()["errcode"] == 40029
        stale = w.oauth_code("u1")
        w.advance(301)
        assert requests.get(url, params={"access_token": token, "code": stale}).json()["errcode"] == 40029
        assert requests.get(url, params={"access_token": "nope", "code": w.oauth_code("u1")}).json()["errcode"] == 40014
