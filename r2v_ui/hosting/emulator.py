"""The emulator backend: the embedded emulator stores each upload and serves it on loopback
(`POST /emulator/uploads`, a raw streamed body)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx

from ..messages import Msg, msg
from ..tls import shared_context
from .base import (
    HostedURL,
    HostingError,
    ProgressCallback,
    check_local_file,
    describe_connect_error,
    file_chunks,
    require_reference_type,
    safe_filename,
)

_TIMEOUT = httpx.Timeout(connect=10.0, read=120.0, write=120.0, pool=30.0)


class EmulatorHost:
    name = "emulator"

    def __init__(self, base_url: str, api_key: str | None, *, timeout: httpx.Timeout = _TIMEOUT):
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        self._timeout = timeout

    def __repr__(self) -> str:  # never shows the key
        return f"EmulatorHost({self.base_url!r})"

    @property
    def cache_identity(self) -> str:
        return f"emulator|{self.base_url}"

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}

    async def put(self, path: Path, *, content_type: str, on_progress: ProgressCallback | None = None,
                  sha256: str | None = None) -> HostedURL:
        path = check_local_file(path)
        ctype = require_reference_type(content_type)
        headers = {
            **self._headers(),
            "Content-Type": ctype,
            "Content-Length": str(os.path.getsize(path)),
            "X-Filename": safe_filename(path.name, ctype),
        }
        # One client per call: puts may run on different event loops, and a client is bound to one.
        async with httpx.AsyncClient(timeout=self._timeout, verify=shared_context()) as client:
            try:
                resp = await client.post(
                    f"{self.base_url}/emulator/uploads", content=file_chunks(path, on_progress), headers=headers
                )
            except httpx.TimeoutException as exc:
                raise HostingError(msg("hosting.emu_timeout", where=self.base_url)) from exc
            except httpx.HTTPError as exc:
                raise HostingError(msg("hosting.emu_unreachable", where=self.base_url,
                                       detail=describe_connect_error(exc))) from exc
        if resp.status_code in (401, 403):
            raise HostingError(msg("hosting.emu_key_refused"))
        if resp.status_code != 200:
            raise HostingError(msg("hosting.emu_refused", name=repr(path.name), status=resp.status_code,
                                   detail=_short_text(resp)))
        try:
            data = resp.json()
            url = str(data["url"])
            expires = data.get("expires_at")
            return HostedURL(url, float(expires) if expires is not None else None)
        except (ValueError, KeyError, TypeError) as exc:
            raise HostingError(msg("hosting.emu_unreadable")) from exc

    async def check(self) -> Msg:
        async with httpx.AsyncClient(timeout=httpx.Timeout(10.0), verify=shared_context()) as client:
            try:
                resp = await client.get(f"{self.base_url}/emulator/stats", headers=self._headers())
            except httpx.HTTPError as exc:
                raise HostingError(msg("hosting.emu_silent", where=self.base_url,
                                       detail=describe_connect_error(exc))) from exc
        if resp.status_code != 200:
            raise HostingError(msg("hosting.emu_status", where=self.base_url, status=resp.status_code))
        return msg("hosting.emu_ok", where=self.base_url, time=time.strftime("%H:%M:%S"))


def _short_text(resp: httpx.Response) -> str | Msg:
    try:
        data = resp.json()
        if isinstance(data, dict):
            return str(data.get("message") or data.get("reason") or data)[:200]
    except ValueError:
        pass
    return resp.text[:200].strip() or msg("hosting.no_details")
