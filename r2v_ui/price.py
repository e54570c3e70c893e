"""The price estimate: what a request is likely to cost, from a per-second rate per tier (spec.py's
published rates, which the settings may change) and, for reference videos, either a known input rate
or a range.  Always shown as an estimate: the provider's own rate is not published (SPEC.md "Price")."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

from .messages import Msg, msg
from .spec import DEFAULT_PRICE_PER_SECOND, REFERENCE_VIDEO_BILLED_CAP_S, tier_and_aspect


@dataclass(frozen=True)
class PriceEstimate:
    low: float
    high: float
    currency: str = "USD"

    @property
    def is_range(self) -> bool:
        return abs(self.high - self.low) > 1e-9

    def times(self, n: int) -> "PriceEstimate":
        """The estimate for `n` videos of the same request (takes)."""
        return PriceEstimate(self.low * n, self.high * n, self.currency)

    def message(self) -> Msg:
        """The estimate in words, said in the reader's language (a job stores it so)."""
        if self.is_range:
            return msg("price.estimate_range", low=self.low, high=self.high)
        return msg("price.estimate", low=self.low)

    def label(self) -> str:
        """The estimate in English ("about $0.50 (estimate)"), for logs and English-only answers."""
        return str(self.message())


@dataclass(frozen=True)
class PriceTable:
    per_second: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_PRICE_PER_SECOND))
    # R2V_PRICE_INPUT_VIDEO: what one second of reference video costs, for a reseller that says so.
    # 0 (the default): not known, so reference videos make the estimate a range (see `estimate`).
    input_video_per_second: float = 0.0

    def estimate(self, size: str, duration: int, reference_video_seconds: Iterable[float] = ()) -> PriceEstimate:
        """Output seconds times the tier's rate.  Reference videos: with a known input rate, their
        seconds times that rate are added (one figure); without one, some providers bill their seconds
        at the output rate (one caps each at 5 s), so the estimate becomes a range."""
        tier, _ = tier_and_aspect(size)
        rate = float(self.per_second[tier])
        low = rate * duration
        seconds = [float(s) for s in reference_video_seconds]
        if self.input_video_per_second > 0:
            total = low + self.input_video_per_second * sum(seconds)
            return PriceEstimate(low=round(total, 4), high=round(total, 4))
        extra = sum(min(s, REFERENCE_VIDEO_BILLED_CAP_S) for s in seconds)
        return PriceEstimate(low=round(low, 4), high=round(low + rate * extra, 4))
