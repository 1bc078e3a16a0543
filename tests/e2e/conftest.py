"""Shared fixtures of the browser tests: one headless Debian Chromium per test module."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def browser():
    from playwright import sync_api

    from tests.e2e.web.server import CHROMIUM, CHROMIUM_ARGS

    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
