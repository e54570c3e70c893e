"""Numbers, sizes, durations, dates and prices the way each language writes them.

Two languages with the same digits and grouping do not need CLDR (Babel's data is 30 MB): what
differs is the unit spacing, the date order and the words, kept here in one place."""

from __future__ import annotations

import time

from . import ZH, language

MB = 1024 * 1024


def number(n: float, lang: str | None, digits: int = 0) -> str:
    return f"{n:,.{digits}f}"


def megabytes(n: int, lang: str | None = None) -> str:
    return f"{n / MB:.1f} MB"


def limit_megabytes(n: int, lang: str | None = None) -> str:
    return f"{n // MB} MB" if n % MB == 0 else megabytes(n)


def seconds(s: float, lang: str | None, digits: int = 0) -> str:
    value = f"{s:.{digits}f}"
    return f"{value} 秒" if language(lang) == ZH else f"{value} s"


def duration(s: float, lang: str | None) -> str:
    """A wait in words: "45 s", "12 min", "2.5 h" / "45 秒", "12 分钟", "2.5 小时"."""
    zh = language(lang) == ZH
    if s < 120:
        return f"{s:.0f} 秒" if zh else f"{s:.0f} s"
    if s < 7200:
        return f"{s / 60:.0f} 分钟" if zh else f"{s / 60:.0f} min"
    return f"{s / 3600:.1f} 小时" if zh else f"{s / 3600:.1f} h"


def usd(amount: float, lang: str | None) -> str:
    """A price in US dollars: "$0.75" / "0.75 美元"."""
    return f"{amount:.2f} 美元" if language(lang) == ZH else f"${amount:.2f}"


def day_time(ts: float, lang: str | None) -> str:
    """A job's date in a list: "25 Nov 21:10" / "11月25日 21:10"."""
    t = time.localtime(ts)
    if language(lang) == ZH:
        return f"{t.tm_mon}月{t.tm_mday}日 {t.tm_hour:02d}:{t.tm_min:02d}"
    return time.strftime("%d %b %H:%M", t)


def full_time(ts: float | None, lang: str | None) -> str:
    if not ts:
        return "—"
    t = time.localtime(ts)
    if language(lang) == ZH:
        return f"{t.tm_year}年{t.tm_mon}月{t.tm_mday}日 {t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}"
    return time.strftime("%Y-%m-%d %H:%M:%S", t)


def clock(ts: float) -> str:
    return time.strftime("%H:%M", time.localtime(ts))
