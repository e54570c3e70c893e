"""Fetch each reference the way the service would, and check it against SPEC.md's media rules.

The emulator only fetches from this machine (127.0.0.0/8, ::1, localhost): it must never reach
out to the internet on a user's behalf. Every problem is a ``MediaRejected`` whose text becomes
the task's ``reason``.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import av
import httpx
from PIL import Image

IMAGE_FORMATS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "BMP": "BMP", "WEBP": "WEBP"}
IMAGE_SIDE_MIN, IMAGE_SIDE_MAX = 240, 8000
IMAGE_MAX_BYTES = 10 * 1024 * 1024
IMAGE_ASPECT_MIN, IMAGE_ASPECT_MAX = 1 / 8, 8.0
VIDEO_MAX_BYTES = 100 * 1024 * 1024
VIDEO_SECONDS_MIN, VIDEO_SECONDS_MAX = 1.0, 30.0
VIDEO_SIDE_MIN, VIDEO_SIDE_MAX = 240, 4096
VOICE_SECONDS_MIN, VOICE_SECONDS_MAX = 3.0, 30.0
VOICE_MAX_BYTES = 50 * 1024 * 1024  # not in SPEC; a fetch cap so a wrong link cannot fill the disk
_VIDEO_CONTAINERS = {"mov", "mp4"}
_AUDIO_CONTAINERS = {"mp3": "MP3", "wav": "WAV", "flac": "FLAC"}
# A little slack over SPEC's limits: container durations are rounded by muxers.
_SLACK = 0.05


class MediaRejected(Exception):
    """The reference cannot be used; the message is the task's ``reason``."""


@dataclass(frozen=True)
class Probed:
    kind: str
    format: str
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    bytes: int = 0


def is_loopback_url(url: str) -> bool:
    host = (urlsplit(url).hostname or "").strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def fetch(client: httpx.AsyncClient, url: str, dest: Path, label: str, max_bytes: int) -> Path:
    """Download ``url`` to ``dest``; raise MediaRejected with plain words when that fails."""
    if not is_loopback_url(url):
        raise MediaRejected(
            f"{label}: the emulator only fetches references from this machine (localhost / 127.0.0.1 / ::1), "
            f"and {urlsplit(url).hostname or url} is not one; upload the file through the emulator instead"
        )
    size = 0
    try:
        async with client.stream("GET", url) as response:
            if response.status_code != 200:
                raise MediaRejected(f"{label}: fetching {url} answered HTTP {response.status_code}")
            with open(dest, "wb") as fh:
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise MediaRejected(f"{label}: the file is larger than {max_bytes // (1024 * 1024)} MB")
                    fh.write(chunk)
    except httpx.HTTPError as exc:
        raise MediaRejected(f"{label}: could not fetch {url} ({type(exc).__name__}: {exc or 'no answer'})") from exc
    return dest


def check_image(path: Path, label: str) -> Probed:
    size = path.stat().st_size
    if size > IMAGE_MAX_BYTES:
        raise MediaRejected(f"{label}: the image is {size / 1e6:.1f} MB; the limit is 10 MB")
    try:
        with Image.open(path) as img:
            fmt = img.format or ""
            width, height = img.size
            img.verify()
    except Exception as exc:  # Pillow raises many kinds for broken or foreign files
        raise MediaRejected(f"{label}: not a readable image (JPEG, PNG, BMP or WEBP): {exc}") from exc
    if fmt not in IMAGE_FORMATS:
        raise MediaRejected(f"{label}: image format {fmt or 'unknown'} is not accepted (JPEG, PNG, BMP, WEBP)")
    for side_name, side in (("width", width), ("height", height)):
        if not IMAGE_SIDE_MIN <= side <= IMAGE_SIDE_MAX:
            raise MediaRejected(
                f"{label}: image {side_name} is {side} px; each side must be {IMAGE_SIDE_MIN}-{IMAGE_SIDE_MAX} px"
            )
    ratio = width / height
    if not IMAGE_ASPECT_MIN <= ratio <= IMAGE_ASPECT_MAX:
        raise MediaRejected(f"{label}: image aspect ratio {width}:{height} is outside 1:8 to 8:1")
    return Probed("image", IMAGE_FORMATS[fmt], width, height, None, size)


def _duration(container: av.container.InputContainer, stream: av.stream.Stream) -> float | None:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / 1_000_000
    return None


def check_video(path: Path, label: str) -> Probed:
    size = path.stat().st_size
    if size > VIDEO_MAX_BYTES:
        raise MediaRejected(f"{label}: the video is {size / 1e6:.1f} MB; the limit is 100 MB")
    try:
        with av.open(str(path)) as container:
            names = set(container.format.name.split(","))
            if not names & _VIDEO_CONTAINERS:
                raise MediaRejected(f"{label}: video container {container.format.name} is not MP4/MOV")
            if not container.streams.video:
                raise MediaRejected(f"{label}: the file holds no video stream")
            stream = container.streams.video[0]
            width, height = stream.codec_context.width, stream.codec_context.height
            duration = _duration(container, stream)
            # Decode one frame so a truncated or mislabelled file is caught here.
            next(container.decode(stream))
    except MediaRejected:
        raise
    except Exception as exc:
        raise MediaRejected(f"{label}: not a readable MP4/MOV video: {exc}") from exc
    if duration is None or not VIDEO_SECONDS_MIN - _SLACK <= duration <= VIDEO_SECONDS_MAX + _SLACK:
        shown = "unknown" if duration is None else f"{duration:.1f} s"
        raise MediaRejected(f"{label}: video length is {shown}; it must be 1-30 s")
    for side_name, side in (("width", width), ("height", height)):
        if not VIDEO_SIDE_MIN <= side <= VIDEO_SIDE_MAX:
            raise MediaRejected(
                f"{label}: video {side_name} is {side} px; each side must be {VIDEO_SIDE_MIN}-{VIDEO_SIDE_MAX} px"
            )
    return Probed("video", "MP4/MOV", width, height, duration, size)


def check_voice(path: Path, label: str) -> Probed:
    size = path.stat().st_size
    try:
        with av.open(str(path)) as container:
            fmt_name = container.format.name
            fmt = next((v for k, v in _AUDIO_CONTAINERS.items() if k in fmt_name.split(",")), None)
            if fmt is None:
                raise MediaRejected(f"{label}: voice format {fmt_name} is not accepted (MP3, WAV, FLAC)")
            if not container.streams.audio:
                raise MediaRejected(f"{label}: the file holds no audio stream")
            stream = container.streams.audio[0]
            duration = _duration(container, stream)
            if duration is None:  # some MP3s only tell after decoding
                total = 0.0
                for frame in container.decode(stream):
                    total += frame.samples / frame.sample_rate
                duration = total
    except MediaRejected:
        raise
    except Exception as exc:
        raise MediaRejected(f"{label}: not a readable MP3/WAV/FLAC file: {exc}") from exc
    if not VOICE_SECONDS_MIN - _SLACK <= duration <= VOICE_SECONDS_MAX + _SLACK:
        raise MediaRejected(f"{label}: voice length is {duration:.1f} s; it must be 3-30 s")
    return Probed("audio", fmt, None, None, duration, size)
