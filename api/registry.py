"""API blueprints that other packages add (filled by their `api` modules)."""

BLUEPRINTS: list = []
