"""Alert rules, the sweep that raises and resolves alerts, escalation and acks."""
