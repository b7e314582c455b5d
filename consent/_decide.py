"""The access decision: one pure function, deny by default, with the basis of every allowance."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from consent._model import (
    Action,
    Actor,
    ConsentStatus,
    Decision,
    Facts,
    PersonKind,
    Phase,
    Purpose,
    Resource,
    ResourceKind,
    Role,
)
from consent._rules import in_scope, needs_reconfirmation, status, withdrawn_for

FOOTAGE = frozenset({ResourceKind.recording, ResourceKind.clip})

# What a trainer may do to footage of an assigned trajectory, per phase.
_WORKING = frozenset(
    {
        Action.upload,
        Action.view,
        Action.stream,
        Action.clip,
        Action.download,
        Action.manage_consent,
        Action.share_to_wok,
        Action.mark_for_teaching,
        Action.export,
    }
)
TRAINER_ACTIONS: dict[Phase, frozenset[Action]] = {
    Phase.intake: frozenset({Action.upload, Action.view, Action.stream, Action.manage_consent}),
    Phase.active: _WORKING | {Action.annotate},
    Phase.closed: frozenset(
        {
            Action.view,
            Action.stream,
            Action.clip,
            Action.manage_consent,
            Action.export,
            Action.annotate,
            Action.mark_for_teaching,  # teaching material is often chosen looking back
        }
    ),
    Phase.follow_up: _WORKING | {Action.annotate},
    Phase.ended: frozenset(),
}
WATCH = frozenset({Action.view, Action.stream})
# What a trainer may do to the family's own data (the family, its people, gezag) before or beside any
# trajectory: look at it and manage the consents.
FAMILY_LEVEL = frozenset({Action.view, Action.manage_consent})
# What may be done to the trainer's annotations: read them, and (the trainer) write them. Annotating
# is nothing one does to the footage itself.
ANNOTATION = frozenset({Action.view, Action.annotate})

MESSAGES = {
    "allowed": "Toegestaan.",
    "unknown_action": "Deze handeling is niet toegestaan voor uw rol.",
    "no_footage_for_role": "Uw rol geeft geen toegang tot beeldmateriaal.",
    "unknown_role": "Uw rol is onbekend; vraag de beheerder uw account na te kijken.",
    "not_assigned": "U bent niet de trainer van dit traject.",
    "phase_forbids": "In deze fase van het traject is dit niet toegestaan.",
    "no_supervision_link": "Er is geen supervisiekoppeling met de trainer van dit traject.",
    "no_grant": "Er is geen geldige opdracht als gecommitteerde voor dit traject.",
    "not_in_wok_session": "Dit fragment is niet gedeeld in een WOK-bijeenkomst waaraan u deelneemt.",
    "clip_for_other_purpose": "Dit fragment heeft de trainer voor een ander doel gemaakt.",
    "outside_wok_window": "De WOK-bijeenkomst is niet (meer) bezig.",
    "no_consent": "Er is geen toestemming van het gezin voor dit doel.",
    "consent_incomplete": "De toestemming is onvolledig: er ontbreekt een vereiste handtekening.",
    "consent_withdrawn": "Het gezin heeft de toestemming ingetrokken.",
    "consent_expired": "De toestemming is verlopen.",
    "consent_not_yet_valid": "De toestemming is nog niet ingegaan.",
    "consent_invalidated": "De toestemming is ongeldig verklaard.",
    "recording_not_covered": "Deze opname valt niet onder de toestemming.",
    "needs_reconfirmation": "Een kind is 12 of 16 geworden; de toestemming moet opnieuw bevestigd worden.",
    "handover_not_verified": "De ophaalcode is niet bevestigd.",
    "other_family": "Dit is niet het materiaal van uw gezin.",
    "purge_pending": "Deze opname wordt verwijderd volgens het bewaarbeleid.",
    "annotations_on_a_clip": "De aantekeningen van de trainer ziet u alleen bij een fragment dat u mag bekijken.",
    "in_view_unknown": "De trainer heeft nog niet vastgelegd wie er in beeld is; tot dan blijft dit fragment binnen het gezin en de supervisie.",
    "needs_anonymised": "Van dit fragment mag hier alleen een geanonimiseerde versie getoond worden, gecontroleerd en goedgekeurd door de trainer.",
    "anonymised_not_approved": "De trainer heeft de geanonimiseerde versie nog niet gecontroleerd en goedgekeurd.",
    "not_found": "Niet gevonden of geen toegang.",
}

# When no record grants, the most telling reason among the records of the purpose is reported.
_REASON_ORDER = (
    "consent_withdrawn",
    "consent_invalidated",
    "needs_reconfirmation",
    "consent_expired",
    "consent_incomplete",
    "consent_not_yet_valid",
    "recording_not_covered",
)
_STATUS_REASON = {
    ConsentStatus.withdrawn: "consent_withdrawn",
    ConsentStatus.invalidated: "consent_invalidated",
    ConsentStatus.expired: "consent_expired",
    ConsentStatus.incomplete: "consent_incomplete",
    ConsentStatus.not_yet_valid: "consent_not_yet_valid",
}


def _deny(reason: str) -> Decision:
    return Decision(False, reason, MESSAGES[reason])


def _allow(*basis: str) -> Decision:
    return Decision(True, "allowed", MESSAGES["allowed"], tuple(basis))


def consent_basis(purpose: Purpose, resource: Resource, at: datetime) -> Decision:
    """Allowed with the covering consent records as basis, or denied with the most telling reason."""
    facts = resource.facts
    granting: list[str] = []
    reasons: set[str] = set()
    for record in facts.consents:
        if record.purpose is not purpose or record.family_id != resource.family_id:
            continue
        if not in_scope(record, resource.trajectory_id, resource.recording_id):
            reasons.add("recording_not_covered")
            continue
        state = status(record, facts.events, facts.people, facts.authorities, at)
        if state is not ConsentStatus.given:
            reasons.add(_STATUS_REASON[state])
        elif withdrawn_for(record, facts.events, resource.recording_id, at):
            reasons.add("consent_withdrawn")
        elif needs_reconfirmation(record, facts.events, facts.people, resource.recorded_at):
            reasons.add("needs_reconfirmation")
        else:
            granting.append(f"consent:{record.id}")
    if granting:
        return _allow(*sorted(granting))
    for reason in _REASON_ORDER:
        if reason in reasons:
            return _deny(reason)
    return _deny("no_consent")


def _window(start: datetime | None, end: datetime | None, at: datetime) -> bool:
    return (start is None or start <= at) and (end is None or at < end)


def _supervises(facts: Facts, actor: Actor, resource: Resource, at: datetime) -> str | None:
    for link in facts.supervision_links:
        if (
            link.opleider_id == actor.user_id
            and link.trainee_id == resource.trainer_id
            and link.confirmed
            and _window(link.valid_from, link.valid_until, at)
        ):
            return f"supervision:{link.trainee_id}:{link.opleider_id}"
    return None


def _granted(facts: Facts, actor: Actor, resource: Resource, at: datetime) -> str | None:
    for grant in facts.grants:
        if (
            grant.user_id == actor.user_id
            and grant.trainee_id == resource.trainer_id
            and grant.confirmed
            and _window(grant.valid_from, grant.valid_until, at)
        ):
            return f"grant:{grant.id}"
    return None


# A clip's "Doel" decides who sees it: a clip tagged for any purpose but review is for the viewers of
# that purpose only (supervision: opleiders and gecommitteerden; wok: WOK viewers; none watch for
# teaching or research in the app yet, and a trainer marks a clip for teaching only where teaching may
# show it: `mark_for_teaching`). A clip for review with the family (the default) is for every viewer the family's
# consent allows; the trainer of the trajectory sees their own clips whatever the tag.
_TARGETED = frozenset(Purpose) - {Purpose.review}


def _with_consent(
    purpose: Purpose, resource: Resource, at: datetime, *basis: str, sharing: bool = False
) -> Decision:
    if resource.clip_purpose in _TARGETED and resource.clip_purpose is not purpose:
        return _deny("clip_for_other_purpose")
    consent = consent_basis(purpose, resource, at)
    if not consent.allowed:
        return consent
    if purpose in BEYOND_THE_FAMILY and resource.kind is ResourceKind.clip:
        refused = _faces(resource, consent.basis, sharing)
        if refused is not None:
            return refused
    return _allow(*consent.basis, *basis)


# Purposes for which a fragment is shown outside the family and its trainer's supervision (ADR 0017,
# decision 7): there only those whose consent is on record may be seen. Someone in view is covered
# when they signed a record that grants the purpose; a child of the family, when such a record is given
# (whoever holds gezag signed for it, and the child itself from 12). Anyone else in view — a parent who
# did not sign, a registered carer, a visitor — and only the anonymised copy its trainer approved may
# be shown; once the trainer approved one, it is what is shown. While the trainer has not said who is in
# view, nothing is shown (fail closed).
BEYOND_THE_FAMILY = frozenset({Purpose.wok, Purpose.teaching})
_FACES = frozenset({"in_view_unknown", "needs_anonymised", "anonymised_not_approved"})


def covered(resource: Resource, basis: tuple[str, ...]) -> bool:
    """Everyone in view in the clip is covered by the granting records named in `basis`."""
    if resource.in_view is None or resource.others_in_view:
        return False
    granting = {b.removeprefix("consent:") for b in basis if b.startswith("consent:")}
    signed = {
        s.person_id for r in resource.facts.consents if str(r.id) in granting for s in r.signatures
    }
    kinds = {p.id: p.kind for p in resource.facts.people}
    return all(
        person in kinds and (kinds[person] is PersonKind.child or person in signed)
        for person in resource.in_view
    )


def _faces(resource: Resource, basis: tuple[str, ...], sharing: bool) -> Decision | None:
    """The refusal, if the clip may not be shown (or shared) as asked; None when it may."""
    if resource.in_view is None:
        return _deny("in_view_unknown")
    if resource.anonymised:
        return None if resource.anonymised_approved else _deny("anonymised_not_approved")
    if sharing and resource.anonymised_approved:
        return None  # shared into a WOK, where its viewers get the approved copy
    if resource.anonymised_approved or not covered(resource, basis):
        return _deny("needs_anonymised")
    return None


# Who may watch as a WOK viewer (ADR 0002): trainers and opleiders taking part in a WOK session into
# which the clip was shared. Privacy officers, administrators, parents and gecommitteerden never do.
WOK_ROLES = frozenset({Role.trainer, Role.opleider})
SUPERVISORS = frozenset({Role.opleider, Role.gecommitteerde})


def _in_wok(actor: Actor, resource: Resource) -> bool:
    return resource.clip_id is not None and any(
        resource.clip_id in s.clip_ids
        and (actor.user_id in s.participant_ids or actor.user_id == s.organiser_id)
        for s in resource.facts.wok_sessions
    )


def decide(actor: Actor, action: Action, resource: Resource, at: datetime) -> Decision:
    """May `actor` do `action` on `resource` at `at`? Pure; deny by default; allowed names its basis.

    A recording marked for purge (and every clip of it) is refused to everyone, first of all.

    A trainer or opleider refused by their own role's rules, who takes part in a WOK session into which
    the clip was shared, is asked again as a WOK viewer (stream only, in the window, with WOK consent).
    When that is a no too, the own role's reason is reported; only a trainer with no tie to the trajectory
    hears that the session is not on (now), and every participant hears why the clip itself may not be
    shown (who is in view; only its anonymised copy).

    An allowance of the clip's anonymised copy says so in its basis (`anonymised:<clip>`).
    """
    if resource.recording_id is not None and resource.recording_id in resource.facts.purge_pending:
        return _deny("purge_pending")  # before any role: a purge mark blocks every reader at once
    decision = _decide(actor, action, resource, at)
    if not decision.allowed and actor.role in WOK_ROLES and _in_wok(actor, resource):
        as_viewer = _decide(replace(actor, role=Role.wok_viewer), action, resource, at)
        not_on = decision.reason == "not_assigned" and as_viewer.reason == "outside_wok_window"
        shown = as_viewer.reason in _FACES  # in the session, with consent: what may be shown of it
        decision = as_viewer if as_viewer.allowed or not_on or shown else decision
    if decision.allowed and resource.anonymised:  # the basis says what was shown
        return replace(decision, basis=(*decision.basis, f"anonymised:{resource.clip_id}"))
    return decision


def _decide(actor: Actor, action: Action, resource: Resource, at: datetime) -> Decision:
    facts = resource.facts

    if actor.role is Role.privacy_officer:
        if action is Action.audit_read and resource.kind is ResourceKind.audit_log:
            return _allow("role:privacy_officer")
        return _deny("no_footage_for_role")

    if actor.role is Role.administrator:
        return _deny("no_footage_for_role")

    if actor.role is Role.parent:
        if resource.kind is not ResourceKind.export or action not in (
            Action.download,
            Action.export,
        ):
            return _deny("unknown_action")
        if actor.family_id is None or actor.family_id != resource.family_id:
            return _deny("other_family")
        if not actor.handover_verified:
            return _deny("handover_not_verified")
        return _allow(f"handover:{resource.family_id}")

    if actor.role is Role.trainer:
        if resource.kind is ResourceKind.family:
            if action in FAMILY_LEVEL and actor.user_id in facts.family_trainers:
                return _allow(f"registered:{resource.family_id}")
            return _deny("not_assigned")
        if resource.trainer_id is None or actor.user_id != resource.trainer_id:
            return _deny("not_assigned")
        annotations = resource.kind is ResourceKind.annotation
        if (annotations and action not in ANNOTATION) or (
            not annotations and action is Action.annotate
        ):
            return _deny("unknown_action")
        if resource.phase is None or action not in TRAINER_ACTIONS[resource.phase]:
            return _deny("phase_forbids")
        assignment = f"assignment:{resource.trajectory_id}"
        if action is Action.share_to_wok:
            return _with_consent(Purpose.wok, resource, at, assignment, sharing=True)
        if action is Action.mark_for_teaching:  # asked as teaching would show it, whatever its tag
            if resource.kind is not ResourceKind.clip:
                return _deny("unknown_action")
            teaching = replace(resource, clip_purpose=Purpose.teaching)
            return _with_consent(Purpose.teaching, teaching, at, assignment, sharing=True)
        return _allow(assignment)

    if resource.kind is ResourceKind.annotation and actor.role in SUPERVISORS:
        # The trainer's analysis, read (never written) on a clip the supervisor may watch: the same
        # link or grant and the same supervision consent as the footage.
        if action is not Action.view:
            return _deny("unknown_action")
        if resource.clip_id is None:
            return _deny("annotations_on_a_clip")
    elif resource.kind not in FOOTAGE or action not in WATCH:
        return _deny("unknown_action")
    if resource.phase is Phase.ended:
        return _deny("phase_forbids")

    if actor.role is Role.opleider:
        link = _supervises(facts, actor, resource, at)
        if link is None:
            return _deny("no_supervision_link")
        return _with_consent(Purpose.supervision, resource, at, link)

    if actor.role is Role.gecommitteerde:
        grant = _granted(facts, actor, resource, at)
        if grant is None:
            return _deny("no_grant")
        return _with_consent(Purpose.supervision, resource, at, grant)

    if actor.role is Role.wok_viewer:
        sessions = [
            s
            for s in facts.wok_sessions
            if resource.clip_id in s.clip_ids
            and (actor.user_id in s.participant_ids or actor.user_id == s.organiser_id)
        ]
        if resource.kind is not ResourceKind.clip or not sessions:
            return _deny("not_in_wok_session")
        current = [s for s in sessions if _window(s.starts_at, s.ends_at, at)]
        if not current:
            return _deny("outside_wok_window")
        return _with_consent(Purpose.wok, resource, at, f"wok:{current[0].id}")

    return _deny("unknown_action")
