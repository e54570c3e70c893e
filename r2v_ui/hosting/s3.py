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
        raise HostingError(
            "S3 hosting needs the boto3 package, which is not installed. Run `pip install boto3`, then restart the studio."
        ) from exc
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
            raise HostingError("S3 hosting needs a bucket name. Set R2V_S3_BUCKET.")
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
    def _where(self) -> str:
        return f"bucket {self.bucket!r}" + (f" at {urlsplit(self.endpoint_url).netloc or self.endpoint_url}" if self.endpoint_url else "")

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
                    raise self._explain(exc, "connect to") from exc
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
            raise self._explain(exc, "upload to") from exc
        transfer = TransferConfig(
            multipart_threshold=_MULTIPART, multipart_chunksize=_MULTIPART, max_concurrency=4, use_threads=True
        )
        try:
            s3.upload_file(
                str(path), self.bucket, key, ExtraArgs={"ContentType": ctype}, Callback=report.add, Config=transfer
            )
        except Exception as exc:
            raise self._explain(exc, "upload to") from exc

    def _presign_sync(self, key: str) -> str:
        try:
            return self._s3().generate_presigned_url(
                "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=self.url_ttl_seconds
            )
        except Exception as exc:
            raise self._explain(exc, "sign a link for") from exc

    # -- the check button --------------------------------------------------------------------------

    async def check(self) -> str:
        return await asyncio.to_thread(self._check_sync)

    def _check_sync(self) -> str:
        s3 = self._s3()
        probe = f"{self.prefix}r2v-check-{secrets.token_hex(8)}.txt"
        try:
            self._head_bucket(s3)
            s3.put_object(Bucket=self.bucket, Key=probe, Body=b"r2v studio hosting check\n", ContentType="text/plain")
            s3.delete_object(Bucket=self.bucket, Key=probe)
        except Exception as exc:
            raise self._explain(exc, "use") from exc
        return f"S3 {self._where}: upload and delete work; links last {self.url_ttl_seconds // 60} minutes."

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

    def _explain(self, exc: Exception, doing: str) -> HostingError:
        if isinstance(exc, HostingError):
            return exc
        try:
            from boto3.exceptions import S3UploadFailedError
            from botocore import exceptions as bx
        except ImportError:  # pragma: no cover - _s3() already refused
            return HostingError(f"Could not {doing} the S3 {self._where}: {type(exc).__name__}.")
        where = self._where
        if isinstance(exc, (bx.NoCredentialsError, bx.PartialCredentialsError)):
            return HostingError(
                f"No S3 credentials were found to {doing} the {where}. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
                "(or AWS_PROFILE) in the studio's environment, then restart it."
            )
        if isinstance(exc, (bx.EndpointConnectionError, bx.ConnectTimeoutError, bx.ConnectionClosedError)):
            return HostingError(
                f"Could not reach the S3 endpoint to {doing} the {where}. Check R2V_S3_ENDPOINT (and AWS_REGION) "
                "and that this machine can reach it."
            )
        if isinstance(exc, bx.ReadTimeoutError):
            return HostingError(f"The S3 endpoint for the {where} stopped answering. Try again in a few minutes.")
        if isinstance(exc, (ValueError, bx.InvalidRegionError)):
            return HostingError(
                f"The S3 settings are not usable ({type(exc).__name__}). Check R2V_S3_ENDPOINT (a full https:// address) "
                "and AWS_REGION."
            )
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
            return HostingError(
                f"The S3 credentials were refused by the {where} ({code}). Check AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN if you use one), then restart the studio."
            )
        if code in ("NoSuchBucket",) or (code in ("404", "NotFound") and doing == "use"):
            return HostingError(
                f"There is no bucket named {self.bucket!r} at this S3 endpoint. Create it, or fix R2V_S3_BUCKET "
                "(and R2V_S3_ENDPOINT / AWS_REGION if it lives elsewhere)."
            )
        if code in ("PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException", "301"):
            return HostingError(
                f"The bucket {self.bucket!r} lives in another region than the one configured. Set AWS_REGION to the "
                "bucket's region (or fix R2V_S3_ENDPOINT)."
            )
        if code in ("AccessDenied", "AllAccessDisabled", "403") or status == 403:
            return HostingError(
                f"The S3 credentials were refused or lack permission for the {where} (HTTP 403). Check the access key "
                "and secret, and that they may read, write and delete objects in this bucket."
            )
        detail = code or type(exc).__name__
        return HostingError(f"Could not {doing} the S3 {where} ({detail}). Check the S3 settings, then try again.")


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
