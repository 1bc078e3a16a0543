"""Every text a user reads, one module per area (chat replies, alerts, next steps, notices).

Keep wording short, polite and in zh-CN; keep formatting rules here, not in the callers.
"""
