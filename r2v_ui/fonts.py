"""Fonts for text drawn into pictures (the emulator's captions, the example cast's name tags).

Fonts with Chinese glyphs first (Debian's fonts-wqy-microhei, which the README installs; Noto CJK
if present), then a Latin one.  Without a CJK font Chinese text would draw as empty boxes: whoever
draws it says so once in the log, naming the package to install.
"""

from __future__ import annotations

import functools
import logging
import os
import re

from PIL import ImageFont

CJK_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
)
FONT_CANDIDATES = CJK_FONTS + ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",)
CJK_FONT_PACKAGE = "fonts-wqy-microhei"
CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")
log = logging.getLogger(__name__)


def font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    """The first installed candidate at `size` (Chinese glyphs when a CJK font is there)."""
    for candidate in FONT_CANDIDATES:
        if os.path.exists(candidate):
            try:
                return ImageFont.truetype(candidate, size)
            except OSError:
                continue
    return ImageFont.load_default(size=size)


@functools.cache
def has_cjk_font() -> bool:
    return any(os.path.exists(p) for p in CJK_FONTS)


def warn_once_without_cjk(text: str, what: str = "The preview caption") -> None:
    """Log once that `text` (drawn as `what`) has Chinese in it and will show as boxes, if no CJK font."""
    if CJK.search(text) and not has_cjk_font() and not getattr(warn_once_without_cjk, "said", False):
        warn_once_without_cjk.said = True
        log.warning("%s has Chinese text but no Chinese font is installed, so it shows as empty boxes; install "
                    "the Debian package %s (see the README).", what, CJK_FONT_PACKAGE)
