"""The "Reference hosting" panel: which way this session's reference files get a link the service
can fetch, and a Check that tests it for real (the backend's own `check()`, run by the JobManager).

Pure functions of the settings and the manager; no Gradio.
"""

from __future__ import annotations

import concurrent.futures
import html
from typing import Any

from ..errors import R2VError

DEMO_TEXT = ("The built-in emulator hosts your files (demo mode): they go to it on this machine only, "
             "and nothing leaves this computer.")


def session_target(settings: Any, session_key: str | None) -> str:
    """"demo" or "live", as the JobManager picks it for jobs started now."""
    return "live" if (session_key or not settings.demo) else "demo"


def describe(settings: Any, target: str) -> str:
    """One paragraph (HTML) naming the hosting way in use, or why there is none yet."""
    if target == "demo":
        return _box("info", "Built-in emulator", DEMO_TEXT)
    choice = (settings.hosting or "auto").lower()
    if choice == "auto":
        choice = "s3" if settings.s3_bucket else ("public" if settings.public_base_url else "")
    if choice == "emulator":
        return _box("info", "Standalone emulator",
                    f"The emulator at {settings.base_url} hosts your files (R2V_HOSTING=emulator).")
    if choice == "s3":
        where = f" at {settings.s3_endpoint}" if settings.s3_endpoint else " (AWS)"
        return _box("info", "S3-compatible bucket",
                    f"Your files are uploaded to the bucket “{settings.s3_bucket or '?'}”{where} under "
                    f"“{settings.s3_prefix}”, and the service gets a link that expires after "
                    f"{settings.s3_url_ttl_seconds // 3600} h.")
    if choice == "public":
        where = settings.public_base_url or "the share link (once it is open)"
        return _box("info", "This studio's public address",
                    f"The service fetches each file from {where} under an unguessable path that expires; "
                    "nothing else in your data folder is served.")
    if choice == "url":
        return _box("info", "Pasted links only",
                    "Every card needs a public link; files from your disk cannot be used with this setting.")
    return _box("error", "Not set up yet", no_hosting_text(settings))


def no_hosting_text(settings: Any) -> str:
    """make_host's own plain-words error when nothing is configured."""
    from ..hosting import HostingError, make_host

    try:
        make_host(settings.with_overrides(hosting="auto", s3_bucket=None, public_base_url=None),
                  emulator_url=None, emulator_key=None, cache=False)
    except HostingError as exc:
        return str(exc)
    return "No way to host references is set up."


def check_html(manager: Any, target: str) -> str:
    """Run the real check and say how it went."""
    try:
        ok = manager.check_hosting(target)
    except R2VError as exc:
        return _box("error", "✕ The check failed", str(exc) or type(exc).__name__)
    except (concurrent.futures.TimeoutError, TimeoutError):
        return _box("error", "✕ The check failed",
                    "The hosting check did not finish within a minute. Check the network and try again.")
    return _box("ok", "✓ Works", ok)


def _box(kind: str, title: str, text: str) -> str:
    return (f'<div class="hosting-note hosting-{kind}" data-kind="{kind}" role="status">'
            f'<b>{html.escape(title)}</b> — {html.escape(text)}</div>')
