"""Kuaidi100 push format: signature, parsing, what each state means."""

from __future__ import annotations

import json

import pytest

from logistics import kuaidi100 as kd


def param(**changes) -> str:
    data = {"status": "polling", "billstatus": "got", "message": "", "autoCheck": "0", "comOld": "", "comNew": "",
            "lastResult": {"message": "ok", "nu": "SF1402938475621", "ischeck": "0", "condition": "00",
                           "com": "shunfeng", "status": "200", "state": "0",
                           "data": [{"time": "2026-11-21 08:00:00", "ftime": "2026-11-21 08:00:00",
                                     "context": "快件已到达【杭州转运中心】", "areaName": "浙江,杭州市",
                                     "status": "在途"},
                                    {"time": "2026-11-20 18:00:00", "ftime": "2026-11-20 18:00:00",
                                     "context": "顺丰速运 已收取快件", "areaName": "浙江,宁波市", "status": "揽收"}]}}
    last = changes.pop("lastResult", {})
    data.update(changes)
    data["lastResult"].update(last)
    return json.dumps(data, ensure_ascii=False)


def test_sign_is_uppercase_md5_of_param_plus_salt():
    p = param()
    import hashlib

    assert kd.sign_of(p, "s4lt") == hashlib.md5((p + "s4lt").encode()).hexdigest().upper()
    assert kd.verify_sign(p, kd.sign_of(p, "s4lt"), "s4lt")
    assert kd.verify_sign(p, kd.sign_of(p, "s4lt").lower(), "s4lt")
    assert not kd.verify_sign(p, kd.sign_of(p, "other"), "s4lt")
    assert not kd.verify_sign(p + " ", kd.sign_of(p, "s4lt"), "s4lt")
    assert not kd.verify_sign(p, "", "s4lt")


def test_push_is_read_newest_first_with_area_and_status():
    push = kd.parse_push(param())
    assert push.tracking_no == "SF1402938475621" and push.carrier_code == "shunfeng"
    assert [x.context for x in push.lines] == ["快件已到达【杭州转运中心】", "顺丰速运 已收取快件"]
    assert push.lines[0].area == "浙江,杭州市" and push.lines[0].status == "在途"


@pytest.mark.parametrize("state, action", [
    ("0", kd.PICKUP), ("1", kd.PICKUP), ("5", kd.PICKUP), ("3", kd.DELIVER), ("301", kd.DELIVER),
    ("4", kd.EXCEPTION), ("6", kd.EXCEPTION), ("14", kd.EXCEPTION), ("2", kd.EXCEPTION), ("", None),
])
def test_state_codes_map_to_order_moves_and_alerts(state, action):
    assert kd.parse_push(param(lastResult={"state": state})).action == action


def test_ischeck_means_signed_whatever_the_state():
    assert kd.parse_push(param(lastResult={"state": "0", "ischeck": "1"})).action == kd.DELIVER


def test_abort_with_corrected_carrier_is_read():
    push = kd.parse_push(param(status="abort", message="3天查询无记录", comNew="jd"))
    assert (push.status, push.message, push.com_new) == ("abort", "3天查询无记录", "jd")


@pytest.mark.parametrize("bad", ["", "not json", "[]", '{"lastResult": "x"}', '{"lastResult": {"state": "1"}}'])
def test_malformed_param_is_a_bad_push(bad):
    with pytest.raises(kd.BadPush):
        kd.parse_push(bad)


def test_answers_are_kuaidi100s_shape():
    assert kd.answer(True, "成功") == {"result": True, "returnCode": "200", "message": "成功"}
    assert kd.answer(False, "签名错误") == {"result": False, "returnCode": "500", "message": "签名错误"}
