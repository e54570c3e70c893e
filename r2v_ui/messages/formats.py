"""Quantities the way each language writes them (the units differ; the digits and grouping of
English and Simplified Chinese are the same, so CLDR data is not needed for them)."""

from __future__ import annotations

from . import ZH, language

KB = 1024
MB = 1024 * KB
GB = 1024 * MB


def duration(s: float, lang: str | None) -> str:
    """A wait in words: "45 s", "12 min", "2.5 h" / "45 秒", "12 分钟", "2.5 小时"."""
    zh = language(lang) == ZH
    if s < 120:
        return f"{s:.0f} 秒" if zh else f"{s:.0f} s"
    if s < 7200:
        return f"{s / 60:.0f} 分钟" if zh else f"{s / 60:.0f} min"
    return f"{s / 3600:.1f} 小时" if zh else f"{s / 3600:.1f} h"


def file_size(n: int, lang: str | None) -> str:
    """A file's size in the unit that fits it: "512 bytes", "3.4 KB", "412 KB", "9.6 MB" / "512 字节" ….
    A whole number of units is written whole ("10 MB", as limits are); a size that is not, but would
    read as whole with one decimal, gets more ("10.04 MB"), so it never looks like the limit."""
    n = max(0, int(n))
    if n < KB:
        if language(lang) == ZH:
            return f"{n} 字节"
        return "1 byte" if n == 1 else f"{n} bytes"
    unit, size = ("GB", GB) if n >= GB else ("MB", MB) if n >= MB else ("KB", KB)
    value = n / size
    if unit == "KB" and round(value) >= 1024:
        return "1 MB"  # 1023.9 KB would read as 1024 KB
    if n % size == 0:
        return f"{n // size} {unit}"
    if unit == "KB" and value >= 10:
        return f"{value:.0f} KB"
    for digits in (1, 2, 3):
        text = f"{value:.{digits}f}"
        if text.rstrip("0") != text.split(".")[0] + ".":
            return f"{text} {unit}"
    return f"{value:.1f} {unit}"


def day_time(ts: float, lang: str | None) -> str:
    """A moment in a list (local time): "25 Nov 21:10" / "11月25日 21:10"."""
    import time

    at = time.localtime(ts)
    if language(lang) == ZH:
        return f"{at.tm_mon}月{at.tm_mday}日 {at.tm_hour:02d}:{at.tm_min:02d}"
    return time.strftime("%d %b %H:%M", at)


def moment(ts: float | None, lang: str | None) -> str:
    """A moment in full (local time): "2026-11-25 21:10:05" / "2026年11月25日 21:10:05"; "—" for none."""
    import time

    if not ts:
        return "—"
    at = time.localtime(ts)
    if language(lang) == ZH:
        return f"{at.tm_year}年{at.tm_mon}月{at.tm_mday}日 {time.strftime('%H:%M:%S', at)}"
    return time.strftime("%Y-%m-%d %H:%M:%S", at)
