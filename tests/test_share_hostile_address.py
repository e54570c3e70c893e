"""Who a viewer is, by address, when the studio is served straight to a network (issue 22's note and
guess limits are per client address): a viewer on the LAN writes their own X-Forwarded-For, and a studio
with no proxy in front must not believe it.  The peer's address cannot be a LAN address over loopback, so
these drive the share routes in process (Starlette's client with the peer set), the rest as elsewhere."""

from __future__ import annotations

import re

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from r2v_ui.share.model import NOTES_PER_MINUTE, Expiry
from r2v_ui.share.routes import LOOPBACK_NETWORKS, PROXY_NETWORKS, client_address, share_routes
from r2v_ui.share.service import ShareService
from r2v_ui.store import JobStore
from tests.fixtures_share import finished_job

LAN_PEER = ("192.168.1.20", 50123)


@pytest.fixture
def room(tmp_path):
    store = JobStore(tmp_path / "data")
    finished_job(store, "take1", owner="ann")
    shares = ShareService(store)
    return shares, shares.create("ann", ["take1"], Expiry.WEEK, None, show_prompt=False)


def _notes_from_a_lan_viewer_spoofing(shares, link, *, behind_proxy: bool) -> list[int]:
    """Statuses of NOTES_PER_MINUTE + 2 notes, each from a fresh browser at one LAN address that writes a
    new X-Forwarded-For each time."""
    app = Starlette(routes=share_routes(shares, behind_proxy=behind_proxy))
    statuses = []
    for i in range(NOTES_PER_MINUTE + 2):
        with TestClient(app, client=LAN_PEER, headers={"x-forwarded-for": f"203.0.113.{i + 1}"}) as c:
            key = re.search(r'name="csrf" value="([0-9a-f]+)"', c.get(link.path).text).group(1)
            statuses.append(c.post(f"{link.path}/note", data={"job": "0", "csrf": key, "text": f"spam {i}"},
                                   headers={"x-r2v-share": "1"}).status_code)
    return statuses


def test_a_lan_viewer_cannot_lift_the_note_cap_by_writing_x_forwarded_for(room):
    shares, link = room
    assert _notes_from_a_lan_viewer_spoofing(shares, link, behind_proxy=False) == [200] * NOTES_PER_MINUTE + [429] * 2


def test_behind_a_declared_proxy_its_x_forwarded_for_names_each_viewer(room):
    shares, link = room
    assert _notes_from_a_lan_viewer_spoofing(shares, link, behind_proxy=True) == [200] * (NOTES_PER_MINUTE + 2)


class _Req:
    def __init__(self, peer: str, forwarded: str | None):
        self.client = type("C", (), {"host": peer})()
        self.headers = {"x-forwarded-for": forwarded} if forwarded else {}


@pytest.mark.parametrize("peer, proxies, seen", [
    ("192.168.1.20", LOOPBACK_NETWORKS, "192.168.1.20"),  # a LAN viewer's own header, on a studio served to the LAN
    ("fd00::7", LOOPBACK_NETWORKS, "fd00::7"),
    ("127.0.0.1", LOOPBACK_NETWORKS, "198.51.100.9"),  # the --share tunnel or a proxy on this machine
    ("::1", LOOPBACK_NETWORKS, "198.51.100.9"),
    ("10.0.0.2", PROXY_NETWORKS, "198.51.100.9"),  # a Space's proxy
])
def test_x_forwarded_for_is_believed_only_from_a_proxy(peer, proxies, seen):
    assert client_address(_Req(peer, "6.6.6.6, 198.51.100.9"), proxies) == seen
