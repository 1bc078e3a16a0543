"""Data in and out: ERP order import (summary and alert sweep after it) and order exports (xlsx, CSV)."""
