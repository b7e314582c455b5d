"""Trainer pages: a family's people, gezag and consent records.

Everything goes through the domains' services (vault.families.service, vault.consents.service), so
the page shows and changes exactly what the API would, with the same access decisions in the audit
log.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlmodel import Session, select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as StarletteUpload

import consent
from consent import Role
from vault.accounts._web import csrf_ok
from vault.consents import service as consents
from vault.consents.models import ConsentRecordRow
from vault.consents.schemas import ConsentCreate, ConsentEventCreate, SignatureCreate
from vault.consents.service import MAX_EVIDENCE, EvidenceTooLarge
from vault.db import DB, release
from vault.errors import Conflict, Forbidden, VaultError
from vault.families import service as families
from vault.families.models import Authority, Family, Person
from vault.families.schemas import AuthorityCreate, PersonCreate, TrajectoryPublic
from vault.i18n import N_
from vault.routes import dump, public
from vault.web._page import (
    FormViewer,
    PageViewer,
    Viewer,
    attempt,
    language,
    message,
    notice,
    redirect,
    render,
    require,
)
from vault.web.labels import TYPES
from vault.web.labels import consents as consent_labels

router = APIRouter()

# What a POST did, shown after its redirect (?gedaan=...).
DONE: dict[str, str] = {
    "persoon": N_("Het gezinslid is toegevoegd."),
    "gezag": N_("Het gezag is vastgelegd."),
    "toestemming": N_("De toestemming is vastgelegd."),
    "handtekening": N_("De handtekening is toegevoegd."),
    "formulier": N_("Het getekende formulier is versleuteld opgeslagen."),
    "ingetrokken": N_("De toestemming is ingetrokken. Dit geldt meteen."),
}


def _url(family_id: uuid.UUID, done: str | None = None) -> str:
    return f"/gezinnen/{family_id}/toestemming" + (f"?gedaan={done}" if done else "")


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _date(raw: str) -> date | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise Conflict(
            f"Dit is geen geldige datum: {raw}.", f"This is not a valid date: {raw}."
        ) from None


def _age(birth: str | None, on: date) -> int | None:
    return consent.age_on(date.fromisoformat(birth), on) if birth else None


def _default_capacity(person: dict[str, Any], on: date) -> str:
    age = _age(person["birth_date"], on)
    if person["kind"] != consent.PersonKind.child:
        return consent.Capacity.parent_with_authority
    if age is not None and age >= 16:
        return consent.Capacity.self
    return consent.Capacity.child


def _needed(
    people: list[dict[str, Any]], authorities: list[dict[str, Any]], on: date
) -> dict[str, str]:
    """Who must sign a consent given today, and as what (the rules of the consent engine)."""
    required = consent.required_signatories(
        [
            consent.Person(
                uuid.UUID(p["id"]),
                consent.PersonKind(p["kind"]),
                date.fromisoformat(p["birth_date"]) if p["birth_date"] else None,
                p["competent"],
            )
            for p in people
        ],
        [
            consent.Authority(
                uuid.UUID(a["child_id"]), uuid.UUID(a["parent_id"]), a["source"], None
            )
            for a in authorities
        ],
        on,
    )
    return {str(r.person_id): str(r.capacity) for r in required if r.person_id is not None}


def _summary(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per purpose, at a glance: a consent that counts now, else the latest word on it (records come
    in the order they were made)."""
    out = []
    for purpose in consent_labels.PURPOSES:
        mine = [r for r in records if r["purpose"] == purpose]
        given = [r for r in mine if r["status"] == consent.ConsentStatus.given]
        out.append({"purpose": purpose, "record": (given or mine)[-1] if mine else None})
    return out


def _family_page(
    request: Request,
    viewer: Viewer,
    db: Session,
    family_id: uuid.UUID,
    *,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    p = viewer.principal
    # The consent overview is decided (manage_consent, logged) for the family as a whole; the
    # family's people and gezag belong to that same decision, as the API's own consent pages do.
    records = [c.model_dump(mode="json") for c in consents.list_consents(db, p, family_id)]
    family = public(db.get(Family, family_id))  # type: ignore[arg-type]  # list_consents() above found the family (it raises otherwise)
    people = [public(x) for x in db.exec(select(Person).where(Person.family_id == family_id))]
    authorities = [
        public(x) for x in db.exec(select(Authority).where(Authority.family_id == family_id))
    ]
    trajectories = [
        t
        for t in (
            dump(row, TrajectoryPublic)
            for row in families.list_trajectories(db, p, limit=500).items
        )
        if t["family_id"] == str(family_id)
    ]
    today = datetime.now(UTC).date()
    by_id = {person["id"]: person for person in people}
    needed = _needed(people, authorities, today)
    for person in people:
        person["age"] = _age(person["birth_date"], today)
        person["needed"] = needed.get(person["id"])
        person["capacity"] = person["needed"] or _default_capacity(person, today)
    for record in records:
        record["signers"] = _withdrawers(record, people)
        record["withdrawals"] = [e for e in record["events"] if e["kind"] == "withdrawn"]
    done = request.query_params.get("gedaan")
    return render(
        request,
        "consent/family.html",
        viewer,
        status=status,
        heading=N_("Toestemming"),
        family=family,
        people=people,
        by_id=by_id,
        children=[x for x in people if x["kind"] == consent.PersonKind.child],
        parents=[
            x for x in people if x["kind"] in (consent.PersonKind.parent, consent.PersonKind.carer)
        ],
        authorities=authorities,
        records=sorted(reversed(records), key=lambda r: r["valid_from"], reverse=True),
        summary=_summary(records),
        trajectories=trajectories,
        chosen_trajectory=request.query_params.get("traject", ""),
        today=today.isoformat(),
        purposes=consent_labels.PURPOSES,
        statuses=consent_labels.STATUSES,
        badges=consent_labels.BADGES,
        kinds=consent_labels.PERSON_KINDS,
        capacities=consent_labels.CAPACITIES,
        methods=consent_labels.METHODS,
        event_names=consent_labels.EVENTS,
        types=TYPES,
        notice=notice(request, DONE, done),
        error=error,
    )


def _withdrawers(record: dict[str, Any], people: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Who may be chosen as withdrawing: the adults and every child from 12. The API accepts a
    signatory of this record or a child from 12, and says so in Dutch when it is someone else."""
    return [p for p in people if p["kind"] != consent.PersonKind.child or (p["age"] or 0) >= 12]


def _refused(
    request: Request, viewer: Viewer, db: Session, family_id: uuid.UUID, error: VaultError
) -> HTMLResponse:
    return _family_page(
        request, viewer, db, family_id, error=message(request, error), status=error.status
    )


def _invalid(request: Request, viewer: Viewer, db: Session, family_id: uuid.UUID) -> HTMLResponse:
    return _family_page(
        request,
        viewer,
        db,
        family_id,
        error="Niet alle velden zijn goed ingevuld. Kijk ze na en probeer het opnieuw."
        if language(request) == "nl"
        else "Not every field is filled in correctly. Check them and try again.",
        status=422,
    )


@router.get("/gezinnen/{family_id}/toestemming")
def family_consents(
    request: Request, family_id: uuid.UUID, viewer: PageViewer, db: DB
) -> HTMLResponse:
    require(viewer, Role.trainer)
    return _family_page(request, viewer, db, family_id)


@router.post("/gezinnen/{family_id}/personen", response_model=None)
def post_person(
    request: Request,
    family_id: uuid.UUID,
    viewer: FormViewer,
    db: DB,
    kind: Annotated[str, Form()],
    display_name: Annotated[str, Form(max_length=100)] = "",
    birth_date: Annotated[str, Form(max_length=10)] = "",
    not_competent: Annotated[str, Form()] = "",
) -> HTMLResponse | RedirectResponse:
    require(viewer, Role.trainer)
    try:
        body = PersonCreate(
            kind=kind,
            display_name=display_name.strip(),  # type: ignore[arg-type]  # pydantic parses the form string; a bad value raises the ValidationError caught here
            birth_date=birth_date or None,
            competent=not_competent != "ja",
        )  # type: ignore[arg-type]  # pydantic parses the form string; a bad value raises the ValidationError caught here
    except ValidationError:
        return _invalid(request, viewer, db, family_id)
    _, error = attempt(db, lambda: families.add_person(db, viewer.principal, family_id, body))
    if error:
        return _refused(request, viewer, db, family_id, error)
    return redirect(_url(family_id, "persoon"))


@router.post("/gezinnen/{family_id}/gezag", response_model=None)
def post_authority(
    request: Request,
    family_id: uuid.UUID,
    viewer: FormViewer,
    db: DB,
    child_id: Annotated[str, Form()],
    parent_id: Annotated[str, Form()],
    source: Annotated[str, Form(max_length=100)] = "verklaring ouders",
    checked_on: Annotated[str, Form(max_length=10)] = "",
) -> HTMLResponse | RedirectResponse:
    require(viewer, Role.trainer)
    try:
        body = AuthorityCreate(
            child_id=child_id,
            parent_id=parent_id,  # type: ignore[arg-type]  # pydantic parses the form string; a bad value raises the ValidationError caught here
            source=source.strip() or "verklaring ouders",
            checked_on=checked_on or None,
        )  # type: ignore[arg-type]  # pydantic parses the form string; a bad value raises the ValidationError caught here
    except ValidationError:
        return _invalid(request, viewer, db, family_id)
    _, error = attempt(db, lambda: families.add_authority(db, viewer.principal, family_id, body))
    if error:
        return _refused(request, viewer, db, family_id, error)
    return redirect(_url(family_id, "gezag"))


@router.post("/gezinnen/{family_id}/toestemming", response_model=None)
def post_consent(
    request: Request,
    family_id: uuid.UUID,
    viewer: FormViewer,
    db: DB,
    purpose: Annotated[str, Form()],
    trajectory_id: Annotated[str, Form()],
    valid_from: Annotated[str, Form(max_length=10)],
    valid_until: Annotated[str, Form(max_length=10)] = "",
    method: Annotated[str, Form()] = consent.Method.paper_form,
    person: Annotated[list[str] | None, Form()] = None,
    signed: Annotated[list[str] | None, Form()] = None,
    capacity: Annotated[list[str] | None, Form()] = None,
    signed_on: Annotated[list[str] | None, Form()] = None,
) -> HTMLResponse | RedirectResponse:
    """One row per person on the form: `person`, `capacity` and `signed_on` line up; `signed`
    holds the ids of the people whose box is ticked."""
    require(viewer, Role.trainer)
    people, capacities, days = person or [], capacity or [], signed_on or []
    ticked = set(signed or [])

    def build() -> ConsentCreate:
        start = _date(valid_from) or datetime.now(UTC).date()
        until = _date(valid_until)
        signatures = [
            SignatureCreate(
                person_id=pid,  # type: ignore[arg-type]  # pydantic parses the form string; a bad value raises the ValidationError caught around build()
                capacity=cap,  # type: ignore[arg-type]  # pydantic parses the form string; a bad value raises the ValidationError caught around build()
                signed_at=_start_of(_date(day) or start),
            )
            for pid, cap, day in zip(people, capacities, days, strict=False)
            if pid in ticked
        ]
        return ConsentCreate(
            purpose=purpose,  # type: ignore[arg-type]  # pydantic parses the form string; a bad value raises the ValidationError caught around build()
            trajectory_id=trajectory_id,  # type: ignore[arg-type]  # pydantic parses the form string; a bad value raises the ValidationError caught around build()
            valid_from=_start_of(start),
            valid_until=_start_of(until + timedelta(days=1)) if until else None,
            method=method,  # type: ignore[arg-type]  # pydantic parses the form string; a bad value raises the ValidationError caught around build()
            language="nl",
            signatures=signatures,
        )

    try:
        body, error = attempt(db, build)
    except ValidationError:
        return _invalid(request, viewer, db, family_id)
    if error is None:
        _, error = attempt(
            db,
            lambda: consents.create_consent(db, viewer.principal, family_id, body),  # type: ignore[arg-type]  # attempt() returned no error, so build() ran and body is set
        )
    if error:
        return _refused(request, viewer, db, family_id, error)
    return redirect(_url(family_id, "toestemming"))


@router.post("/gezinnen/{family_id}/toestemming/{record_id}/handtekening", response_model=None)
def post_signature(
    request: Request,
    family_id: uuid.UUID,
    record_id: uuid.UUID,
    viewer: FormViewer,
    db: DB,
    person_id: Annotated[str, Form()],
    signed_on: Annotated[str, Form(max_length=10)] = "",
) -> HTMLResponse | RedirectResponse:
    """A signature the record lacks, added to that record (a parent who signs later)."""
    require(viewer, Role.trainer)
    try:
        person = uuid.UUID(person_id)
    except ValueError:
        return _invalid(request, viewer, db, family_id)

    def add() -> None:
        day = _date(signed_on) or datetime.now(UTC).date()
        consents.add_signature(db, viewer.principal, record_id, person, _start_of(day))

    _, error = attempt(db, add)
    if error:
        return _refused(request, viewer, db, family_id, error)
    return redirect(_url(family_id, "handtekening"))


@router.post("/gezinnen/{family_id}/toestemming/{record_id}/formulier", response_model=None)
async def post_evidence(
    request: Request,
    family_id: uuid.UUID,
    record_id: uuid.UUID,
    viewer: PageViewer,
    db: DB,
) -> HTMLResponse | RedirectResponse:
    """Limits before work, as the API: the right is decided (and logged) and the declared size checked
    before the form and its file are read; then the CSRF token, then the file with a hard cap."""
    require(viewer, Role.trainer)

    def decide() -> ConsentRecordRow:
        record = consents.evidence_record(db, viewer.principal, record_id)
        release(db)  # the decision is logged; no transaction waits for the upload
        return record

    record, error = await run_in_threadpool(attempt, db, decide)
    declared = request.headers.get("content-length", "")
    if error is None and declared.isdigit() and int(declared) > MAX_EVIDENCE + 64 * 1024:
        error = EvidenceTooLarge()
    if error is not None or record is None:
        return await run_in_threadpool(
            _refused, request, viewer, db, family_id, error or EvidenceTooLarge()
        )
    async with request.form(max_files=1, max_fields=4) as form:
        if not csrf_ok(viewer.session_id, str(form.get("csrf") or "")):
            stale = Forbidden(
                "Dit formulier is verlopen of niet van deze site. Laad de pagina opnieuw.",
                "This form has expired or is not from this site. Reload the page.",
            )
            stale.actor, stale.audit_reason = viewer.principal, "csrf"
            raise stale
        scan = form.get("scan")
        data = await scan.read(MAX_EVIDENCE + 1) if isinstance(scan, StarletteUpload) else b""
    _, error = await run_in_threadpool(
        attempt, db, lambda: consents.save_evidence(db, viewer.principal, record, data)
    )
    if error:
        return await run_in_threadpool(_refused, request, viewer, db, family_id, error)
    return redirect(_url(family_id, "formulier"))


@router.post("/gezinnen/{family_id}/toestemming/{record_id}/intrekken", response_model=None)
def post_withdrawal(
    request: Request,
    family_id: uuid.UUID,
    record_id: uuid.UUID,
    viewer: FormViewer,
    db: DB,
    by_person_id: Annotated[str, Form()],
    bevestigd: Annotated[str, Form()] = "",
) -> HTMLResponse | RedirectResponse:
    """Two steps: without `bevestigd=ja` the page says what will stop and for whom, and nothing
    changes; the confirmation form posts again with it."""
    require(viewer, Role.trainer)
    try:
        body = ConsentEventCreate(kind=consent.EventKind.withdrawn, by_person_id=by_person_id)  # type: ignore[arg-type]  # pydantic parses the form string; a bad value raises the ValidationError caught here
    except ValidationError:
        return _invalid(request, viewer, db, family_id)
    if bevestigd != "ja":
        record, error = attempt(
            db, lambda: consents.evidence_record(db, viewer.principal, record_id)
        )
        person = db.get(Person, body.by_person_id) if body.by_person_id else None
        if (
            error
            or record is None
            or record.family_id != family_id
            or person is None
            or person.family_id != family_id
        ):
            return _refused(
                request,
                viewer,
                db,
                family_id,
                error
                or Conflict(
                    "Deze toestemming of persoon hoort niet bij dit gezin.",
                    "This consent or person does not belong to this family.",
                ),
            )
        family = public(db.get(Family, family_id))  # type: ignore[arg-type]  # the family was found by the decision above (it raises otherwise)
        return render(
            request,
            "consent/withdraw.html",
            viewer,
            heading=N_("Toestemming intrekken?"),
            family=family,
            record=record,
            person=public(person),
            purpose=consent_labels.PURPOSES[record.purpose],
            stops=consent_labels.STOPS[record.purpose],
            kinds=consent_labels.PERSON_KINDS,
        )
    _, error = attempt(db, lambda: consents.add_event(db, viewer.principal, record_id, body))
    if error:
        return _refused(request, viewer, db, family_id, error)
    return redirect(_url(family_id, "ingetrokken"))


@router.get("/gezinnen/{family_id}/personen")
@router.get("/gezinnen/{family_id}/gezag")
@router.get("/gezinnen/{family_id}/toestemming/{record_id}/{action}")
def back_to_page(family_id: uuid.UUID) -> RedirectResponse:
    """A form's address opened directly (a reload, the language switch after an error): the page."""
    return redirect(_url(family_id))
