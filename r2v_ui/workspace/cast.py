"""The cast: up to five character cards, each a typed, frozen `Card`, kept as a list in one
`gr.State` per browser session (and by MCP for one call).

Every operation here is pure and returns a new card or a new list; nothing in this module imports
Gradio.  Card n is `character<n>`: its position *is* its tag, so moving a card renames it, exactly as
the service will read it.  A card turns into the job's reference type once (`Card.reference`).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable

from .. import prompt_names, spec
from ..jobs.model import Reference
from ..jobs.states import ReferenceKind
from ..messages import DEFAULT, Msg, msg, render_msg

Prober = Callable[..., Any]  # media.probe(path, kind, *, display_name=, work_dir=) -> MediaReport

VIDEO_EXTENSIONS = spec.VIDEO_RULES.extensions
IMAGE_EXTENSIONS = spec.IMAGE_RULES.extensions
AUDIO_EXTENSIONS = spec.AUDIO_RULES.extensions
MEDIA_FILE_TYPES = list(IMAGE_EXTENSIONS + VIDEO_EXTENSIONS)
VOICE_FILE_TYPES = list(AUDIO_EXTENSIONS)

ACCEPTED, FIXED, REFUSED = "accepted", "fixed", "refused"  # a verdict on a file (media.probe's words)


@dataclass(frozen=True)
class Card:
    """One character card: its picture or video (a checked file, or a pasted link), its voice, its
    name for `@Name`, and what the checks said of each."""

    kind: str | None = None            # "image" | "video" | None
    path: str | None = None            # the file the job will use (the original or media's repaired copy)
    url: str | None = None             # or a pasted public link (once accepted)
    link: str | None = None            # the text pasted, kept in the box even when refused
    name: str = ""                     # what the user called it (file name), for messages and history
    character: str = ""                # the character's name, written @Name in the prompt (prompt_names.py)
    verdict: str | None = None         # ACCEPTED | FIXED | REFUSED | None
    message: Msg | str = ""
    video_seconds: float | None = None  # for the price estimate
    content_type: str | None = None    # what media.probe read from the content: the upload's type
    voice_path: str | None = None
    voice_url: str | None = None
    voice_name: str = ""
    voice_verdict: str | None = None
    voice_message: Msg | str = ""
    voice_content_type: str | None = None
    example: bool = False              # put there by "Load example cast" (its "things to avoid" leave with it)
    thumb: str | None = None           # a data: URI made once when the file was checked (ui/cards.py)
    thumb_of: str | None = None        # the path `thumb` was made from
    library_id: str | None = None      # the saved character it came from or was saved as
    kept_note: Msg | None = None       # a refused picture/video it did not take, and why (workspace/kept.py)
    voice_kept_note: Msg | None = None  # the same for a voice clip

    # --- what it holds ---------------------------------------------------------------------------
    @property
    def has_media(self) -> bool:
        return bool(self.path or self.url)

    @property
    def is_video(self) -> bool:
        return self.kind == ReferenceKind.VIDEO

    @property
    def refused(self) -> bool:
        return self.verdict == REFUSED

    @property
    def has_voice(self) -> bool:
        """A voice was given (checked, whatever the verdict): the card shows it and offers to remove it."""
        return bool(self.voice_verdict)

    @property
    def voice_refused(self) -> bool:
        return self.voice_verdict == REFUSED

    @property
    def shown_link(self) -> str:
        """What the card's link box holds: the accepted link, else the text pasted."""
        return self.url or self.link or ""

    # --- verbs -------------------------------------------------------------------------------------
    def with_character(self, name: str | None) -> "Card":
        """The card with the character name typed on it (@Name in the prompt); checked by `problem_msgs`."""
        return replace(self, character=prompt_names.clean_name(name))

    def marked(self, *, example: bool | None = None, library_id: str | None = None) -> "Card":
        return replace(self, example=self.example if example is None else example,
                       library_id=self.library_id if library_id is None else library_id)

    def with_thumb(self, thumb: str | None, of: str | None) -> "Card":
        return replace(self, thumb=thumb, thumb_of=of)

    def with_media_of(self, other: "Card") -> "Card":
        """This card with `other`'s picture/video part (a link checked meanwhile): its voice and name stay."""
        return replace(self, kind=other.kind, path=other.path, url=other.url, link=other.link, name=other.name,
                       verdict=other.verdict, message=other.message, video_seconds=other.video_seconds,
                       content_type=other.content_type, example=False)

    def refusing_media(self, name: str, message: Msg, **kw: Any) -> "Card":
        return replace(self, kind=None, path=None, verdict=REFUSED, name=name, message=message, **kw)

    def cleared(self) -> "Card":
        """The card without its picture/video (its voice and its name stay)."""
        return Card(voice_path=self.voice_path, voice_url=self.voice_url, voice_name=self.voice_name,
                    voice_verdict=self.voice_verdict, voice_message=self.voice_message,
                    voice_content_type=self.voice_content_type, character=self.character)

    def without_voice(self) -> "Card":
        return replace(self, voice_path=None, voice_url=None, voice_name="", voice_verdict=None, voice_message="",
                       voice_kept_note=None)

    def reference(self) -> Reference:
        """The card as the job's one reference type: the only place a card becomes something else."""
        return Reference(
            kind=ReferenceKind.of(self.kind),
            path=Path(self.path) if self.path else None,
            url=self.url or None,
            voice_path=Path(self.voice_path) if self.voice_path else None,
            voice_url=self.voice_url or None,
            name=self.name or "",
            voice_name=self.voice_name or "",
            duration=self.video_seconds if self.is_video else None,
            content_type=self.content_type if self.path else None,
            voice_content_type=self.voice_content_type if self.voice_path else None,
            character=prompt_names.clean_name(self.character),
        )

    @classmethod
    def from_reference(cls, ref: Reference, note: Msg | None = None) -> "Card":
        """A card holding a remixed job's reference (a library copy or a link); it says where its file
        came from (`note`: msg("cast.from.last"), …; by default "from an earlier job")."""
        note = note or msg("cast.from.earlier")
        name = ref.name or (ref.path.name if ref.path else (ref.url or ""))
        card = cls(kind=ref.kind, path=str(ref.path) if ref.path else None, url=ref.url, name=name,
                   verdict=ACCEPTED, message=msg("cast.from", name=name, note=note),
                   video_seconds=ref.duration, content_type=ref.content_type, character=ref.character or "")
        if ref.voice_path or ref.voice_url:
            vname = ref.voice_name or (ref.voice_path.name if ref.voice_path else "")
            card = replace(card, voice_path=str(ref.voice_path) if ref.voice_path else None, voice_url=ref.voice_url,
                           voice_name=vname, voice_verdict=ACCEPTED,
                           voice_message=msg("cast.from", name=vname or msg("cast.voice_link"), note=note),
                           voice_content_type=ref.voice_content_type)
        return card


def new_cast() -> list[Card]:
    return [Card()]


def character_names(cast: list[Card]) -> list[str]:
    """Each filled card's character name, in card order: what `@Name` resolves against."""
    return [c.character or "" for c in filled(cast)]


def video_count(cast: list[Card], *, except_index: int | None = None) -> int:
    return sum(1 for i, c in enumerate(cast) if i != except_index and c.has_media and c.is_video)


def can_add(cast: list[Card]) -> bool:
    return len(cast) < spec.MEDIA_MAX


def add_card(cast: list[Card]) -> list[Card]:
    return [*cast, Card()] if can_add(cast) else list(cast)


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
        out.append(Card())
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
    """Where media/pictures.py writes repaired copies: under the system temp dir, which Gradio may serve back
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
    from .. import media  # imported when first needed: the page can be built before media/ loads

    return media.probe(path, kind, **kw)


def check_media(card: Card, upload: str, n: int, cast: list[Card], index: int,
                probe: Prober = default_prober, display_name: str | None = None,
                work_dir: Path | None = None) -> Card:
    """A card after a picture or video was dropped on it: checked at once, verdict on the card."""
    name = display_name or Path(upload).name
    card = replace(card, url=None, link=None, name=name)
    try:
        report = probe(Path(upload), None, display_name=name, work_dir=_dir(work_dir))
    except Exception as exc:  # a probe that crashes must still leave a readable card
        return card.refusing_media(name, msg("cast.unreadable", name=name, kind=type(exc).__name__))
    kind = report.kind
    if kind == "audio":
        return card.refusing_media(name, msg("cast.sound_in_media", name=name))
    if kind == "video" and video_count(cast, except_index=index) >= spec.VIDEOS_MAX:
        return card.refusing_media(name, msg("cast.too_many_videos", name=name, max=spec.VIDEOS_MAX,
                                             tag=f"character{n}"))
    ok = report.verdict != REFUSED
    return replace(card, kind=kind if ok else None, path=str(report.path) if ok else None,
                   verdict=report.verdict, message=report.msg, content_type=report.content_type if ok else None,
                   video_seconds=report.duration if kind == "video" else None)


def check_voice(card: Card, upload: str, probe: Prober = default_prober, display_name: str | None = None,
                work_dir: Path | None = None) -> Card:
    name = display_name or Path(upload).name
    try:
        report = probe(Path(upload), "audio", display_name=name, work_dir=_dir(work_dir))
    except Exception as exc:
        return replace(card, voice_path=None, voice_url=None, voice_name=name, voice_verdict=REFUSED,
                       voice_message=msg("cast.voice_unreadable", name=name, kind=type(exc).__name__))
    ok = report.verdict != REFUSED
    return replace(card, voice_path=str(report.path) if ok else None, voice_url=None, voice_name=name,
                   voice_verdict=report.verdict, voice_message=report.msg,
                   voice_content_type=report.content_type if ok else None)


def with_voice_link(card: Card, url: str, *, refused: Msg | None = None) -> Card:
    """A voice given as a link (MCP: the page has no voice links), after the job's own check of it:
    accepted unless `refused` says why not."""
    name = url.rsplit("/", 1)[-1].split("?", 1)[0][:80] or "voice link"
    if refused is not None:
        return replace(card, voice_path=None, voice_url=None, voice_name=name, voice_verdict=REFUSED,
                       voice_message=refused)
    return replace(card, voice_path=None, voice_url=url, voice_name=name, voice_verdict=ACCEPTED,
                   voice_message=msg("cast.voice_link_checked"))


def with_link(card: Card, url: str, n: int, cast: list[Card], index: int) -> Card:
    """A pasted public link: its kind is read from the address; the job checks it can be fetched."""
    url = (url or "").strip()
    if not url:
        return card.cleared() if card.url else card
    if not url.lower().startswith(("http://", "https://")):
        return card.refusing_media(url, msg("cast.link.not_web"), url=None, link=url)
    kind = kind_from_name(url.split("?")[0]) or "image"
    if kind == "audio":
        return card.refusing_media(url, msg("cast.link.sound"), url=None)
    if kind == "video" and video_count(cast, except_index=index) >= spec.VIDEOS_MAX:
        return card.refusing_media(url, _too_many_videos(n), url=None)
    return replace(card, kind=kind, path=None, url=url, name=url.rsplit("/", 1)[-1][:80] or url,
                   verdict=ACCEPTED, video_seconds=None, message=msg("cast.link.unchecked", what=_word(kind)))


async def check_link(card: Card, url: str, n: int, cast: list[Card], index: int, checker: Any = None,
                     *, guard: Any = None) -> Card:
    """A pasted link, checked at once the way the job will check it (`hosting.check_pasted_url`:
    reachable, a type and a size the service allows), with the verdict on the card.  A link whose
    address does not say its kind is tried as a picture, then as a video.  The job checks it again
    before anything is sent.  `guard`: the studio's `hosting.LinkGuard` (where links may lead);
    without one, private addresses are refused."""
    card = with_link(card, url, n, cast, index)
    if card.verdict != ACCEPTED or not card.url:
        return card
    if checker is None:
        from ..hosting import check_pasted_url as checker
    from ..errors import StudioError

    link = card.url
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
            return replace(card, kind=None, url=None, link=link, verdict=REFUSED, message=_too_many_videos(n))
        return replace(card, kind=kind, link=link, verdict=ACCEPTED, message=msg("cast.link.checked", what=_word(kind)))
    return replace(card, kind=None, path=None, url=None, link=link, verdict=REFUSED,
                   message=first_error or msg("cast.link.unusable"))


def _word(kind: str | None) -> Msg:
    return msg("hosting.word.video" if kind == "video" else "hosting.word.image")


def _too_many_videos(n: int) -> Msg:
    return msg("cast.link.too_many_videos", max=spec.VIDEOS_MAX, tag=spec.character_tag(n))


def problem_msgs(cast: list[Card]) -> list[Msg]:
    """What stops Generate, as Msgs: refused files, and empty cards between filled ones."""
    out: list[Msg] = []
    last_filled = max((i for i, c in enumerate(cast) if c.has_media), default=-1)
    for i, c in enumerate(cast):
        tag = spec.character_tag(i + 1)
        if not c.has_media and c.refused:  # say what really happened to it
            out.append(msg("cast.problem.refused", tag=tag, message=c.message or ""))
        elif not c.has_media and i < last_filled:
            out.append(msg("cast.problem.gap", tag=tag))
        if c.voice_refused and c.has_media:
            out.append(msg("cast.problem.voice_refused", tag=tag, message=c.voice_message or ""))
        name_problem = prompt_names.name_problem(c.character)
        if name_problem and c.has_media:
            out.append(msg("cast.problem.name", tag=tag, message=name_problem))
    if last_filled < 0:
        out.append(msg("cast.problem.empty"))
    return out


def problems(cast: list[Card], lang: str | None = DEFAULT) -> list[str]:
    """What stops Generate, in plain words in `lang` (English unless told)."""
    return [render_msg(m, lang) for m in problem_msgs(cast)]


def filled(cast: list[Card]) -> list[Card]:
    """The cards that go into the job: trailing empty cards are ignored."""
    last = max((i for i, c in enumerate(cast) if c.has_media), default=-1)
    return list(cast[: last + 1])


def reference_video_seconds(cast: list[Card]) -> list[float]:
    """Seconds of each reference video, for the price range (a pasted video link counts as the cap)."""
    return [float(c.video_seconds) if c.video_seconds else spec.REFERENCE_VIDEO_BILLED_CAP_S
            for c in filled(cast) if c.is_video]


def to_references(cast: list[Card]) -> tuple[Reference, ...]:
    """The job's references: each filled card turned into one, in card order."""
    return tuple(c.reference() for c in filled(cast))


def from_references(references: Any, note: Msg | None = None) -> list[Card]:
    """Cards rebuilt from a remixed job's references (see `Card.from_reference`)."""
    return [Card.from_reference(r, note) for r in references][: spec.MEDIA_MAX] or new_cast()
