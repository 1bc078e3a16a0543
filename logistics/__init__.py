"""Carrier traces (Kuaidi100 pushes), ETA and the tracking tokens of customers."""
