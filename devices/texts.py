"""Every text of the device feature a person reads: dead-letter reasons and offline alerts."""

from __future__ import annotations

# ---- dead-letter reasons (admin) -------------------------------------------------------------
NOT_JSON = "消息不是合法的 JSON"
NOT_OBJECT = "消息必须是 JSON 对象"
TOO_LARGE = "消息过大（超过 {limit} 字节）"
MISSING_FIELDS = "缺少字段：{fields}"
NOT_TEXT = "字段 {field} 必须是文字"
UNKNOWN_ACTION = "未知动作「{action}」，可用：{allowed}"
BAD_PERCENT = "percent 必须是 0–100 的数字"
BAD_NUMBER = "字段 {field} 必须是数字"
OUT_OF_RANGE = "字段 {field} 超出合理范围：{value}"
BAD_TS = "时间 ts 格式不对：{value}（请用 ISO 8601 或 Unix 秒）"
BAD_TOPIC = "主题格式不对：{topic}"
UNKNOWN_DEVICE = "未登记的设备 {device_id}，请先在后台登记"
WRONG_KIND = "设备 {device_id} 登记为{kind}，不能上报扫码"
UNKNOWN_OPERATOR = "未知操作员 {operator}（不是企业微信账号，也不是登记的工牌号）"
INACTIVE_OPERATOR = "操作员 {name} 已停用"
NOT_SUPPORTED = "扫码动作「{action}」暂不支持"
BAD_STATUS = "设备状态消息只能是 online 或 offline，收到：{value}"
BUSY = "订单 {order_no} 同时被多人修改，扫码未生效，请重扫"
SCAN_PREFIX = "扫码未生效："
INTERNAL_ERROR = "处理时出现内部错误（{error}），已记录日志，请联系管理员"

KIND_LABELS = {"scanner": "扫码枪", "sensor": "温湿度传感器"}

# ---- offline alert (WeCom app message to the device owner) ----------------------------------
OFFLINE_SUBJECT = "设备离线：{device_id}"
OFFLINE_BODY = (
    "【设备离线】{kind} {device_id}（{zone}）自 {since} 起离线，原因：{cause}。\n"
    "离线期间扫码和温湿度记录会缺失，请检查设备电源和网络。"
)
CAUSE_LAST_WILL = "设备断线（遗嘱消息）"
CAUSE_SILENCE = "超过 {minutes} 分钟没有任何消息"
NO_ZONE = "未分区"
