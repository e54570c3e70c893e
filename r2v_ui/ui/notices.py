"""Notices the page shows about where it runs (pure functions of the settings; no Gradio)."""

from __future__ import annotations

from typing import Any

from ..messages import both, t

STORAGE_NOTICE = t("notice.storage")  # in English, for logs and tests; the page says it in both languages


def storage_notice_html(settings: Any) -> str:
    """The warning shown at the top of the page when the data folder does not survive a restart
    (a Space with no storage named for it), else "".  Drawn when the page is built, before any
    request: in both languages, the page shows its own."""
    if not getattr(settings, "data_dir_temporary", False):
        return ""
    return ('<div class="storage-notice" id="storage-notice" role="note" style="background:#fffbeb;color:#92400e;'
            'border:1px solid #fde68a;border-radius:10px;padding:8px 12px;margin:4px 0">'
            f'<b>{both("notice.storage")}</b> <small>{both("notice.storage_how")}</small></div>')
