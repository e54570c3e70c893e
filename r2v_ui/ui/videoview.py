"""Result videos as plain `<video>` elements in an HTML widget (`render`), not `gr.Video` players.

Why: `gr.Video` pulls a 150 KB player bundle (with hls.js) into every page load, for players that
are hidden until a job ends; the browser's own `<video>` plays an MP4 as well, and compare needs
several plain elements it can drive in step (scripts.py).  Files still go out only as the
viewer's links (viewfiles.py: a stable, keyed path inside Gradio's cache, so nothing is copied or
hashed again); `move_resource_to_block_cache` registers that path with the block, and Gradio serves
it at `gradio_api/file=…` (a relative URL, so a root path or a Space's prefix works)."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any
from urllib.parse import quote

import gradio as gr

from .viewfiles import View


def render(elem_id: str) -> gr.HTML:
    """A place for one player (`player_html`): the result's video, History's, a cell of Compare."""
    return gr.HTML("", elem_id=elem_id, min_height=0)


def served_url(block: Any, view: View, path: Path | str | None, name: str | None = None) -> str | None:
    """A URL the browser may fetch for `path` (a library file), or None when there is no file;
    `name`: the name it is served and downloaded under (a result video's filing name)."""
    copy = (view(path, name) if name else view(path)) if path else None
    if not copy:
        return None
    cached = block.move_resource_to_block_cache(copy)
    return "gradio_api/file=" + quote(str(cached), safe="/")


def player_html(url: str | None, *, label: str, poster: str | None = None, autoplay: bool = False,
                controls: bool = True, css_class: str = "r2v-player", focusable: bool = False) -> str:
    """One `<video>`; muted when it starts on its own (browsers allow only that), looping;
    `focusable`: reached with Tab when it has no controls of its own (a take that plays on Enter)."""
    if not url:
        return ""
    attrs = [f'class="{css_class}"', f'src="{html.escape(url)}"', 'playsinline', 'loop', 'preload="metadata"',
             f'aria-label="{html.escape(label)}"']
    if poster:
        attrs.append(f'poster="{html.escape(poster)}"')
    if controls:
        attrs.append("controls")
    elif focusable:
        attrs.append('tabindex="0"')
    if autoplay:
        attrs += ["autoplay", "muted"]
    return f"<video {' '.join(attrs)}></video>"

