"""Pasted links are checked before anything is submitted: reachable, a type and a size the spec
allows, through HEAD or a one-byte ranged GET."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from r2v_ui.hosting import HostedURL, HostingError, check_pasted_url
from r2v_ui.spec import IMAGE_RULES, MB, VIDEO_RULES
from tests.fixtures_hosting import OWN_STUDIO, LoopbackServer, closed_port, png_bytes

PNG = png_bytes()
HEADS: list[str] = []  # which paths were asked with HEAD (to see the fallback happen)


def _ranged(body: bytes, ctype: str, request: Request, total: int | None = None) -> Response:
    total = len(body) if total is None else total
    if request.headers.get("range") == "bytes=0-0":
        return Response(body[:1], status_code=206, media_type=ctype,
                        headers={"Content-Range": f"bytes 0-0/{total}"})
    return Response(body, media_type=ctype)


async def good(request: Request):
    if request.method == "HEAD":
        HEADS.append(request.url.path)
    return Response(PNG, media_type="image/png")


async def page(request: Request):
    return Response("<html><body>a photo page</body></html>", media_type="text/html")


async def missing(request: Request):
    return Response("not here", status_code=404, media_type="text/plain")


async def huge_head(request: Request):
    # A HEAD answer claiming 11 MB; nothing that large is ever sent.
    if request.method == "HEAD":
        return Response(b"", media_type="image/png", headers={"Content-Length": str(IMAGE_RULES.max_bytes + MB)})
    return Response("GET is not expected", status_code=500)


async def no_head(request: Request):
    if request.method == "HEAD":
        HEADS.append(request.url.path)
        return Response(status_code=405, headers={"Allow": "GET"})
    return _ranged(PNG, "image/png", request)


async def no_head_big_video(request: Request):
    if request.method == "HEAD":
        return Response(status_code=403)  # like a presigned GET link asked with HEAD
    return _ranged(b"\x00\x00\x00\x18ftypmp42", "video/mp4", request, total=VIDEO_RULES.max_bytes + 1)


async def octet(request: Request):
    return Response(PNG, media_type="application/octet-stream")


ROUTES = [
    Route("/good.png", good, methods=["GET", "HEAD"]),
    Route("/page", page, methods=["GET", "HEAD"]),
    Route("/missing.png", missing, methods=["GET", "HEAD"]),
    Route("/huge.png", huge_head, methods=["GET", "HEAD"]),
    Route("/nohead.png", no_head, methods=["GET", "HEAD"]),
    Route("/big.mp4", no_head_big_video, methods=["GET", "HEAD"]),
    Route("/stored/photo.png", octet, methods=["GET", "HEAD"]),
    Route("/stored/blob", octet, methods=["GET", "HEAD"]),
]


@pytest.fixture(scope="module")
def site():
    with LoopbackServer(Starlette(routes=ROUTES)) as server:
        yield server.base_url


@pytest.mark.asyncio
async def test_a_good_picture_link_is_passed_through(site):
    url = f"{site}/good.png?sig=abc"
    assert await check_pasted_url(url, "image", guard=OWN_STUDIO) == HostedURL(url, None)


@pytest.mark.asyncio
async def test_a_server_refusing_head_is_asked_for_one_byte(site):
    HEADS.clear()
    assert (await check_pasted_url(f"{site}/nohead.png", "image", guard=OWN_STUDIO)).url == f"{site}/nohead.png"
    assert HEADS == ["/nohead.png"]


@pytest.mark.asyncio
async def test_a_missing_file_is_refused_in_plain_words(site):
    with pytest.raises(HostingError, match=r"points to nothing \(HTTP 404\)"):
        await check_pasted_url(f"{site}/missing.png", "image", guard=OWN_STUDIO)


@pytest.mark.asyncio
async def test_a_web_page_is_not_a_picture(site):
    with pytest.raises(HostingError, match="serves 'text/html', not a picture"):
        await check_pasted_url(f"{site}/page", "image", guard=OWN_STUDIO)
    with pytest.raises(HostingError, match="not a video"):
        await check_pasted_url(f"{site}/good.png", "video", guard=OWN_STUDIO)


@pytest.mark.asyncio
async def test_too_large_is_refused_from_the_headers_alone(site):
    with pytest.raises(HostingError, match=r"11\.0 MB; the service accepts at most 10 MB"):
        await check_pasted_url(f"{site}/huge.png", "image", guard=OWN_STUDIO)
    with pytest.raises(HostingError, match="at most 100 MB"):
        await check_pasted_url(f"{site}/big.mp4", "video", guard=OWN_STUDIO)


@pytest.mark.asyncio
async def test_generic_type_is_accepted_only_when_the_name_says_the_kind(site):
    assert (await check_pasted_url(f"{site}/stored/photo.png", "image", guard=OWN_STUDIO)).url.endswith("photo.png")
    with pytest.raises(HostingError, match="application/octet-stream"):
        await check_pasted_url(f"{site}/stored/blob", "image", guard=OWN_STUDIO)


@pytest.mark.asyncio
async def test_unreachable_or_not_a_web_address_is_refused():
    with pytest.raises(HostingError, match="cannot be reached"):
        await check_pasted_url(f"http://127.0.0.1:{closed_port()}/a.png", "image", guard=OWN_STUDIO)
    for bad in ("file:///etc/passwd", "ftp://example.com/a.png", "photo.png", "", "https://"):
        with pytest.raises(HostingError, match="http:// or https://"):
            await check_pasted_url(bad, "image", guard=OWN_STUDIO)
