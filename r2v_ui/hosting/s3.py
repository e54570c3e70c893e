"""S3-compatible buckets (AWS S3, Cloudflare R2, Alibaba OSS, MinIO, ...): upload, then a presigned
GET URL that outlives the task.

boto3 is optional and imported only when this backend is used.  Credentials come from boto3's
default chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, AWS_PROFILE, the
shared config files, an instance role); this module never stores, logs or repeats them.
Keys are content-addressed (prefix + sha256 + extension), so no user file name reaches the bucket
and the same content is stored once."""

from __future__ import annotations

import asyncio
import os
import secrets
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..messages import Msg, msg
from .base import (
    HostedURL,
    HostingError,
    ProgressCallback,
    check_local_file,
    extension_for,
    file_sha256,
    require_reference_type,
)

PRESIGN_MAX_SECONDS = 7 * 24 * 3600  # SigV4 presigned URLs cannot live longer
_MULTIPART = 8 * 1024 * 1024


def _boto3():
    try:
        import boto3  # noqa: F401
        import botocore  # noqa: F401
    except ImportError as exc:
        raise HostingError(msg("hosting.s3_no_boto", package="boto3", command="pip install boto3")) from exc
    return boto3


class S3Host:
    name = "s3"

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        prefix: str = "r2v-references/",
        region: str | None = None,
        url_ttl_seconds: int = 6 * 3600,
        addressing_style: str | None = None,
    ):
        if not bucket:
            raise HostingError(msg("hosting.s3_needs_bucket_short"))
        self.bucket = bucket
        self.endpoint_url = endpoint_url.rstrip("/") if endpoint_url else None
        self.prefix = prefix or ""
        self.region = region
        self.url_ttl_seconds = max(60, min(int(url_ttl_seconds), PRESIGN_MAX_SECONDS))
        self.addressing_style = addressing_style or _default_addressing(self.endpoint_url)
        self._client: Any = None
        self._client_lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings) -> "S3Host":
        return cls(
            settings.s3_bucket or "",
            endpoint_url=settings.s3_endpoint,
            prefix=settings.s3_prefix,
            region=settings.s3_region,
            url_ttl_seconds=settings.s3_url_ttl_seconds,
        )

    def __repr__(self) -> str:
        return f"S3Host(bucket={self.bucket!r}, endpoint={self.endpoint_url!r}, prefix={self.prefix!r})"

    @property
    def cache_identity(self) -> str:
        return f"s3|{self.endpoint_url or 'aws'}|{self.bucket}|{self.prefix}"

    @property
    def _where(self) -> Msg:
        if not self.endpoint_url:
            return msg("hosting.s3_bucket", bucket=repr(self.bucket))
        return msg("hosting.s3_bucket_at", bucket=repr(self.bucket),
                   endpoint=urlsplit(self.endpoint_url).netloc or self.endpoint_url)

    def _s3(self):
        """One client per host, made once (boto3 sessions are not thread-safe; clients are)."""
        with self._client_lock:
            if self._client is None:
                boto3 = _boto3()
                from botocore.config import Config

                config = Config(
                    signature_version="s3v4",
                    s3={"addressing_style": self.addressing_style},
                    retries={"max_attempts": 3, "mode": "standard"},
                    connect_timeout=10,
                    read_timeout=60,
                    max_pool_connections=16,
                )
                try:
                    self._client = boto3.session.Session().client(
                        "s3", endpoint_url=self.endpoint_url, region_name=self.region, config=config
                    )
                except Exception as exc:  # a malformed endpoint or region
                    raise self._explain(exc, "connect") from exc
            return self._client

    # -- uploads ---------------------------------------------------------------------------------

    async def put(self, path: Path, *, content_type: str, on_progress: ProgressCallback | None = None,
                  sha256: str | None = None) -> HostedURL:
        path = check_local_file(path)
        ctype = require_reference_type(content_type)
        total = os.path.getsize(path)
        digest = sha256 or await asyncio.to_thread(file_sha256, path)  # a known digest is not re-read
        key = f"{self.prefix}{digest}{extension_for(path, ctype)}"
        report = _ThreadProgress(on_progress, total)
        report.start()
        await asyncio.to_thread(self._upload_sync, path, key, ctype, report)
        report.finish()
        url = await asyncio.to_thread(self._presign_sync, key)
        return HostedURL(url, time.time() + self.url_ttl_seconds)

    def _upload_sync(self, path: Path, key: str, ctype: str, report: "_ThreadProgress") -> None:
        from boto3.s3.transfer import TransferConfig
        from botocore.exceptions import ClientError

        s3 = self._s3()
        try:
            # Content-addressed: the same bytes under the same key need no second upload.
            head = s3.head_object(Bucket=self.bucket, Key=key)
            if head.get("ContentLength") == report.total:
                return
        except ClientError:
            pass  # missing (404), or 403 without list permission: upload, which reports real problems
        except Exception as exc:
            raise self._explain(exc, "upload") from exc
        transfer = TransferConfig(
            multipart_threshold=_MULTIPART, multipart_chunksize=_MULTIPART, max_concurrency=4, use_threads=True
        )
        try:
            s3.upload_file(
                str(path), self.bucket, key, ExtraArgs={"ContentType": ctype}, Callback=report.add, Config=transfer
            )
        except Exception as exc:
            raise self._explain(exc, "upload") from exc

    def _presign_sync(self, key: str) -> str:
        try:
            return self._s3().generate_presigned_url(
                "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=self.url_ttl_seconds
            )
        except Exception as exc:
            raise self._explain(exc, "sign") from exc

    # -- the check button --------------------------------------------------------------------------

    async def check(self) -> Msg:
        return await asyncio.to_thread(self._check_sync)

    def _check_sync(self) -> Msg:
        s3 = self._s3()
        probe = f"{self.prefix}r2v-check-{secrets.token_hex(8)}.txt"
        try:
            self._head_bucket(s3)
            s3.put_object(Bucket=self.bucket, Key=probe, Body=b"r2v studio hosting check\n", ContentType="text/plain")
            s3.delete_object(Bucket=self.bucket, Key=probe)
        except Exception as exc:
            raise self._explain(exc, "use") from exc
        return msg("hosting.s3_ok", where=self._where, minutes=self.url_ttl_seconds // 60)

    def _head_bucket(self, s3) -> None:
        """head_bucket, but when it fails with a bare status (a HEAD answer has no body, so no
        error code), ask once more with a GET so the message can say which problem it is."""
        from botocore.exceptions import ClientError

        try:
            s3.head_bucket(Bucket=self.bucket)
        except ClientError as first:
            if _code(first) not in ("400", "403", "404", "301"):
                raise
            try:
                s3.list_objects_v2(Bucket=self.bucket, MaxKeys=1)
            except ClientError as second:
                raise second from first
            raise

    # -- errors in plain words ---------------------------------------------------------------------

    def _explain(self, exc: Exception, action: str) -> HostingError:
        """`action`: "connect", "upload", "sign" or "use" (the catalog's "hosting.s3_doing.*")."""
        if isinstance(exc, HostingError):
            return exc
        doing, where = msg(f"hosting.s3_doing.{action}"), self._where
        try:
            from boto3.exceptions import S3UploadFailedError
            from botocore import exceptions as bx
        except ImportError:  # pragma: no cover - _s3() already refused
            return HostingError(msg("hosting.s3_failed_kind", doing=doing, where=where, kind=type(exc).__name__))
        if isinstance(exc, (bx.NoCredentialsError, bx.PartialCredentialsError)):
            return HostingError(msg("hosting.s3_no_credentials", doing=doing, where=where))
        if isinstance(exc, (bx.EndpointConnectionError, bx.ConnectTimeoutError, bx.ConnectionClosedError)):
            return HostingError(msg("hosting.s3_unreachable", doing=doing, where=where))
        if isinstance(exc, bx.ReadTimeoutError):
            return HostingError(msg("hosting.s3_stopped", where=where))
        if isinstance(exc, (ValueError, bx.InvalidRegionError)):
            return HostingError(msg("hosting.s3_settings", kind=type(exc).__name__))
        code, status = "", 0
        if isinstance(exc, bx.ClientError):
            code, status = _code(exc), _status(exc)
        elif isinstance(exc, S3UploadFailedError):
            text = str(exc)
            for c in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "NoSuchBucket"):
                if c in text:
                    code = c
                    break
        if code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken", "TokenRefreshRequired"):
            return HostingError(msg("hosting.s3_keys_refused", where=where, code=code))
        if code in ("NoSuchBucket",) or (code in ("404", "NotFound") and action == "use"):
            return HostingError(msg("hosting.s3_no_such_bucket", bucket=repr(self.bucket)))
        if code in ("PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException", "301"):
            return HostingError(msg("hosting.s3_region", bucket=repr(self.bucket)))
        if code in ("AccessDenied", "AllAccessDisabled", "403") or status == 403:
            return HostingError(msg("hosting.s3_forbidden", where=where))
        return HostingError(msg("hosting.s3_failed", doing=doing, where=where, detail=code or type(exc).__name__))


def _code(exc) -> str:
    return str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))


def _status(exc) -> int:
    try:
        return int(getattr(exc, "response", {}).get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
    except (TypeError, ValueError):
        return 0


def _default_addressing(endpoint_url: str | None) -> str:
    if not endpoint_url:
        return "auto"  # AWS itself: boto3 picks
    host = (urlsplit(endpoint_url).hostname or "").lower()
    if host.endswith("aliyuncs.com"):
        return "virtual"  # Alibaba OSS refuses path-style requests
    return "path"  # MinIO, R2, most self-hosted servers, and loopback test servers


class _ThreadProgress:
    """boto3 reports progress from its worker threads; hand each report to the event loop thread
    so callers never see a callback on a foreign thread."""

    def __init__(self, callback: ProgressCallback | None, total: int):
        self.callback = callback
        self.total = total
        self.done = 0
        self._lock = threading.Lock()
        self._loop = None

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        if self.callback:
            self.callback(0, self.total)

    def add(self, n: int) -> None:
        with self._lock:
            self.done = min(self.total, self.done + n)
            done = self.done
        if self.callback and self._loop is not None:
            self._loop.call_soon_threadsafe(self.callback, done, self.total)

    def finish(self) -> None:
        if self.callback:
            self.callback(self.total, self.total)
