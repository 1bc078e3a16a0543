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

# Sign-in inside WeCom (OAuth2)
WECOM_LOGIN_TITLE = "企业微信登录未成功"
WECOM_STATE_BAD = "登录链接已失效或不是从本系统发起的，请回到企业微信消息里重新点开链接。"
WECOM_CODE_BAD = "企业微信登录凭证已使用或已过期（5 分钟内有效，只能用一次），请回到消息里重新点开链接。"
WECOM_NOT_MEMBER = "您不是本企业的成员，无法登录订单中枢。"
WECOM_NO_STAFF = "企业微信账号「{userid}」没有对应的在职人员，无法登录。请联系管理员在“人员”页面登记您的企业微信账号。"
WECOM_NO_LOGIN = "{name} 的登录账号已停用或未设置角色，请联系管理员。"
WECOM_LOGIN_FAILED = "企业微信登录失败（错误码 {errcode}），请稍后重试或改用密码登录。"
WECOM_DOWN = "暂时连不上企业微信，请稍后重试或改用密码登录。"
WECOM_LOGIN_OFF = "本系统未启用企业微信登录，请用密码登录。"

# Errors
FORBIDDEN = "您的角色无权打开此页面。"
BAD_REQUEST = "请求无效（表单可能已过期），请刷新页面后重试。"
NOT_FOUND = "没有找到该页面或记录。"
ERROR_TITLES = {400: "请求无效", 403: "无权访问", 404: "页面不存在", 405: "不支持的操作", 429: "请求太频繁",
                500: "服务器出错", 503: "系统繁忙"}
ERROR_MESSAGES = {400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND, 405: "不支持该请求方法。",
                  413: "提交的内容太大。", 429: "请求太频繁，请稍后再试。", 503: "系统繁忙，请稍后重试。"}
ERROR_OTHER = "请求出错，请返回重试。"
SERVER_ERROR = "服务器内部错误（编号 {ref}），请联系管理员。"

# Orders
STATUS_CHANGED = "订单 {order_no} 已改为「{label}」。"
PLAN_LATE = "订单 {order_no} 已排产，但计划赶不上交期：\n{plan}"
QC_PASSED = "订单 {order_no} 已登记质检合格。"
NO_CHANGE_CHOSEN = "请选择要执行的操作。"
NOTICE_RESENT_NEW_LINK = "发货通知已用新链接重新排队发送（{count} 条）。"
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

SOURCE_LABELS = {"chat": "聊天", "card": "卡片", "web": "网页", "scan": "扫码", "api": "接口", "import": "导入", "rule": "规则",
                 "playground": "试聊", "customer": "客户下单"}
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
IMPORT_GONE = "没有这个导入任务（可能已过期），请重新上传。"
WAYBILL_CORRECTED = "订单 {order_no} 的物流信息已更正：{changes}；已重新发送发货通知。"
NOTICE_NOT_SHIPPED = "订单 {order_no} 尚未发货，没有发货通知。"
NOTICE_RESENT = "订单 {order_no} 的发货通知已重新发送（{queued} 条消息）。"
# Codes a person reads in the admin, as Chinese (web/labels.py looks them up)
CHANNEL_LABELS = {"wecom_app": "企业微信应用", "wecom_robot": "群机器人", "bot_response": "机器人回复",
                  "aibot_ws": "机器人长连接", "sms": "短信", "email": "邮件", "bridge": "桥接",
                  "wecom_groupsend": "客户群群发"}
NOTIFY_KIND_LABELS = {"reply": "回复", "next_step": "下一步提醒", "alert": "预警", "alert_resolved": "预警解除",
                      "notice": "发货通知", "logistics_exception": "物流异常", "device_offline": "设备离线",
                      "bench": "压测", "groupsend_remind": "群发确认提醒"}
HELD_UNTIL = "将于 {when} 发送"
INBOUND_STATUS_LABELS = {"received": "已收到", "processing": "处理中", "processed": "已处理", "ignored": "已忽略",
                         "failed": "失败"}
PLATFORM_LABELS = {"wecom_app": "企业微信应用", "wecom_bot": "企业微信机器人", "bridge": "桥接",
                   "playground": "试聊"}
ALERT_STATUS_LABELS = {"open": "未确认", "acked": "已确认", "resolved": "已解除"}
ALERT_KIND_LABELS = {"promise_unscheduled": "交期临近仍未排产", "promise_near": "临近交期未发货",
                     "qc_overdue": "质检结果超时", "status_overdue": "停留过久", "pickup_overdue": "发货后超时未揽收",
                     "purchase_late": "采购到货晚于开工"}
RECIPIENT_OWNER = "订单负责人"
RECIPIENT_ROLE = "{role}（角色）"
RECIPIENT_HEAD = "{role}负责人"
RECIPIENT_LINE_LEAD = "产线组长"
RECIPIENT_STAFF = "人员 #{id}"
RECIPIENTS_HINT = "填写方式：owner 表示订单负责人；role:角色代码 表示该角色的值班人员（如 role:logistics 为物流）；staff:人员编号 表示指定人员。"
CHANNELS_HINT = "填写方式：wecom_app 为企业微信应用，sms 为短信，email 为邮件。"
INTENT_LABELS = {"none": "不是指令", "help": "帮助", "query": "查询", "list": "列表", "ack": "确认预警",
                 "create": "新订单", "correct": "更正", "undo": "撤回", "ship": "发货", "pickup": "揽收",
                 "deliver": "签收", "approve": "审核通过", "schedule": "排产", "report": "报工", "qc_pass": "质检合格",
                 "qc_fail": "质检不合格", "stock_in": "入库", "start": "开工", "finish": "完工", "rework_done": "返工完成",
                 "cancel": "取消", "materials_ready": "物料到齐", "outsource": "转委外", "outsource_returned": "委外回厂"}
PARSE_KEY_LABELS = {"carrier": "承运商", "tracking_no": "运单号", "date": "日期", "line": "产线", "process": "工序",
                    "percent": "进度", "reason": "原因"}
DAY_HOURS_HINT = ("一个工作日该产线能完成的标准工时（工艺路线的“标准工时/百件”× 数量 ÷ 100 累加），"
                  "如 8 台设备 × 10 小时 = 80；排产和计划看板的负荷百分比都按它计算。委外填 0。")
LINE_PROCESSES_HINT = "用顿号或逗号分隔，如：车削、CNC加工。聊天或网页排产写了产线时，只有这些工序放到该产线；留空则按工艺路线中指定给它的工序。"

# ---- 我的待办 (web/todo.py), the alert banner, board marks -----------------------------------------
TODO_TITLE = "我的待办"
BANNER_SCOPE = {"all": "全厂未处理预警", "team": "我和团队的未处理预警", "own": "我的未处理预警"}
TODO_APPROVED = "订单 {order_no} 已审核通过，转入「{label}」。"
ALERT_ACKED = "已确认订单 {order_no} 的预警（{rule}），升级已停止。"
START_TODAY = "今天开工"
START_IN = "{days} 天后开工"
START_LATE = "应开工已过 {days} 天"
RED_FLAG = "红旗"
RED_FLAG_TITLE = "距交期不超过 3 天仍未发货"
