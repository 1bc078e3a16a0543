"""User-facing Chinese of imports and exports."""

from __future__ import annotations

IMPORT_SUMMARY_SUBJECT = "ERP 订单导入完成"
EXPORT_SAVED = "已导出 {count} 个订单到 {path}"
EXPORT_PRUNED = "已删除 {count} 个过期的导出文件"


def import_summary(*, filename: str, created: int, updated: int, skipped: int, failed: int, window: int) -> str:
    """The one message the planning head gets after an import."""
    return (f"ERP 订单导入完成（{filename}）：新建 {created} 单，更新 {updated} 单，跳过 {skipped} 行"
            f"（含早于最近 {window} 天的历史单），失败 {failed} 行。历史单不逐条通知，请在后台订单列表查看。")


HEADERS = {
    "order_no": "订单号", "erp_no": "ERP单号", "status_label": "状态", "customer": "客户", "product": "产品编码",
    "product_name": "产品名称", "quantity": "数量", "order_date": "下单日期", "promised_date": "交期",
    "priority": "优先级", "sales_owner": "业务员", "line": "产线", "planned_start": "计划开工",
    "planned_end": "计划完工", "carrier": "承运商", "tracking_no": "运单号", "shipped_at": "发货时间",
    "delivered_at": "签收时间", "eta": "预计到达", "updated_at": "更新时间",
}
PRIORITY = {"normal": "普通", "high": "加急", "urgent": "特急"}
# Sheets of the full export: status group → its statuses.
SHEET_GROUPS = {
    "待审核与计划": ("pending_review", "pending_schedule", "pending_purchase", "pending_outsource", "scheduled"),
    "生产与质检": ("in_production", "pending_qc", "rework"),
    "库存与物流": ("in_stock", "shipped", "in_transit"),
    "已完成": ("delivered", "completed"),
    "已取消": ("cancelled",),
}
IMPORT_JOB_FAILED = "导入任务出错，已中止；请检查文件后重新上传，或联系管理员查看日志。"
