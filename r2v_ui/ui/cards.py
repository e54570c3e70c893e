"""The five character cards: fixed slots shown or hidden (simpler for the browser than re-rendering),
each a view of one entry of the cast state (see cast.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from .. import spec
from . import cast as cast_mod


@dataclass
class CardWidgets:
    n: int
    group: gr.Column
    header: gr.HTML
    media: gr.File
    preview_image: gr.Image
    preview_video: gr.Video
    link: gr.Textbox
    use_link: gr.Button
    voice_box: gr.Accordion
    voice: gr.Audio
    verdict: gr.HTML
    insert: gr.Button
    up: gr.Button
    down: gr.Button
    remove: gr.Button

    def outputs(self) -> list[Any]:
        """The widgets `render` returns updates for, in this order."""
        return [self.group, self.header, self.media, self.preview_image, self.preview_video,
                self.link, self.voice_box, self.voice, self.verdict, self.up, self.down]


def header_html(card: cast_mod.Card, n: int) -> str:
    return (f'<div class="card-head"><span class="tag">{spec.character_tag(n)}</span>'
            f'<span class="kind">{cast_mod.kind_label(card)}</span></div>')


def make_card(n: int, visible: bool) -> CardWidgets:
    tag = spec.character_tag(n)
    with gr.Column(visible=visible, elem_id=f"card-{n}", elem_classes=["cast-card"], min_width=260) as group:
        header = gr.HTML(header_html(cast_mod.empty_card(), n), elem_id=f"card-{n}-head")
        media = gr.File(
            label=f"Picture or video of {tag}", file_types=cast_mod.MEDIA_FILE_TYPES, type="filepath",
            file_count="single",
            elem_id=f"card-{n}-file", height=120,
        )
        preview_image = gr.Image(label=f"Preview of {tag}", interactive=False, visible=False, height=220,
                                 elem_id=f"card-{n}-preview-image", buttons=[])
        preview_video = gr.Video(label=f"Preview of {tag}", interactive=False, visible=False, height=220,
                                 elem_id=f"card-{n}-preview-video", buttons=[])
        with gr.Row(equal_height=True):
            link = gr.Textbox(label=f"…or a public link for {tag}", placeholder="https://…", scale=4,
                              elem_id=f"card-{n}-link", lines=1, max_lines=1)
            use_link = gr.Button("Use link", size="sm", scale=1, min_width=70, elem_id=f"card-{n}-use-link")
        with gr.Accordion(f"Voice of {tag} (optional)", open=False, elem_id=f"card-{n}-voice-box") as voice_box:
            voice = gr.Audio(label=f"Voice clip for {tag} (MP3, WAV or FLAC, 3–30 s)",
                             sources=["upload", "microphone"], type="filepath", elem_id=f"card-{n}-voice")
        verdict = gr.HTML(cast_mod.verdict_html(cast_mod.empty_card(), n), elem_id=f"card-{n}-verdict")
        insert = gr.Button(f"Insert {tag} into the prompt", size="sm", variant="secondary", elem_id=f"card-{n}-insert")
        with gr.Row(elem_classes=["card-buttons"]):
            up = gr.Button("↑ Up", size="sm", elem_id=f"card-{n}-up", interactive=n > 1, min_width=60)
            down = gr.Button("↓ Down", size="sm", elem_id=f"card-{n}-down", min_width=60)
            remove = gr.Button("✕ Remove", size="sm", variant="stop", elem_id=f"card-{n}-remove", min_width=60)
    return CardWidgets(n, group, header, media, preview_image, preview_video, link, use_link, voice_box, voice,
                       verdict, insert, up, down, remove)


def _same(path):
    return str(path) if path else None


def render(card: cast_mod.Card | None, n: int, total: int, view=_same) -> list[Any]:
    """Updates for CardWidgets.outputs() showing `card` in slot n of a cast of `total` cards.

    `view` turns a file the card holds into the copy the browser may see (viewfiles.Viewer).  The
    upload box itself is always emptied: the card's file shows in the preview, and the box stays a
    drop zone, so a new file dropped on a filled card simply replaces the old one (a gr.File that
    holds a file offers no upload input, and drops on it are ignored)."""
    visible = card is not None and n <= total
    card = card or cast_mod.empty_card()
    path = card.get("path")
    kind = card.get("kind")
    tag = spec.character_tag(n)
    shown = view(path) if path else None
    return [
        gr.Column(visible=visible),
        header_html(card, n),
        gr.File(value=None, label=(f"Replace {'video' if kind == 'video' else 'picture'} of {tag}" if path
                                   else f"Picture or video of {tag}")),
        gr.Image(value=shown if kind == "image" else None, visible=bool(shown and kind == "image")),
        gr.Video(value=shown if kind == "video" else None, visible=bool(shown and kind == "video")),
        gr.Textbox(value=card.get("url") or card.get("link") or ""),
        gr.Accordion(open=True) if card.get("voice_verdict") else gr.skip(),
        gr.Audio(value=view(card.get("voice_path")) if card.get("voice_path") else None),
        cast_mod.verdict_html(card, n),
        gr.Button(interactive=n > 1),
        gr.Button(interactive=n < total),
    ]


def render_all(cast: list[cast_mod.Card], view=_same) -> list[Any]:
    out: list[Any] = []
    for i in range(spec.MEDIA_MAX):
        out += render(cast[i] if i < len(cast) else None, i + 1, len(cast), view)
    return out
