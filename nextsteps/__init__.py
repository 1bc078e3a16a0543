"""Next-step rules: each status change tells the next person what to do."""
