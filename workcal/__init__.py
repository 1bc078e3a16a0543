"""Working-time calendar: Chinese public holidays, 调休 make-up workdays, shift hours."""
