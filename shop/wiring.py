"""Wiring of shop: the ordering-link tables and the customer's public pages `/s/<token>`.
(The staff side — links, QR cards, catalogue, addresses, attachments — is web/admin_shop.py.)"""

from __future__ import annotations

from core.feature import Feature
from shop import models
from shop.views import bp

FEATURE = Feature(
    name="shop",
    models=[models],
    blueprints=[bp],
)
