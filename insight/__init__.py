"""Insight: delivery buffers per customer, defects traced to material batches and suppliers, and the
factory health dashboard (figures, charts, drill-down lists)."""

from insight.buffer import buffer_for, decision_text

__all__ = ["buffer_for", "decision_text"]
