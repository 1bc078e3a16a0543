"""The bot tests' fixtures (WeCom stand-in, bot_app, factory) for the robustness tests too."""

from tests.integration.bot.conftest import bot_app, factory, make_order, rt, wecom  # noqa: F401
