"""Every Chinese text of the insight pages and API: labels, KPI names and their definitions."""

from __future__ import annotations

NOT_ENOUGH_DATA = "数据不足"
BUFFER_RULE = ("建议缓冲＝使迟交订单中至少 80% 能按时交付所需的最少工作日数"
               "（按工作日历计算延误；窗口内签收少于 {min_orders} 单时显示「数据不足」）。")
BUFFER_LINE = "交期缓冲{scope}：近 {days} 天签收 {delivered} 单，准时率 {rate}，建议在承诺交期上加 {buffer} 个工作日"
BUFFER_LINE_NONE = "交期缓冲{scope}：近 {days} 天签收 {delivered} 单，历史不足，数据不足以给出建议"


def buffer_scope(customer: bool, product_line: str | None) -> str:
    """Whose record a buffer line is: the customer's (no label), its product line's, or the line's overall."""
    if product_line is None:
        return ""
    return f"（该客户·产品线 {product_line}）" if customer else f"（产品线 {product_line}·全部客户）"
CUSTOMER_NOT_FOUND = "没有找到该客户。"
BAD_PERIOD = "统计周期必须是 1–365 天。"
BAD_FILTER = "没有这个{what}：{value}。"
FILTER_LABELS = {"customer_id": "客户", "customer_level": "客户等级", "product_line": "产品线",
                 "sales_owner_id": "业务员", "line": "产线"}
FILTER_ALL = {"customer_id": "全部客户", "customer_level": "全部等级", "product_line": "全部产品线",
              "sales_owner_id": "全部业务员", "line": "全部产线"}
# Shown next to a figure when a filter is set: what the filter does (not) change there.
NO_LINE = "未分配"
NOT_FILTERED = "不受筛选影响（聊天消息不属于某个订单）"
ORDER_ONLY = "筛选时只计与所选订单相关的通知"

# Labels of codes stored in the database (kept here: features may not import web).
SOURCE_LABELS = {"chat": "聊天", "card": "卡片", "web": "网页", "scan": "扫码", "api": "接口", "import": "导入", "rule": "规则",
                 "playground": "试聊"}
NOTIFY_STATUS_LABELS = {"queued": "排队中", "sending": "发送中", "retrying": "重试中", "sent": "已送达",
                        "failed": "失败", "skipped": "已跳过", "delayed": "延后发送"}
CHAT_STATUS_LABELS = {"processed": "已理解并处理", "ignored": "未理解（提示帮助）", "failed": "处理出错",
                      "received": "待处理", "processing": "处理中"}

# KPI key: (name, definition shown as the title attribute)
KPIS = {
    "on_time_rate": ("准时交付率", "周期内签收的订单中，签收日期（本地时区）不晚于承诺交期的比例。"),
    "lead_time": ("下单到签收周期", "周期内签收的订单，从创建到签收经过的自然日：平均值与 90 分位。"),
    "dwell": ("各状态停留时间", "周期内结束的每段状态停留（由状态记录相邻两次状态变化之差算出）的 50 / 90 分位，单位小时。"),
    "status_now": ("当前各状态订单数", "此刻未完成、未取消的订单按状态计数。"),
    "late": ("已逾期订单", "尚未签收、完成或取消，且承诺交期早于今天的订单。"),
    "at_risk": ("交期风险订单", "尚未入库发货，承诺交期在今天起 {days} 个工作日内的订单。"),
    "alerts": ("预警处理", "周期内产生的预警：总数、已确认数、曾升级数，以及从产生到确认的平均与 90 分位小时数。"),
    "qc": ("质检一次合格率与返工率", "首次质检落在周期内的订单：首次即合格的比例；曾有不合格（需返工）的比例。"),
    "sources": ("状态更新来源占比", "周期内的状态记录按来源（聊天、扫码、网页、接口…）计数。"),
    "notifications": ("通知送达成功率", "周期内创建的通知：已送达 ÷（已送达＋失败）；其余状态单独列出。"),
    "chat": ("聊天消息理解率", "周期内收到的聊天消息：被理解并处理的比例；其余为回复帮助提示或出错。"),
    "line_load": ("产线负荷", "未来 {workdays} 个工作日（含今天）各产线已排未完工的生产任务标准工时 ÷ 该产线产能工时"
                  "（产线工作日 × 每日产能，与排产看板同一算法；委外不计）。按产线筛选时只看该产线；其他筛选只计所选订单的任务，"
                  "产能不变。不受统计周期影响。"),
    "trend": ("每日签收与准时率", "周期内每天签收的订单数与其中准时的比例。"),
}
SUPPLIER_RULE = ("不合格率＝使用该批次/供应商物料的质检中不合格次数 ÷ 质检次数，附 Wilson 95% 置信区间；"
                 "按区间下限从高到低排名（样本少而偶然不合格的不会排到前面）；质检少于 {min_n} 次的不参与排名。")
UNKNOWN_SUPPLIER = "（采购记录中无此批次）"

# Accuracy audit (月度准确性抽查)
VERDICT_LABELS = {"correct": "状态记录正确", "wrong": "有误", "unchecked": "未核对"}
AUDIT_RULE = ("每月从当月签收的订单中均匀随机抽取 {n} 单（不足 {n} 单则全部抽取；随机种子保存，可复现），"
              "逐单核对状态记录是否与实际一致。准确率＝正确 ÷ 已核对，附 Wilson 95% 置信区间。")
AUDIT_BAD_MONTH = "月份格式应为 YYYY-MM，例如 2026-11。"
AUDIT_FUTURE_MONTH = "不能抽查尚未到来的月份。"
AUDIT_NOTHING_DELIVERED = "{month} 没有签收的订单，无法抽样。"
AUDIT_LOCKED = "已有订单核对过，不能重新抽样。"
AUDIT_NOT_FOUND = "该月尚未抽样。"
AUDIT_ITEM_NOT_FOUND = "样本中没有这一单。"
AUDIT_SAMPLE_CHANGED = "该月样本已重新抽取，请刷新页面后再核对。"
AUDIT_BAD_VERDICT = "核对结果只能是：状态记录正确（correct）、有误（wrong）或未核对（unchecked）。"
AUDIT_NOTE_TOO_LONG = "备注最多 {n} 个字。"
AUDIT_DRAWN = "已抽取 {month} 的样本：{n} 单（当月签收 {delivered} 单）。"
AUDIT_EXISTS = "{month} 已抽过样，显示已有的样本。"
AUDIT_REDRAWN = "已重新抽样：{n} 单。"
AUDIT_SAVED = "{order_no}：{label}"
