"""The page's fixed answers served from memory: Gradio builds each once, the studio compresses it once.

Gradio 6.31 builds the page's HTML (`GET /`, ~480 KB: the whole configuration and the API's
description) and `/config` afresh for every request, and serves each of its ~80 static files
(`/assets/…`, `/static/…`) from disk through thread hand-offs; a middleware then compresses every
one of them again.  On a 2-core machine that was most of the server's CPU for a page open.

`FromMemory` (an ASGI middleware, wired in one place: `app.py`'s launch) keeps these answers:

* **How an answer is made stays Gradio's.**  On a miss the request goes on to Gradio unchanged
  (except that it is asked for no compression and no conditions), and what Gradio answers, status
  200 without a cookie, is kept: the same bytes, the same type and headers.  Anything else a route
  may be asked (a query string, a Range, a POST, a path that is not a plain file) goes to Gradio
  every time, as before.
* **Kept while identical.**  A file's answer is kept under its path and the file's (mtime, size,
  inode): when the file changes, it is made again.  The page and `/config` depend on the request:
  its address (host, scheme, root path and the proxy headers Gradio reads to work out the root
  URL), the signed-in user (`--auth`: each user's page carries their name) and, for the studio,
  the visitor's language (Gradio's page is the same in both today, labels are translated in the
  browser; kept apart so a page that says something in the visitor's language stays right).  The
  key holds all of these; the answer also holds the very objects Gradio built it from (the Blocks,
  its `config`, `theme_css`, share state, i18n), and is dropped when any of them is replaced
  (Gradio replaces `config` when it rebuilds it, it never edits it in place).  A page with `--auth`
  is kept only for a signed-in visitor (found as Gradio finds them: the access-token cookie in
  `app.tokens`); the login page and every refusal are Gradio's own, each time.
* **Built and compressed once, however many ask at once.**  Visitors arriving together all miss the
  same answers: the first request for a key builds it, the others wait for that one build (`Builds`,
  across event loops: the files are shared by every studio in the process) instead of each asking
  Gradio and compressing the same bytes again.  (Ten visitors at once used to compress each of the
  page's ~80 files ten times at Brotli's best quality: ~9 CPU-s, most of what a visitor cost.)
* **Compressed cheaply.**  Each text answer is kept as is, gzipped (level 9) and in Brotli (quality
  `BROTLI_QUALITY`), made in a worker thread; a request gets the smallest its Accept-Encoding allows,
  with `Content-Encoding`, `Vary: Accept-Encoding` and an ETag of its own bytes (If-None-Match →
  304).  The page and `/config` also say `Cache-Control: private, no-cache` (revalidated on every
  visit; never kept by a shared cache, since they can carry a user's name).
* **No thread hand-off on a hit**: a hit is one dictionary look-up (and a `stat` for a file) on
  the event loop and one send.

Bounded: files over `MAX_FILE_BYTES` are never kept, at most `MAX_FILES_BYTES` of files (shared
by every studio in the process: Gradio's files are the same for all) and `MAX_PAGES` page answers
per studio (a stranger sending made-up Host headers only pushes out older entries).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import gzip
import hashlib
import os
import stat
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

import anyio
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request

from ..conditional import etag_matches

# Brotli's quality 6: ~50 ms of CPU for the page's ~80 files, once per process, and ~5 ms for the 490 KB page
# (kept per address: a stranger could ask for many).  Quality 11 sends ~8 % fewer bytes for 50-60x the CPU (~1
# CPU-s a process for the files, more than the rest of a page open); quality 9, ~1 % fewer for 4x.  Gradio's own
# middleware compresses every answer again at quality 4.
BROTLI_QUALITY = 6
GZIP_LEVEL = 9
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_FILES_BYTES = 96 * 1024 * 1024
MAX_PAGES = 16
MIN_COMPRESS = 256    # below this, an answer goes as it is
# Compressed only when it is text (what Gradio's own Brotli middleware compresses): images, fonts and media
# are compressed already.
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "application/xml", "image/svg+xml",
                "application/manifest+json")

# The routes whose answers are kept: Gradio's static folders, and the page's own answers.
FILE_PREFIXES = ("/assets/", "/static/", "/svelte/")
PAGE_PATHS = {"/": "page", "/config": "config", "/config/": "config", "/theme.css": "theme"}
# What Gradio reads of a request to build the page (route_utils.get_request_origin): the address.
ADDRESS_HEADERS = (b"host", b"x-forwarded-host", b"x-forwarded-proto", b"x-gradio-server")
DROPPED = {b"content-length", b"content-encoding", b"etag", b"transfer-encoding"}


@dataclass
class Answer:
    """One kept answer: its status line's headers and the body in each coding."""

    headers: list[tuple[bytes, bytes]]   # Gradio's, less the ones that depend on the coding
    bodies: dict[str, bytes]              # "identity", and "br" / "gzip" when they are smaller
    etags: dict[str, bytes]
    sources: tuple = ()                   # the objects it was built from (page answers): valid while they are
    size: int = 0


def codings(accept: str) -> set[str]:
    """The content codings an Accept-Encoding header allows (q=0 refuses one)."""
    out = set()
    for part in accept.lower().split(","):
        name, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if name and q > 0:
            out.add(name)
    if "*" in out:
        out |= {"br", "gzip"}
    return out


def compress(body: bytes, *, text: bool = True) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The body as is and in each coding worth sending (smaller than it), with an ETag for each."""
    bodies = {"identity": body}
    if text and len(body) >= MIN_COMPRESS:
        import brotli

        for coding, packed in (("br", brotli.compress(body, quality=BROTLI_QUALITY)),
                               ("gzip", gzip.compress(body, GZIP_LEVEL, mtime=0))):
            if len(packed) < len(body):
                bodies[coding] = packed
    digest = hashlib.sha256(body).hexdigest()[:32]
    etags = {coding: f'"{digest}{"" if coding == "identity" else "-" + coding}"'.encode() for coding in bodies}
    return bodies, etags


class _FileAnswers:
    """Answers for Gradio's static files, shared by every studio in the process (bounded by bytes)."""

    def __init__(self, limit: int = MAX_FILES_BYTES):
        self._items: OrderedDict[tuple, Answer] = OrderedDict()
        self._lock = threading.Lock()
        self._limit = limit
        self._bytes = 0

    def get(self, key: tuple) -> Answer | None:
        with self._lock:
            answer = self._items.get(key)
            if answer is not None:
                self._items.move_to_end(key)
            return answer

    def put(self, key: tuple, answer: Answer) -> None:
        with self._lock:
            old = self._items.pop(key, None)
            self._bytes -= old.size if old else 0
            self._items[key] = answer
            self._bytes += answer.size
            while self._bytes > self._limit and len(self._items) > 1:
                _, dropped = self._items.popitem(last=False)
                self._bytes -= dropped.size

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0


class Builds:
    """Answers being built, by key: the first request for a key builds it, every other request for that key
    meanwhile waits for the same build (from any thread or event loop), then has its answer (or None: the build
    was refused or failed, and each waiter asks Gradio itself, as a miss always could)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._running: dict[tuple, concurrent.futures.Future] = {}

    async def once(self, key: tuple, build: Callable[[], Awaitable[Answer | None]]) -> Answer | None:
        """The answer `build` makes, made by the first caller for `key` while the others wait for it."""
        with self._lock:
            running = self._running.get(key)
            if running is None:
                running = self._running[key] = concurrent.futures.Future()
                mine = True
            else:
                mine = False
        if not mine:
            # shielded: a waiter that goes away must not cancel the build the others wait for
            return await asyncio.shield(asyncio.wrap_future(running))
        answer = None
        try:
            answer = await build()
        finally:
            with self._lock:
                del self._running[key]
            running.set_result(answer)
        return answer

    def running(self) -> int:
        """How many builds are under way (a public read for tests)."""
        with self._lock:
            return len(self._running)


FILES = _FileAnswers()
FILE_BUILDS = Builds()   # the files' builds, shared like FILES


def _gradio_dirs() -> dict[str, str]:
    from gradio.route_utils import BUILD_PATH_LIB, STATIC_PATH_LIB

    build = os.path.realpath(str(BUILD_PATH_LIB))
    return {"/assets/": build, "/static/": os.path.realpath(str(STATIC_PATH_LIB)),
            "/svelte/": os.path.join(build, "svelte")}


_RESOLVED: dict[tuple[str, str], str] = {}   # (prefix, rest) -> its real path, for names found to be inside
_RESOLVED_MAX = 4096


def file_key(prefix: str, rest: str, dirs: dict[str, str]) -> tuple | None:
    """(path, mtime, size, inode) of the plain file a static route names, or None when it names anything
    else (then Gradio answers, as before: its own checks, its own refusal)."""
    path = _RESOLVED.get((prefix, rest))
    if path is None:
        if not rest or "\x00" in rest or "\\" in rest or rest.startswith("/"):
            return None
        if any(part in ("", ".", "..") for part in rest.split("/")):
            return None
        base = dirs[prefix]
        path = os.path.realpath(os.path.join(base, rest))
        if not path.startswith(base + os.sep):
            return None
    try:
        st = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_FILE_BYTES:
        return None
    if len(_RESOLVED) < _RESOLVED_MAX:  # only names of files that exist inside Gradio's folders
        _RESOLVED[(prefix, rest)] = path
    return (path, st.st_mtime_ns, st.st_size, st.st_ino)


class Kept:
    """One studio's page answers, and how often each kind was served from memory or built by Gradio: a
    public read for tests and benchmarks (`Studio.kept`)."""

    def __init__(self, size: int = MAX_PAGES):
        self.pages: OrderedDict[tuple, Answer] = OrderedDict()
        self.size = size
        self.served: dict[str, int] = {}   # "page" / "config" / "theme" / "file" -> answers sent from memory
        self.built: dict[str, int] = {}    # the same kinds -> answers Gradio built (and were kept)

    def count(self, table: dict[str, int], kind: str) -> None:
        table[kind] = table.get(kind, 0) + 1

    def entries(self) -> list[dict]:
        """What is kept for the page: its kind, and the user and language it was built for."""
        return [{"kind": key[0], "path": key[4], "user": key[6], "lang": key[7]} for key in self.pages if len(key) == 8]


class FromMemory:
    """ASGI middleware: the page's fixed answers from memory (see the module's docstring)."""

    def __init__(self, app: Any, *, language: Callable[[Any], str] | None = None, kept: Kept | None = None,
                 files: _FileAnswers = FILES, file_builds: Builds = FILE_BUILDS):
        self.app = app
        self.language = language
        self.files = files
        self.file_builds = file_builds
        self.page_builds = Builds()
        self.kept = kept or Kept()
        self.pages = self.kept.pages
        self._dirs: dict[str, str] | None = None

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return await self.app(scope, receive, send)
        path = scope["path"]
        root = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root):] or "/"
        headers = Headers(scope=scope)
        if "range" in headers:
            return await self.app(scope, receive, send)
        for prefix in FILE_PREFIXES:
            if path.startswith(prefix):
                if scope.get("query_string"):
                    return await self.app(scope, receive, send)
                if self._dirs is None:
                    self._dirs = _gradio_dirs()
                key = file_key(prefix, path[len(prefix):], self._dirs)
                if key is None:
                    return await self.app(scope, receive, send)
                answer, built = self.files.get(key), False
                if answer is None:
                    async def build_file() -> Answer | None:
                        nonlocal built
                        kept = self.files.get(key)  # kept by a build that ended since the look-up above
                        if kept is None:
                            kept = await self._build(scope, receive, private=False)
                            if kept is not None:
                                self.files.put(key, kept)
                                self.kept.count(self.kept.built, "file")
                                built = True
                        return kept

                    answer = await self.file_builds.once(key, build_file)
                    if answer is None:
                        return await self.app(scope, receive, send)
                if not built:
                    self.kept.count(self.kept.served, "file")
                return await self._send(answer, scope, headers, send)
        kind = PAGE_PATHS.get(path)
        if kind is None:
            return await self.app(scope, receive, send)
        key_sources = self._page_key(kind, scope, headers)
        if key_sources is None:
            return await self.app(scope, receive, send)
        key, sources = key_sources
        answer, built = self._kept_page(key, sources), False
        if answer is None:
            async def build_page() -> Answer | None:
                nonlocal built
                kept = self._kept_page(key, sources)  # kept by a build that ended since the look-up above
                if kept is None:
                    kept = await self._build(scope, receive, private=kind != "theme")
                    if kept is not None:
                        kept.sources = sources
                        self.pages[key] = kept
                        self.kept.count(self.kept.built, kind)
                        built = True
                        while len(self.pages) > self.kept.size:
                            self.pages.popitem(last=False)
                return kept

            answer = await self.page_builds.once((key, tuple(id(x) for x in sources)), build_page)
            if answer is None:
                return await self.app(scope, receive, send)
        if not built:
            self.kept.count(self.kept.served, kind)
        if key in self.pages:
            self.pages.move_to_end(key)
        return await self._send(answer, scope, headers, send)

    def _kept_page(self, key: tuple, sources: tuple) -> Answer | None:
        """The kept answer for `key`, if it was built from the objects the page is made of now."""
        answer = self.pages.get(key)
        if answer is not None and (len(answer.sources) != len(sources)
                                   or any(a is not b for a, b in zip(answer.sources, sources))):
            return None
        return answer

    # -- the page's key -------------------------------------------------------------------------
    def _page_key(self, kind: str, scope: dict, headers: Headers) -> tuple[tuple, tuple] | None:
        """(key, sources) of a page answer, or None when this request is Gradio's every time."""
        app = scope.get("app")
        blocks = getattr(app, "blocks", None)
        if blocks is None or getattr(app, "auth_dependency", None) is not None:
            return None
        if kind == "theme":
            # `?v=<hash of the theme>`: the page asks for it with a query, the answer does not depend on it
            # (one entry, however many made-up queries a stranger sends).
            return (kind,), (blocks, blocks.theme_css)
        if scope.get("query_string"):   # deep links, pages, `all_endpoints`: Gradio's each time
            return None
        user = None
        if getattr(app, "auth", None) is not None:
            cookies = Request(scope).cookies
            token = cookies.get(f"access-token-{app.cookie_id}") or cookies.get(f"access-token-unsecure-{app.cookie_id}")
            user = app.tokens.get(token)
            if user is None:   # the login page, or a refusal: Gradio's own
                return None
        address = tuple(headers.get(name.decode()) for name in ADDRESS_HEADERS)
        lang = self.language(Request(scope)) if self.language else None
        key = (kind, scope.get("scheme"), scope.get("server"), scope.get("root_path", ""), scope["path"], address,
               user, lang)
        sources = (blocks, blocks.config, blocks.share, getattr(blocks, "i18n_instance", None), app.root_path,
                   blocks.custom_mount_path)
        return key, sources

    # -- a miss: Gradio answers, the answer is kept -------------------------------------------------
    async def _build(self, scope: dict, receive: Any, *, private: bool) -> Answer | None:
        plain = [(k, v) for k, v in scope["headers"]
                 if k not in (b"accept-encoding", b"if-none-match", b"if-modified-since", b"range")]
        inner = dict(scope, headers=plain + [(b"accept-encoding", b"identity")], method="GET")
        start: dict = {}
        chunks: list[bytes] = []

        async def keep(message: dict) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(inner, receive, keep)
        if start.get("status") != 200:
            return None
        raw = [(k.lower(), v) for k, v in start.get("headers", [])]
        if any(k in (b"set-cookie", b"content-encoding") for k, _ in raw):
            return None
        body = b"".join(chunks)
        kind = next((v.decode("latin-1") for k, v in raw if k == b"content-type"), "").lower()
        text = kind.startswith(COMPRESSIBLE)
        bodies, etags = await anyio.to_thread.run_sync(lambda: compress(body, text=text))
        kept = [(k, v) for k, v in raw if k not in DROPPED]
        if private and not any(k == b"cache-control" for k, _ in kept):
            kept.append((b"cache-control", b"private, no-cache"))
        return Answer(kept, bodies, etags, size=sum(len(b) for b in bodies.values()))

    # -- a hit ------------------------------------------------------------------------------------
    async def _send(self, answer: Answer, scope: dict, headers: Headers, send: Any) -> None:
        accepted = codings(headers.get("accept-encoding", ""))
        coding = next((c for c in ("br", "gzip") if c in accepted and c in answer.bodies), "identity")
        body, etag = answer.bodies[coding], answer.etags[coding]
        out = MutableHeaders(raw=list(answer.headers))
        out.add_vary_header("Accept-Encoding")
        out.raw.append((b"etag", etag))
        if coding != "identity":
            out.raw.append((b"content-encoding", coding.encode()))
        if etag_matches(headers.get("if-none-match"), etag.decode()):
            await send({"type": "http.response.start", "status": 304, "headers": out.raw})
            await send({"type": "http.response.body", "body": b""})
            return
        out.raw.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": out.raw})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
