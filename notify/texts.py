"""Texts of notify/: why a channel is off, why a send failed (shown in the admin), the labels of the
shipping-notice image. Texts of other features live in their own package's texts module."""

from __future__ import annotations

# ----- channels that are off -------------------------------------------------------------
WECOM_APP_OFF = "未配置 WECOM_CORP_ID / WECOM_SECRET / WECOM_AGENT_ID，企业微信应用消息渠道关闭"
EMAIL_OFF = "未配置 SMTP_URL，邮件渠道关闭"
SMS_OFF = "未配置 SMS_URL，短信渠道关闭"
CHANNEL_UNKNOWN = "渠道 {name} 未配置"

# ----- content -----------------------------------------------------------------------------
TRUNCATED = "…（内容过长，已截断）"
DEFAULT_SUBJECT = "订单中枢通知"
TEXTCARD_BUTTON = "详情"
CARD_SOURCE = "订单中枢"
CARD_BUTTONS = {"ack": "确认收到", "approve": "审核通过", "seen": "确认收到"}
CARD_GO = "去处理"
CARD_STALE = "已失效：订单或预警已变化"
CARD_RESOLVED = "预警已解除"
CARD_ACKED = "确认"
CARD_APPROVED = "审核通过"


def card_done(name: str, verb: str, hhmm: str) -> str:
    """A card's buttons once acted on: '已由 王磊 确认 14:32'."""
    return f"已由 {name} {verb} {hhmm}"

# ----- send failures (outbox last_error) -----------------------------------------------------
THROTTLED = "发送过快（{what}），{seconds} 秒后再发"
WECOM_SERVICE = "企业微信"
PROVIDER_DOWN = "{service} 暂时不可用（{detail}），稍后重试"
WECOM_ERROR = "企业微信返回错误 {errcode}：{errmsg}"
TOKEN_FETCH_FAILED = "获取企业微信 access_token 失败：{detail}"
TOKEN_REJECTED = "企业微信连续 {n} 次拒绝 access_token，稍后重试"
ALL_RECIPIENTS_INVALID = "企业微信找不到接收人：{users}"
UNKNOWN_MSGTYPE = "不支持的消息类型：{msgtype}"
IMAGE_MISSING = "通知缺少图片（payload 需要 image_path 或 image_b64）"
IMAGE_UNREADABLE = "图片读不出来：{detail}"
IMAGE_TOO_LARGE = "图片 {size} 字节，超过 2 MB 上限"
IMAGE_BAD_FORMAT = "图片只能是 PNG 或 JPG"
FILE_MISSING = "通知缺少文件（payload 需要 file_path）"
TEXTCARD_NO_URL = "卡片消息缺少链接（payload 需要 url）"
RESPONSE_URL_EXPIRED = "机器人回复地址已超过 1 小时，不能再用"
RESPONSE_URL_FOREIGN = "回复地址不是企业微信接口地址，拒绝发送"
RESPONSE_URL_REFUSED = "机器人回复地址已用过或无效：{detail}"
EMAIL_REFUSED = "邮件服务器拒收：{detail}"
EMAIL_AUTH_FAILED = "邮件服务器登录失败，请检查 SMTP_URL 的用户名和密码"
EMAIL_TEMPORARY = "邮件服务器暂时拒绝（{code}），稍后重试"
SMS_REFUSED = "短信网关拒绝：{detail}"
NO_RECIPIENT = "通知没有接收人"

# ----- admin ---------------------------------------------------------------------------------
STATUS_LABELS = {
    "queued": "排队中", "sending": "发送中", "retrying": "等待重试", "sent": "已发送",
    "failed": "发送失败", "skipped": "已跳过", "delayed": "延后发送",
}
NOTIFICATION_NOT_FOUND = "找不到通知 #{id}"
NOT_RESENDABLE = "通知 #{id} 当前状态为「{label}」，只有发送失败或已跳过的通知可以重发"
DEMO_ROBOT_KEY = "演示数据的群机器人 key，未真实发送（请在后台填入真实的机器人 key）"

# ----- the shipping-notice image (notify.notice_image) --------------------------------------
IMAGE_TITLE = "发货通知"
IMAGE_LABELS = {
    "customer": "客户",
    "order_no": "订单号",
    "product": "产品",
    "quantity": "数量",
    "carrier": "承运商",
    "tracking_no": "运单号",
    "shipped_at": "发货时间",
    "eta": "预计到达",
}
QR_CAPTION = "扫码查看物流进度"
QR_HINT = "链接仅显示本订单，请勿转发给无关人员"
NONE_TEXT = "—"
IMAGE_FOOTER = "如有疑问请联系您的销售顾问"
