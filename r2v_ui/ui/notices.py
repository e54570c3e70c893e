"""Notices the page shows about where it runs (pure functions of the settings; no Gradio)."""

from __future__ import annotations

import html
from typing import Any

STORAGE_NOTICE = "Videos here are lost when the Space restarts: download them, or attach storage."
STORAGE_HOW = ("To keep them: attach storage to this Space in its settings, then set the variable R2V_DATA_DIR "
               "to a folder on it.")


def storage_notice_html(settings: Any) -> str:
    """The warning shown at the top of the page when the data folder does not survive a restart
    (a Space with no storage named for it), else ""."""
    if not getattr(settings, "data_dir_temporary", False):
        return ""
    return ('<div class="storage-notice" id="storage-notice" role="note" style="background:#fffbeb;color:#92400e;'
            'border:1px solid #fde68a;border-radius:10px;padding:8px 12px;margin:4px 0">'
            f'<b>{html.escape(STORAGE_NOTICE)}</b> <small>{html.escape(STORAGE_HOW)}</small></div>')
