"""The work behind one task: fetch every reference, probe it, render the preview MP4."""

from __future__ import annotations

import asyncio
import logging
import shutil
from pathlib import Path

import httpx

from ..tls import shared_context
from . import probe
from .render import Reference, RenderJob, render_preview
from .state import EmulatorState, Task

log = logging.getLogger("r2v_ui.emulator")

_LIMITS = {"image": probe.IMAGE_MAX_BYTES, "video": probe.VIDEO_MAX_BYTES, "audio": probe.VOICE_MAX_BYTES}
_CHECKS = {"image": probe.check_image, "video": probe.check_video, "audio": probe.check_voice}


class Worker:
    """Runs task pipelines on the server's event loop; renders one clip at a time (2 cores)."""

    def __init__(self, state: EmulatorState):
        self.state = state
        self._running: set[asyncio.Task] = set()
        self._render_lock: asyncio.Lock | None = None

    def start(self, task: Task) -> None:
        if task.forced_reason is not None:
            task.done_at = task.created
            return
        job = asyncio.get_running_loop().create_task(self._run(task))
        self._running.add(job)
        job.add_done_callback(self._running.discard)

    async def cancel_all(self) -> None:
        for job in list(self._running):
            job.cancel()
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)

    async def _get(self, client: httpx.AsyncClient, url: str, dest: Path, kind: str, label: str) -> Path:
        own = self.state.upload_for_url(url)
        if own is not None:  # our own upload: same bytes as fetching it over loopback, without the hop
            shutil.copyfile(own.path, dest)
            if dest.stat().st_size > _LIMITS[kind]:
                raise probe.MediaRejected(f"{label}: the file is larger than {_LIMITS[kind] // (1024 * 1024)} MB")
            return dest
        return await probe.fetch(client, url, dest, label, _LIMITS[kind])

    async def _fetch_and_check(self, client: httpx.AsyncClient, url: str, dest: Path, kind: str, label: str) -> Path:
        path = await self._get(client, url, dest, kind, label)
        await asyncio.to_thread(_CHECKS[kind], path, label)
        return path

    async def _run(self, task: Task) -> None:
        req = task.request
        work = self.state.data_dir / "tasks" / task.task_id
        work.mkdir(parents=True, exist_ok=True)
        try:
            timeout = httpx.Timeout(30.0, connect=5.0)
            async with httpx.AsyncClient(timeout=timeout, trust_env=False, follow_redirects=True,
                                         verify=shared_context()) as client:  # built once (tls.py)
                jobs = []
                for i, m in enumerate(req.media, start=1):
                    kind = "image" if m.type == "reference_image" else "video"
                    jobs.append(self._fetch_and_check(client, m.url, work / f"character{i}.{kind}", kind,
                                                      f"character{i} ({m.type})"))
                    if m.reference_voice:
                        jobs.append(self._fetch_and_check(client, m.reference_voice, work / f"character{i}.voice",
                                                          "audio", f"character{i} reference_voice"))
                results = await asyncio.gather(*jobs, return_exceptions=True)
            for r in results:
                if isinstance(r, BaseException):
                    raise r
            paths = iter(results)
            refs = []
            for m in req.media:
                kind = "image" if m.type == "reference_image" else "video"
                path = next(paths)
                voice = next(paths) if m.reference_voice else None
                refs.append(Reference(kind, path, voice))
            job = RenderJob(tuple(refs), req.prompt, req.width, req.height, req.duration, audio=req.audio,
                            watermark=req.watermark, seed=task.seed, shot_type=req.shot_type,
                            long_side=self.state.config.preview_long_side)
            dest = self.state.data_dir / "results" / f"{task.task_id}.mp4"
            if self._render_lock is None:
                self._render_lock = asyncio.Lock()
            async with self._render_lock:
                await asyncio.to_thread(render_preview, job, dest)
            task.result_path = dest
        except probe.MediaRejected as exc:
            task.error = str(exc)
        except asyncio.CancelledError:
            task.error = "TASK_FAILED: the emulator stopped before the task finished"
            raise
        except Exception as exc:  # a bug or a broken file we did not foresee: fail the task, say why
            log.exception("emulator task %s failed", task.task_id)
            task.error = f"TASK_FAILED: the emulator could not render this task ({type(exc).__name__}: {exc})"
        finally:
            task.done_at = self.state.clock()
            shutil.rmtree(work, ignore_errors=True)
