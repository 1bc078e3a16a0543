"""Web pages: health, admin and role boards, customer tracking page."""
