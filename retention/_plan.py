"""Policies and the purge plan: facts in, a dated list of what to forget and why out."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from retention._facts import FamilyFacts, Kept, Phase, StoredObject, TrajectoryFacts, TrajectoryType

# The purpose an object is kept for; a withdrawn consent for that purpose ends it at once.
PURPOSE_OF: dict[Kept, str] = {
    Kept.original: "review",
    Kept.proxy: "review",
    Kept.review_recording: "supervision",
    Kept.wok_clip: "wok",
    Kept.teaching_clip: "teaching",
}


@dataclass(frozen=True)
class RetentionPolicy:
    """Every period is configurable per organisation and trajectory type.

    Defaults: footage of a K-VHT or VIB trajectory goes 6 months after closure (when the follow-up is
    done), of complex VHT 18 months after closure (after the second follow-up); never before the
    last follow-up. After the parents' export is handed over with no follow-up left, footage goes
    30 days later (time to check the package). Consent evidence is kept 5 years after closure (it
    proves the processing was lawful, like the audit log, which is kept 5 years). The export package
    at rest goes 30 days after hand-over.
    """

    grace_after_closure: dict[TrajectoryType, timedelta] = field(
        default_factory=lambda: {
            TrajectoryType.k_vht: timedelta(days=183),
            TrajectoryType.vht_complex: timedelta(days=548),
            TrajectoryType.vib: timedelta(days=183),
        }
    )
    after_handover: timedelta = timedelta(days=30)
    evidence_after_closure: timedelta = timedelta(days=5 * 365 + 1)
    export_after_handover: timedelta = timedelta(days=30)
    audit_log: timedelta = timedelta(days=5 * 365 + 1)


DEFAULT_POLICY = RetentionPolicy()


@dataclass(frozen=True)
class PlannedPurge:
    object_id: uuid.UUID
    due: date
    rule: str
    reason: str
    blocked_by: tuple[uuid.UUID, ...] = ()


@dataclass(frozen=True)
class PurgePlan:
    family_id: uuid.UUID
    today: date
    items: tuple[PlannedPurge, ...]
    undated: tuple[uuid.UUID, ...]  # objects whose purpose has not ended yet (no date can be given)

    def due(self) -> list[PlannedPurge]:
        """Items due today or earlier and not under a hold."""
        return [i for i in self.items if i.due <= self.today and not i.blocked_by]

    def blocked(self) -> list[PlannedPurge]:
        return [i for i in self.items if i.due <= self.today and i.blocked_by]

    @property
    def family_complete(self) -> bool:
        """After the due items, nothing of the family remains: its family key can be destroyed too."""
        return not self.undated and len(self.due()) == len(self.items)

    def describe(self) -> list[str]:
        lines = []
        for item in self.items:
            state = (
                f"geblokkeerd door bewaarplicht {', '.join(str(h)[:8] for h in item.blocked_by)}"
                if item.blocked_by
                else ("nu verschuldigd" if item.due <= self.today else "gepland")
            )
            lines.append(
                f"Object {str(item.object_id)[:8]}… wordt verwijderd op {item.due.isoformat()}: "
                f"{item.reason} (regel {item.rule}; {state})"
            )
        lines.extend(
            f"Object {str(o)[:8]}…: nog geen datum, het doel loopt nog." for o in self.undated
        )
        return lines


def _candidates(
    obj: StoredObject,
    trajectory: TrajectoryFacts | None,
    facts: FamilyFacts,
    policy: RetentionPolicy,
    day: date,
) -> list[tuple[date, str, str]]:
    """Every rule that gives this object an end date, as (due, rule, Dutch reason)."""
    out: list[tuple[date, str, str]] = []
    purpose = PURPOSE_OF.get(obj.kept)
    for consent in facts.consents:
        withdrawn = consent.withdrawn_for(obj)
        if withdrawn is not None and consent.purpose == purpose:
            out.append(
                (
                    withdrawn,
                    "withdrawn_consent",
                    f"toestemming ({purpose}) ingetrokken op {withdrawn.isoformat()}",
                )
            )
    if trajectory is None:
        return out
    closed = (
        trajectory.closed_on
        if trajectory.phase in (Phase.closed, Phase.follow_up, Phase.ended)
        else None
    )
    # A follow-up still to be held keeps the footage, even when its planned date has slipped past.
    waiting = trajectory.follow_up_remains() and (trajectory.last_follow_up() or day) <= day
    if obj.kept in (Kept.original, Kept.proxy) and closed is not None and not waiting:
        grace = policy.grace_after_closure[trajectory.type]
        due = closed + grace
        last = trajectory.last_follow_up()
        if last is not None and last > due:
            due = last
        months = round(grace.days / 30.4)
        out.append(
            (
                due,
                "original_after_follow_up",
                f"traject afgesloten op {closed.isoformat()} + {months} maanden, na de laatste nazorg",
            )
        )
    handed = trajectory.export_handed_over_on
    if (
        obj.kept in (Kept.original, Kept.proxy)
        and handed is not None
        and not trajectory.follow_up_remains()
    ):
        start = max((handed, *trajectory.follow_ups_done))
        out.append(
            (
                start + policy.after_handover,
                "export_handed_over",
                f"opnames aan ouders overgedragen op {handed.isoformat()}, geen nazorg meer",
            )
        )
    if obj.kept is Kept.review_recording:
        ends = [d for d in (trajectory.supervision_done_on, closed) if d is not None]
        if ends:
            out.append(
                (
                    min(ends),
                    "review_after_supervision",
                    f"supervisie afgerond of traject afgesloten op {min(ends).isoformat()}",
                )
            )
    if obj.kept is Kept.wok_clip:
        for share in facts.wok_shares:
            if share.object_id == obj.id:
                out.append(
                    (
                        share.session_ends_on,
                        "wok_session_ended",
                        f"WOK-bijeenkomst geëindigd op {share.session_ends_on.isoformat()}",
                    )
                )
    if obj.kept is Kept.teaching_clip:
        for consent in facts.consents:
            if (
                consent.purpose == "teaching"
                and consent.covers(obj)
                and consent.valid_until is not None
            ):
                out.append(
                    (
                        consent.valid_until,
                        "teaching_consent_expired",
                        f"toestemming voor onderwijs verloopt op {consent.valid_until.isoformat()}",
                    )
                )
    if obj.kept is Kept.evidence and closed is not None:
        due = closed + policy.evidence_after_closure
        out.append(
            (
                due,
                "evidence_period",
                f"bewijs van toestemming bewaard tot 5 jaar na afsluiting ({closed.isoformat()})",
            )
        )
    if obj.kept is Kept.export and handed is not None:
        out.append(
            (
                handed + policy.export_after_handover,
                "export_collected",
                f"pakket overgedragen op {handed.isoformat()}",
            )
        )
    return out


def plan(facts: FamilyFacts, policy: RetentionPolicy, today: date | datetime) -> PurgePlan:
    """The purge plan of one family on `today`: the earliest applicable rule per object wins."""
    day = today.date() if isinstance(today, datetime) else today
    trajectories = {t.id: t for t in facts.trajectories}
    items: list[PlannedPurge] = []
    undated: list[uuid.UUID] = []
    for obj in facts.objects:
        candidates = _candidates(obj, trajectories.get(obj.trajectory_id), facts, policy, day)
        if not candidates:
            undated.append(obj.id)
            continue
        due, rule, reason = min(candidates)
        holds = tuple(
            h.id for h in facts.holds if h.blocks(obj.id, max(day, due)) or h.blocks(obj.id, day)
        )
        items.append(PlannedPurge(obj.id, due, rule, reason, holds))
    items.sort(key=lambda i: (i.due, str(i.object_id)))
    return PurgePlan(facts.family_id, day, tuple(items), tuple(undated))
