"""Tasks, uploads and counters, and the time-based task state machine.

A task's status is computed from the clock whenever it is read (moto-style "after a time"):
QUEUED for ``queue_seconds``, then PROCESSING with rising ``progress_percent`` and falling
``eta``, then SUCCEED or FAILED at ``finish_seconds``. The real work (fetch, probe, render) runs
in the background from the moment of submit; if it is slower than ``finish_seconds`` the task
stays PROCESSING until it is done. A reference that cannot be used fails the task as soon as the
work finds it (but never before the queue time is over).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import random
import secrets
import threading
import time
import uuid
from collections import Counter, deque
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable

from .config import EmulatorConfig
from .faults import FaultPlan
from .validation import SEED_MAX, SubmitRequest

QUEUED = "TASK_STATUS_QUEUED"
PROCESSING = "TASK_STATUS_PROCESSING"
SUCCEED = "TASK_STATUS_SUCCEED"
FAILED = "TASK_STATUS_FAILED"
TASK_TYPE = "WAN_2_7_R2V"
SUBMITTED_BODIES_KEPT = 100  # /emulator/submits: the bodies of the last tasks created


@dataclass
class Task:
    task_id: str
    request: SubmitRequest
    created: float
    queue_seconds: float
    finish_seconds: float
    seed: int
    request_id: str
    forced_reason: str | None = None  # fail_task fault or failure_rate: FAILED at finish time
    done_at: float | None = None  # when the background work ended
    error: str | None = None  # why the work failed
    result_path: Path | None = None

    def phase(self, now: float) -> tuple[str, int, int, float | None]:
        """(status, progress_percent, eta, completed_at) at time ``now``."""
        start_processing = self.created + self.queue_seconds
        finish = self.created + self.finish_seconds
        terminal_at: float | None = None
        if self.forced_reason is not None:
            terminal_at = finish
        elif self.done_at is not None:
            terminal_at = max(start_processing, self.done_at) if self.error else max(finish, self.done_at)
        if terminal_at is not None and now >= terminal_at:
            ok = self.forced_reason is None and self.error is None
            return (SUCCEED if ok else FAILED), (100 if ok else 0), 0, terminal_at
        eta = max(1, math.ceil(finish - now))
        if now < start_processing:
            return QUEUED, 0, eta, None
        span = finish - start_processing
        progress = 99 if span <= 0 else int((now - start_processing) / span * 100)
        return PROCESSING, min(99, max(1, progress)), eta, None

    @property
    def reason(self) -> str:
        return self.forced_reason or self.error or ""


@dataclass
class Upload:
    token: str
    path: Path
    name: str
    content_type: str
    expires_at: float
    sha256: str
    bytes: int
    url: str


def _ms(t: float | None) -> str:
    return "0" if t is None else str(int(t * 1000))


class EmulatorState:
    """Everything the emulator remembers. Safe to read counters from another thread."""

    def __init__(self, config: EmulatorConfig, data_dir: Path, clock: Callable[[], float] = time.time):
        self.initial_config = replace(config)
        self.config = config
        self.data_dir = data_dir
        self.clock = clock
        self.secret = secrets.token_bytes(32)
        self.lock = threading.Lock()
        (data_dir / "uploads").mkdir(parents=True, exist_ok=True)
        (data_dir / "results").mkdir(parents=True, exist_ok=True)
        (data_dir / "tasks").mkdir(parents=True, exist_ok=True)
        self.files: dict[str, Upload] = {}  # uploads by token
        self._reset_runtime()

    def _reset_runtime(self) -> None:
        self.tasks: dict[str, Task] = {}
        self.submits = 0  # tasks created
        self.bodies: deque[Any] = deque(maxlen=SUBMITTED_BODIES_KEPT)  # the last tasks' bodies, as they came
        self.reads = 0  # task-result requests received (faulted ones included)
        self.uploads = 0  # files stored by /emulator/uploads
        self.requests: Counter[str] = Counter()  # every request per fault route, faulted ones included
        self.plan = FaultPlan()
        self.rng = random.Random(self.config.seed)

    # -- counters ------------------------------------------------------------------------------
    def count_request(self, route: str) -> None:
        with self.lock:
            self.requests[route] += 1
            if route == "read":
                self.reads += 1

    def stats(self) -> dict[str, Any]:
        now = self.clock()
        by_status: Counter[str] = Counter(t.phase(now)[0] for t in list(self.tasks.values()))
        return {
            "submits": self.submits,
            "reads": self.reads,
            "uploads": self.uploads,
            "tasks": {s: by_status.get(s, 0) for s in (QUEUED, PROCESSING, SUCCEED, FAILED)},
            "requests": dict(self.requests),
            "faults": self.plan.describe(),
        }

    def reset(self) -> None:
        """Forget tasks, counters and the fault plan, and restore the starting configuration."""
        with self.lock:
            for name in ("queue_seconds", "finish_seconds", "failure_rate", "url_ttl_seconds", "upload_ttl_seconds",
                         "preview_long_side"):
                setattr(self.config, name, getattr(self.initial_config, name))
            self._reset_runtime()

    # -- tasks ---------------------------------------------------------------------------------
    def submitted_bodies(self) -> list[Any]:
        with self.lock:
            return list(self.bodies)

    def create_task(self, request: SubmitRequest, *, fail_task: bool = False, body: Any = None) -> Task:
        with self.lock:
            if body is not None:
                self.bodies.append(body)
            cfg = self.config
            seed = request.seed if request.seed is not None else self.rng.randint(0, SEED_MAX)
            forced = None
            if fail_task:
                forced = "TASK_FAILED: the emulator's fault plan failed this task on purpose"
            elif cfg.failure_rate > 0 and self.rng.random() < cfg.failure_rate:
                forced = "TASK_FAILED: the emulator failed this task at random (failure_rate)"
            task = Task(
                task_id=str(uuid.uuid4()),
                request=request,
                created=self.clock(),
                queue_seconds=min(cfg.queue_seconds, cfg.finish_seconds),
                finish_seconds=cfg.finish_seconds,
                seed=seed,
                request_id=uuid.uuid4().hex,
                forced_reason=forced,
            )
            self.tasks[task.task_id] = task
            self.submits += 1
            return task

    def document(self, task: Task, base_url: str) -> dict[str, Any]:
        now = self.clock()
        status, progress, eta, completed = task.phase(now)
        start_processing = task.created + task.queue_seconds
        videos = []
        if status == SUCCEED:
            ttl = int(self.config.url_ttl_seconds)
            videos.append({"video_url": self.sign_result(task, base_url, ttl), "video_url_ttl": str(ttl), "video_type": "mp4"})
        return {
            "task": {
                "task_id": task.task_id,
                "status": status,
                "reason": task.reason if status == FAILED else "",
                "task_type": TASK_TYPE,
                "eta": eta,
                "progress_percent": progress,
            },
            "videos": videos,
            "images": [],
            "audios": [],
            "extra": {
                "seed": str(task.seed),
                "debug_info": {
                    "request_info": f"emulator request_id={task.request_id}",
                    "submit_time_ms": _ms(task.created),
                    "execute_time_ms": _ms(start_processing if now >= start_processing else None),
                    "complete_time_ms": _ms(completed),
                },
            },
        }

    # -- result links ----------------------------------------------------------------------------
    def _signature(self, task_id: str, expires: int) -> str:
        return hmac.new(self.secret, f"{task_id}:{expires}".encode(), hashlib.sha256).hexdigest()

    def sign_result(self, task: Task, base_url: str, ttl: int) -> str:
        expires = int(math.ceil(self.clock() + ttl))
        return f"{base_url}/emulator/results/{task.task_id}.mp4?expires={expires}&signature={self._signature(task.task_id, expires)}"

    def check_result_link(self, task_id: str, expires: str, signature: str) -> str | None:
        """None when the link is good, else the reason it is refused."""
        if not expires.isdigit() or not hmac.compare_digest(self._signature(task_id, int(expires)), signature):
            return "INVALID_SIGNATURE"
        if self.clock() >= int(expires):
            return "URL_EXPIRED"
        return None

    # -- uploads -------------------------------------------------------------------------------
    def add_upload(self, upload: Upload) -> None:
        with self.lock:
            self.files[upload.token] = upload
            self.uploads += 1

    def live_upload(self, token: str) -> Upload | None:
        up = self.files.get(token)
        if up is None:
            return None
        if self.clock() >= up.expires_at:
            self.files.pop(token, None)
            up.path.unlink(missing_ok=True)
            return None
        return up

    def upload_for_url(self, url: str) -> Upload | None:
        for up in list(self.files.values()):
            if up.url == url:
                return self.live_upload(up.token)
        return None
