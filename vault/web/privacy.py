"""Privacy officer (privacyfunctionaris, FG) pages: the audit log with filters, the chain's state and
the anomaly signals; everything that happened to one family or that one employee did; retention:
a family's purge plan, legal holds, what was purged and the signed deletion certificates.

Every read goes through the audit and retention API's own functions, which log the read
(`audit_read`). The officer sees the log of their own organisation: what its people did and
everything that happened to its families.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlmodel import Session, col, select

import consent
from consent import Role
from keys import LocalSigningKey
from vault import audit
from vault.audit import api as audit_api
from vault.db import DB
from vault.domain.models import User
from vault.errors import NotFound
from vault.families.models import Family
from vault.i18n import LOCAL, day
from vault.purge import CERTIFICATES, LegalHoldRow, verify_certificate
from vault.purge import api as purge_api
from vault.settings import get_settings
from vault.store import BlobNotFound, backend_from_settings
from vault.web._page import (
    ROLE_NAMES,
    FormViewer,
    PageViewer,
    Viewer,
    attempt,
    language,
    message,
    redirect,
    render,
    require,
)

router = APIRouter()

PAGE_SIZE = 50
SIGNAL_DAYS = 30

Label = tuple[str, str]

ACTIONS: dict[str, Label] = {
    "view": ("Bekeken", "Viewed"),
    "stream_segment": ("Beelden afgespeeld", "Streamed footage"),
    "download": ("Gedownload", "Downloaded"),
    "export": ("Export", "Export"),
    "upload": ("Geüpload", "Uploaded"),
    "clip": ("Fragment gemaakt", "Clip made"),
    "consent_event": ("Toestemming", "Consent"),
    "grant": ("Opdracht gecommitteerde", "Assessor grant"),
    "purge": ("Verwijderd (bewaartermijn)", "Purged (retention)"),
    "key_rotation": ("Sleutelbeheer", "Key management"),
    "sign_in": ("Aangemeld", "Signed in"),
    "sign_in_failed": ("Aanmelden mislukt", "Sign-in failed"),
    "sign_out": ("Afgemeld", "Signed out"),
    "configuration_change": ("Instelling gewijzigd", "Configuration changed"),
    "logging_change": ("Logging gewijzigd", "Logging changed"),
    "audit_read": ("Logboek ingezien", "Audit log read"),
    "create": ("Aangemaakt", "Created"),
    "update": ("Gewijzigd", "Updated"),
    "delete": ("Verwijderd", "Deleted"),
}
OUTCOMES: dict[str, tuple[str, str, str]] = {  # label and badge class
    "allowed": ("Toegestaan", "Allowed", "ok"),
    "success": ("Gelukt", "Succeeded", "ok"),
    "denied": ("Geweigerd", "Denied", "bad"),
    "failure": ("Mislukt", "Failed", "warn"),
}
REASONS: dict[str, Label] = {
    "allowed": ("Toegestaan", "Allowed"),
    "not_found": ("Niet gevonden of geen toegang", "Not found or no access"),
    "unknown_action": (
        "Handeling niet toegestaan voor deze rol",
        "Action not allowed for this role",
    ),
    "no_footage_for_role": (
        "Rol heeft geen toegang tot beeldmateriaal",
        "Role has no access to footage",
    ),
    "unknown_role": ("Onbekende rol", "Unknown role"),
    "not_assigned": ("Niet de trainer van dit traject", "Not the trainer of this trajectory"),
    "phase_forbids": ("Niet toegestaan in deze fase van het traject", "Not allowed in this phase"),
    "no_supervision_link": (
        "Geen supervisiekoppeling met de trainer",
        "No supervision link with the trainer",
    ),
    "no_grant": ("Geen geldige opdracht als gecommitteerde", "No valid assessor grant"),
    "not_in_wok_session": (
        "Niet gedeeld in een WOK van deze deelnemer",
        "Not shared in this participant's WOK",
    ),
    "outside_wok_window": ("Buiten de WOK-bijeenkomst", "Outside the WOK session"),
    "no_consent": ("Geen toestemming van het gezin", "No consent from the family"),
    "consent_incomplete": ("Toestemming onvolledig", "Consent incomplete"),
    "consent_withdrawn": ("Toestemming ingetrokken", "Consent withdrawn"),
    "consent_expired": ("Toestemming verlopen", "Consent expired"),
    "consent_not_yet_valid": ("Toestemming nog niet ingegaan", "Consent not yet valid"),
    "consent_invalidated": ("Toestemming ongeldig verklaard", "Consent invalidated"),
    "recording_not_covered": (
        "Opname valt niet onder de toestemming",
        "Recording not covered by consent",
    ),
    "needs_reconfirmation": (
        "Toestemming moet opnieuw bevestigd worden",
        "Consent must be reconfirmed",
    ),
    "handover_not_verified": ("Ophaalcode niet bevestigd", "Hand-over code not verified"),
    "other_family": ("Materiaal van een ander gezin", "Another family's material"),
    "purge_pending": ("Wordt verwijderd volgens het bewaarbeleid", "Being purged under retention"),
    "annotations_on_a_clip": (
        "Aantekeningen alleen bij een fragment",
        "Annotations only through a clip",
    ),
    "legal_hold_placed": ("Bewaarplicht opgelegd", "Legal hold placed"),
    "legal_hold_released": ("Bewaarplicht opgeheven", "Legal hold released"),
    "blocked_for_purge": ("Geblokkeerd voor verwijdering", "Blocked for purge"),
    "family_key_shredded": ("Gezinssleutel vernietigd", "Family key shredded"),
    "family_rotated": ("Gezinssleutel vernieuwd", "Family key rotated"),
    "master_rotated": ("Hoofdsleutel vernieuwd", "Master key rotated"),
    "master_trimmed": ("Oude hoofdsleutel opgeruimd", "Old master key removed"),
    "retention_policy_changed": ("Bewaarbeleid gewijzigd", "Retention policy changed"),
    "download_link_created": ("Downloadlink gemaakt", "Download link created"),
    "handed_over": ("Overgedragen aan het gezin", "Handed over to the family"),
    "build_failed": ("Maken mislukt", "Build failed"),
    "no_account": ("Onbekend account", "Unknown account"),
    "locked": ("Account tijdelijk geblokkeerd", "Account temporarily locked"),
    "rate_limited": ("Te veel pogingen", "Too many attempts"),
    "refresh_token_reused": ("Vernieuwingstoken hergebruikt", "Refresh token reused"),
    "session_refreshed": ("Sessie verlengd", "Session refreshed"),
    "device": ("Opdrachtregel, bevestigd in de webapp", "Command line, confirmed in the web app"),
    "device_approved": ("Opdrachtregel toegestaan", "Command line allowed"),
    "device_denied": ("Opdrachtregel geweigerd", "Command line refused"),
    "device_code_unknown": ("Onbekende code voor de opdrachtregel", "Unknown command-line code"),
    "link_invalid": ("Ongeldige link", "Invalid link"),
    "idle": ("Sessie verlopen door inactiviteit", "Session idle"),
    "sign_out": ("Afgemeld", "Signed out"),
    "oidc": ("Via de identiteitsprovider", "Through the identity provider"),
    "offline": ("Offline", "Offline"),
    "proxy": ("Afgeleide kopie", "Proxy"),
    "original_after_follow_up": (
        "Bewaartermijn na afsluiting verstreken",
        "Retention after closure ended",
    ),
    "withdrawn_consent": ("Toestemming ingetrokken", "Consent withdrawn"),
    "evidence_period": ("Bewaartermijn toestemmingsbewijs verstreken", "Evidence period ended"),
    "export_handed_over": (
        "Bewaartermijn na overhandiging verstreken",
        "Retention after hand-over ended",
    ),
    "export_expires": ("Pakket voor de ouders verlopen", "Parents' package expired"),
    "supervision_done": ("Supervisie afgerond", "Supervision finished"),
    "supervision_at_closure": (
        "Traject afgesloten, supervisie voorbij",
        "Trajectory closed, supervision over",
    ),
    "wok_session_ended": ("WOK-bijeenkomst voorbij", "WOK session over"),
}
OBJECTS: dict[str, Label] = {
    "family": ("Gezin", "Family"),
    "trajectory": ("Traject", "Trajectory"),
    "recording": ("Opname", "Recording"),
    "clip": ("Fragment", "Clip"),
    "segment": ("Videosegment", "Video segment"),
    "upload": ("Upload", "Upload"),
    "proxy": ("Afgeleide kopie", "Proxy"),
    "object": ("Opgeslagen bestand", "Stored object"),
    "consent": ("Toestemming", "Consent"),
    "evidence": ("Toestemmingsbewijs", "Consent evidence"),
    "export_package": ("Exportpakket", "Export package"),
    "grant": ("Opdracht", "Grant"),
    "legal_hold": ("Bewaarplicht", "Legal hold"),
    "family_key": ("Gezinssleutel", "Family key"),
    "user": ("Account", "Account"),
    "organisation": ("Organisatie", "Organisation"),
    "supervision_link": ("Supervisiekoppeling", "Supervision link"),
    "supervision_note": ("Supervisienotitie", "Supervision note"),
    "annotation": ("Aantekening van de trainer", "Trainer's annotation"),
    "annotation_export": ("Aantekeningen uitgevoerd", "Annotations exported"),
    "annotation_comment": ("Reactie op een aantekening", "Comment on an annotation"),
    "codebook": ("Codeboek", "Codebook"),
    "retention_policy": ("Bewaarbeleid", "Retention policy"),
    "wok_session": ("WOK-bijeenkomst", "WOK session"),
    "family_list": ("Lijst van gezinnen", "Family list"),
    "trajectory_list": ("Lijst van trajecten", "Trajectory list"),
    "clip_list": ("Lijst van fragmenten", "Clip list"),
    "log_search": ("Logboek", "Audit log"),
    "family_report": ("Gezinsrapport", "Family report"),
    "employee_report": ("Medewerkersrapport", "Employee report"),
    "denied_report": ("Geweigerde pogingen", "Denied attempts"),
    "anomalies": ("Signalen", "Signals"),
    "verify": ("Ketencontrole", "Chain verification"),
    "inclusion_proof": ("Opnamebewijs", "Inclusion proof"),
    "retention_plan": ("Bewaarplan", "Retention plan"),
    "purge_report": ("Verwijderlijst", "Purge list"),
    "deletion_certificate": ("Verwijderingscertificaat", "Deletion certificate"),
}
SIGNALS: dict[str, Label] = {
    "outside_active_trajectory": (
        "Toegang buiten een actief traject",
        "Access outside an active trajectory",
    ),
    "off_hours_streaming": ("Beelden bekeken buiten kantooruren", "Streaming outside office hours"),
    "download": ("Beeldmateriaal gedownload", "Footage downloaded"),
    "many_families": ("Veel gezinnen in korte tijd", "Many families in a short time"),
    "wok_outside_window": (
        "WOK-deelnemer buiten de bijeenkomst",
        "WOK participant outside the session",
    ),
}
BASIS: dict[str, Label] = {
    "assignment": ("Trainer van het traject", "Trainer of the trajectory"),
    "registered": ("Heeft het gezin aangemeld", "Registered the family"),
    "consent": ("Toestemming", "Consent"),
    "grant": ("Opdracht gecommitteerde", "Assessor grant"),
    "handover": ("Overdracht aan het gezin", "Hand-over to the family"),
    "supervision": ("Supervisiekoppeling", "Supervision link"),
    "wok": ("WOK-bijeenkomst", "WOK session"),
}
NOTICES: dict[str, Label] = {
    "geplaatst": ("De bewaarplicht is opgelegd.", "The legal hold has been placed."),
    "opgeheven": ("De bewaarplicht is opgeheven.", "The legal hold has been released."),
    "gecontroleerd": ("De keten is gecontroleerd.", "The chain has been verified."),
}  # fmt: skip


def _label(table: Mapping[str, Label], code: str | None) -> Label:
    if not code:
        return ("", "")
    if code in table:
        return table[code]
    fallback = consent.MESSAGES.get(code, code)
    return (fallback, code)


# Who can appear in the log: the account roles, the parents (their download link) and the system.
LOGGED_ROLES: dict[str, Label] = {
    **ROLE_NAMES,
    Role.parent: ("Ouder", "Parent"),
    Role.wok_viewer: ("WOK-deelnemer", "WOK participant"),
    "system": ("Systeem", "System"),
}


ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
RULE_CODE = re.compile(r"\(regel ([a-z_]+)\)")


def _readable(line: str) -> str:
    """A line of the retention engine (pure, so ISO dates and rule codes) as people read it:
    Dutch dates and the rule's name in words."""
    line = ISO_DAY.sub(lambda m: day(date.fromisoformat(m[0])), line)
    return RULE_CODE.sub(lambda m: f"(regel: {_label(REASONS, m[1])[0]})", line)


def _role(code: str) -> Label:
    return LOGGED_ROLES.get(code, (f"Onbekende rol ({code})", f"Unknown role ({code})"))


def _basis(value: str) -> dict[str, Any]:
    """`consent:<id>` as a label, a short id and the whole value."""
    kind, _, ref = value.partition(":")
    return {"label": BASIS.get(kind, (kind, kind)), "ref": _short(ref), "full": value}


def _short(value: str | None) -> str:
    return "" if not value else value[:8] + ("…" if len(value) > 8 else "")


# What the officer may look at: their organisation's families and people -------------------------


def _own_family(db: Session, viewer: Viewer, text: str | uuid.UUID) -> Family | None:
    """A family of the officer's organisation by pseudonym (FAM-XXXXXX) or id; None otherwise."""
    family: Family | None
    if isinstance(text, uuid.UUID):
        family = db.get(Family, text)
    else:
        text = text.strip()
        try:
            family = db.get(Family, uuid.UUID(text))
        except ValueError:
            family = db.exec(select(Family).where(Family.code == text.upper())).first()
    ok = family is not None and family.organisation_id == viewer.principal.organisation_id
    return family if ok else None


def _people(db: Session, viewer: Viewer) -> list[User]:
    org = viewer.principal.organisation_id
    return list(db.exec(select(User).where(User.organisation_id == org).order_by(col(User.name))))


def _codes(db: Session, viewer: Viewer, ids: Iterable[object]) -> dict[str, str]:
    wanted = {uuid.UUID(str(i)) for i in ids if i not in (None, "", "None")}
    if not wanted:
        return {}
    rows = db.exec(
        select(Family.id, Family.code).where(
            col(Family.id).in_(wanted),
            Family.organisation_id == viewer.principal.organisation_id,
        )
    )
    return {str(i): code for i, code in rows}


def _rows(db: Session, viewer: Viewer, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The API's records, ready for the table: Dutch (and English) labels, pseudonyms, links."""
    codes = _codes(db, viewer, (i.get("family_id") for i in items))
    people = {str(u.id) for u in _people(db, viewer)}  # only they have a report to link to
    out = []
    for item in items:
        family = item.get("family_id")
        outcome = OUTCOMES.get(item["outcome"], (item["outcome"], item["outcome"], "warn"))
        out.append(
            {
                "seq": item["seq"],
                "when": item["occurred_at"],
                "who": item["user_name"] or "–",
                "user_id": item["user_id"] if item["user_id"] in people else None,
                "role": _role(item["role"]),
                "action": _label(ACTIONS, item["action"]),
                "outcome": outcome[:2],
                "badge": outcome[2],
                "family_id": family,
                "family_code": codes.get(str(family)) if family else None,
                "object": _label(OBJECTS, item.get("object_type")),
                "object_id": _short(item.get("object_id")),
                "reason": _label(REASONS, item.get("reason")),
                "basis": [_basis(str(b)) for b in item.get("basis") or []],
                "on_behalf_of": item.get("on_behalf_of"),
            }
        )
    return out


# The log ----------------------------------------------------------------------------------------


def parse_day(text: str) -> date:
    """A day as the date field sends it (2026-11-25) or as people type it (25-11-2026)."""
    text = text.strip()
    for pattern in ("%Y-%m-%d", "%d-%m-%Y"):
        try:
            day = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if 1970 <= day.year <= 2999:
            return day
    raise ValueError(text)


def _midnight(day: date) -> datetime:
    """The start of a day as people in the Netherlands mean it, in UTC as the log keeps time."""
    return datetime.combine(day, datetime.min.time(), LOCAL).astimezone(UTC)


FILTERS = ("van", "tot", "gezin", "medewerker", "handeling", "uitkomst", "regel")


@dataclass
class LogFilter:
    """The log page's filters as typed, what they mean, and what was wrong with them."""

    van: str = ""
    tot: str = ""
    gezin: str = ""
    medewerker: str = ""
    handeling: str = ""
    uitkomst: str = ""
    regel: str = ""
    pagina: int = 1
    since: datetime | None = None
    until: datetime | None = None
    family: Family | None = None
    user_id: uuid.UUID | None = None
    seq: int | None = None
    problems: list[Label] = field(default_factory=list)

    def fields(self) -> dict[str, str]:
        return {k: getattr(self, k) for k in FILTERS if getattr(self, k)}

    def link(self, page: int) -> str:
        query = {**self.fields(), **({"pagina": str(page)} if page > 1 else {})}
        return "/privacy" + (f"?{urlencode(query)}" if query else "")


def _filter(db: Session, viewer: Viewer, raw: Mapping[str, str]) -> LogFilter:
    f = LogFilter()
    for name in FILTERS:
        setattr(f, name, raw.get(name, "").strip())
    days: dict[str, date] = {}
    for name, nl, en in (("van", "Van", "From"), ("tot", "Tot en met", "Until")):
        if getattr(f, name):
            try:
                days[name] = parse_day(getattr(f, name))
            except ValueError:
                f.problems.append((f"‘{nl}’ is geen geldige datum; gebruik bijvoorbeeld 25-11-2026.",
                                   f"‘{en}’ is not a valid date; use e.g. 25-11-2026."))  # fmt: skip
    if "van" in days and "tot" in days and days["tot"] < days["van"]:
        f.problems.append(("De einddatum ligt vóór de begindatum.", "The end date is before the start date."))  # fmt: skip
    if "van" in days:
        f.since = _midnight(days["van"])
    if "tot" in days:
        f.until = _midnight(days["tot"] + timedelta(days=1))
    if f.gezin:
        f.family = _own_family(db, viewer, f.gezin)
        if f.family is None:
            f.problems.append((f"Geen gezin ‘{f.gezin}’ in uw organisatie; gebruik het pseudoniem (FAM-…).",
                               f"No family ‘{f.gezin}’ in your organisation; use its pseudonym (FAM-…)."))  # fmt: skip
    if f.medewerker:
        people = {str(u.id) for u in _people(db, viewer)}
        if f.medewerker not in people:
            f.problems.append(
                ("Kies een medewerker uit de lijst.", "Choose an employee from the list.")
            )
        else:
            f.user_id = uuid.UUID(f.medewerker)
    if f.handeling and f.handeling not in ACTIONS:
        f.problems.append(("Kies een handeling uit de lijst.", "Choose an action from the list."))
    if f.uitkomst and f.uitkomst not in OUTCOMES:
        f.problems.append(("Kies een uitkomst uit de lijst.", "Choose an outcome from the list."))
    if f.regel:
        if f.regel.isdigit():
            f.seq = int(f.regel)
        else:
            f.problems.append(
                ("Een regelnummer is een geheel getal.", "A record number is a whole number.")
            )
    page = raw.get("pagina", "1").strip() or "1"
    f.pagina = int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1
    return f


def _chain_status(db: Session, viewer: Viewer) -> dict[str, Any]:
    """The last verification in this organisation (its result is in the log) and the last checkpoint."""
    last = db.exec(
        select(audit.AuditRecord)
        .where(
            audit.AuditRecord.action == "audit_read",
            audit.AuditRecord.object_type == "verify",
            audit.AuditRecord.organisation_id == viewer.principal.organisation_id,
        )
        .order_by(col(audit.AuditRecord.seq).desc())
    ).first()
    status: dict[str, Any] = {"verified": None, "checkpoint": None}
    if last is not None:
        detail = json.loads(last.detail)
        status["verified"] = {
            "when": last.occurred_at,
            "who": last.user_name,
            "ok": {"true": True, "false": False}.get(detail.get("ok", "")),
            "records": detail.get("records"),
            "checkpoints": detail.get("checkpoints"),
            "first_bad_seq": detail.get("first_bad_seq"),
        }
    backend = backend_from_settings(get_settings())
    names = sorted(backend.worm_names(audit.PREFIX))
    if names:
        head = json.loads(backend.get_worm(names[-1]))
        status["checkpoint"] = {"size": head.get("tree_size"), "when": head.get("timestamp")}
    status["count"] = len(names)
    return status


def _signals(db: Session, viewer: Viewer) -> list[dict[str, Any]]:
    since = datetime.now(UTC) - timedelta(days=SIGNAL_DAYS)
    found = audit_api.anomalies(principal=viewer.principal, db=db, since=since)["items"]
    people = {str(u.id): u.name for u in _people(db, viewer)}
    codes = _codes(db, viewer, (s["family_id"] for s in found))
    return [
        {**s, "label": SIGNALS.get(str(s["signal"]), (s["message"], s["message"])),
         "who": people.get(s["user_id"], ""), "family_code": codes.get(s["family_id"])}
        for s in reversed(found)
    ]  # fmt: skip


@router.get("/privacy")
def start(request: Request, viewer: PageViewer, db: DB) -> HTMLResponse:
    require(viewer, Role.privacy_officer)
    f = _filter(db, viewer, request.query_params)
    rows: list[dict[str, Any]] = []
    total = 0
    if not f.problems:
        found = audit_api.records(
            principal=viewer.principal,
            db=db,
            family_id=f.family.id if f.family else None,
            user_id=f.user_id,
            action=audit.AuditAction(f.handeling) if f.handeling else None,
            outcome=audit.Outcome(f.uitkomst) if f.uitkomst else None,
            seq=f.seq,
            since=f.since,
            until=f.until,
            limit=PAGE_SIZE,
            offset=(f.pagina - 1) * PAGE_SIZE,
        )
        rows, total = _rows(db, viewer, found["items"]), found["total"]
    pages = max(1, -(-total // PAGE_SIZE))
    notice = NOTICES.get(request.query_params.get("gedaan", ""))
    return render(
        request,
        "privacy/log.html",
        viewer,
        status=400 if f.problems else 200,
        heading=("Logboek", "Audit log"),
        f=f,
        rows=rows,
        total=total,
        pages=pages,
        people=_people(db, viewer),
        actions=ACTIONS,
        outcomes=OUTCOMES,
        chain=_chain_status(db, viewer),
        signals=_signals(db, viewer),
        signal_days=SIGNAL_DAYS,
        problems=f.problems,
        notice=notice and _pick(request, notice),
    )


@router.post("/privacy/controle")
def verify_chain(viewer: FormViewer, db: DB) -> Response:
    require(viewer, Role.privacy_officer)
    audit_api.verify(principal=viewer.principal, db=db)
    return redirect("/privacy?gedaan=gecontroleerd")


# Reports ----------------------------------------------------------------------------------------


@router.get("/privacy/gezinnen/{family_id}")
def family_report(
    family_id: uuid.UUID, request: Request, viewer: PageViewer, db: DB
) -> HTMLResponse:
    require(viewer, Role.privacy_officer)
    family = _own_family(db, viewer, family_id)
    if family is None:
        raise NotFound("Dit gezin bestaat niet in uw organisatie.", "No such family in your organisation.")  # fmt: skip
    report = audit_api.family(family_id=family.id, principal=viewer.principal, db=db, fmt="json", since=None)  # fmt: skip
    rows = _rows(db, viewer, list(reversed(report["items"])))
    api = f"/api/v1/audit/families/{family.id}"
    return render(request, "privacy/report.html", viewer, heading=(f"Gezin {family.code}", f"Family {family.code}"),
                  rows=rows, family=family, csv=f"{api}?fmt=csv", fhir=f"{api}?fmt=fhir", file=family.code,
                  filter_link="/privacy?" + urlencode({"gezin": family.code}),
                  retention_link="/privacy/bewaren?" + urlencode({"gezin": family.code}))  # fmt: skip


@router.get("/privacy/medewerkers/{user_id}")
def employee_report(
    user_id: uuid.UUID, request: Request, viewer: PageViewer, db: DB
) -> HTMLResponse:
    require(viewer, Role.privacy_officer)
    person = db.get(User, user_id)
    if person is None or person.organisation_id != viewer.principal.organisation_id:
        raise NotFound("Deze medewerker bestaat niet in uw organisatie.", "No such employee in your organisation.")  # fmt: skip
    report = audit_api.employee(user_id=person.id, principal=viewer.principal, db=db, fmt="json", since=None)  # fmt: skip
    rows = _rows(db, viewer, list(reversed(report["items"])))
    api = f"/api/v1/audit/employees/{person.id}"
    return render(request, "privacy/report.html", viewer, heading=(person.name, person.name), rows=rows,
                  person=person, person_role=_role(person.role), csv=f"{api}?fmt=csv", fhir=f"{api}?fmt=fhir",
                  file="medewerker-" + person.id.hex[:8],
                  filter_link="/privacy?" + urlencode({"medewerker": str(person.id)}))  # fmt: skip


# Retention --------------------------------------------------------------------------------------


KINDS: dict[str, Label] = {
    "original": ("Opname", "Recording"),
    "proxy": ("Afgeleide kopie", "Proxy"),
    "clip": ("Fragment", "Clip"),
    "evidence": ("Toestemmingsformulier", "Consent form"),
    "export": ("Exportpakket", "Export package"),
    "review_recording": ("Opname van terugkijkgesprek", "Review conversation recording"),
}


def _retention(
    request: Request,
    viewer: Viewer,
    db: Session,
    family: Family | None,
    *,
    chosen: str = "",
    error: str | None = None,
    notice: Label | None = None,
    form: Mapping[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    org = viewer.principal.organisation_id
    today = datetime.now(UTC).date()
    active = db.exec(
        select(LegalHoldRow, Family.code)
        .join(Family, col(Family.id) == LegalHoldRow.family_id)
        .where(Family.organisation_id == org)
        .order_by(col(LegalHoldRow.placed_on).desc())
    ).all()
    in_force = [
        (hold, code)
        for hold, code in active
        if (hold.released_on is None or hold.released_on > today)
        and (hold.until is None or hold.until >= today)
    ]
    plan = holds = None
    if family is not None:
        plan = purge_api.plan(family_id=family.id, principal=viewer.principal, db=db, on=None)
        plan["text"] = [_readable(line) for line in plan["text"]]
        for item in plan["items"]:
            item["reason"] = _readable(item["reason"])
        holds = db.exec(
            select(LegalHoldRow)
            .where(LegalHoldRow.family_id == family.id)
            .order_by(col(LegalHoldRow.placed_on).desc())
        ).all()
    purged = [  # the API keeps to the organisation
        t
        for t in purge_api.purged(principal=viewer.principal, db=db)["items"]
        if family is None or t["family_id"] == str(family.id)
    ]
    purged.reverse()
    codes = _codes(db, viewer, (t["family_id"] for t in purged))
    for t in purged:
        t["family_code"] = codes.get(t["family_id"], "")
        name = str(t.get("certificate") or "")
        t["certificate_id"] = name.removeprefix(CERTIFICATES).removesuffix(".json")
        t["kind_label"] = _label(OBJECTS, "object") if t["kind"] not in KINDS else KINDS[t["kind"]]
        t["rule_label"] = _label(REASONS, t["rule"])
    return render(request, "privacy/retention.html", viewer, status=status,
                  heading=("Bewaren en verwijderen", "Retention"), family=family, chosen=chosen,
                  plan=plan, holds=holds, in_force=in_force[:50], purged=purged[:100], today=today,
                  form=form or {}, error=error, notice=notice and _pick(request, notice))  # fmt: skip


@router.get("/privacy/bewaren")
def retention(request: Request, viewer: PageViewer, db: DB, gezin: str = "") -> HTMLResponse:
    require(viewer, Role.privacy_officer)
    family = _own_family(db, viewer, gezin) if gezin.strip() else None
    if gezin.strip() and family is None:
        return _retention(request, viewer, db, None, chosen=gezin, status=400,
                          error=_pick(request, (f"Geen gezin ‘{gezin.strip()}’ in uw organisatie; gebruik het pseudoniem (FAM-…).",
                                                f"No family ‘{gezin.strip()}’ in your organisation; use its pseudonym (FAM-…).")))  # fmt: skip
    notice = NOTICES.get(request.query_params.get("gedaan", ""))
    return _retention(request, viewer, db, family, chosen=gezin, notice=notice)


def _pick(request: Request, label: Label) -> str:
    return label[1] if language(request) == "en" else label[0]


@router.post("/privacy/bewaren/bewaarplicht")
def place_hold(
    request: Request,
    viewer: FormViewer,
    db: DB,
    gezin: Annotated[str, Form()] = "",
    reden: Annotated[str, Form()] = "",
    tot: Annotated[str, Form()] = "",
    herbeoordeling: Annotated[str, Form()] = "",
) -> Response:
    require(viewer, Role.privacy_officer)
    family = _own_family(db, viewer, gezin)
    if family is None:
        raise NotFound("Dit gezin bestaat niet in uw organisatie.", "No such family in your organisation.")  # fmt: skip
    form = {"reden": reden, "tot": tot, "herbeoordeling": herbeoordeling}
    problem: Label | None = None
    days: dict[str, date | None] = {}
    for name, nl, en in (
        ("tot", "Tot", "Until"),
        ("herbeoordeling", "Herbeoordelen op", "Review on"),
    ):
        try:
            days[name] = parse_day(form[name]) if form[name].strip() else None
        except ValueError:
            problem = (f"‘{nl}’ is geen geldige datum; gebruik bijvoorbeeld 25-11-2026.",
                       f"‘{en}’ is not a valid date; use e.g. 25-11-2026.")  # fmt: skip
    today = datetime.now(UTC).date()
    if problem is None and (days["tot"] or today) < today:
        problem = ("De einddatum van een bewaarplicht ligt in de toekomst.", "A hold's end date lies in the future.")  # fmt: skip
    if problem is None:
        try:
            body = purge_api.HoldIn(family_id=family.id, reason=reden.strip(), until=days["tot"],
                                    review_on=days["herbeoordeling"])  # fmt: skip
        except ValidationError:
            problem = (
                "Geef een reden van 3 tot 500 tekens.",
                "Give a reason of 3 to 500 characters.",
            )
    if problem is not None:
        return _retention(request, viewer, db, family, chosen=family.code, form=form, status=400,
                          error=_pick(request, problem))  # fmt: skip
    _, error = attempt(
        db, lambda: purge_api.place_hold(body=body, principal=viewer.principal, db=db)
    )
    if error is not None:
        return _retention(request, viewer, db, family, chosen=family.code, form=form,
                          status=error.status, error=message(request, error))  # fmt: skip
    return redirect("/privacy/bewaren?" + urlencode({"gezin": family.code, "gedaan": "geplaatst"}))


@router.post("/privacy/bewaren/bewaarplicht/{hold_id}/opheffen")
def release_hold(hold_id: uuid.UUID, viewer: FormViewer, db: DB) -> Response:
    require(viewer, Role.privacy_officer)
    hold = db.get(LegalHoldRow, hold_id)
    family = _own_family(db, viewer, hold.family_id) if hold is not None else None
    if hold is None or family is None:
        raise NotFound("Bewaarplicht niet gevonden.", "Hold not found.")
    purge_api.release_hold(hold_id=hold.id, principal=viewer.principal, db=db)
    return redirect("/privacy/bewaren?" + urlencode({"gezin": family.code, "gedaan": "opgeheven"}))


@router.get("/privacy/bewaren/certificaten/{certificate_id}")
def certificate(
    certificate_id: uuid.UUID, request: Request, viewer: PageViewer, db: DB
) -> HTMLResponse:
    require(viewer, Role.privacy_officer)
    try:
        found = purge_api.certificate(certificate_id=certificate_id, principal=viewer.principal, db=db)  # fmt: skip
    except BlobNotFound:
        found = None
    family = _own_family(db, viewer, str(found.get("family_id", ""))) if found else None
    if found is None or family is None:
        raise NotFound("Dit certificaat bestaat niet in uw organisatie.", "No such certificate in your organisation.")  # fmt: skip
    key = LocalSigningKey.open_or_create(get_settings().signing_key_file)
    valid = verify_certificate(found, key.public_bytes())
    items = [{**i, "kind_label": KINDS.get(str(i.get("kind")), (str(i.get("kind")),) * 2),
              "rule_label": _label(REASONS, str(i.get("rule")))} for i in found.get("items", [])]  # fmt: skip
    return render(request, "privacy/certificate.html", viewer,
                  heading=("Verwijderingscertificaat", "Deletion certificate"), cert=found, items=items,
                  valid=valid, family=family, raw=json.dumps(found, indent=2, ensure_ascii=False))  # fmt: skip
