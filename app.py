"""Flask application factory: `create_app()` wires every part; nothing runs at import."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

import config as config_module
from bootstrap import build_runtime, init_app
from core.logs import configure_logging


class BoundedInt(IntegerConverter):
    """`<int:…>` that only matches what a database integer column can hold (else 404, not 500)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)


def create_app(config: dict | config_module.Settings | None = None) -> Flask:
    """Build the app; `config` may be Settings or a dict of Settings overrides (tests)."""
    if isinstance(config, config_module.Settings):
        settings = config
    else:
        settings = config_module.from_env()
        if config:
            settings = settings.replace(**config)
            config_module.validate(settings)
    app = Flask(__name__, instance_path=str(config_module.INSTANCE), instance_relative_config=False)
    app.config.update(SECRET_KEY=settings.secret_key, JSON_AS_ASCII=False, MAX_CONTENT_LENGTH=8 * 1024 * 1024)
    app.json.ensure_ascii = False
    app.url_map.converters["int"] = BoundedInt
    app.extensions["ops"] = build_runtime(settings)
    configure_logging(settings.tz)  # business time zone and request ids on every line
    init_app(app)
    return app
