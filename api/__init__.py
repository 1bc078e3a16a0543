"""JSON API for integrations (ERP, MES, scripts): bearer tokens, OpenAPI 3 from flask-smorest."""

from __future__ import annotations

from collections.abc import Sequence

from flask import Flask
from flask_smorest import Api


def init_app(app: Flask, blueprints: Sequence = ()) -> Api:
    """Register the order API, the features' API `blueprints`, the OpenAPI document and JSON errors."""
    from api import errors, master, orders

    app.config.update(
        API_TITLE="Order Hub API",
        API_VERSION="1.0",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearer": []}],
            "info": {"description": "订单中枢 API。令牌由 `ops create-token NAME --role ROLE` 创建。"},
        },
    )
    api = Api(app)
    api.register_blueprint(orders.blp)
    api.register_blueprint(master.blp)
    for blp in blueprints:
        api.register_blueprint(blp)
    errors.init_app(app)
    app.extensions["ops_api"] = api
    return api

