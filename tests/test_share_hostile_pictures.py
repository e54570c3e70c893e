"""A cast picture on the share page is the owner's own upload: whatever the camera wrote into it (where
it was taken, the camera, the software) must not reach the strangers the link is sent to.  Over loopback
on the real studio in demo mode: a job made from a phone-style JPEG (GPS, maker, and a rotation tag),
shared, its cast picture fetched through the link."""

from __future__ import annotations

import io

import httpx
from PIL import Image

from r2v_ui.jobs.model import JobDraft, Reference
from r2v_ui.share.model import Expiry
from tests.fixtures_jobs import wait_for_state
from tests.fixtures_ui import running_studio

GPS_IFD, MAKE, SOFTWARE, ORIENTATION = 0x8825, 0x010F, 0x0131, 0x0112


def _phone_photo(path, *, turned: bool) -> None:
    """A 960×720 JPEG as a phone writes it: GPS, maker and software; `turned`: stored sideways with the
    rotation tag that stands it up (portrait 720×960 when shown)."""
    im = Image.new("RGB", (960, 720), "tomato")
    im.paste("navy", (0, 0, 120, 720))  # a band on the stored left: on top once stood up
    exif = Image.Exif()
    exif[MAKE], exif[SOFTWARE] = "SecretCamCo", "Shutter 9.1 (home-network-7)"
    exif[GPS_IFD] = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 5.0)}
    if turned:
        exif[ORIENTATION] = 6
    im.save(path, "JPEG", exif=exif.tobytes(), quality=90)


def test_a_cast_picture_reaches_a_viewer_upright_small_and_without_the_cameras_metadata(tmp_path):
    ada, bo = tmp_path / "ada.jpg", tmp_path / "bo.jpg"
    _phone_photo(ada, turned=False)
    _phone_photo(bo, turned=True)
    with running_studio(tmp_path / "data") as rs:
        manager = rs.studio.manager
        job_id = manager.start(JobDraft(references=(Reference(kind="image", path=ada, name="ada.jpg"),
                                                    Reference(kind="image", path=bo, name="bo.jpg")),
                                        prompt="character1 greets character2", size="1280*720", duration=2))
        snap, _ = wait_for_state(manager, job_id, {"succeeded", "failed"}, timeout=120)
        assert snap.state == "succeeded"
        link = rs.studio.shares.create("", [job_id], Expiry.DAY, None, False)
        with httpx.Client(base_url=rs.url, timeout=30) as c:
            pictures = [c.get(f"{link.path}/c/0/{k}") for k in (0, 1)]
    for r in pictures:
        assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
        assert r.headers["x-content-type-options"] == "nosniff"
        assert b"SecretCamCo" not in r.content and b"home-network-7" not in r.content
        shown = Image.open(io.BytesIO(r.content))
        assert dict(shown.getexif()) == {} and "exif" not in shown.info
        assert max(shown.size) <= 520  # a card's picture, not the full photo
    plain, turned = (Image.open(io.BytesIO(r.content)).convert("RGB") for r in pictures)
    assert plain.width > plain.height and turned.width < turned.height  # stood up as the tag says
    assert turned.getpixel((turned.width // 2, 4))[2] > 100  # the band is on top, navy
