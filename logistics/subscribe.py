"""Subscribe a shipped waybill to Kuaidi100's push service, so that pushes arrive at /logistics/kuaidi100.

POST {KUAIDI100_API_BASE}/poll, form `schema=json` and `param` = {"company", "number", "key",
"parameters": {"callbackurl", "salt", "resultv2", "phone"}}; answer {"result", "returnCode",
"message"}: 200 accepted, 501 already subscribed (fine); anything else is retried by RQ.
Off until KUAIDI100_KEY and KUAIDI100_SALT are set.
"""

from __future__ import annotations

import json
import logging

import requests
from sqlmodel import select

from core.db import new_session
from core.runtime import current_runtime
from core.types import utcnow
from logistics.models import Waybill
from orders.flow import SELF_PICKUP
from orders.models import Customer, Order

log = logging.getLogger(__name__)

# Kuaidi100 company codes of the carriers the parser knows (CONTRACT §5).
CARRIER_CODES = {
    "顺丰": "shunfeng", "京东": "jd", "中通": "zhongtong", "圆通": "yuantong", "申通": "shentong",
    "韵达": "yunda", "德邦": "debangkuaidi", "极兔": "jtexpress", "EMS": "ems", "跨越": "kuayue",
}
ACCEPTED = {"200", "501"}


class SubscribeFailed(RuntimeError):
    """Kuaidi100 refused or could not be reached; the job is retried."""


def subscription_param(order: Order, customer: Customer | None, *, key: str, salt: str, callback: str) -> dict:
    """The `param` object of a subscription."""
    code = CARRIER_CODES.get(order.carrier or "", "")
    parameters = {"callbackurl": callback, "salt": salt, "resultv2": "1"}
    if not code:
        parameters["autoCom"] = "1"
    if customer and customer.contact_phone:
        parameters["phone"] = customer.contact_phone  # SF needs the sender's or receiver's phone
    return {"company": code, "number": order.tracking_no, "key": key, "parameters": parameters}


def subscribe_waybill(order_id: int) -> str:
    """Job: subscribe the order's waybill once; records the carrier code on its Waybill row."""
    rt = current_runtime()
    key, salt = rt.settings.logistics.kuaidi100_key, rt.settings.logistics.kuaidi100_salt
    if not key or not salt:
        return "off"
    with new_session(rt.engine) as s:
        order = s.get(Order, order_id)
        if order is None or not order.tracking_no or order.carrier == SELF_PICKUP:
            return "no-waybill"
        callback = f"{rt.settings.public_base_url.rstrip('/')}/logistics/kuaidi100"
        param = subscription_param(order, s.get(Customer, order.customer_id), key=key, salt=salt, callback=callback)
        try:
            r = requests.post(f"{rt.settings.logistics.kuaidi100_api_base.rstrip('/')}/poll", timeout=10,
                              data={"schema": "json", "param": json.dumps(param, ensure_ascii=False)})
            answer = r.json()
        except (requests.RequestException, ValueError) as exc:
            raise SubscribeFailed(f"kuaidi100 subscribe {order.tracking_no}: {exc}") from None
        if str(answer.get("returnCode")) not in ACCEPTED:
            raise SubscribeFailed(f"kuaidi100 refused {order.tracking_no}: {answer}")
        wb = s.exec(select(Waybill).where(Waybill.order_id == order.id)).first() or Waybill(
            order_id=order.id, tracking_no=order.tracking_no)
        wb.carrier_code = wb.carrier_code or param["company"]
        wb.monitor_status = wb.monitor_status or "subscribed"
        wb.updated_at = utcnow()
        s.add(wb)
        s.commit()
    return f"subscribed {answer.get('returnCode')}"
