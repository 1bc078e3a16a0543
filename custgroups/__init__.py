"""Customer (external) groups in WeCom: sync, mapping to customers, shipping notices by group-send tasks."""
