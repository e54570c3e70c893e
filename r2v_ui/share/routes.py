"""The share routes: /s/<token> and what its page loads, served beside Gradio and outside its login.

    GET  /s/<token>              the share page (or, for a link with a password, the password form)
    POST /s/<token>              the password: right → a pass for this link in a cookie, and the page
    POST /s/<token>/pick         a viewer's pick of a take
    POST /s/<token>/note         a viewer's note
    GET  /s/<token>/v/<n>        the n-th video of the link; /p/<n> its poster; /c/<n>/<k> its k-th cast picture

Safe by construction: a file is found from the link's own job records by position (the request names
only numbers), and only for a link that is live, not locked and (with a password) holds the pass.
Anything else under /s/ — an unknown, revoked, expired or locked token, a wrong password, a number out
of range, another path — answers the same plain 404 page.  Files are sent "private, no-cache" with a
strong ETag: a browser asks again before each use, so a live link answers 304 Not Modified and a
revoked or expired one (or a deleted job) 404 at once; Range and If-Range keep seeking cheap (a Range
that cannot be used is ignored: the whole file).  Posts must carry the page's form key, made
for this link and this viewer's cookie (SameSite=Lax), so another site cannot forge them.  A viewer
is an opaque random id in a cookie of this page; notes are limited per viewer and per client address.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import secrets
import stat
import time
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qs

from PIL import Image

from ..conditional import etag_matches
from ..errors import StudioError
from ..messages import from_accept_language, render_msg, t
from .castpictures import BOX_PX, viewer_copy
from .model import ShareError, ShareLink
from .page import HEADERS, Shown, json_answer, not_found, note_item, password_page, refused, share_page
from .service import VIEWER_SHAPE, ShareService

VIEWER_COOKIE = "r2v_viewer"
PASS_COOKIE = "r2v_pass"
FORM_BYTES = 16 * 1024  # a note of 1,000 characters, escaped, fits many times
# Where a proxy or tunnel in front of the studio connects from: this machine (a local proxy, the --share
# tunnel) — and, only when the studio says it is behind one (a Space, PUBLIC_BASE_URL), a private network.
# A studio served straight to a LAN must not believe its LAN viewers' own X-Forwarded-For.
LOOPBACK_NETWORKS = tuple(ipaddress.ip_network(n) for n in ("127.0.0.0/8", "::1/128"))
PROXY_NETWORKS = LOOPBACK_NETWORKS + tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12",
                                                                             "192.168.0.0/16", "fc00::/7"))
# A share file may be kept by the viewer's browser but used only after asking again (a cheap 304 while the
# link lives): with max-age a revoked link's video would replay from the cache for minutes.
REVALIDATE = "private, no-cache"
PICTURES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp"}


def client_address(request: Any, proxies: tuple = PROXY_NETWORKS) -> str:
    """The viewer's address: the connection's, or — when that is in `proxies`, i.e. a proxy or tunnel in
    front of the studio — the address that proxy added last to X-Forwarded-For (what a client writes
    there itself comes before it)."""
    peer = request.client.host if request.client else ""
    try:
        near = ipaddress.ip_address(peer)
        behind_proxy = any(near in net for net in proxies if net.version == near.version)
    except ValueError:
        behind_proxy = False
    forwarded = request.headers.get("x-forwarded-for", "")
    if behind_proxy and forwarded:
        last = forwarded.split(",")[-1].strip()
        try:
            return str(ipaddress.ip_address(last))
        except ValueError:
            return peer
    return peer


def file_stat(path: Path | None) -> os.stat_result | None:
    """The stat of a regular file at `path`, or None."""
    try:
        st = path.stat() if path is not None else None
    except OSError:
        return None
    return st if st is not None and stat.S_ISREG(st.st_mode) else None


def entity_tag(token: str, what: str, st: os.stat_result) -> str:
    """A strong ETag for one file of one link: a hash of the link's token, what is served (`v/0`, `c/0/1/<size>`…) and
    the file's identity (device, inode, size, change time) — no key, nothing to learn from it; a file
    replaced or another link's copy has another."""
    identity = f"{token}|{what}|{st.st_dev}|{st.st_ino}|{st.st_size}|{st.st_mtime_ns}"
    return '"' + hashlib.sha256(identity.encode("utf-8", "surrogateescape")).hexdigest()[:40] + '"'


def share_routes(service: ShareService, *, local_only: Callable[[], bool] | bool = False,
                 behind_proxy: bool = False) -> list:
    """Starlette routes for the share pages.  `local_only`: whether the studio is reachable only on this
    machine (the page then says so); `behind_proxy`: whether a proxy on a private network stands in front
    of it (a Space, PUBLIC_BASE_URL), so that its X-Forwarded-For names the viewer."""
    from starlette.requests import Request
    from starlette.responses import FileResponse, RedirectResponse, Response
    from starlette.concurrency import run_in_threadpool
    from starlette.routing import Route

    from starlette.datastructures import Headers, MutableHeaders
    from starlette.responses import MalformedRangeHeader, RangeNotSatisfiable

    class ShareFile(FileResponse):
        """Starlette's FileResponse (Range, several ranges, If-Range, HEAD), but a Range it cannot use (another
        unit, a malformed or absurd one) is ignored and the whole file sent — RFC 9110 says a server must
        (another unit) or may (an invalid one); Starlette answered 400 with an English line — and its 416
        for a range past the end carries the share pages' headers."""

        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            wanted = Headers(scope=scope).get("range")
            if wanted is not None and self.stat_result is not None:
                try:
                    self._parse_range_header(wanted, self.stat_result.st_size)
                except MalformedRangeHeader:
                    scope = dict(scope, headers=[(k, v) for k, v in scope["headers"] if k.lower() != b"range"])
                except RangeNotSatisfiable:  # Starlette's 416, with our headers below
                    pass

            async def sending(message: Any) -> None:
                if message["type"] == "http.response.start" and message["status"] >= 400:
                    headers = MutableHeaders(raw=list(message["headers"]))
                    for name, value in HEADERS.items():
                        headers[name] = value
                    message = dict(message, headers=headers.raw)
                await send(message)

            await super().__call__(scope, receive, sending)

    proxies = PROXY_NETWORKS if behind_proxy else LOOPBACK_NETWORKS

    def address(request: Request) -> str:
        return client_address(request, proxies)

    is_local = local_only if callable(local_only) else (lambda: bool(local_only))

    def lang_of(request: Request) -> str:
        return from_accept_language(request.headers.get("accept-language"))

    def page(body: str, status: int = 200, headers: dict[str, str] | None = None) -> Response:
        return Response(body.encode("utf-8"), status_code=status, media_type="text/html; charset=utf-8",
                        headers=HEADERS | (headers or {}))

    def nothing(request: Request) -> Response:
        return page(not_found(lang_of(request)), 404)

    def viewer_of(request: Request) -> str | None:
        v = request.cookies.get(VIEWER_COOKIE, "")
        return v if VIEWER_SHAPE.fullmatch(v) else None

    def secure(request: Request) -> bool:
        return request.url.scheme == "https" or request.headers.get("x-forwarded-proto", "").startswith("https")

    def set_viewer(response: Response, request: Request, viewer: str) -> None:
        response.set_cookie(VIEWER_COOKIE, viewer, max_age=365 * 86400, path="/s/", httponly=True,
                            samesite="lax", secure=secure(request))

    def admitted(request: Request) -> ShareLink | None:
        token = request.path_params.get("token", "")
        return service.admitted(token, request.cookies.get(PASS_COOKIE))

    def shown(link: ShareLink) -> list[Shown]:
        return [Shown(n=i, job_id=rec.job_id, settings=rec.settings, references=list(rec.references or []),
                      seed_used=rec.seed_used, take=rec.take,
                      has_poster=bool(rec.poster_path and service.store.absolute(rec.poster_path).is_file()))
                for i, rec in enumerate(service.records(link))]

    async def small_form(request: Request) -> dict[str, str] | None:
        """The posted form (url-encoded, at most FORM_BYTES), or None."""
        if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return None
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > FORM_BYTES:
                return None
        try:
            fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=20)
        except (UnicodeDecodeError, ValueError):
            return None
        return {k: v[0] for k, v in fields.items()}

    def cross_site(request: Request) -> bool:
        return request.headers.get("sec-fetch-site", "") == "cross-site"

    # --- the page -----------------------------------------------------------------------------
    async def show(request: Request) -> Response:
        token = request.path_params["token"]
        lang = lang_of(request)
        viewer = viewer_of(request) or secrets.token_urlsafe(16)
        link = admitted(request)
        if link is None:
            waiting = service.peek(token)
            if waiting is None or not waiting.has_password:
                return nothing(request)
            response = page(password_page(lang, waiting, service.form_key(token, viewer)))
        else:
            if request.method == "GET":
                service.seen(link.token)
            items = shown(link)
            if not items:
                return nothing(request)
            picked_job = service.viewer_pick(token, viewer)
            picked = next((s.n for s in items if s.job_id == picked_job), None)
            expires = time.strftime("%Y-%m-%d", time.localtime(link.expires_at)) if link.expires_at else None
            notes = service.feedback_for_link(link.owner, token).notes
            response = page(share_page(lang, link, items, notes, csrf=service.form_key(token, viewer), picked=picked,
                                       local_only=is_local(), expires_on=expires))
        set_viewer(response, request, viewer)
        return response

    async def unlock(request: Request) -> Response:
        token = request.path_params["token"]
        form = await small_form(request)
        viewer = viewer_of(request)
        if form is None or viewer is None or cross_site(request) or not hmac.compare_digest(
                form.get("csrf", ""), service.form_key(token, viewer)):
            return nothing(request)
        link = service.open(token, form.get("password") or None, address(request), count_view=False)
        if link is None or not link.has_password:
            return nothing(request)
        response = RedirectResponse(link.path, status_code=303, headers={"Cache-Control": "no-store"})
        response.set_cookie(PASS_COOKIE, service.grant(link), path=link.path, httponly=True, samesite="lax",
                            secure=secure(request))
        return response

    async def viewer_post(request: Request, act: Callable[[ShareLink, Any, str, dict[str, str]], dict]) -> Response:
        lang = lang_of(request)
        link = admitted(request)
        scripted = request.headers.get("x-r2v-share") == "1"
        form = await small_form(request)
        viewer = viewer_of(request)
        if link is None:
            return nothing(request)
        if form is None or viewer is None or cross_site(request) or not hmac.compare_digest(
                form.get("csrf", ""), service.form_key(link.token, viewer)):
            say = t("share.page.stale", lang)
            if scripted:
                return Response(json_answer(False, say), status_code=403, media_type="application/json",
                                headers=HEADERS)
            return page(refused(lang, say, link.path), 403)
        items = shown(link)
        try:
            n = int(form.get("job", ""))
            if not 0 <= n < len(items):
                raise ValueError
        except ValueError:
            return nothing(request)
        try:
            extra = act(link, items[n], viewer, form) | {}
        except ShareError as exc:
            say = render_msg(exc.msg, lang)
            status = 429 if exc.msg.code in ("share.too_fast", "share.picks_too_fast") else 400
            if scripted:
                return Response(json_answer(False, say), status_code=status, media_type="application/json",
                                headers=HEADERS)
            return page(refused(lang, say, link.path), status)
        say = t(extra.pop("say"), lang, **extra.pop("params", {}))
        if "note" in extra:
            extra["note"] = note_item(extra["note"], items, lang)
        if scripted:
            return Response(json_answer(True, say, **extra), media_type="application/json", headers=HEADERS)
        return RedirectResponse(link.path + ("#notes-h" if "note" in extra else f"#take-{n + 1}"), status_code=303,
                                headers={"Cache-Control": "no-store"})

    async def pick(request: Request) -> Response:
        def act(link: ShareLink, item: Shown, viewer: str, form: dict[str, str]) -> dict:
            service.set_pick(link.token, item.job_id, viewer, form.get("name", ""), client=address(request))
            return {"say": "share.page.picked_say", "params": {"n": item.n + 1}, "picked": item.n}
        return await viewer_post(request, act)

    async def note(request: Request) -> Response:
        def act(link: ShareLink, item: Shown, viewer: str, form: dict[str, str]) -> dict:
            added = service.add_note(link.token, item.job_id, viewer, form.get("name", ""), form.get("text", ""),
                                     form.get("seconds") or None, client=address(request))
            return {"say": "share.page.sent", "note": added}
        return await viewer_post(request, act)

    # --- files, by position only --------------------------------------------------------------
    # Every file answer asks again before each use (REVALIDATE, with a strong ETag): a live link answers
    # 304 at once, a revoked or expired link or a deleted job 404 — no copy outlives the link.
    def not_modified(etag: str) -> Response:
        return Response(status_code=304, headers=HEADERS | {"Cache-Control": REVALIDATE, "ETag": etag})

    def file_answer(request: Request, token: str, what: str, path: Path | None, media_type: str) -> Response | None:
        st = file_stat(path)
        if st is None:
            return None
        etag = entity_tag(token, what, st)
        if etag_matches(request.headers.get("if-none-match"), etag):
            return not_modified(etag)
        # Range (and If-Range against this ETag) for seeking; a Range it cannot use is ignored (ShareFile)
        return ShareFile(path, media_type=media_type, stat_result=st, headers=HEADERS | {
            "Cache-Control": REVALIDATE, "ETag": etag, "Content-Encoding": "identity"})

    def record_at(request: Request) -> tuple[str, Any]:
        link = admitted(request)
        if link is None:
            return "", None
        records = service.records(link)
        n = request.path_params["n"]
        return link.token, (records[n] if 0 <= n < len(records) else None)

    async def video(request: Request) -> Response:
        token, rec = record_at(request)
        path = service.store.absolute(rec.video_path) if rec else None
        return file_answer(request, token, f"v/{request.path_params['n']}", path, "video/mp4") or nothing(request)

    async def poster(request: Request) -> Response:
        token, rec = record_at(request)
        path = service.store.absolute(rec.poster_path) if rec and rec.poster_path else None
        return file_answer(request, token, f"p/{request.path_params['n']}", path, "image/jpeg") or nothing(request)

    async def cast_picture(request: Request) -> Response:
        token, rec = record_at(request)
        k = request.path_params["k"]
        refs = list(rec.references or []) if rec else []
        if not 0 <= k < len(refs) or refs[k].get("kind") != "image" or not refs[k].get("kept"):
            return nothing(request)
        path = service.store.absolute(str(refs[k]["kept"]))
        kept_dir = service.store.references_dir.resolve()
        resolved = path.resolve() if path else None
        if resolved is None or resolved.parent != kept_dir or resolved.suffix.lower() not in PICTURES:
            return nothing(request)
        st = file_stat(resolved)
        if st is None:
            return nothing(request)
        etag = entity_tag(token, f"c/{request.path_params['n']}/{k}/{BOX_PX}", st)  # the copy's size is part of it
        if etag_matches(request.headers.get("if-none-match"), etag):
            return not_modified(etag)
        try:  # a copy of its own, never the upload's bytes: those carry the camera's metadata (castpictures.py)
            data = await run_in_threadpool(viewer_copy, resolved)
        except (OSError, ValueError, StudioError, Image.DecompressionBombError):
            return nothing(request)
        return Response(data, media_type="image/jpeg", headers=HEADERS | {"Cache-Control": REVALIDATE, "ETag": etag})

    async def elsewhere(request: Request) -> Response:
        return nothing(request)

    every = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]
    return [
        Route("/s/{token}", show, methods=["GET", "HEAD"]),
        Route("/s/{token}", unlock, methods=["POST"]),
        Route("/s/{token}/pick", pick, methods=["POST"]),
        Route("/s/{token}/note", note, methods=["POST"]),
        Route("/s/{token}/v/{n:int}", video, methods=["GET", "HEAD"]),
        Route("/s/{token}/p/{n:int}", poster, methods=["GET", "HEAD"]),
        Route("/s/{token}/c/{n:int}/{k:int}", cast_picture, methods=["GET", "HEAD"]),
        Route("/s", elsewhere, methods=every),
        Route("/s/{rest:path}", elsewhere, methods=every),
    ]
