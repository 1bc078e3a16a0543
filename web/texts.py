"""Every Chinese text the admin's Python code shows (page templates hold their own wording)."""

from __future__ import annotations

# Login
LOGIN_REQUIRED = "请先登录。"
LOGIN_FAILED = "用户名或密码不对，或账号已停用。"
LOGGED_OUT = "已退出登录。"
LOGIN_THROTTLED = "登录失败次数过多，请 {minutes} 分钟后再试。"
SESSION_IDLE = "长时间未操作，已自动退出，请重新登录。"
PASSWORD_CHANGED = "密码已修改；此账号在其他设备上的登录已失效。"
PASSWORD_MISMATCH = "两次输入的新密码不一致。"

# Errors
FORBIDDEN = "您的角色无权打开此页面。"
BAD_REQUEST = "请求无效（表单可能已过期），请刷新页面后重试。"
NOT_FOUND = "没有找到该页面或记录。"

# Orders
STATUS_CHANGED = "订单 {order_no} 已改为「{label}」。"
QC_PASSED = "订单 {order_no} 已登记质检合格。"
NO_CHANGE_CHOSEN = "请选择要执行的操作。"
TRACKING_LINK = "新的客户跟踪链接（旧链接已失效，此链接只显示这一次）：{url}"

# Playground
PLAYGROUND_EMPTY = "请输入消息内容。"
PLAYGROUND_NO_STAFF = "请选择发言人。"
PLAYGROUND_NOT_YOU = "只有管理员和经理可以代他人发言。"
PLAYGROUND_NO_REPLY = "（机器人没有回复：这条消息不是指令）"

# Admin forms
SAVED = "已保存。"
DELETED = "已删除。"
REQUIRED = "「{label}」必填。"
NOT_A_NUMBER = "「{label}」必须是数字。"
NOT_A_DATE = "「{label}」日期格式应为 2026-12-10。"
NOT_A_CHOICE = "「{label}」的取值无效。"
DUPLICATE = "保存失败：与已有记录重复（{detail}）。"
TOKEN_CREATED = "令牌已创建，只显示这一次，请立即复制保存："
TOKEN_REVOKED = "令牌「{name}」已吊销。"
USER_CREATED = "登录账号 {username} 已创建。"
RESENT = "通知已重新排队发送。"

# Boards
BOARD_TITLES = {"sales": "销售看板", "planning": "计划看板", "warehouse": "仓库看板"}

SOURCE_LABELS = {"chat": "聊天", "web": "网页", "scan": "扫码", "api": "接口", "import": "导入", "rule": "规则",
                 "playground": "试聊"}
ALERT_LEVEL_LABELS = {"yellow": "黄色", "orange": "橙色", "red": "红色"}
SORT_LABELS = {"new": "最新创建", "due": "交期最近", "updated": "最近更新"}
PRIORITY_LABELS = {"normal": "普通", "high": "加急", "urgent": "特急"}
ORDER_EDITED = "订单 {order_no} 已修改。"

# Order entry (/admin/orders/new)
ORDER_CREATED = "订单 {order_no} 已创建，等待审核。"
ENTRY_NO_CUSTOMER = "请选择客户。"
ENTRY_NO_PRODUCT = "请选择产品。"
ENTRY_BAD_QUANTITY = "数量必须是 1 到 10000000 之间的整数。"
ENTRY_BAD_DATE = "请填写交期（例如 2026-12-10）。"
ENTRY_BAD_PRIORITY = "优先级的取值无效。"
ENTRY_BAD_OWNER = "业务员的取值无效。"
ENTRY_PICK_AGAIN = "所选客户或产品已不存在，请重新选择。"

# Receiving (/admin/receiving)
RECEIVED = "采购单 {po_no} 已登记到货；转入待排产的订单：{released}。"
NONE_RELEASED = "无"
IMPORT_NO_FILE = "请选择要导入的文件。"

# ---- data in and out (web/admin_data.py) ----------------------------------------------------------
IMPORT_SUFFIX = "只能上传 CSV 或 xlsx 文件。"
WAYBILL_CORRECTED = "订单 {order_no} 的物流信息已更正：{changes}；已重新发送发货通知。"
NOTICE_NOT_SHIPPED = "订单 {order_no} 尚未发货，没有发货通知。"
NOTICE_RESENT = "订单 {order_no} 的发货通知已重新发送（{queued} 条消息）。"
