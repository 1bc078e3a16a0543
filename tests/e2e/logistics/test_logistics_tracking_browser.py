"""A real headless Chromium opens the tracking page at phone size and screenshots it into tests/artifacts/."""

from __future__ import annotations

import os
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image
from werkzeug.serving import make_server

from core.types import utcnow
from logistics.service import add_manual_trace
from logistics.tokens import issue_token
from orders.actor import Actor
from orders.models import Order
from orders.status import Status
from tests.integration.notices.notices_env import notice_app, seed_shop

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def chromium_or_skip() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        pytest.fail("Chromium is missing: .ci/run must `apt-get install -y chromium`")
    pytest.skip("/usr/bin/chromium not installed (apt-get install -y chromium)")


def fontconfig_with_cjk(tmp_path: Path) -> Path:
    """A fontconfig file adding the packaged Noto Sans SC, so the screenshot shows Chinese on any machine."""
    from notify.fonts import find_cjk_font

    conf = tmp_path / "fonts.conf"
    conf.write_text(f"""<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><include ignore_missing="yes">/etc/fonts/fonts.conf</include>
<dir>{find_cjk_font().parent}</dir><cachedir>{tmp_path / "fc-cache"}</cachedir></fontconfig>""")
    return conf


@pytest.fixture
def served(db_url, tmp_path):
    app = notice_app(db_url, tmp_path, logistics={"tracking_rate_limit": "1000/minute"})
    d = seed_shop(app, status=Status.IN_TRANSIT, bridge=False)
    rt = app.extensions["ops"]
    staff = Actor(name="物流员", source="api")
    with app.app_context(), rt.uow() as uow:
        order = uow.session.get(Order, d["order_id"])
        for i, (text, area) in enumerate((("顺丰速运 已收取快件", "浙江省宁波市"),
                                          ("快件已到达【杭州转运中心】", "浙江省杭州市"),
                                          ("快件已发往【上海浦东集散中心】", "浙江省杭州市"))):
            add_manual_trace(uow, rt, order, context=text, area=area, actor=staff,
                             at=utcnow().replace(microsecond=0) - timedelta(hours=6 - i))
        raw, _ = issue_token(uow.session, order.id)
        uow.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/t/{raw}", d
    server.shutdown()
    thread.join(timeout=5)
    rt.engine.dispose()


@pytest.mark.browser
def test_tracking_page_renders_on_a_phone_in_headless_chromium(served, tmp_path):
    chromium_or_skip()
    from playwright.sync_api import sync_playwright

    url, d = served
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "tracking-page-390x844.png"
    env = {**os.environ, "FONTCONFIG_FILE": str(fontconfig_with_cjk(tmp_path))}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, env=env)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
            response = page.goto(url)
            assert response.status == 200
            assert page.locator("h1").inner_text() == "订单进度"
            body = page.inner_text("body")
            assert d["order_no"] in body and "快件已发往【上海浦东集散中心】" in body
            assert page.locator(".timeline li.current .label").inner_text() == "运输中"
            # Mobile-first: nothing wider than the phone.
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            # The stylesheet loaded (the CSP allows it): the header is blue.
            assert page.evaluate("getComputedStyle(document.querySelector('.top')).backgroundColor") == \
                "rgb(24, 78, 140)"
            page.screenshot(path=str(shot))
            page.screenshot(path=str(ARTIFACTS / "tracking-page-full.png"), full_page=True)
        finally:
            browser.close()
    with Image.open(shot) as img:
        assert img.size == (390, 844)
