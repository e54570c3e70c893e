"""The studio's signing key (share-links.key in the data folder) is its own, over loopback on the real
studio: a symbolic link planted at the key's path is never followed (a key read from a file someone else
chose is a key they know: they could sign form keys and passes), a file another user left there is not
taken, and a key file left readable by others is made readable by its owner only (0600) and kept, so the
viewers already in stay in."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import stat

import httpx
import pytest

from r2v_ui.share.model import Expiry
from r2v_ui.share.routes import VIEWER_COOKIE
from r2v_ui.share.service import SIGNING_KEY_FILE
from tests.fixtures_share import finished_job, viewer_address
from tests.fixtures_ui import running_studio

VIEWER = "viewer-chosen-by-the-test"


def _form_key_seen(url: str, path: str) -> str:
    """The form key the share page gives a viewer whose cookie is VIEWER."""
    headers = {"accept-language": "en", "x-forwarded-for": viewer_address(), "cookie": f"{VIEWER_COOKIE}={VIEWER}"}
    with httpx.Client(base_url=url, headers=headers, timeout=30) as c:
        page = c.get(path)
        assert page.status_code == 200
        return re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)


def _signed_with(key: str, token: str) -> str:
    return hmac.new(key.encode("ascii"), f"form|{token}|{VIEWER}".encode(), hashlib.sha256).hexdigest()


@pytest.mark.skipif(not hasattr(os, "symlink") or os.name != "posix", reason="symbolic links and modes: POSIX")
def test_a_symlink_planted_at_the_key_path_is_not_followed(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    known = "a-key-the-planter-knows-0123456789abcdef"
    theirs = tmp_path / "theirs.txt"
    theirs.write_text(known)
    (data / SIGNING_KEY_FILE).symlink_to(theirs)

    with running_studio(data) as rs:
        finished_job(rs.studio.store, "solo", owner="")
        link = rs.studio.shares.create("", ["solo"], Expiry.WEEK, None, True)
        seen = _form_key_seen(rs.url, link.path)

    assert seen != _signed_with(known, link.token)  # the planted file is not the studio's key
    key_file = data / SIGNING_KEY_FILE
    assert not key_file.is_symlink() and stat.S_ISREG(key_file.lstat().st_mode)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert seen == _signed_with(key_file.read_text().strip(), link.token)
    assert theirs.read_text() == known  # what the link pointed at is left as it was


@pytest.mark.skipif(os.name != "posix", reason="file modes: POSIX")
def test_a_key_file_readable_by_others_is_kept_but_made_readable_by_its_owner_only(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    key = "an-older-key-restored-from-a-backup-0123456789"
    key_file = data / SIGNING_KEY_FILE
    key_file.write_text(key)
    key_file.chmod(0o644)

    with running_studio(data) as rs:
        finished_job(rs.studio.store, "solo", owner="")
        link = rs.studio.shares.create("", ["solo"], Expiry.WEEK, None, True)
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert _form_key_seen(rs.url, link.path) == _signed_with(key, link.token)  # the same key: nobody is let out
