"""In a real browser on a shared studio: a stranger pastes a link to the studio's own machine on a card,
and the card refuses it in one sentence in the page's language, saying why and nothing of what would
have answered; the local server behind the link is never asked.  Laptop and phone, English and Chinese."""

from __future__ import annotations

import pytest

from tests.fixtures_browser import DESKTOP, PHONE, axe_violations, browser_marks, expect, open_page
from tests.fixtures_ui import running_studio

pytestmark = browser_marks


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    with running_studio(tmp_path_factory.mktemp("browser-shared-links"), host="0.0.0.0") as s:
        yield s


@pytest.mark.parametrize("locale, viewport, said", [
    ("en-US", DESKTOP, "leads to a private or local network address, which this shared studio does not open"),
    ("zh-CN", PHONE, "指向私有或本地网络地址，这个共享的工作室不会打开它"),
])
def test_a_link_to_the_studios_machine_is_refused_on_the_card(browser, shared, local, artifacts_dir,
                                                             locale, viewport, said):
    page = open_page(browser, shared.url, viewport=viewport, locale=locale)
    page.locator("#card-1-more").click()
    page.locator("#card-1-link input, #card-1-link textarea").first.fill(local.links[2])  # http://2130706433:<port>/…
    page.locator("#card-1-use-link").click()
    face = page.locator("#card-1-face")
    expect(face.locator(".card-face")).to_have_attribute("data-verdict", "refused")
    expect(face).to_contain_text(said)
    assert "text/plain" not in face.inner_text()
    page.screenshot(path=str(artifacts_dir / f"link-guard-{locale}-{viewport['width']}.png"), full_page=False)
    assert axe_violations(page) == []
    assert local.hits == []
    page.context.close()
