"""A reference as a tool is given it, resolved and checked the way the page checks a card.

A reference is (1) a public http(s) link, passed through to the service after the same check as a
link pasted on a card (the studio's `LinkGuard`: a shared studio opens no private address); (2) a
`data:` URI (base64, optionally `;name=file.png`), saved into a private work folder of the call; or
(3) the link of a file uploaded to this studio (`POST /gradio_api/upload`), used from Gradio's upload
folder only when the link names this studio and the file is one this studio's upload route issued.
No other path on the studio's disk can be named: not another instance's files in the shared cache,
not the page's served copies, not a `/gradio_api/file=` link on some other host."""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import os
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Collection
from urllib.parse import unquote

from .. import spec
from ..errors import StudioError
from ..hosting.base import extension_for, safe_filename
from ..workspace import cast as cast_mod
from ..workspace.cast import Card
from .views import ToolError

WORK_KEEP_SECONDS = 24 * 3600.0
DATA_URI_MAX_BYTES = spec.VIDEO_RULES.max_bytes  # the largest reference the service takes


@dataclass(frozen=True)
class _Ref:
    """A reference as the tools resolved it: a local file (data: URI or upload) or a link."""

    path: Path | None = None
    url: str | None = None
    name: str = ""


def new_work_folder(work_root: Path) -> Path:
    """A private folder for one call's files; folders older than a day are swept away (a job
    has copied its references into the library long before)."""
    work_root.mkdir(parents=True, exist_ok=True)
    limit = time.time() - WORK_KEEP_SECONDS
    for old in work_root.iterdir():
        with contextlib.suppress(OSError):
            if old.stat().st_mtime < limit:
                shutil.rmtree(old, ignore_errors=True)
    folder = work_root / f"{time.time():.0f}-{secrets.token_hex(6)}"
    folder.mkdir()
    return folder


LocalUpload = Callable[[str], "Path | None"]  # a link → the upload this studio issued behind it, or None


async def resolve(value: str, n: int, folder: Path, *, voice: bool = False, local: LocalUpload | None = None) -> _Ref:
    """`value` as data: a saved data: URI, this studio's own upload (`local`), or a link to check."""
    tag = spec.character_tag(n)
    text = (value or "").strip()
    if text[:5].lower() == "data:":
        return await asyncio.to_thread(_save_data_uri, text, folder / f"{n}{'-voice' if voice else ''}",
                                       f"{tag}-voice" if voice else tag)
    if text.lower().startswith(("http://", "https://")):
        uploaded = local(text) if local is not None else None
        if uploaded is not None:
            return _Ref(path=uploaded, name=uploaded.name)
        return _Ref(url=text, name=text)
    what = f"The voice clip of {tag}" if voice else f"The reference for {tag}"
    raise ToolError(
        f"{what} must be a public http(s) link, a data: URI with the file in base64, or the link of a file "
        "uploaded to this studio (POST /gradio_api/upload). Paths on the studio's disk cannot be used."
    )


async def character_card(ref: _Ref, n: int, cast: list[Card], index: int, folder: Path, *,
                         guard: Any = None) -> Card:
    """The card the page would show for this reference (the workspace's checks, as the page's handlers);
    `guard`: the studio's `hosting.LinkGuard` (without one, private addresses are refused)."""
    if ref.url:
        return await cast_mod.check_link(Card(), ref.url, n, cast, index, guard=guard)
    return await asyncio.to_thread(cast_mod.check_media, Card(), str(ref.path), n, cast, index,
                                   display_name=ref.name, work_dir=folder)


async def with_voice(card: Card, ref: _Ref, folder: Path, *, guard: Any = None) -> Card:
    if ref.path is not None:
        return await asyncio.to_thread(cast_mod.check_voice, card, str(ref.path), display_name=ref.name,
                                       work_dir=folder)
    # A voice link: the check the job itself makes before sending (the page has no voice links).
    from ..hosting import check_pasted_url

    try:
        await check_pasted_url(ref.url, "audio", guard=guard)
    except StudioError as exc:
        return cast_mod.with_voice_link(card, ref.url, refused=exc.msg)
    return cast_mod.with_voice_link(card, ref.url)


def uploaded_file(url: str, *, own: Collection[str], issued: Collection[str]) -> Path | None:
    """The local file behind a link to a file uploaded to this studio (`<own>/gradio_api/file=<path>`),
    or None.  It qualifies only when the link's address is one of this studio's (`own`: its
    "scheme://host[:port]" forms), the path is one this studio's upload route issued (`issued`: the
    Blocks' `upload_file_set`), and it is a file inside Gradio's upload folder.  Gradio's cache is
    shared by every studio on the machine and holds the page's served copies: naming a path is not
    enough.  Any other link is a link, checked and fetched like one."""
    from gradio.utils import get_upload_folder

    named = None
    for base in own:
        prefix = base.rstrip("/") + "/gradio_api/file="
        if url[:len(prefix)].lower() == prefix.lower():
            named = unquote(url[len(prefix):].split("?", 1)[0].split("#", 1)[0])
            break
    if not named or not named.startswith("/") or os.path.normpath(named) != named or named not in issued:
        return None
    try:
        candidate = Path(named).resolve()
        root = Path(get_upload_folder()).resolve()
    except OSError:
        return None
    if root not in candidate.parents or not candidate.is_file():
        return None
    return candidate


def _save_data_uri(text: str, folder: Path, default_stem: str) -> _Ref:
    """Decode `data:[type][;name=…];base64,<bytes>` into `folder`; the name is made safe (it is never
    a path).  The kind of file is told later by its content, as for an upload."""
    head, sep, payload = text.partition(",")
    params = [p.strip() for p in head[5:].split(";")]
    if not sep or "base64" not in (p.lower() for p in params[1:]):
        raise ToolError("A data: URI must carry the file in base64: data:<type>;base64,<bytes>.")
    mime = params[0].lower() if params and "=" not in params[0] else ""
    given = next((unquote(p.split("=", 1)[1]) for p in params[1:] if p.lower().startswith("name=")), "")
    payload = "".join(payload.split())
    if len(payload) * 3 // 4 > DATA_URI_MAX_BYTES:
        raise ToolError(f"The file in the data: URI is larger than any reference the service takes "
                        f"({DATA_URI_MAX_BYTES // spec.MB} MB).")
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise ToolError("The data: URI is not valid base64.") from None
    ext = extension_for(Path(default_stem), mime) if mime else ""
    name = safe_filename(given or f"{default_stem}{ext}", fallback=default_stem)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return _Ref(path=path, name=name)
