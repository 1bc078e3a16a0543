"""Everything people read about the ordering link: the customer's page, the sales owner's message, admin flashes."""

from __future__ import annotations

PAGE_TITLE = "在线下单"
LIST_TITLE = "我的订单"
CONFIRM_TITLE = "已提交"
NOT_FOUND_TITLE = "链接无效"
NOT_FOUND_TEXT = "该下单链接不存在或已失效，请联系您的业务员获取新链接。"
TOO_MANY_TITLE = "请稍后再试"
TOO_MANY_TEXT = "操作太频繁了，请稍等一会儿再试。"
BAD_FORM_TITLE = "页面已过期"
BAD_FORM_TEXT = "页面已过期，请刷新后重新填写提交。"
TOO_LARGE_TITLE = "文件太大"
DEFAULT_COMPANY = "订单中枢"

# Form checks (the customer reads these above the form).
NO_LINES = "请至少填写一个产品的数量。"
QUANTITY_BAD = "「{product}」的数量请填写正整数。"
TOO_MANY_LINES = "一次最多提交 {limit} 个产品。"
WANTED_MISSING = "请选择期望交货日期。"
WANTED_TOO_EARLY = "期望交货日期最早为 {earliest}。"
WANTED_TOO_LATE = "期望交货日期太远了，请选择 {latest} 之前的日期。"
ADDRESS_MISSING = "请选择送货地址。"
CONTACT_MISSING = "请填写联系人。"
PHONE_BAD = "请填写正确的联系电话。"
NOTE_TOO_LONG = "备注最多 {limit} 个字。"
ATTACHMENT_TYPE = "附件只能是图片（JPG、PNG、GIF、WEBP）或 PDF 文件。"
ATTACHMENT_TOO_LARGE = "附件不能超过 {mb} MB。"
ATTACHMENT_EMPTY = "附件是空文件，请重新选择。"

# The customer's list.
NO_REQUESTS = "还没有通过此链接提交的订单。"
TRACK = "查看物流"

# The sales owner's WeCom message (plain app text, or a card with WECOM_CARDS).
SALES_SOURCE = "客户下单"
CONTACT_BUTTON = "联系客户"


def sales_card_title(customer: str, request_no: str) -> str:
    return f"客户下单待审核 {customer} {request_no}"


def sales_message(customer: str, request_no: str, lines: list[str], wanted: str, contact: str, url: str) -> str:
    """The app message to the sales owner: what the customer asked for and where to review it."""
    body = "\n".join(f"· {line}" for line in lines)
    return (f"【客户下单待审核】{customer} 通过下单链接提交了 {request_no}\n{body}\n"
            f"期望交期：{wanted}\n联系人：{contact}\n请尽快审核：{url}")


def order_line(order_no: str, product: str, quantity: int) -> str:
    return f"{order_no} {product} × {quantity}"


def internal_note(request_no: str, contact: str, phone: str, address: str, note: str, attachment: bool) -> str:
    """What staff read on the order: the request it came from and the customer's contact."""
    parts = [f"客户下单 {request_no}", f"联系人：{contact} {phone}", f"送货地址：{address}"]
    if note:
        parts.append(f"客户备注：{note}")
    if attachment:
        parts.append("有附件（见下单申请）")
    return "；".join(parts)


def group_card_text(customer: str) -> str:
    """The text sent with the QR card into the customer's group."""
    return f"{customer} 专属下单二维码：微信扫码即可在线下单、查看订单进度和物流。"


def qr_tap_to_confirm(customer: str, groups: list[str]) -> str:
    """App message to a group owner: the QR card waits as a customer-group send task."""
    names = "、".join(groups[:5]) + ("等" if len(groups) > 5 else "")
    return (f"{customer} 的专属下单二维码已生成客户群群发任务：{names}。"
            f"请在企业微信「工作台 → 客户群群发」（或群发助手的通知）中一键确认发送。")


def qr_forward(customer: str, text: str) -> str:
    """App message to the sales owner when no customer group or bridge reaches the customer."""
    return f"{customer} 没有可直接发送的客户群，请把上面的下单二维码图片转发给客户，并附上：{text}"


# Admin flashes.
LINK_ISSUED = "新的下单链接：{url}（请妥善保管，旧链接已失效）"
LINK_REVOKED = "下单链接已停用。"
NO_LIVE_LINK = "该客户还没有有效的下单链接。"
QR_QUEUED = "二维码已排队发送（{count} 条消息或群发任务；没有客户群时发给业务员转发）。"
QR_NO_GROUP = "该客户没有可发送的客户群，也没有可转发的业务员（需要客户群、桥接群或业务员的企业微信账号）。"
PRODUCT_ADDED = "已开放产品 {code}。"
PRODUCT_REMOVED = "已取消开放产品。"
PRODUCT_UNKNOWN = "没有找到产品编码 {code}。"
ADDRESS_ADDED = "已添加地址。"
ADDRESS_REMOVED = "已删除地址。"
ADDRESS_REQUIRED = "请填写地址。"
SAVED = "已保存。"
QR_CAPTION = "扫码在线下单"

# Product pictures (staff upload on the product admin page; customers see a thumbnail)
PICTURE_TYPE = "产品图片只能是 JPG、PNG 或 WEBP 图片。"
PICTURE_TOO_LARGE = "产品图片不能超过 {mb} MB。"
PICTURE_EMPTY = "请选择要上传的产品图片。"
PICTURE_SAVED = "产品图片已保存。"
PICTURE_REMOVED = "产品图片已删除。"
PICTURE_ALT = "{name} 产品图片"
