"""Knobs of the embedded emulator."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class EmulatorConfig:
    """How the emulator behaves. Change ``finish_seconds``, ``queue_seconds``, ``failure_rate``,
    ``url_ttl_seconds``, ``upload_ttl_seconds`` and ``preview_long_side`` at run time with
    ``POST /emulator/config``."""

    api_key: str | None = None  # None: accept any non-empty bearer token
    queue_seconds: float = 1.0  # QUEUED this long after submit (capped by finish_seconds)
    finish_seconds: float = 8.0  # submit -> terminal (later only if rendering takes longer)
    url_ttl_seconds: int = 3600  # lifetime of each result link handed out by a read
    upload_ttl_seconds: int = 6 * 3600  # lifetime of files posted to /emulator/uploads
    data_dir: Path | None = None  # None: a temporary directory
    seed: int = 0  # seeds service-picked seeds, failure_rate draws and fault probabilities
    failure_rate: float = 0.0  # share of tasks that end FAILED on purpose
    public_base_url: str | None = None  # base of the URLs it hands out; None: from the request
    max_upload_bytes: int = 200 * 1024 * 1024
    # The result is a preview: drawn with at most this many pixels on its longest side (the requested
    # aspect and duration; the task keeps the requested size).  0 draws it at the requested size.
    preview_long_side: int = 640
