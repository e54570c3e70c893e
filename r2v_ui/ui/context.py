"""What every component of the page shares: the manager and settings, the per-session states, and
the few helpers handlers need (who is asking, a blocking read off the event loop, files to show).

Components (header, cast panel, scene, result, history) each have `render_msg(ctx) -> <Widgets>` that
builds their widgets and `listen(widgets, ctx, …)` that wires their events; `page.build_app` only
composes them.  Handlers take and return named values: a dict keyed by component (Gradio's dict
return), never a long positional list kept in order by hand.
"""

from __future__ import annotations

import itertools
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import gradio as gr

from ..workspace import session
from .viewfiles import Viewer

DEFAULT_CONCURRENCY = 8
CHECK_CONCURRENCY = 4
# Gradio's queue runs at most `max_threads` events at once over all groups, and a stream keeps its
# slot until it ends: status streams get a group of their own capped at STREAM_LIMIT, and launch sizes
# the pool at STREAM_LIMIT + PAGE_SLOTS, so PAGE_SLOTS always stay free for every other event.
STREAM_LIMIT = 200
PAGE_SLOTS = 40
READ_THREADS = 4  # blocking manager reads (SQLite) from async handlers at once: short work, and 2 cores


class Streams:
    """Which status stream is current for each browser session, so a newer one (a new job, a reload
    of the same tab) makes the older stop instead of both writing to the same player."""

    def __init__(self, size: int = 2000):
        self._current: OrderedDict[str, int] = OrderedDict()
        self._ids = itertools.count(1)
        self._size = size
        self._lock = threading.Lock()

    def claim(self, session_id: str) -> int:
        with self._lock:
            token = next(self._ids)
            self._current[session_id] = token
            self._current.move_to_end(session_id)
            while len(self._current) > self._size:
                self._current.popitem(last=False)
            return token

    def is_current(self, session_id: str, token: int) -> bool:
        with self._lock:
            return self._current.get(session_id) == token


class SessionCasts:
    """Each page session's cast: the one copy every card event reads and writes, behind one lock per
    session, so two checks on one card (a picture and a voice dropped at once) cannot undo each other.
    The `cast` State is its mirror for the page; a session this store has not seen yet starts from it.
    Each `put` counts one revision: two events' results can reach the page in either order, and the
    page uses the revision (on each card face) to notice an older one drawn over a newer one."""

    def __init__(self, size: int = 5000):
        self._casts: OrderedDict[str, list] = OrderedDict()
        self._locks: dict[str, threading.Lock] = {}
        self._revisions: dict[str, int] = {}
        self._guard = threading.Lock()
        self._size = size

    @staticmethod
    def _key(request: Any) -> str:
        return getattr(request, "session_hash", None) or ""

    def lock(self, request: Any) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(self._key(request), threading.Lock())

    def get(self, request: Any, mirror: list | None) -> list:
        with self._guard:
            cast = self._casts.get(self._key(request))
        return list(cast) if cast is not None else list(mirror or [])

    def revision(self, request: Any) -> int:
        """How many times this session's cast was put (0: never)."""
        with self._guard:
            return self._revisions.get(self._key(request), 0)

    def put(self, request: Any, cast: list) -> int:
        """Store `cast` as this session's; returns its revision."""
        key = self._key(request)
        with self._guard:
            self._casts[key] = list(cast)
            self._casts.move_to_end(key)
            self._revisions[key] = revision = self._revisions.get(key, 0) + 1
            while len(self._casts) > self._size:
                old, _ = self._casts.popitem(last=False)
                self._locks.pop(old, None)
                self._revisions.pop(old, None)
            return revision


@dataclass
class States:
    """Per-session values shared by several components."""

    cast: gr.State        # the cards (workspace/cast.py), plain data
    key: gr.State         # a SessionKey (key + its holder): server memory only, never sent back
    memory: gr.State      # {"id": browser id, "job": the job this browser shows}, read from `stored` on load
    stored: gr.BrowserState  # the same, kept in the browser's storage (an API client has none: None)
    job: gr.State         # the job this tab shows
    last_seed: gr.State   # seed of the last finished video, for "reuse the last seed"
    confirmed: gr.State   # live mode: the user said "don't ask again" for this session


@dataclass
class PageWidgets:
    """The page's widgets, one bundle: each component's `listen(w, ctx, page)` takes its own widgets
    and this, instead of a long list of its neighbours'.  Filled by page.build_app as components render;
    `actions` once the result pane has wired them (jobview.Actions: what History shares with it)."""

    demo: Any = None
    tabs: Any = None
    studio_tab: Any = None
    compare_tab: Any = None
    history_tab: Any = None
    header: Any = None
    cast: Any = None       # castpanel.CastWidgets
    library: Any = None    # librarypanel.LibraryWidgets
    scene: Any = None      # scene.SceneWidgets
    result: Any = None     # result.ResultWidgets
    compare: Any = None    # comparepanel.CompareWidgets
    history: Any = None    # historypanel.HistoryWidgets
    spend: Any = None      # spendpanel.SpendWidgets (live mode only)
    share: Any = None      # sharepanel.ShareWidgets: the one Share dialog
    cast_view: Any = None  # (cast, request) -> updates showing that cast (castpanel.cast_view under the session's lock)
    actions: Any = None    # jobview.Actions
    stream: dict = field(default_factory=dict)  # how every status stream is queued

    def form_outputs(self, ctx: "PageContext") -> list[Any]:
        """What putting a job's cast and settings into the form updates."""
        return [*self.cast.outputs(), ctx.states.cast, *self.scene.outputs()]


@dataclass
class PageContext:
    manager: Any
    settings: Any
    viewer: Viewer
    streams: Streams
    states: States
    work_dir: Path
    checked_dir: Path
    casts: SessionCasts = field(default_factory=SessionCasts)
    shares: Any = None  # the ShareService (r2v_ui/share/), or None: no Share on the page
    examples: Any = None  # the example cast's checked cards (workspace/examplecards.ExampleCards)
    _reads: Any = field(default=None, repr=False)

    def visitor(self, request: Any, memory: Any) -> session.Visitor:
        return session.visitor(request, memory, self.settings)

    async def read(self, fn, *args, **kwargs):
        """A blocking manager call (a SQLite read) in a thread: never on the loop that serves every tab."""
        if self._reads is None:  # made on the serving loop, on first use
            self._reads = anyio.CapacityLimiter(READ_THREADS)
        return await anyio.to_thread.run_sync(lambda: fn(*args, **kwargs), limiter=self._reads)

    def show(self):
        """A function for one request: a library path → the served link the browser may fetch (viewfiles.py)."""
        return self.viewer.request()

    def urls(self, block: Any):
        """A function for one request: a library path (and the name to serve it under) → a URL for a
        plain `<video>` (videoview.py), served from `block`'s cache copy."""
        from .videoview import served_url

        view = self.viewer.request()
        return lambda path, name=None: served_url(block, view, path, name)


def make_states(settings: Any) -> States:
    from ..workspace import cast as cast_mod

    return States(
        cast=gr.State(cast_mod.new_cast()),
        key=gr.State(None),
        memory=gr.State(None),
        stored=gr.BrowserState(None, storage_key=session.BROWSER_STORAGE_KEY,
                               secret=session.browser_secret(settings.data_dir)),
        job=gr.State(None),
        last_seed=gr.State(None),
        confirmed=gr.State(False),
    )


def esc(text: Any) -> str:
    import html

    return html.escape(str(text or ""))


def alert_html(message: Any, *, nothing_sent: bool = True, lang: str | None = None) -> str:
    """The form's one alert: what happened (and, when true, that nothing was sent), said once, in
    `lang` (a Msg, or an error carrying one in `.msg`, is said in it; a plain text as it is)."""
    from ..messages import DEFAULT, Msg, render_msg, sentences, t

    lang = lang or DEFAULT
    said = getattr(message, "msg", message)
    text = render_msg(said, lang) if isinstance(said, Msg) else str(message or "")
    lead = t("form.nothing_sent", lang) if nothing_sent else ""
    return f'<div class="form-alert" role="alert">{sentences([lead, esc(text)], lang)}</div>'
