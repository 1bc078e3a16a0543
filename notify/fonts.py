"""Find a font that really draws Chinese, or say clearly how to get one.

Order of search: an explicit path (OPS_CJK_FONT, i.e. settings.notify.cjk_font, passed in), the
Noto Sans SC shipped by the PyPI package `pylopdf-fonts-zh-cn` (a project dependency, so a
fresh `make run` has it), then the system's fonts (fontconfig, then well-known paths of
Noto CJK / Source Han / WenQuanYi). A candidate counts only when it draws 中 with a glyph
of its own, never the missing-glyph box.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFont

ENV_VAR = "OPS_CJK_FONT"
PROBE = "中订单"
SYSTEM_PATHS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/adobe-source-han-sans/SourceHanSansCN-Regular.otf",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
)


class CjkFontMissing(RuntimeError):
    """No font on this machine can draw Chinese; the message says how to fix it."""


MISSING_TEXT = (
    "找不到可显示中文的字体，无法生成发货通知图片。请执行 `.venv/bin/pip install pylopdf-fonts-zh-cn`"
    "（项目依赖，`make run` 会自动安装），或安装系统字体 `apt-get install fonts-noto-cjk`，"
    f"或用环境变量 {ENV_VAR}=/path/to/font.otf 指定字体文件。"
)


def draws_glyph(font: ImageFont.FreeTypeFont, char: str) -> bool:
    """True when `font` draws `char` with ink that differs from its missing-glyph box."""
    probe = _render(font, char)
    if probe.getbbox() is None:
        return False
    # U+10FFFD is a private-use code point no font maps: it shows the missing-glyph box.
    box = _render(font, "\U0010fffd")
    return ImageChops.difference(probe, box).getbbox() is not None


def _render(font: ImageFont.FreeTypeFont | ImageFont.ImageFont, text: str) -> Image.Image:
    img = Image.new("L", (96 * max(1, len(text)), 96), 0)
    ImageDraw.Draw(img).text((4, 4), text, font=font, fill=255)
    return img


def is_cjk_font(path: str | Path) -> bool:
    """True when the font file at `path` loads and draws every probe character."""
    try:
        font = ImageFont.truetype(str(path), 48)
    except OSError:
        return False
    return all(draws_glyph(font, ch) for ch in PROBE)


def _packaged() -> list[Path]:
    try:
        import pylopdf_fonts_zh_cn
    except ImportError:
        return []
    return [Path(pylopdf_fonts_zh_cn.sans_path())]


def _fontconfig() -> list[Path]:
    if not shutil.which("fc-list"):
        return []
    try:
        out = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    files = [line.split(":")[0].strip() for line in out.splitlines() if line.strip()]
    # Sans (hei) faces read best on a phone; prefer them, then anything else.
    files.sort(key=lambda f: (0 if "Sans" in f or "hei" in f.lower() else 1, f))
    return [Path(f) for f in files]


def candidates(explicit: str | None = None) -> list[Path]:
    """Font files to try, best first."""
    found: list[Path] = []
    if explicit:
        found.append(Path(explicit))
    found += _packaged() + _fontconfig() + [Path(p) for p in SYSTEM_PATHS]
    return found


@functools.lru_cache(maxsize=8)
def find_cjk_font(explicit: str | None = None) -> Path:
    """The first candidate that truly draws Chinese, or CjkFontMissing."""
    for path in candidates(explicit):
        if path.is_file() and is_cjk_font(path):
            return path
    raise CjkFontMissing(MISSING_TEXT)


@functools.lru_cache(maxsize=64)
def load_font(size: int, explicit: str | None = None) -> ImageFont.FreeTypeFont:
    """The CJK font at a pixel size (cached)."""
    return ImageFont.truetype(str(find_cjk_font(explicit)), size)
