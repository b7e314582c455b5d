"""Retention policies: how long each purpose may keep footage, per organisation and trajectory type."""

from __future__ import annotations

import calendar
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from types import MappingProxyType

from retention._errors import RetentionError
from retention._facts import TrajectoryType


@dataclass(frozen=True)
class Period:
    """A calendar period: months first (clamped to the month's last day), then days.

    31 August + 6 months is 28 (or 29) February; 29 February + 1 year is 28 February.
    """

    months: int = 0
    days: int = 0

    def __post_init__(self) -> None:
        if self.months < 0 or self.days < 0:
            raise RetentionError(
                "negative_period",
                "Een bewaartermijn kan niet negatief zijn.",
                "A retention period cannot be negative.",
            )

    @classmethod
    def years(cls, n: int) -> Period:
        return cls(months=12 * n)

    def after(self, start: date) -> date:
        month0 = start.month - 1 + self.months
        year, month = start.year + month0 // 12, month0 % 12 + 1
        day = min(start.day, calendar.monthrange(year, month)[1])
        return date(year, month, day) + timedelta(days=self.days)

    def __str__(self) -> str:
        """Dutch, for reasons shown to people: "6 maanden", "5 jaar", "14 dagen"."""
        parts = []
        years, months = divmod(self.months, 12)
        if years and not months:
            parts.append(f"{years} jaar")
        elif self.months:
            parts.append(f"{self.months} {'maand' if self.months == 1 else 'maanden'}")
        if self.days:
            parts.append(f"{self.days} {'dag' if self.days == 1 else 'dagen'}")
        return " en ".join(parts) or "0 dagen"

    def __bool__(self) -> bool:
        return bool(self.months or self.days)


@dataclass(frozen=True)
class RetentionPolicy:
    """The periods one organisation applies to one trajectory type. Every period is configurable.

    - `keep_after_closure`: footage of the trajectory (originals, proxies, untagged clips, the export
      package) is kept at least this long after closure...
    - `keep_after_last_follow_up`: ...and at least this long after the last follow-up was done; never
      while a follow-up remains.
    - `keep_after_handover`: once the parents have their package and no follow-up remains, footage
      that was in the package goes this long after the hand-over, if that is earlier.
    - `teaching_max`: teaching and research material goes when its consent ends, and never later than
      this after the consent was given.
    - `evidence_after_footage`: a scanned consent form outlives the footage it covers by this long.
    - `audit_log`: how long audit records are kept (the log itself lives in the service).
    """

    trajectory_type: TrajectoryType
    keep_after_closure: Period
    keep_after_last_follow_up: Period = Period()
    keep_after_handover: Period = Period(days=14)
    teaching_max: Period = Period(months=60)
    evidence_after_footage: Period = Period(months=60)
    audit_log: Period = Period(months=60)
    organisation_id: uuid.UUID | None = None  # None: the built-in default

    def audit_log_expires_on(self, recorded_on: date) -> date:
        """The first day an audit record made on `recorded_on` may be dropped."""
        return self.audit_log.after(recorded_on)


DEFAULT_POLICIES: Mapping[TrajectoryType, RetentionPolicy] = MappingProxyType(
    {
        # K-VHT: the one follow-up is half a year after closure; the footage goes right after it.
        TrajectoryType.k_vht: RetentionPolicy(TrajectoryType.k_vht, Period(months=6)),
        # Complex VHT: a second follow-up a year after the first, so 18 months after closure.
        TrajectoryType.vht_complex: RetentionPolicy(TrajectoryType.vht_complex, Period(months=18)),
        # VIB: the same short cycle as K-VHT (recordings, reviews, closure, at most one follow-up
        # half a year on), so the same horizon; a longer one would only be justified by a follow-up,
        # and a planned follow-up already keeps the footage until it is done.
        TrajectoryType.vib: RetentionPolicy(TrajectoryType.vib, Period(months=6)),
    }
)
