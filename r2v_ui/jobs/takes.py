"""Takes: one click that starts several jobs of the same draft, each with its own seed.

Each take is a normal job (its own row, task, video and retry); they share a batch id and are
numbered 1.. so History can group them and the page can show them as a grid.  Seeds: a fixed seed
gives seed, seed+1, … (wrapping inside the service's range); a random seed gives distinct random
seeds chosen here, so every take's seed is known and can be reused.  The references are shared by
the layers below: the store keeps a file once per content hash, and the caching host uploads the
same content once while its link is valid (parallel puts of one file wait for the first)."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, replace

from .. import spec
from ..store import JobRecord
from .model import JobDraft
from .states import JobState

MAX_TAKES = 4


@dataclass(frozen=True)
class TakePlan:
    batch_id: str | None  # None for a single take: a job on its own, as before takes existed
    drafts: tuple[JobDraft, ...]


def take_seeds(seed: int | None, takes: int, *, draw=secrets.randbelow) -> list[int | None]:
    """The seed of each take.  One take keeps the draft's own seed (None: the service picks)."""
    if takes == 1:
        return [seed]
    span = spec.SEED_MAX - spec.SEED_MIN + 1
    if seed is not None:
        return [spec.SEED_MIN + (seed - spec.SEED_MIN + i) % span for i in range(takes)]
    seeds: list[int | None] = []
    while len(seeds) < takes:
        s = spec.SEED_MIN + draw(span)
        if s not in seeds:
            seeds.append(s)
    return seeds


def plan_takes(draft: JobDraft, takes: int) -> TakePlan:
    """The drafts one click starts.  `takes` must be 1..MAX_TAKES (ValueError otherwise)."""
    if isinstance(takes, bool) or not isinstance(takes, int) or not 1 <= takes <= MAX_TAKES:
        raise ValueError(f"takes must be a whole number from 1 to {MAX_TAKES}")
    seeds = take_seeds(draft.seed, takes)
    batch_id = None if takes == 1 else "b-" + secrets.token_hex(5)
    return TakePlan(batch_id, tuple(replace(draft, seed=s) for s in seeds))


def take_records(plan: TakePlan, *, owner: str, target: str, now: float, holder: str, price: str,
                 warnings: list[str]) -> list[JobRecord]:
    """The rows of a plan's jobs, ready to be created (state "checking").  Takes a microsecond apart
    keep their order in History, newest first: take 1 on top.  `price`: each take's estimate as it is
    stored (a Msg's JSON, so History says it in whoever's language looks)."""
    return [JobRecord(
        job_id=time.strftime("%Y%m%d") + "-" + secrets.token_hex(4), owner=owner, state=JobState.CHECKING,
        created_at=now - i * 1e-6, updated_at=now, settings=d.settings(),
        references=[r.to_dict() for r in d.references], target=target, price_label=price,
        warnings=list(warnings), stage_text=JobState.CHECKING.stage_text, key_holder=holder,
        batch_id=plan.batch_id, take=i + 1 if plan.batch_id else None,
    ) for i, d in enumerate(plan.drafts)]
