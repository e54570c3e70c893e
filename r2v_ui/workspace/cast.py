"""The cast: up to five character cards, as plain data kept in one `gr.State` per browser session.

A card is a small dict (so Gradio can copy it per session) and every operation here is a pure
function returning a new list; nothing in this module imports Gradio.  Card n is `character<n>`:
its position *is* its tag, so moving a card renames it, exactly as the service will read it.
"""

from __future__ import annotations

import html
import tempfile
from pathlib import Path
from typing import Any, Callable

from .. import prompt_names, spec
from ..messages import DEFAULT, Msg, both, msg, render, t

Card = dict[str, Any]
Prober = Callable[..., Any]  # media.probe(path, kind, *, display_name=, work_dir=) -> MediaReport

VIDEO_EXTENSIONS = spec.VIDEO_RULES.extensions
IMAGE_EXTENSIONS = spec.IMAGE_RULES.extensions
AUDIO_EXTENSIONS = spec.AUDIO_RULES.extensions
MEDIA_FILE_TYPES = list(IMAGE_EXTENSIONS + VIDEO_EXTENSIONS)
VOICE_FILE_TYPES = list(AUDIO_EXTENSIONS)


def empty_card() -> Card:
    return {
        "kind": None,            # "image" | "video" | None
        "path": None,            # the file the job will use (the original or media.py's repaired copy)
        "url": None,             # or a pasted public link (once accepted)
        "link": None,            # the text pasted, kept in the box even when refused
        "name": "",              # what the user called it (file name), for messages and history
        "character": "",         # the character's name, written @Name in the prompt (prompt_names.py)
        "verdict": None,         # "accepted" | "fixed" | "refused" | None
        "message": "",
        "video_seconds": None,   # for the price estimate
        "content_type": None,    # what media.probe read from the content: the upload's type
        "voice_path": None,
        "voice_url": None,
        "voice_name": "",
        "voice_verdict": None,
        "voice_message": "",
        "voice_content_type": None,
    }


def new_cast() -> list[Card]:
    return [empty_card()]


def with_character(card: Card, name: str | None) -> Card:
    """The card with the character name typed on it (@Name in the prompt); checked by `problems`."""
    return dict(card, character=prompt_names.clean_name(name))


def character_names(cast: list[Card]) -> list[str]:
    """Each filled card's character name, in card order: what `@Name` resolves against."""
    return [c.get("character") or "" for c in filled(cast)]


def has_media(card: Card) -> bool:
    return bool(card.get("path") or card.get("url"))


def video_count(cast: list[Card], *, except_index: int | None = None) -> int:
    return sum(1 for i, c in enumerate(cast) if i != except_index and has_media(c) and c.get("kind") == "video")


def can_add(cast: list[Card]) -> bool:
    return len(cast) < spec.MEDIA_MAX


def add_card(cast: list[Card]) -> list[Card]:
    return [*cast, empty_card()] if can_add(cast) else list(cast)


def remove_card(cast: list[Card], index: int) -> list[Card]:
    out = [c for i, c in enumerate(cast) if i != index]
    return out or new_cast()  # the page always shows at least one card to fill


def move_card(cast: list[Card], index: int, step: int) -> list[Card]:
    j = index + step
    if not (0 <= index < len(cast) and 0 <= j < len(cast)):
        return list(cast)
    out = list(cast)
    out[index], out[j] = out[j], out[index]
    return out


def replace_card(cast: list[Card], index: int, card: Card) -> list[Card]:
    out = list(cast)
    while len(out) <= index:
        out.append(empty_card())
    out[index] = card
    return out


def kind_from_name(name: str) -> str | None:
    suffix = Path(name or "").suffix.lower()
    if suffix in VIDEO_EXTENSIONS:
        return "video"
    if suffix in IMAGE_EXTENSIONS:
        return "image"
    if suffix in AUDIO_EXTENSIONS:
        return "audio"
    return None


def checked_dir() -> Path:
    """Where media.py writes repaired copies: under the system temp dir, which Gradio may serve back
    as previews; the job manager keeps its own copy of every reference by content hash."""
    d = Path(tempfile.gettempdir()) / "r2v-studio-checked"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _dir(work_dir: Path | None) -> Path:
    if work_dir is None:
        return checked_dir()
    Path(work_dir).mkdir(parents=True, exist_ok=True)
    return Path(work_dir)


def default_prober(path: Path, kind: str | None = None, **kw: Any) -> Any:
    from .. import media  # imported when first needed: the page can be built before media.py loads

    return media.probe(path, kind, **kw)


def check_media(card: Card, upload: str, n: int, cast: list[Card], index: int,
                probe: Prober = default_prober, display_name: str | None = None,
                work_dir: Path | None = None) -> Card:
    """A card after a picture or video was dropped on it: checked at once, verdict on the card."""
    name = display_name or Path(upload).name
    card = dict(card, url=None, link=None, name=name)
    try:
        report = probe(Path(upload), None, display_name=name, work_dir=_dir(work_dir))
    except Exception as exc:  # a probe that crashes must still leave a readable card
        return dict(card, kind=None, path=None, verdict="refused",
                    message=msg("cast.unreadable", name=name, kind=type(exc).__name__))
    kind = report.kind
    if kind == "audio":
        return dict(card, kind=None, path=None, verdict="refused",
                    message=msg("cast.sound_in_media", name=name))
    if kind == "video" and video_count(cast, except_index=index) >= spec.VIDEOS_MAX:
        return dict(card, kind=None, path=None, verdict="refused",
                    message=msg("cast.too_many_videos", name=name, max=spec.VIDEOS_MAX, tag=f"character{n}"))
    ok = report.verdict != "refused"
    return dict(card, kind=kind if ok else None, path=str(report.path) if ok else None,
                verdict=report.verdict, message=report.msg, content_type=report.content_type if ok else None,
                video_seconds=report.duration if kind == "video" else None)


def check_voice(card: Card, upload: str, probe: Prober = default_prober, display_name: str | None = None,
                work_dir: Path | None = None) -> Card:
    name = display_name or Path(upload).name
    try:
        report = probe(Path(upload), "audio", display_name=name, work_dir=_dir(work_dir))
    except Exception as exc:
        return dict(card, voice_path=None, voice_url=None, voice_name=name, voice_verdict="refused",
                    voice_message=msg("cast.voice_unreadable", name=name, kind=type(exc).__name__))
    ok = report.verdict != "refused"
    return dict(card, voice_path=str(report.path) if ok else None, voice_url=None, voice_name=name,
                voice_verdict=report.verdict, voice_message=report.msg,
                voice_content_type=report.content_type if ok else None)


def clear_media(card: Card) -> Card:
    keep = {k: card.get(k) for k in ("voice_path", "voice_url", "voice_name", "voice_verdict", "voice_message",
                                     "voice_content_type", "character")}
    return empty_card() | keep


def clear_voice(card: Card) -> Card:
    return dict(card, voice_path=None, voice_url=None, voice_name="", voice_verdict=None, voice_message="")


def with_link(card: Card, url: str, n: int, cast: list[Card], index: int) -> Card:
    """A pasted public link: its kind is read from the address; the job checks it can be fetched."""
    url = (url or "").strip()
    if not url:
        return clear_media(card) if card.get("url") else card
    if not url.lower().startswith(("http://", "https://")):
        return dict(card, kind=None, path=None, url=None, name=url, link=url, verdict="refused",
                    message=msg("cast.link.not_web"))
    kind = kind_from_name(url.split("?")[0]) or "image"
    if kind == "audio":
        return dict(card, kind=None, path=None, url=None, name=url, verdict="refused",
                    message=msg("cast.link.sound"))
    if kind == "video" and video_count(cast, except_index=index) >= spec.VIDEOS_MAX:
        return dict(card, kind=None, path=None, url=None, name=url, verdict="refused",
                    message=_too_many_videos(n))
    return dict(card, kind=kind, path=None, url=url, name=url.rsplit("/", 1)[-1][:80] or url,
                verdict="accepted", video_seconds=None,
                message=msg("cast.link.unchecked", what=_word(kind)))


async def check_link(card: Card, url: str, n: int, cast: list[Card], index: int, checker: Any = None,
                     *, guard: Any = None) -> Card:
    """A pasted link, checked at once the way the job will check it (`hosting.check_pasted_url`:
    reachable, a type and a size the service allows), with the verdict on the card.  A link whose
    address does not say its kind is tried as a picture, then as a video.  The job checks it again
    before anything is sent.  `guard`: the studio's `hosting.LinkGuard` (where links may lead);
    without one, private addresses are refused."""
    card = with_link(card, url, n, cast, index)
    if card.get("verdict") != "accepted" or not card.get("url"):
        return card
    if checker is None:
        from ..hosting import check_pasted_url as checker
    from ..errors import StudioError

    link = card["url"]
    named = kind_from_name(link.split("?")[0])
    kinds = [named] if named in ("image", "video") else ["image", "video"]
    first_error: Msg | None = None
    for kind in kinds:
        try:
            await checker(link, kind, guard=guard)
        except StudioError as exc:
            first_error = first_error or exc.msg
            continue
        if kind == "video" and video_count(cast, except_index=index) >= spec.VIDEOS_MAX:
            return dict(card, kind=None, url=None, link=link, verdict="refused",
                        message=_too_many_videos(n))
        return dict(card, kind=kind, link=link, verdict="accepted", message=msg("cast.link.checked", what=_word(kind)))
    return dict(card, kind=None, path=None, url=None, link=link, verdict="refused",
                message=first_error or msg("cast.link.unusable"))


def _word(kind: str | None) -> Msg:
    return msg("hosting.word.video" if kind == "video" else "hosting.word.image")


def _too_many_videos(n: int) -> Msg:
    return msg("cast.link.too_many_videos", max=spec.VIDEOS_MAX, tag=spec.character_tag(n))


def problem_msgs(cast: list[Card]) -> list[Msg]:
    """What stops Generate, as Msgs: refused files, and empty cards between filled ones."""
    out: list[Msg] = []
    last_filled = max((i for i, c in enumerate(cast) if has_media(c)), default=-1)
    for i, c in enumerate(cast):
        tag = spec.character_tag(i + 1)
        if not has_media(c) and c.get("verdict") == "refused":  # say what really happened to it
            out.append(msg("cast.problem.refused", tag=tag, message=c.get("message") or ""))
        elif not has_media(c) and i < last_filled:
            out.append(msg("cast.problem.gap", tag=tag))
        if c.get("voice_verdict") == "refused" and has_media(c):
            out.append(msg("cast.problem.voice_refused", tag=tag, message=c.get("voice_message") or ""))
        name_problem = prompt_names.name_problem(c.get("character"))
        if name_problem and has_media(c):
            out.append(msg("cast.problem.name", tag=tag, message=name_problem))
    if last_filled < 0:
        out.append(msg("cast.problem.empty"))
    return out


def problems(cast: list[Card], lang: str | None = DEFAULT) -> list[str]:
    """What stops Generate, in plain words in `lang` (English unless told)."""
    return [render(m, lang) for m in problem_msgs(cast)]


def filled(cast: list[Card]) -> list[Card]:
    """The cards that go into the job: trailing empty cards are ignored."""
    last = max((i for i, c in enumerate(cast) if has_media(c)), default=-1)
    return list(cast[: last + 1])


def reference_video_seconds(cast: list[Card]) -> list[float]:
    """Seconds of each reference video, for the price range (a pasted video link counts as the cap)."""
    out: list[float] = []
    for c in filled(cast):
        if c.get("kind") == "video":
            secs = c.get("video_seconds")
            out.append(float(secs) if secs else spec.REFERENCE_VIDEO_BILLED_CAP_S)
    return out


def to_references(cast: list[Card]) -> tuple[Any, ...]:
    from ..jobs import ReferenceInput

    refs = []
    for c in filled(cast):
        refs.append(ReferenceInput(
            kind=c.get("kind") or "image",
            path=Path(c["path"]) if c.get("path") else None,
            url=c.get("url") or None,
            voice_path=Path(c["voice_path"]) if c.get("voice_path") else None,
            voice_url=c.get("voice_url") or None,
            name=c.get("name") or "",
            voice_name=c.get("voice_name") or "",
            duration=c.get("video_seconds") if c.get("kind") == "video" else None,
            content_type=c.get("content_type") if c.get("path") else None,
            voice_content_type=c.get("voice_content_type") if c.get("voice_path") else None,
            character=prompt_names.clean_name(c.get("character")),
        ))
    return tuple(refs)


def from_references(references: Any, note: Msg | None = None) -> list[Card]:
    """Cards rebuilt from a remixed job's references (local library copies or links); each card says
    where its file came from (`note`: msg("cast.from.last"), …; by default "from an earlier job")."""
    note = note or msg("cast.from.earlier")
    cast: list[Card] = []
    for ref in references:
        path = getattr(ref, "path", None)
        voice_path = getattr(ref, "voice_path", None)
        name = getattr(ref, "name", "") or (Path(path).name if path else (getattr(ref, "url", "") or ""))
        card = empty_card() | {
            "kind": getattr(ref, "kind", "image"),
            "path": str(path) if path else None,
            "url": getattr(ref, "url", None),
            "name": name,
            "verdict": "accepted",
            "message": msg("cast.from", name=name, note=note),
            "video_seconds": getattr(ref, "duration", None),
            "content_type": getattr(ref, "content_type", None),
            "character": getattr(ref, "character", "") or "",
        }
        if voice_path or getattr(ref, "voice_url", None):
            vname = getattr(ref, "voice_name", "") or (Path(voice_path).name if voice_path else "")
            card |= {"voice_path": str(voice_path) if voice_path else None, "voice_url": getattr(ref, "voice_url", None),
                     "voice_name": vname, "voice_verdict": "accepted",
                     "voice_message": msg("cast.from", name=vname or msg("cast.voice_link"), note=note),
                     "voice_content_type": getattr(ref, "voice_content_type", None)}
        cast.append(card)
    return cast[: spec.MEDIA_MAX] or new_cast()


# --- what the card says ----------------------------------------------------------------------

_VERDICT_ICON = {"accepted": "✓", "fixed": "✎", "refused": "✕"}


def verdict_html(card: Card, n: int, lang: str | None = DEFAULT) -> str:
    """The verdict box on card n: one line for the picture/video, one for the voice (in `lang`; None:
    an empty card drawn before any request is known, in both languages)."""
    rows: list[str] = []
    if card.get("verdict"):
        rows.append(_verdict_row(card["verdict"], card.get("message", ""), lang or DEFAULT))
    else:
        tag = spec.character_tag(n)
        said = both("cast.add_media", tag=tag) if lang is None else html.escape(t("cast.add_media", lang, tag=tag))
        rows.append(f'<div class="verdict verdict-empty">{said}</div>')
    if card.get("voice_verdict"):
        rows.append(_verdict_row(card["voice_verdict"], card.get("voice_message", ""), lang or DEFAULT, voice=True))
    return "".join(rows)


def _verdict_row(verdict: str, message: Msg | str, lang: str, voice: bool = False) -> str:
    icon = _VERDICT_ICON.get(verdict, "•")
    label = t(f"verdict.{verdict}", lang) if verdict in _VERDICT_ICON else verdict.title()
    if voice:
        label = t("verdict.voice", lang, verdict=label)
    return (f'<div class="verdict verdict-{html.escape(verdict)}" role="status">'
            f'<span class="verdict-label">{icon} {html.escape(label)}</span> '
            f'<span class="verdict-text">{html.escape(render(message, lang))}</span></div>')

