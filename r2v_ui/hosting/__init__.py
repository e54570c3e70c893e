"""Give each reference a URL the service can fetch (SPEC.md "Uploading references", DESIGN.md
"Reference hosting backends").

Backends: the embedded emulator (demo mode), pasted public links, an S3-compatible bucket, and the
studio's own public address.  `make_host` picks one from the settings and wraps it in a
content-hash cache, so the same file is not uploaded twice while its URL is valid.  A link a user
gives is reached only through `LinkGuard` (link_guard.py), which keeps a shared studio off private
addresses.  Uploads stream
from disk in 1 MB chunks, may run in parallel (asyncio.gather), and report progress."""

from __future__ import annotations

from pathlib import Path

from ..config import Settings
from ..messages import Choices, msg
from .base import HostedURL, HostingError, ProgressCallback, ReferenceHost, safe_filename
from .cache import CachingHost
from .emulator import EmulatorHost
from .link_guard import LinkGuard
from .pasted import PastedURLHost, check_pasted_url
from .public import ROUTE_PREFIX, PublicAppHost, public_reference_routes
from .s3 import S3Host

__all__ = [
    "CachingHost",
    "EmulatorHost",
    "HostedURL",
    "HostingError",
    "LinkGuard",
    "PastedURLHost",
    "ProgressCallback",
    "PublicAppHost",
    "ROUTE_PREFIX",
    "ReferenceHost",
    "S3Host",
    "check_pasted_url",
    "make_host",
    "public_reference_routes",
    "safe_filename",
]


def hosting_dir(settings: Settings) -> Path:
    return Path(settings.data_dir) / "hosting"


def make_host(
    settings: Settings, *, emulator_url: str | None, emulator_key: str | None, cache: bool = True
) -> ReferenceHost:
    """The backend the settings ask for.  "auto": the emulator when one is running (demo mode),
    else S3 when a bucket is set, else the public address when one is set."""
    choice = (settings.hosting or "auto").lower()
    if choice == "auto":
        if emulator_url:
            choice = "emulator"
        elif settings.s3_bucket:
            choice = "s3"
        elif settings.public_base_url:
            choice = "public"
        else:
            raise HostingError(msg("hosting.none_set_up", setting="R2V_HOSTING=url"))
    if choice == "url":
        return PastedURLHost()
    if choice == "emulator":
        if not emulator_url:
            raise HostingError(msg("hosting.emulator_not_running"))
        host = EmulatorHost(emulator_url, emulator_key)
    elif choice == "s3":
        if not settings.s3_bucket:
            raise HostingError(msg("hosting.s3_needs_bucket"))
        host = S3Host.from_settings(settings)
    elif choice == "public":
        # public_base_url may still be None here when a share link will be set after launch.
        host = PublicAppHost(
            settings.public_base_url, hosting_dir(settings) / "public", ttl_seconds=settings.s3_url_ttl_seconds
        )
    else:
        raise HostingError(msg("hosting.unknown_way", choice=repr(choice),
                               choices=Choices(("auto", "emulator", "url", "s3", "public"))))
    if not cache:
        return host
    return CachingHost(host, hosting_dir(settings) / "cache.json")
