"""A studio others can reach opens no private address for a link a stranger gives it (hosting/link_guard.py).

Every target here is a loopback server that counts the requests it is sent: on a shared studio it must
get none, for every spelling of a local address, behind a public-looking name, behind a redirect from
a public-looking site, and after a second DNS answer.  "Public" sites are loopback servers behind a
made-up public address (`InternetStandIn`) and made-up DNS (`made_up_dns`): nothing leaves the machine.
The same links on the owner's loopback studio still reach the server (the control: the spellings are
real), and R2V_ALLOW_PRIVATE_LINKS=1 allows them anywhere."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import pytest_asyncio

from r2v_ui.config import Settings
from r2v_ui.hosting import HostedURL, HostingError, LinkGuard, check_pasted_url
from r2v_ui.messages import ZH, render_msg
from tests.fixtures_hosting import OWN_STUDIO, InternetStandIn, counting_site, made_up_dns

SHARED = Settings(host="0.0.0.0")  # a --host other than loopback: reachable by others
PUBLIC_ADDRESS, OTHER_PUBLIC_ADDRESS = "93.184.215.14", "93.184.215.15"  # never connected to: see InternetStandIn


@pytest_asyncio.fixture
async def internet():
    """A "public" site (a loopback server behind PUBLIC_ADDRESS and OTHER_PUBLIC_ADDRESS) whose /hop
    redirects wherever `internet.redirect["url"]` says."""
    hits: list[str] = []
    redirect: dict[str, str] = {}
    with counting_site(hits, redirect_to=redirect) as site:
        stand_in = InternetStandIn({PUBLIC_ADDRESS: site.port, OTHER_PUBLIC_ADDRESS: site.port})
        yield SimpleNamespace(hits=hits, redirect=redirect, stand_in=stand_in)
        await stand_in.close_for_good()


def shared_guard(internet, names: dict | None = None) -> LinkGuard:
    """A shared studio's guard, with made-up DNS and the internet stand-in."""
    base = LinkGuard.for_settings(SHARED)
    return LinkGuard(allow_private=base.allow_private, resolve=made_up_dns(names or {}), transport=internet.stand_in)


def assert_refused_without_a_peek(exc: HostingError, where: str) -> None:
    """The one sentence of a refused private address: why, and nothing of what would have answered."""
    assert exc.msg.code == "hosting.link_private_address"
    for said, why in ((str(exc), "leads to a private or local network address"), (render_msg(exc.msg, ZH), "私有或本地网络地址")):
        assert where in said and why in said, said
        rest = said.replace(where, "")
        for peek in ("text/plain", "image/png", "HTTP", "MB", "secret", "200", "405", "302"):
            assert peek not in rest, (peek, said)


@pytest.mark.asyncio
async def test_a_shared_studio_opens_no_local_address_in_any_spelling(local):
    guard = LinkGuard.for_settings(SHARED)
    for link in local.links:
        with pytest.raises(HostingError) as refused:
            await check_pasted_url(link, "image", guard=guard)
        assert_refused_without_a_peek(refused.value, link.split("//")[1].split("/")[0].rpartition("@")[2])
    assert local.hits == []


@pytest.mark.asyncio
async def test_on_the_owners_loopback_studio_the_same_links_reach_the_machine(local):
    """The control: each spelling really names the local server, and an unguarded check tells what
    answered there (the type of secret.txt), which is what a shared studio must not tell a stranger."""
    reaching = [link for link in local.links if "[::]" not in link]  # "::" is not routable to ::1 everywhere
    for link in reaching:
        before = len(local.hits)
        with pytest.raises(HostingError) as refused:
            await check_pasted_url(link, "image", guard=OWN_STUDIO)
        assert len(local.hits) > before, link
        assert refused.value.msg.code == "hosting.link_wrong_type" and "text/plain" in str(refused.value)


@pytest.mark.parametrize("settings, allowed", [
    (Settings(), True),
    (Settings(host="localhost"), True),
    (Settings(host="0.0.0.0"), False),
    (Settings(host="192.168.1.20"), False),
    (Settings(share=True), False),
    (Settings(space_host="someone-studio.hf.space"), False),
    (Settings(public_base_url="https://studio.example.com"), False),
    (Settings.from_env({"PUBLIC_BASE_URL": "https://studio.example.com"}), False),
    (Settings.from_env({"GRADIO_SERVER_NAME": "0.0.0.0", "R2V_ALLOW_PRIVATE_LINKS": "1"}), True),
    (Settings(share=True, allow_private_links=True), True),
])
def test_who_may_reach_private_addresses_follows_who_can_open_the_studio(settings, allowed):
    assert LinkGuard.for_settings(settings).allow_private is allowed


@pytest.mark.asyncio
async def test_a_public_looking_name_that_resolves_to_a_local_address_is_refused(local, internet):
    names = {"cdn.example.com": ["127.0.0.1"], "mixed.example.com": [PUBLIC_ADDRESS, "127.0.0.1"],
             "v6.example.com": ["::1"], "meta.example.com": ["169.254.169.254"], "lan.example.com": ["10.1.2.3"]}
    guard = shared_guard(internet, names)
    for name in names:
        with pytest.raises(HostingError) as refused:
            await check_pasted_url(f"http://{name}:{local.v4.port}/secret.txt", "image", guard=guard)
        assert_refused_without_a_peek(refused.value, name)
    assert local.hits == [] and internet.hits == [] and internet.stand_in.seen == []


@pytest.mark.asyncio
async def test_a_redirect_from_a_public_site_to_a_local_address_is_refused_at_that_hop(local, internet):
    guard = shared_guard(internet, {"media.example.com": [PUBLIC_ADDRESS], "intranet.example.com": ["10.0.0.5"]})
    targets = [f"http://127.0.0.1:{local.v4.port}/secret.txt", f"http://2130706433:{local.v4.port}/secret.txt",
               f"http://localhost:{local.v4.port}/secret.txt", f"http://[::1]:{local.v6.port}/secret.txt",
               "http://intranet.example.com/secret.txt", f"//127.0.0.1:{local.v4.port}/secret.txt"]
    for target in targets:
        internet.redirect["url"] = target
        with pytest.raises(HostingError) as refused:
            await check_pasted_url("http://media.example.com/hop", "image", guard=guard)
        assert_refused_without_a_peek(refused.value, "media.example.com")
        assert str(local.v4.port) not in str(refused.value)  # the hop's target is not told either
    assert local.hits == []
    assert internet.hits == ["HEAD /hop"] * len(targets)  # the public site was asked, once a link


@pytest.mark.asyncio
async def test_a_redirect_to_another_public_site_is_followed(internet):
    guard = shared_guard(internet, {"media.example.com": [PUBLIC_ADDRESS], "cdn.example.com": [OTHER_PUBLIC_ADDRESS]})
    internet.redirect["url"] = "http://cdn.example.com/face.png"
    link = "http://media.example.com/hop?sig=abc"
    assert await check_pasted_url(link, "image", guard=guard) == HostedURL(link, None)  # passed through as given
    assert internet.hits == ["HEAD /hop", "HEAD /face.png"]
    assert [(a, h) for a, h, _ in internet.stand_in.seen] == [(PUBLIC_ADDRESS, "media.example.com"),
                                                              (OTHER_PUBLIC_ADDRESS, "cdn.example.com")]


@pytest.mark.asyncio
async def test_the_connection_goes_to_the_checked_address_with_the_links_own_name(internet):
    """Pinned: the studio connects to the address it checked, and sends the link's own Host (and, over
    https, the TLS server name that certificates are checked against)."""
    guard = shared_guard(internet, {"media.example.com": [PUBLIC_ADDRESS]})
    await check_pasted_url("http://media.example.com/face.png", "image", guard=guard)
    await check_pasted_url("https://media.example.com:8443/face.png", "image", guard=guard)
    assert internet.stand_in.seen == [(PUBLIC_ADDRESS, "media.example.com", None),
                                      (PUBLIC_ADDRESS, "media.example.com:8443", "media.example.com")]


@pytest.mark.asyncio
async def test_a_second_dns_answer_pointing_home_is_refused(local, internet):
    """DNS rebinding: the name answers a public address for the HEAD, then 127.0.0.1 for the ranged GET
    that follows a refused HEAD.  Each answer is checked before its connection, so home gets nothing."""
    answers = iter([[PUBLIC_ADDRESS], ["127.0.0.1"]])
    guard = shared_guard(internet, lambda name: next(answers) if name == "flip.example.com" else None)
    with pytest.raises(HostingError) as refused:
        await check_pasted_url(f"http://flip.example.com:{local.v4.port}/face.png?head=refused", "image", guard=guard)
    assert_refused_without_a_peek(refused.value, "flip.example.com")
    assert internet.hits == ["HEAD /face.png"] and local.hits == []


@pytest.mark.asyncio
async def test_a_redirect_that_cannot_be_read_or_leaves_the_web_is_refused_in_words(internet):
    guard = shared_guard(internet, {"media.example.com": [PUBLIC_ADDRESS]})
    for target in ("http://[::1", "file:///etc/passwd", "gopher://127.0.0.1:70/"):
        internet.redirect["url"] = target
        with pytest.raises(HostingError) as refused:
            await check_pasted_url("http://media.example.com/hop", "image", guard=guard)
        assert refused.value.msg.code == "hosting.link_unreachable", target
    assert internet.hits == ["HEAD /hop"] * 3  # the public site only; the redirect goes nowhere
