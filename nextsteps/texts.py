"""Texts of next steps: the message telling the next person what to do now (with what they need),
the live picture of an order, and the step names; every Chinese string of nextsteps/ lives here."""

from __future__ import annotations

from collections.abc import Callable

TEMPLATES: dict[str, Callable[[dict], str]] = {}


def template(key: str):
    def deco(fn):
        TEMPLATES[key] = fn
        return fn

    return deco


def render(key: str, ctx: dict) -> str:
    """The message of rule `key`; unknown keys get a plain status line."""
    fn = TEMPLATES.get(key)
    return fn(ctx) if fn else f"【订单动态】{ctx['order_no']} 状态：{ctx['status_label']}"


def card_title(body: str) -> str:
    """A card's main title: the first line of the message up to the first ｜ (e.g. 【待审核】SO…)."""
    return (body.splitlines() or [""])[0].split("｜")[0].strip()


def _head(ctx: dict) -> str:
    return f"{ctx['order_no']}｜{ctx['customer']}｜{ctx['product']} × {ctx['quantity']}"


@template("submitted")
def _submitted(c):
    return (f"【待审核】{_head(c)}\n交期：{c['promised_date']}（剩 {c['days_left']} 个工作日）\n"
            f"{c['history']}\n一键审核：{c['admin_link']}\n或在群里回复：{c['order_no']} 审核通过")


@template("purchase_needed")
def _purchase(c):
    lines = "\n".join(f"· {s['name']}（{s['code']}）缺 {s['missing']:g}{s['unit']}" for s in c["shortages"]) or "· 见订单详情"
    return f"【待采购】{_head(c)}\n审核通过但物料不足：\n{lines}\n交期：{c['promised_date']}，请尽快下采购单。"


@template("approved")
def _approved(c):
    return (f"【待排产】{_head(c)}\n已审核通过，物料齐套。交期：{c['promised_date']}（剩 {c['days_left']} 个工作日）\n"
            f"排产请回复：{c['order_no']} 排产 明天 1号线")


@template("materials_ready")
def _materials_ready(c):
    return f"【待排产】{_head(c)}\n物料已到齐，可以排产。交期：{c['promised_date']}"


@template("scheduled")
def _scheduled(c):
    steps = " → ".join(f"{t['process']}（{t['line']}）" if t.get("line") else t["process"]
                       for t in c["tasks"]) or "见工艺路线"
    late = (f"\n⚠️ 预计完工晚于交期 {c['promised_date']}，请与计划确认加班或调整。"
            if c["planned_end"] and str(c["planned_end"]) > c["promised_date"] else "")
    return (f"【已排产】{_head(c)}\n产线：{c['line'] or '未指定'}，计划 {c['planned_start']} 开工，"
            f"预计 {c['planned_end'] or '—'} 完工\n工序：{steps}\n距开工还有 {c['days_to_start']} 个工作日。{late}")


def _to_qc(c, why: str):
    doc = c["qc_doc"] or "（产品未登记检验标准，请联系技术部）"
    return f"【待质检】{_head(c)}\n{why}，请安排检验。\n检验标准：{doc}\n结果请回复：{c['order_no']} 质检合格 / 质检不合格 原因"


@template("to_qc")
def _to_qc_done(c):
    return _to_qc(c, "全部工序已完工")


@template("to_qc_rework")
def _to_qc_rework(c):
    return _to_qc(c, "返工已完成，需要复检")


@template("to_qc_outsource")
def _to_qc_outsource(c):
    return _to_qc(c, "委外件已回厂")


@template("qc_passed")
def _qc_passed(c):
    return f"【待入库】{_head(c)}\n质检合格，请入库。入库后回复：{c['order_no']} 已入库"


@template("qc_failed")
def _qc_failed(c):
    return f"【待返工】{_head(c)}\n质检不合格：{c['reason'] or '未填写原因'}\n请安排返工，完成后回复：{c['order_no']} 返工完成"


@template("qc_failed_risk")
def _qc_failed_risk(c):
    return (f"【交期风险】{_head(c)}\n质检不合格需返工（{c['reason'] or '原因未填'}），"
            f"交期 {c['promised_date']} 仅剩 {c['days_left']} 个工作日，请提前与客户沟通。")


def rounded_up(unit: str) -> str:
    """Says that a packaging count was rounded up to whole units, e.g. 按整箱向上取整."""
    return f"按整{unit or '件'}向上取整"


@template("in_stock")
def _in_stock(c):
    pack = c["packaging"]
    pack_line = ""
    if pack:
        mark = "⚠️ 不足" if pack["short"] else "充足"
        pack_line = (f"\n包材：{pack['name']} 需 {pack['need']}{pack['unit']}（{rounded_up(pack['unit'])}），"
                     f"库存 {pack['stock']}{pack['unit']}（{mark}）")
    return f"【可发货】{_head(c)}\n已入库，交期 {c['promised_date']}。{pack_line}\n发货后回复：{c['order_no']} 已发货 顺丰 运单号"


@template("shipped")
def _shipped(c):
    no = f" {c['tracking_no']}" if c["tracking_no"] else ""
    return f"【已发货】{_head(c)}\n承运：{c['carrier']}{no}，预计 {c['eta'] or '—'} 送达。发货通知已生成，可一键转发客户。"


@template("picked_up")
def _picked_up(c):
    return f"【运输中】{_head(c)}\n{c['carrier']} 已揽收{('，运单 ' + c['tracking_no']) if c['tracking_no'] else ''}。"


@template("delivered")
def _delivered(c):
    return f"【已签收】{_head(c)}\n客户已签收，请跟进回款。"


# ---- the live picture ----------------------------------------------------------------------------
# What the next person does in each status (keys are status codes; nextsteps.picture says who).
STEP_LABELS = {
    "pending_review": "审核订单", "pending_schedule": "排产", "pending_purchase": "采购到料",
    "pending_outsource": "委外加工回厂", "scheduled": "开工", "in_production": "完成工序",
    "pending_qc": "质检", "rework": "返工", "in_stock": "发货", "shipped": "跟进物流揽收",
    "in_transit": "跟进签收", "delivered": "结算回款",
}
NO_STEP = "无"
STOCK_IN_STEP = "入库"
QC_PASSED_SUB_STATUS = "质检已合格，待入库"


def finish_process_step(process: str) -> str:
    return f"完成{process}"


def history_none() -> str:
    return "客户历史：首次合作或暂无签收记录"


def history(count: int, on_time: int, capped: bool) -> str:
    """The customer's on-time record, e.g. '客户历史：已签收 12 单，准时 11 单（91%）'."""
    recent = "近 " if capped else ""
    return f"客户历史：{recent}已签收 {count} 单，准时 {on_time} 单（{on_time * 100 // count}%）"


def no_wecom_account(name: str) -> str:
    return f"{name} 没有企业微信账号"


def picture_text(p: dict) -> str:
    """The live picture of an order as a short chat answer (query command, order detail)."""
    lines = [f"{p['order_no']}｜{p['customer']}｜{p['product']} × {p['quantity']}",
             f"状态：{p['status_label']}" + (f"（{p['sub_status']}）" if p.get("sub_status") else "")]
    if p["processes"]:
        lines.append("工序：" + "，".join(f"{x['process']} {x['progress']:g}%" for x in p["processes"]))
    if p.get("queue_position"):
        lines.append(f"{p['queue_process']}待排程，当前队列第 {p['queue_position']}")
    lines.append(f"下一步：{p['next_step']}（负责人：{p['next_owner'] or '未指定'}）")
    left = p["days_left"]
    lines.append(f"交期：{p['promised_date']}（" + (f"剩 {left} 个工作日）" if left >= 0 else f"已逾期 {-left} 个工作日）"))
    lines.append(f"跟单销售：{p.get('sales_owner') or '未指定'}")
    if p.get("carrier"):
        lines.append(f"物流：{p['carrier']} {p.get('tracking_no') or ''}".rstrip())
    return "\n".join(lines)


# --- scheduling ------------------------------------------------------------------------------
def unknown_line(name: str, known: list[str]) -> str:
    return f"没有名为“{name}”的产线。可选：{'、'.join(known) or '（后台“产线与产能”尚未设置）'}。"


def line_cannot(name: str, processes: list[str], can: list[str]) -> str:
    return (f"{name} 做不了这个订单的任何工序（{'、'.join(processes)}）。"
            f"{name} 可做：{'、'.join(can) or '未设置'}。不写产线则按工艺路线的默认产线排。")


def no_capacity(line: str, hours: float) -> str:
    return f"{line} 在未来两年多内排不下 {hours:.1f} 标准工时，请检查该产线的产能和日历（后台“产线与产能”）。"


def _md(d) -> str:
    return f"{d.month}月{d.day}日"


def _steps(advice) -> str:
    return " → ".join(f"{p}（{line or '未分配'}）" for p, line in advice.steps)


def plan_advice(a) -> str:
    """The plan in a few lines; when it ends after the promise: by how much, and the way back."""
    head = f"开工 {a.start.isoformat()}，计划完工 {a.end.isoformat()}，交期 {a.promised.isoformat()}"
    lines = [head, f"工序：{_steps(a)}"]
    if not a.late:
        return "\n".join(lines)
    lines = [f"⚠️ 计划完工 {a.end.isoformat()} 晚于交期 {a.promised.isoformat()}（晚 {a.late_days} 个工作日）",
             f"开工 {a.start.isoformat()}；工序：{_steps(a)}"]
    if not a.steps:  # no route: no duration to reckon with, no earlier date to propose
        what = f"开工 {a.start.isoformat()}" if a.start > a.promised else f"计划完工 {a.end.isoformat()}"
        return "\n".join([f"⚠️ {what} 晚于交期 {a.promised.isoformat()}（晚 {a.late_days} 个工作日）",
                          "该产品没有工艺路线，无法推算工期。",
                          f"请改在交期 {a.promised.isoformat()} 之前开工并完工，或与客户确认新交期。"])
    if a.earliest_on_time:
        lines.append(f"建议：改为 {a.earliest_start.isoformat()} 开工，可在 {a.earliest_end.isoformat()} 完工，赶得上交期。")
    elif a.earliest_end is not None:
        lines.append(f"按现有产能最早 {a.earliest_end.isoformat()} 完工（{a.earliest_start.isoformat()} 开工），"
                     "请与客户确认新交期。")
    if a.overtime and not a.outsourced_late:
        per_line = "、".join(f"{line} {h:.1f}" for line, h in sorted(a.overtime.items()))
        lines.append(f"或在交期前加班约 {sum(a.overtime.values()):.1f} 标准工时（{per_line}）可按期完工。")
    elif a.outsourced_late:
        lines.append(f"委外工序（{'、'.join(a.outsourced_late)}）回厂已晚于交期，本厂加班赶不回来。")
    return "\n".join(lines)


# --- 我的待办 (nextsteps/todo.py) -----------------------------------------------------------------
DUE_START = "计划开工"
DUE_END = "计划完工"
DUE_PROMISE = "交期"
STEP_NAMES = {"pending_review": "审核", "pending_purchase": "采购到料", "pending_outsource": "委外跟进",
              "pending_schedule": "排产", "scheduled": "开工", "in_production": "生产报工", "rework": "返工",
              "pending_qc": "质检", "in_stock": "发货"}
STEP_STOCK_IN = "入库"


def step_name(status, qc_passed: bool = False) -> str:
    """What the person has to do next for an order in `status`."""
    return STEP_STOCK_IN if qc_passed else STEP_NAMES.get(str(status.value if hasattr(status, "value") else status), "处理")


def days_text(days: int) -> str:
    """A countdown in calendar days: 今天 / 还有 3 天 / 已过 2 天."""
    if days == 0:
        return "今天"
    return f"还有 {days} 天" if days > 0 else f"已过 {-days} 天"
