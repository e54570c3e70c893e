"""Quantities the way each language writes them (the units differ; the digits and grouping of
English and Simplified Chinese are the same, so CLDR data is not needed for them)."""

from __future__ import annotations

from . import ZH, language


def duration(s: float, lang: str | None) -> str:
    """A wait in words: "45 s", "12 min", "2.5 h" / "45 秒", "12 分钟", "2.5 小时"."""
    zh = language(lang) == ZH
    if s < 120:
        return f"{s:.0f} 秒" if zh else f"{s:.0f} s"
    if s < 7200:
        return f"{s / 60:.0f} 分钟" if zh else f"{s / 60:.0f} min"
    return f"{s / 3600:.1f} 小时" if zh else f"{s / 3600:.1f} h"
