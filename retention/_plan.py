"""The purge plan: for each stored object the rule that ends it, on which day, and what holds it back.

How a date is found (the rules are data, in `RULES`):
1. An object is kept for one or more purposes (its kind's purpose plus its tags; see `StoredObject`).
2. Each purpose has a list of rules. Every rule that can already name a day is applicable; the
   earliest applicable rule ends the purpose. A withdrawn consent for that purpose is always among
   them, so a withdrawal ends the purpose on the day it was made.
3. The object goes when the last of its purposes has ended; while one has no end yet it stays, and
   the plan lists it as undated. A clip kept for WOK and for teaching therefore outlives the meeting,
   but every object whose purposes are all withdrawn is due on the (latest) withdrawal day.
4. Consent evidence has one rule of its own (`evidence_period`).
5. A legal hold in force blocks every purge it covers; the item stays in the plan with `blocked_by`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType

from consent import Purpose
from retention._errors import RetentionError
from retention._facts import (
    OPEN_PHASES,
    ConsentFact,
    FamilyFacts,
    Kind,
    LegalHold,
    StoredObject,
    TrajectoryFacts,
    TrajectoryType,
    day_of,
    end_day,
)
from retention._policy import Period, RetentionPolicy

WITHDRAWN = "withdrawn_consent"
EVIDENCE = "evidence_period"

# Which rules end which purpose. The order breaks ties between rules that name the same day.
RULES: Mapping[Purpose, tuple[str, ...]] = MappingProxyType(
    {
        Purpose.review: (WITHDRAWN, "original_after_follow_up", "export_handed_over"),
        Purpose.supervision: (WITHDRAWN, "supervision_done", "supervision_at_closure"),
        # A WOK share never makes footage outlive its trajectory.
        Purpose.wok: (WITHDRAWN, "wok_session_ended", "original_after_follow_up"),
        Purpose.teaching: (WITHDRAWN, "consent_expired"),
        Purpose.research: (WITHDRAWN, "consent_expired"),
    }
)

_KIND_PURPOSES: Mapping[Kind, frozenset[Purpose]] = MappingProxyType(
    {
        Kind.original: frozenset({Purpose.review}),
        Kind.proxy: frozenset({Purpose.review}),
        Kind.export: frozenset({Purpose.review}),
        Kind.review_recording: frozenset({Purpose.supervision}),
        Kind.clip: frozenset(),
        Kind.evidence: frozenset(),
    }
)

EXPIRES = "export_expires"
RULE_CODES: frozenset[str] = frozenset(
    {EVIDENCE, EXPIRES, *(r for rules in RULES.values() for r in rules)}
)

# What happened that ends an object (`Reason.event`); the adapters put each into words.
EVENTS: frozenset[str] = frozenset(
    {
        "consent_withdrawn",
        "trajectory_closed",
        "last_follow_up_done",
        "handed_over",
        "supervision_done",
        "closed_supervision_over",
        "wok_session_ended",
        "no_consent",
        "consent_ends",
        "package_expires",
        "last_footage_gone",
    }
)


@dataclass(frozen=True)
class Reason:
    """Why an object goes, as facts for the adapters to put into words: what happened (`event`, one of
    EVENTS) on `day`, the `period` kept after it, the `purpose` it concerns, and for a hand-over counted
    from a later day (the closure or the last follow-up), that day (`since`). `str()` is technical
    English for logs."""

    event: str
    day: date
    period: Period = Period()
    purpose: Purpose | None = None
    since: date | None = None

    def __str__(self) -> str:
        text = self.event + (f" ({self.purpose.value})" if self.purpose else "")
        text += f" on {self.day.isoformat()}"
        if self.since is not None:
            text += f", counted from {self.since.isoformat()}"
        if self.period:
            text += f", period {self.period.months} months {self.period.days} days"
        return text


@dataclass(frozen=True)
class PlannedPurge:
    """One object to purge: on `due`, by `rule` (one of RULE_CODES), for `reason` (the facts).

    `blocked_by` names the legal holds that stop it on the plan's day or on its due day.
    """

    object_id: uuid.UUID
    kind: Kind
    due: date
    rule: str
    reason: Reason
    blocked_by: tuple[uuid.UUID, ...] = ()


@dataclass(frozen=True)
class Undated:
    """An object with no end date yet: `waiting_for` are the purposes still running (empty for
    consent evidence, which waits for the footage it covers)."""

    object_id: uuid.UUID
    kind: Kind
    waiting_for: tuple[Purpose, ...]


@dataclass(frozen=True)
class PurgePlan:
    """What to forget of one family, made on `today`. Make a fresh plan for every run.

    `family_complete`: after the items due today nothing of the family remains and no footage is
    still expected, so the family key (KEK) can be shredded as well.
    """

    family_id: uuid.UUID
    today: date
    items: tuple[PlannedPurge, ...]
    undated: tuple[Undated, ...]
    family_complete: bool
    holds: tuple[LegalHold, ...] = ()

    def _held(self, item: PlannedPurge, day: date) -> bool:
        return any(h.covers(item.object_id) and h.in_force(day) for h in self.holds)

    def due(self, today: date | datetime | None = None) -> tuple[PlannedPurge, ...]:
        """Items due on `today` (default: the plan's day) that no hold in force then covers."""
        day = self.today if today is None else day_of(today)
        return tuple(i for i in self.items if i.due <= day and not self._held(i, day))

    def blocked(self) -> tuple[PlannedPurge, ...]:
        """Items a legal hold stops now or on their due day."""
        return tuple(i for i in self.items if i.blocked_by)

    def holds_to_review(self) -> tuple[LegalHold, ...]:
        """Holds in force whose review day has come: someone must decide to keep or lift them."""
        return tuple(
            h
            for h in self.holds
            if h.in_force(self.today) and h.review_on is not None and h.review_on <= self.today
        )


@dataclass(frozen=True)
class _Ending:
    due: date
    rule: str
    reason: Reason


@dataclass(frozen=True)
class _Context:
    obj: StoredObject
    trajectory: TrajectoryFacts
    policy: RetentionPolicy
    facts: FamilyFacts


def _withdrawn(ctx: _Context, purpose: Purpose) -> _Ending | None:
    days = [
        d
        for c in ctx.facts.consents
        if c.purpose == purpose and (d := c.withdrawn_on(ctx.obj)) is not None
    ]
    if not days:
        return None
    day = min(days)
    return _Ending(day, WITHDRAWN, Reason("consent_withdrawn", day, purpose=purpose))


def _footage_end(trajectory: TrajectoryFacts, policy: RetentionPolicy) -> _Ending | None:
    """Closure plus the grace period, and not before the last follow-up is done (plus its period)."""
    if trajectory.closed_on is None or trajectory.follow_up_remains:
        return None
    closed = day_of(trajectory.closed_on)
    ending = _Ending(
        policy.keep_after_closure.after(closed),
        "original_after_follow_up",
        Reason("trajectory_closed", closed, policy.keep_after_closure),
    )
    done = trajectory.last_follow_up_done
    if done is not None and policy.keep_after_last_follow_up.after(done) > ending.due:
        ending = _Ending(
            policy.keep_after_last_follow_up.after(done),
            ending.rule,
            Reason("last_follow_up_done", done, policy.keep_after_last_follow_up),
        )
    return ending


def _original_after_follow_up(ctx: _Context, purpose: Purpose) -> _Ending | None:
    return _footage_end(ctx.trajectory, ctx.policy)


def _export_handed_over(ctx: _Context, purpose: Purpose) -> _Ending | None:
    """Earlier than the grace period once the parents hold a package this object was in."""
    t = ctx.trajectory
    handed = t.export_handed_over_on
    if handed is None or t.closed_on is None or t.follow_up_remains:
        return None
    handed = day_of(handed)
    if day_of(ctx.obj.created_at) > handed:  # made after the hand-over: not in the parents' package
        return None
    start = max(handed, day_of(t.closed_on), t.last_follow_up_done or handed)
    reason = Reason(
        "handed_over",
        handed,
        ctx.policy.keep_after_handover,
        since=start if start > handed else None,
    )
    return _Ending(ctx.policy.keep_after_handover.after(start), "export_handed_over", reason)


def _supervision_done(ctx: _Context, purpose: Purpose) -> _Ending | None:
    done = ctx.trajectory.supervision_done_on
    if done is None:
        return None
    return _Ending(day_of(done), "supervision_done", Reason("supervision_done", day_of(done)))


def _supervision_at_closure(ctx: _Context, purpose: Purpose) -> _Ending | None:
    closed = ctx.trajectory.closed_on
    if closed is None:
        return None
    return _Ending(
        day_of(closed),
        "supervision_at_closure",
        Reason("closed_supervision_over", day_of(closed)),
    )


def _wok_session_ended(ctx: _Context, purpose: Purpose) -> _Ending | None:
    ends = [
        end_day(s.session_ends_at)
        for s in ctx.facts.wok_shares
        if ctx.obj.clip_id is not None and ctx.obj.clip_id in s.clip_ids
    ]
    if not ends:
        return None
    return _Ending(max(ends), "wok_session_ended", Reason("wok_session_ended", max(ends)))


def _consent_end(consent: ConsentFact, policy: RetentionPolicy, fallback: date) -> date:
    """The day a teaching or research consent ends: its own end, capped at the maximum period."""
    start = day_of(consent.valid_from) if consent.valid_from is not None else fallback
    capped = policy.teaching_max.after(start)
    if consent.valid_until is not None:
        capped = min(capped, end_day(consent.valid_until))
    return capped


def _consent_expired(ctx: _Context, purpose: Purpose) -> _Ending | None:
    created = day_of(ctx.obj.created_at)
    consents = [c for c in ctx.facts.consents if c.purpose == purpose and c.covers(ctx.obj)]
    if not consents:
        return _Ending(created, "consent_expired", Reason("no_consent", created, purpose=purpose))
    due = max(_consent_end(c, ctx.policy, created) for c in consents)
    reason = Reason("consent_ends", due, ctx.policy.teaching_max, purpose=purpose)
    return _Ending(due, "consent_expired", reason)


_RULE_FUNCTIONS: Mapping[str, Callable[[_Context, Purpose], _Ending | None]] = MappingProxyType(
    {
        WITHDRAWN: _withdrawn,
        "original_after_follow_up": _original_after_follow_up,
        "export_handed_over": _export_handed_over,
        "supervision_done": _supervision_done,
        "supervision_at_closure": _supervision_at_closure,
        "wok_session_ended": _wok_session_ended,
        "consent_expired": _consent_expired,
    }
)


def purposes_of(obj: StoredObject, facts: FamilyFacts) -> frozenset[Purpose]:
    """What the object is kept for: its kind's purpose, its tags, and WOK when it is shared."""
    shared = obj.clip_id is not None and any(obj.clip_id in s.clip_ids for s in facts.wok_shares)
    purposes = _KIND_PURPOSES[obj.kind] | obj.purposes | ({Purpose.wok} if shared else set())
    if obj.kind is Kind.clip and not purposes:
        return frozenset({Purpose.review})
    return purposes


def _end_of_purpose(ctx: _Context, purpose: Purpose) -> _Ending | None:
    """The earliest applicable rule for one purpose (ties go to the rule listed first)."""
    endings = [e for rule in RULES[purpose] if (e := _RULE_FUNCTIONS[rule](ctx, purpose))]
    return min(endings, key=lambda e: e.due) if endings else None


def _effective_end(
    ending: _Ending | None, object_id: uuid.UUID, holds: tuple[LegalHold, ...], day: date
) -> date | None:
    """The last day the object may still exist, counting the holds that keep it (None: open-ended)."""
    if ending is None:
        return None
    end = ending.due
    for hold in holds:
        if hold.covers(object_id) and hold.in_force(max(day, ending.due)):
            if hold.until is None:
                return None
            end = max(end, end_day(hold.until))
    return end


def _evidence_end(
    obj: StoredObject,
    ctx: _Context,
    footage: Mapping[uuid.UUID, _Ending | None],
    day: date,
) -> _Ending | None:
    """Evidence is kept the policy's period after the last footage it covers may exist.

    That footage is: the trajectory's footage (its grace period), teaching or research footage
    until its consent ends, and any covered object still stored, counting the holds on it.
    """
    backstop = _footage_end(ctx.trajectory, ctx.policy)
    if backstop is None:
        return None
    last = backstop.due
    created = day_of(obj.created_at)
    for consent in ctx.facts.consents:
        if consent.evidence_object_id != obj.id:
            continue
        if consent.purpose in (Purpose.teaching, Purpose.research):
            end = _consent_end(consent, ctx.policy, created)
            whole = [day_of(w.at) for w in consent.withdrawals if w.recording_ids is None]
            last = max(last, min([end, *whole]))
        for other in ctx.facts.objects:
            if other.id not in footage or not consent.covers(other):
                continue
            if consent.purpose not in purposes_of(other, ctx.facts):
                continue
            effective = _effective_end(footage[other.id], other.id, ctx.facts.holds, day)
            if effective is None:
                return None
            last = max(last, effective)
    period = ctx.policy.evidence_after_footage
    return _Ending(
        period.after(last),
        EVIDENCE,
        Reason("last_footage_gone", last, period),
    )


def _policy_for(
    trajectory: TrajectoryFacts,
    policy: RetentionPolicy | Mapping[TrajectoryType, RetentionPolicy],
) -> RetentionPolicy:
    chosen = policy if isinstance(policy, RetentionPolicy) else policy.get(trajectory.type)
    if chosen is None or chosen.trajectory_type != trajectory.type:
        raise RetentionError(
            "missing_policy",
            f"Geen bewaarbeleid voor trajecttype {trajectory.type} (traject {trajectory.id}).",
            f"No retention policy for trajectory type {trajectory.type} ({trajectory.id}).",
        )
    return chosen


def plan(
    facts: FamilyFacts,
    policy: RetentionPolicy | Mapping[TrajectoryType, RetentionPolicy],
    today: date | datetime,
) -> PurgePlan:
    """The purge plan of one family on `today`.

    `policy` is one policy (when every trajectory is of its type) or one per trajectory type, such
    as `DEFAULT_POLICIES` or an organisation's own. Raises `RetentionError` for inconsistent facts
    or a missing policy.
    """
    day = day_of(today)
    trajectories = {t.id: t for t in facts.trajectories}
    policies = {t.id: _policy_for(t, policy) for t in facts.trajectories}

    def context(obj: StoredObject) -> _Context:
        return _Context(obj, trajectories[obj.trajectory_id], policies[obj.trajectory_id], facts)

    endings: dict[uuid.UUID, _Ending | None] = {}
    waiting: dict[uuid.UUID, tuple[Purpose, ...]] = {}
    for obj in facts.objects:
        if obj.kind is Kind.evidence:
            continue
        ctx = context(obj)
        purposes = sorted(purposes_of(obj, facts), key=list(Purpose).index)
        ends = {p: _end_of_purpose(ctx, p) for p in purposes}
        waiting[obj.id] = tuple(p for p, e in ends.items() if e is None)
        known = [e for e in ends.values() if e is not None]
        endings[obj.id] = (
            None if waiting[obj.id] else max(known, key=lambda e: e.due)
        )  # the purpose that ends last keeps the object
        if obj.expires_on is not None:  # ... but never past the object's own last day
            current = endings[obj.id]
            if current is None or obj.expires_on < current.due:
                endings[obj.id] = _Ending(
                    obj.expires_on,
                    EXPIRES,
                    Reason("package_expires", obj.expires_on),
                )
                waiting[obj.id] = ()
    footage = dict(endings)
    for obj in facts.objects:
        if obj.kind is Kind.evidence:
            endings[obj.id] = _evidence_end(obj, context(obj), footage, day)
            waiting[obj.id] = ()  # evidence waits for the footage it covers

    items: list[PlannedPurge] = []
    undated: list[Undated] = []
    for obj in facts.objects:
        ending = endings[obj.id]
        if ending is None:
            undated.append(Undated(obj.id, obj.kind, waiting[obj.id]))
            continue
        blocked_by = tuple(
            h.id for h in facts.holds if h.covers(obj.id) and h.in_force(max(day, ending.due))
        )
        items.append(
            PlannedPurge(obj.id, obj.kind, ending.due, ending.rule, ending.reason, blocked_by)
        )
    items.sort(key=lambda i: (i.due, i.object_id.hex))
    more_footage_expected = any(
        t.phase in OPEN_PHASES or t.follow_up_remains for t in facts.trajectories
    )
    complete = (
        not undated
        and not more_footage_expected
        and all(i.due <= day and not i.blocked_by for i in items)
    )
    return PurgePlan(facts.family_id, day, tuple(items), tuple(undated), complete, facts.holds)
