"""README's configuration table is the one `config.Settings` generates, and names exactly its variables."""

from __future__ import annotations

import re
from pathlib import Path

from config import ENV_NAMES, markdown_table

README = Path(__file__).resolve().parents[2] / "README.md"


def configuration_section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("\n## Configuration\n")
    end = text.index("\n## ", start + 1)
    return text[start:end]


def test_readme_holds_the_generated_table():
    assert markdown_table() in configuration_section(), "run `python config.py` and paste its table into README"


def test_every_variable_in_readme_tables_is_a_setting_and_vice_versa():
    rows = [line for line in configuration_section().splitlines() if line.startswith("| `")]
    in_readme = {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1])}
    assert in_readme == set(ENV_NAMES.values())
