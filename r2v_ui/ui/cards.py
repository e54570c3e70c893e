"""The five character cards: fixed, compact slots shown or hidden (simpler for the browser than
re-rendering), each a view of one entry of the cast state (a `workspace.cast.Card`).

A card's face is one piece of HTML: the picture or the clip's first frame filling the card (a data:
URI made once when the file is checked, so showing the cast again costs no file copy and no
hashing) with its tag over it, the file's name and the verdicts, whole.  Files come in through upload buttons that take any file, so a wrong one gets the card's
own plain verdict instead of the browser's list of MIME types."""

from __future__ import annotations

import base64
import html
import io
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from .. import prompt_names, spec
from ..messages import DEFAULT, EN, ZH, Msg, both, render_msg, t
from ..workspace import kept
from ..workspace.cast import ACCEPTED, Card
from .language import label

log = logging.getLogger(__name__)
THUMB_PX = 320  # the card's preview: about 220 px wide on a laptop, sharp on a 1.5x screen
# What the user reads (kept together so they can move to the message catalog).
NAME_LABEL = label("ui.card.name")
NAME_PLACEHOLDER = label("ui.card.name_placeholder")
SAVE_LABEL = label("ui.card.save")


@dataclass
class CardWidgets:
    n: int
    group: gr.Column
    face: gr.HTML
    media: gr.UploadButton
    voice_upload: gr.UploadButton
    more: gr.Accordion
    link: gr.Textbox
    use_link: gr.Button
    voice_record: gr.HTML  # a record button (scripts.RECORDER_JS): the WAV goes through voice_upload
    voice_clear: gr.Button
    insert: gr.Button
    up: gr.Button
    down: gr.Button
    remove: gr.Button
    character: gr.Textbox  # the character's name, written @Name in the prompt
    save: gr.Button        # "Save as character" (into the library: librarypanel.py)

    def outputs(self) -> list[Any]:
        """The widgets `render` returns updates for."""
        return [self.group, self.face, self.link, self.voice_clear, self.up, self.down, self.character, self.insert]


def make_card(n: int, visible: bool) -> CardWidgets:
    """Card n: its face (the picture or clip, large, with its name and verdict), the name box, the
    insert button, one row of icon buttons (their words are their accessible names and tooltips:
    CSS draws the icon, the head script adds the title), and "Link or recording" folded away."""
    with gr.Column(visible=visible, elem_id=f"card-{n}", elem_classes=["cast-card"], min_width=150) as group:
        face = gr.HTML(face_html(Card(), n), elem_id=f"card-{n}-face", elem_classes=["card-face-box"])
        character = gr.Textbox(label=NAME_LABEL, placeholder=NAME_PLACEHOLDER, elem_id=f"card-{n}-character",
                               lines=1, max_lines=1, elem_classes=["card-character"])
        insert = gr.Button(label(f"ui.card.insert_{n}"), size="sm", elem_id=f"card-{n}-insert",
                           elem_classes=["card-insert"])
        with gr.Row(elem_classes=["card-tools"]):
            media = gr.UploadButton(label("ui.card.upload_media"), file_count="single", type="filepath", size="sm",
                                    variant="secondary", elem_id=f"card-{n}-file",
                                    elem_classes=["card-upload", "card-tool", "tool-media"])
            voice_upload = gr.UploadButton(label("ui.card.upload_voice"), file_count="single", type="filepath",
                                           size="sm", elem_id=f"card-{n}-voice-upload",
                                           elem_classes=["card-upload", "card-tool", "tool-voice"])
            save = gr.Button(SAVE_LABEL, size="sm", elem_id=f"card-{n}-save",
                             elem_classes=["card-save", "card-tool", "tool-save"])
            # The head script gives these their full names ("Move character2 left") for screen readers.
            up = gr.Button("←", size="sm", elem_id=f"card-{n}-up", interactive=n > 1,
                           elem_classes=["card-tool", "tool-left"])
            down = gr.Button("→", size="sm", elem_id=f"card-{n}-down", elem_classes=["card-tool", "tool-right"])
            remove = gr.Button(label("ui.card.remove"), size="sm", elem_id=f"card-{n}-remove",
                               elem_classes=["card-tool", "tool-remove"])
        with gr.Accordion(label("ui.card.more"), open=False, elem_id=f"card-{n}-more",
                          elem_classes=["card-more"]) as more:
            link = gr.Textbox(label=label(f"ui.card.link_{n}"), placeholder="https://…",
                              elem_id=f"card-{n}-link", lines=1, max_lines=1)
            use_link = gr.Button(label("ui.card.use_link"), size="sm", elem_id=f"card-{n}-use-link")
            voice_record = gr.HTML(recorder_html(n), elem_id=f"card-{n}-voice-record", min_height=0)
            voice_clear = gr.Button(label("ui.card.voice_clear"), size="sm", elem_id=f"card-{n}-voice-clear",
                                    visible=False)
    return CardWidgets(n, group, face, media, voice_upload, more, link, use_link, voice_record, voice_clear,
                       insert, up, down, remove, character, save)


def recorder_html(n: int) -> str:
    """The record button of card n, in both languages (the page shows its own); its words for each
    moment are in data attributes for the script, one set per language (`data-stop` / `data-zh-stop`)."""
    tag = spec.character_tag(n)
    words = ("stop", "recording", "checking", "failed", "denied")
    data = " ".join(f'data-{prefix}{k}="{html.escape(t("card.record." + k, lang))}"'
                    for lang, prefix in ((EN, ""), (ZH, "zh-")) for k in words)
    return (f'<div class="voice-rec-box"><button type="button" class="voice-rec" data-card="{n}" aria-pressed="false" '
            f'{data}>{both("card.record", tag=tag)}</button>'
            f'<div class="voice-rec-status" id="card-{n}-rec-status" role="status"></div></div>')


def face_html(card: Card, n: int, lang: str | None = None, rev: int | None = None) -> str:
    """Card n's face in `lang`; None: before any request is known (the first render), in both.
    `rev`: the revision of the session's cast it shows (context.SessionCasts), for the page's check
    that an older result never stays drawn over a newer one (castpanel.STALE_JS).

    The picture or the clip's first frame fills the card (an empty card: a drop zone), the tag and
    @Name over it; under it the file's name, the voice, and the verdicts whole, never clamped."""
    tag = spec.character_tag(n)
    kind = card.kind
    thumb = card.thumb
    name = card.name or ""
    what = "video" if kind == "video" else "picture"

    def say(key: str, **params) -> str:
        return both(key, **params) if lang is None else html.escape(t(key, lang, **params))

    over = f'<span class="tag">{tag}</span>' + (
        f'<span class="card-at">@{html.escape(card.character)}</span>' if card.character else "")
    if thumb:
        alt = t(f"card.alt.{what}", lang or EN, tag=tag, name=name)
        pic = f'<img src="{html.escape(thumb)}" alt="{html.escape(alt)}">'
        if card.is_video and card.video_seconds:
            pic += f'<span class="thumb-badge">▶ {float(card.video_seconds):.1f} s</span>'
        preview = f'<div class="thumb card-preview">{pic}{over}</div>'
    elif card.url:
        preview = f'<div class="thumb card-preview thumb-link"><span>{say(f"card.link.{what}")}</span>{over}</div>'
    else:
        preview = (f'<div class="thumb card-preview thumb-empty" data-card="{n}"><span class="drop-icon"></span>'
                   f'<span>{say("card.no_media")}</span><span class="drop-say">{say("card.drop_here")}</span>'
                   f'{over}</div>')
    caption = ""
    if name or kind in ("image", "video"):
        caption = ('<div class="card-caption">'
                   + (f'<span class="card-name" title="{html.escape(name)}">{html.escape(name)}</span>' if name else "")
                   + (f'<span class="kind">{say("card.kind." + kind)}</span>' if kind in ("image", "video") else "")
                   + '</div>')
    voice = ""
    if card.has_voice:  # one line: an accepted voice's verdict is its ✓ here (a fixed or refused one adds its row)
        voice_name = card.voice_name
        said = say("card.voice", name=voice_name) if voice_name else say("card.voice_unnamed")
        accepted = card.voice_verdict == ACCEPTED
        why = f' title="{html.escape(render_msg(card.voice_message, lang or EN))}"' if accepted and card.voice_message else ""
        voice = f'<div class="card-voice"{why}>{"✓ " if accepted else ""}{said}</div>'

    filled = "1" if card.has_media else "0"
    stamp = f' data-rev="{int(rev)}"' if rev is not None else ""
    return (f'<div class="card-face" data-verdict="{html.escape(card.verdict or "empty")}" data-filled="{filled}"'
            f' data-card="{n}"{stamp}>{preview}{caption}{voice}' + verdict_html(card, n, lang)
            + "".join(_kept_row(note, lang) for note in kept.notes(card)) + '</div>')


def _kept_row(note: Any, lang: str | None) -> str:
    """A file the card did not take, and why (it kept the one it had: workspace/kept.py)."""
    lang = lang or EN
    return (f'<div class="verdict verdict-refused verdict-kept" role="status">'
            f'<span class="verdict-label">✕ {html.escape(t("verdict.refused", lang))}</span> '
            f'<span class="verdict-text">{html.escape(render_msg(note, lang))}</span></div>')


def with_thumb(card: Card) -> Card:
    """The card with its thumbnail (made once, when its file was checked)."""
    path = card.path
    if not path or card.thumb_of == path:
        return card if path else card.with_thumb(None, None)
    return card.with_thumb(_thumbnail(Path(path), card.kind), path)


def _thumbnail(path: Path, kind: str | None) -> str | None:
    try:
        from PIL import Image

        if kind == "video":
            import av

            with av.open(str(path)) as container:
                img = next(container.decode(video=0)).to_image().convert("RGB")
            img.thumbnail((THUMB_PX, THUMB_PX))
        else:
            from ..media import picture_pixels
            from ..media.decode_budget import process_budget, thumbnail_bytes

            with Image.open(path) as src:
                src.draft("RGB", (THUMB_PX, THUMB_PX))  # JPEGs decode at a reduced scale
                # the process-wide picture memory budget, for the decode and every copy the thumbnail makes
                with process_budget().hold(thumbnail_bytes(*src.size, THUMB_PX)):
                    src.load()
                    img = picture_pixels.thumbnail(src, (THUMB_PX, THUMB_PX))
                    src.close()  # its pixels are freed while the budget still counts them
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=78)
        return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
    except Exception as exc:  # a card without a thumbnail is still a card
        log.info("no thumbnail for %s: %s", path.name, exc)
        return None


def render(card: Card | None, n: int, total: int, lang: str | None = None, rev: int | None = None) -> list[Any]:
    """Updates for CardWidgets.outputs() showing `card` in slot n of a cast of `total` cards (of revision `rev`)."""
    visible = card is not None and n <= total
    card = card or Card()
    return [
        gr.Column(visible=visible),
        face_html(card, n, lang, rev),
        gr.Textbox(value=card.shown_link),
        gr.Button(visible=card.has_voice),
        gr.Button(interactive=n > 1),
        gr.Button(interactive=n < total),
        gr.Textbox(value=card.character or ""),
        insert_button(card, n, lang),
    ]


def insert_button(card: Card, n: int, lang: str | None = None) -> gr.Button:
    """"Insert @Mira" on a card with a usable name, else "Insert character<n>" (what the click inserts);
    in `lang`, or (None: no request known) a label the browser translates."""
    name = card.character or ""
    usable = name and prompt_names.name_problem(name) is None
    if not usable:
        return gr.Button(value=label(f"ui.card.insert_{n}"))
    return gr.Button(value=t("card.insert", lang or EN, what=f"@{name}"))


def render_all(cast: list[Card], lang: str | None = None, rev: int | None = None) -> list[Any]:
    out: list[Any] = []
    for i in range(spec.MEDIA_MAX):
        out += render(cast[i] if i < len(cast) else None, i + 1, len(cast), lang, rev)
    return out


_VERDICT_ICON = {"accepted": "✓", "fixed": "✎", "refused": "✕"}


def verdict_html(card: Card, n: int, lang: str | None = DEFAULT) -> str:
    """The verdict box on card n: one line for the picture/video, one for a voice that was fixed or
    refused (an accepted one is said once, by the card's voice line) (in `lang`; None: an empty card
    drawn before any request is known, in both languages)."""
    rows: list[str] = []
    if card.verdict:
        rows.append(_verdict_row(card.verdict, card.message or "", lang or DEFAULT))
    else:
        tag = spec.character_tag(n)
        said = both("cast.add_media", tag=tag) if lang is None else html.escape(t("cast.add_media", lang, tag=tag))
        rows.append(f'<div class="verdict verdict-empty">{said}</div>')
    if card.voice_verdict and card.voice_verdict != ACCEPTED:  # an accepted voice: its ✓ on the voice line
        rows.append(_verdict_row(card.voice_verdict, card.voice_message or "", lang or DEFAULT, voice=True))
    return "".join(rows)


def _verdict_row(verdict: str, message: Msg | str, lang: str, voice: bool = False) -> str:
    icon = _VERDICT_ICON.get(verdict, "•")
    head = t(f"verdict.{verdict}", lang) if verdict in _VERDICT_ICON else verdict.title()
    if voice:
        head = t("verdict.voice", lang, verdict=head)
    return (f'<div class="verdict verdict-{html.escape(verdict)}" role="status">'
            f'<span class="verdict-label">{icon} {html.escape(head)}</span> '
            f'<span class="verdict-text">{html.escape(render_msg(message, lang))}</span></div>')
