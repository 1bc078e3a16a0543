"""Every Chinese text of the orders domain a person reads: refusals of the status flow, use-case
errors, the import report and the recipient problems; callers pass the facts, wording lives here."""

from __future__ import annotations

from collections.abc import Iterable

# ---- command and field names -------------------------------------------------------------------
COMMAND_LABELS = {
    "approve": "审核通过",
    "cancel": "取消",
    "schedule": "排产",
    "request_purchase": "转采购",
    "outsource": "转委外",
    "materials_ready": "物料到齐",
    "outsource_returned": "委外回厂",
    "start_production": "开工",
    "unschedule": "取消排产",
    "finish_production": "完工",
    "stock_in": "入库",
    "qc_fail": "质检不合格",
    "qc_pass": "质检合格",
    "report": "报工",
    "rework_done": "返工完成",
    "ship": "发货",
    "pickup": "揽收",
    "deliver": "签收",
    "complete": "完成",
    "receive": "到货",
    "waybill": "填写运单",
    "correct": "更正",
    "undo": "撤回",
}

NEED_LABELS = {
    "reason": "原因",
    "date": "排产日期",
    "carrier": "承运商（或写“自提”）",
    "tracking_no": "运单号",
    "qc_passed": "质检合格记录",
}

EDIT_FIELD_LABELS = {"promised_date": "交期", "quantity": "数量", "priority": "优先级", "internal_note": "内部备注",
                     "sales_owner_id": "业务员"}
SALES_OWNER_NOT_FOUND = "所选业务员不存在或已停用。"
SALES_OWNER_NOT_ALLOWED = "只有销售主管、经理或管理员可以指定其他业务员。"
SYSTEM_RULE_NAME = "系统规则"
IMPORT_ACTOR_NAME = "导入"
QC_PASSED_NOTE = "质检合格"


def _join(items: Iterable[str]) -> str:
    return "、".join(items)


# ---- the status flow ---------------------------------------------------------------------------
NO_NEXT_STEP = "无（订单已结束）"


def move_text(command_label: str, status_label: str) -> str:
    """One allowed next step, e.g. '排产→已排产'."""
    return f"{command_label}→{status_label}"


def illegal_move(order_no: str, current: str, wanted: str, by_target: bool, allowed: str) -> str:
    return (f"订单 {order_no} 当前状态为「{current}」，不能{'改为' if by_target else ''}「{wanted}」。"
            f"可以：{allowed}")


def not_allowed(order_no: str, command_label: str, who: Iterable[str]) -> str:
    return f"您没有权限对订单 {order_no} 执行「{command_label}」，请联系{_join(who)}或经理处理。"


def missing_need(order_no: str, command_label: str, need: str) -> str:
    return f"订单 {order_no}「{command_label}」需要{NEED_LABELS[need]}。"


def missing_tracking_no(order_no: str) -> str:
    return f"订单 {order_no} 发货需要运单号，例如：{order_no} 已发货 顺丰 SF1402938475621"


# ---- use cases -----------------------------------------------------------------------------------
def order_not_found(ref: str, close: Iterable[str] = ()) -> str:
    close = list(close)
    return f"没有找到订单 {ref}" + (f"，您是不是要找：{_join(close)}" if close else "")


def customer_not_found(customer: str) -> str:
    return f"没有找到客户「{customer}」，请先在后台添加客户。"


def product_not_found(product: str) -> str:
    return f"没有找到产品编码「{product}」。"


QUANTITY_NOT_POSITIVE = "数量必须是正整数。"


def erp_no_taken(erp_no: str) -> str:
    return f"ERP 单号 {erp_no} 已存在。"


def unknown_status(value) -> str:
    return f"未知状态「{value}」。"


def changed_meanwhile(order_no: str) -> str:
    return f"订单 {order_no} 刚被其他人修改，请刷新后重试。"


def version_conflict(order_no: str, version: int) -> str:
    return f"订单 {order_no} 已被修改（当前版本 {version}），请刷新后重试。"


def bad_date(value) -> str:
    return f"日期格式不对：{value}，请写成 2026-12-10。"


def date_out_of_window(label: str, value, first, last, years: int) -> str:
    return (f"{label} {value.isoformat()} 超出允许范围：只接受今天前后 {years} 年内的日期"
            f"（{first.isoformat()} 至 {last.isoformat()}），请检查是否写错。")


DATE_LABELS = {"date": "排产日期", "end_date": "完工日期", "eta": "预计到达日期"}


def qc_pass_not_pending(order_no: str, current: str, allowed: str) -> str:
    return f"订单 {order_no} 当前状态为「{current}」，不在待质检，不能登记质检合格。可以：{allowed}"


def report_not_open(order_no: str, current: str, allowed: str) -> str:
    return f"订单 {order_no} 当前状态为「{current}」，不能报工。可以：{allowed}"


def report_needs_percent(order_no: str, process: str | None) -> str:
    return f"订单 {order_no} 报工需要 0–100 的进度百分比，例如：{order_no} {process} 完成80%"


def report_needs_process(order_no: str, processes: list[str]) -> str:
    if not processes:
        return f"订单 {order_no} 报工需要写明工序，例如：{order_no} 焊接 完成80%"
    return f"订单 {order_no} 报工需要写明工序（{_join(processes)}），例如：{order_no} {processes[0]} 完成80%"


def unknown_process(order_no: str, process: str, processes: list[str]) -> str:
    return f"订单 {order_no} 的工艺路线里没有「{process}」，可选：{_join(processes)}"


# ---- editing an order's terms --------------------------------------------------------------------
def bad_promised_date(value) -> str:
    return f"交期格式不对：{value}，请写成 2026-12-10。"


BAD_PRIORITY = "优先级只能是 normal / high / urgent。"
NOTHING_TO_CHANGE = "没有需要修改的内容。"


def edit_not_allowed(order_no: str) -> str:
    return f"您没有权限修改订单 {order_no}，请联系销售、计划或经理。"


def edit_closed(order_no: str, status_label: str) -> str:
    """'订单 SO… 已完成，不能再修改。' (the label without its leading 已)."""
    return f"订单 {order_no} 已{status_label[1:]}，不能再修改。"


def quantity_locked(order_no: str, status_label: str) -> str:
    return f"订单 {order_no} 已「{status_label}」，数量不能再改。"


def edit_note(changes: Iterable[tuple[str, str, str]]) -> str:
    """'交期 2026-12-01 → 2026-12-10；数量 100 → 120'."""
    return "；".join(f"{EDIT_FIELD_LABELS[f]} {a} → {b}" for f, a, b in changes)


# ---- importing orders from a file (ops import-orders) ----------------------------------------------
IMPORT_OK = "第 {row} 行：成功 {order_no}"
IMPORT_UPDATED = "第 {row} 行：更新 {order_no}：{changes}"
IMPORT_FAILED = "第 {row} 行：失败 {reason}"
IMPORT_SKIPPED = "第 {row} 行：跳过 ERP单号 {erp_no} 已导入为 {order_no}，没有变化"
IMPORT_TOO_OLD = "第 {row} 行：跳过 下单日期 {date} 早于导入窗口（最近 {days} 天，{first} 起）"
IMPORT_SUMMARY = "导入完成：成功 {ok} 行，更新 {updated} 行，失败 {failed} 行，跳过 {skipped} 行。"
IMPORT_DRY_RUN = "试运行：以下是每行的结果预览，没有写入数据库。"
IMPORT_UNREADABLE = "无法读取文件 {path}：{error}"
IMPORT_TOO_BIG = "文件太大（{size:.1f} MB），最多 {limit} MB，请分成几个文件导入。"
IMPORT_EMPTY = "文件是空的，没有可导入的订单。"
IMPORT_NO_ROWS = "文件只有表头，没有可导入的订单行。"
IMPORT_ENCODING = "无法识别文件编码，请在 Excel 里“另存为 CSV（UTF-8）”后再导入。"
IMPORT_BINARY = "这不是 CSV 文本文件（含有二进制内容），请在 Excel 里“另存为 CSV”或 xlsx 后再导入。"
IMPORT_XLSX_BAD = "这个 xlsx 文件打不开（可能已损坏或不是 Excel 文件），请在 Excel 里重新保存后再导入。"
IMPORT_CSV_ERROR = "第 {row} 行附近 CSV 格式错误（{error}），后面的行没有导入。"
IMPORT_HEADERS = ("表头不对：缺少{missing}。需要的表头：客户（customer）、产品编码（product）、数量（quantity）、"
                  "交期（promised_date）；建议：ERP单号（erp_no）、下单日期（order_date）、状态（status）；"
                  "可选：业务员（salesperson）、优先级（priority）、备注（note）。")
IMPORT_TOO_MANY = "超过 {limit} 行，从这一行起没有导入，请分成几个文件导入。"
IMPORT_MISSING = "缺少{label}"
IMPORT_TOO_LONG = "{label}太长（最多 {limit} 个字）"
IMPORT_QTY_BAD = "数量「{value}」不是正整数"
IMPORT_QTY_BIG = "数量「{value}」太大（最多 {limit}）"
IMPORT_DATE_BAD = "{label}「{value}」看不懂，请写成 2026-12-10、2026/12/10 或 2026年12月10日"
IMPORT_DATE_INVALID = "{label}「{value}」不是有效日期"
IMPORT_DATE_RANGE = "{label} {value} 不在 {first} 到 {last} 之间"
IMPORT_PRIORITY_BAD = "优先级「{value}」不认识，可以写：普通、加急、特急（或 normal、high、urgent）"
IMPORT_STATUS_UNKNOWN = "状态「{value}」不在状态对照表里，请在后台「状态对照」里添加后再导入"
IMPORT_SALES_UNKNOWN = "没有找到业务员「{value}」（按姓名或企业微信账号查找）"
IMPORT_DUPLICATE = "ERP单号 {erp_no} 已存在"
IMPORT_EVENT_NOTE = "从 ERP 导入（ERP 状态：{word}）"
IMPORT_FIELD_LABELS = {"customer_id": "客户", "product_id": "产品", "quantity": "数量", "promised_date": "交期",
                       "status": "状态", "sales_owner_id": "业务员", "priority": "优先级", "internal_note": "备注"}
IMPORT_INTERNAL = "系统内部错误，已记录日志，请联系管理员"


# ---- purchasing: receiving goods against a purchase line (orders.purchasing) -----------------------
PURCHASE_LINE_NOT_FOUND = "没有找到该采购行。"
RECEIVE_NOT_ALLOWED = "只有采购、仓库、计划或经理可以登记到货。"
RECEIVE_QTY_BAD = "到货数量必须是大于 0 的数字。"
RECEIVE_BATCH_TOO_LONG = "批次号太长（最多 60 个字）。"
MATERIALS_RELEASED_NOTE = "物料到货，齐套"


def purchase_line_not_found(po_no: str, material: str) -> str:
    return f"没有找到采购单 {po_no} 中物料「{material}」的未收完采购行。"


def purchase_line_ambiguous(po_no: str, material: str) -> str:
    return f"采购单 {po_no} 中物料「{material}」有多行未收完，请在后台按行登记到货。"


# ---- recipients (orders.recipients): why a spec reached nobody -----------------------------------
def owner_missing() -> str:
    return "订单没有负责人"


def role_empty(role: str) -> str:
    return f"角色「{role}」没有在岗人员"


def staff_missing(ref: str) -> str:
    return f"人员「{ref}」不存在或已停用"


def bad_recipient_kind(spec: str) -> str:
    return f"无法识别的接收人「{spec}」"


# ---- importing master data (orders.master_import) -------------------------------------------------
MASTER_IMPORT_KIND_LABELS = {"materials": "物料", "bom": "物料清单", "purchases": "采购行", "suppliers": "供应商"}
MASTER_IMPORT_SUMMARY = "导入完成：新增 {created} 行，更新 {updated} 行，失败 {failed} 行。"
MASTER_IMPORT_TOO_BIG = "文件太大，最多 {limit} MB。"
MASTER_IMPORT_UNREADABLE = "无法读取文件：请上传 CSV（UTF-8 或 GBK）或 Excel（.xlsx）文件。"
MASTER_IMPORT_EMPTY = "文件里没有数据行。"
MASTER_IMPORT_TOO_MANY = "超过 {limit} 行，请分成几个文件导入。"
MASTER_IMPORT_HEADERS = "表头不对：缺少{missing}。可用的表头：{wanted}。"
MASTER_IMPORT_MISSING = "缺少{label}"
MASTER_IMPORT_ROW_FAILED = "第 {row} 行：失败 {reason}"
MASTER_IMPORT_NOT_NUMBER = "{label}「{value}」不是有效的数字"
MASTER_IMPORT_NOT_DATE = "{label}「{value}」看不懂，请写成 2026-12-10"
MASTER_IMPORT_BAD_KIND = "类别「{value}」不认识，可以写：原材料、包材"
MASTER_IMPORT_TOO_LONG = "{label}太长（最多 200 个字）"
MASTER_IMPORT_NO_MATERIAL = "物料编码「{code}」不存在，请先导入物料"
MASTER_IMPORT_NO_PRODUCT = "产品编码「{code}」不存在"


# ---- waybill fill-in and corrections, undo ------------------------------------------------------
WAYBILL_FIELD_LABELS = {"carrier": "承运商", "tracking_no": "运单号"}


def waybill_not_shipped(order_no: str, status_label: str) -> str:
    return f"订单 {order_no} 当前「{status_label}」，还没有发货，不能填写运单。"


def waybill_not_allowed(order_no: str, who: Iterable[str]) -> str:
    return f"您没有权限修改订单 {order_no} 的运单，需要{_join(who)}。"


def waybill_note(changes: Iterable[tuple[str, str, str]]) -> str:
    """'运单号 （空） → SF…'."""
    return "；".join(f"{WAYBILL_FIELD_LABELS[f]} {a or '（空）'} → {b or '（空）'}" for f, a, b in changes)


NOTHING_TO_UNDO = "订单 {order_no} 没有您在 {minutes} 分钟内做的修改，无法撤回。"
UNDO_SOMEONE_ELSE = "订单 {order_no} 最近一次修改是 {actor} 做的，只能撤回您自己的修改。"
UNDO_TOO_LATE = "订单 {order_no} 的上一次修改已超过 {minutes} 分钟，不能撤回；请联系计划或经理处理。"
UNDO_NOT_REVERSIBLE = "订单 {order_no} 的「{what}」不能撤回（流程不允许从「{current}」退回「{back}」）；请联系计划或经理处理。"
UNDO_NOTE = "撤回：{what}"
WAYBILL_TOO_LONG = "运单号太长（最多 40 个字符），请核对后重发。"
CORRECT_WHAT = "请说明要更正什么：运单号、承运商、交期或数量，例如：SO20261120-0042 运单号改为 SF1402938475621"


def progress_change(process: str, before: float, after: float) -> str:
    """What a progress report changed, for the order timeline: 焊接 60% → 92%."""
    return f"{process} {before:g}% → {after:g}%"
