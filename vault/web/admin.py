"""Administrator pages: organisations, accounts and roles, supervision links and gecommitteerde
grants, retention periods. The administrator sees no footage and no family data: these pages work on
accounts and configuration only, through the administrator's service, vault.organisations.service (which checks the role and logs).

Every page works on the administrator's own organisation only: the API functions it calls go through
`vault.accounts.own` (ADR 0002). A new account, or one whose code is reset, gets a single-use
enrolment link for the person it is for (they choose a password and enrol their own authenticator
app at /inschrijven/…); the administrator never sees a second factor. The link is shown once, on the
page the browser is sent to right after the change (post, redirect, get): between the two it waits
in this process's memory under a random ticket bound to the administrator's session, for ten minutes
at most; the first look takes it out, so a reload or the back button shows it no more.
"""

from __future__ import annotations

import dataclasses
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from sqlmodel import Session, col, select

import retention
from consent import ACCOUNT_ROLES, Role
from retention import TrajectoryType
from vault.accounts import own
from vault.consents.models import GrantRow
from vault.db import DB, after_commit
from vault.domain.models import Organisation, SupervisionLink, User
from vault.organisations import service as admin_service
from vault.organisations.schemas import GrantCreate, SupervisionLinkCreate, UserCreate, UserUpdate
from vault.purge.policies import policies_for, set_policy
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
from vault.web.labels import TYPES

router = APIRouter()

# The periods the purge plan applies, with what each one means (the audit log's own period is
# kept by the service, not per organisation, so it is not offered here).
PERIODS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "keep_after_closure": (
        ("Na afsluiting van het traject", "After the trajectory closes"),
        ("Beelden van het traject blijven minstens zo lang na de afsluiting bewaard.",
         "The trajectory's footage is kept at least this long after closure."),
    ),
    "keep_after_last_follow_up": (
        ("Na de laatste nazorg", "After the last follow-up"),
        ("…en minstens zo lang na de laatste afgeronde nazorg; nooit zolang er nog nazorg komt.",
         "…and at least this long after the last follow-up; never while a follow-up remains."),
    ),
    "keep_after_handover": (
        ("Na overdracht aan de ouders", "After the hand-over to the parents"),
        ("Beelden die in het pakket voor de ouders zitten, gaan zo lang na de overdracht, als dat eerder is.",
         "Footage in the parents' package goes this long after the hand-over, if that is earlier."),
    ),
    "teaching_max": (
        ("Onderwijs en onderzoek, hoogstens", "Teaching and research, at most"),
        ("Dit materiaal gaat als de toestemming eindigt, en nooit later dan zo lang na de toestemming.",
         "This material goes when the consent ends, and never later than this after the consent."),
    ),
    "evidence_after_footage": (
        ("Toestemmingsformulier na de beelden", "Consent form after the footage"),
        ("Een gescand toestemmingsformulier blijft zo lang bewaard na de beelden waar het over gaat.",
         "A scanned consent form is kept this long after the footage it covers."),
    ),
}  # fmt: skip
NOTICES = {
    "rol": ("De rol is gewijzigd.", "The role was changed."),
    "uit": (
        "Het account is uitgeschakeld: aanmelden lukt niet meer en open sessies zijn beëindigd.",
        "The account is disabled: signing in no longer works and open sessions have ended.",
    ),
    "aan": ("Het account is weer ingeschakeld.", "The account is enabled again."),
    "koppeling": (
        "De begeleiding is voorgesteld; zij gaat in zodra de trainer haar bevestigt.",
        "The supervision link was proposed; it takes effect once the trainer confirms it.",
    ),
    "opdracht": (
        "De opdracht is voorgesteld; zij gaat in zodra de trainer haar bevestigt.",
        "The grant was proposed; it takes effect once the trainer confirms it.",
    ),
    "termijn": ("De bewaartermijnen zijn opgeslagen.", "The retention periods were saved."),
    "gelijk": ("Er was niets gewijzigd.", "Nothing was changed."),
}
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
WHOLE = re.compile(r"-?[0-9]{1,7}")


def _admin(viewer: Viewer) -> None:
    require(viewer, Role.administrator)


def _pick(request: Request, pair: tuple[str, str]) -> str:
    return pair[1] if language(request) == "en" else pair[0]


def _notice(request: Request, done: str | None) -> str | None:
    return _pick(request, NOTICES[done]) if done in NOTICES else None


def _all(call: Callable[[int], dict[str, Any]]) -> list[dict[str, Any]]:
    """Every item of a paginated API listing."""
    items: list[dict[str, Any]] = []
    while True:
        page = call(len(items))
        items += page["items"]
        if not page["items"] or len(items) >= page["total"]:
            return items


def _users(viewer: Viewer, db: Session) -> list[dict[str, Any]]:
    users = _all(
        lambda offset: admin_service.list_users(db, viewer.principal, None, 500, offset).model_dump(
            mode="json"
        )
    )
    now = datetime.now(UTC)
    for user in users:
        until = user.get("locked_until")
        locked = datetime.fromisoformat(until) if until else None
        if locked is not None and locked.tzinfo is None:
            locked = locked.replace(tzinfo=UTC)
        user["locked"] = locked if locked is not None and locked > now else None
    return users


def _organisations(viewer: Viewer, db: Session) -> list[dict[str, Any]]:
    return _all(
        lambda offset: admin_service.list_organisations(
            db, viewer.principal, 500, offset
        ).model_dump(mode="json")
    )


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


# Start ------------------------------------------------------------------------------------------


@router.get("/beheer")
def start(request: Request, viewer: PageViewer, db: DB) -> HTMLResponse:
    _admin(viewer)
    users = _users(viewer, db)
    rows = []
    for org in _organisations(viewer, db):
        mine = [u for u in users if u["organisation_id"] == org["id"]]
        counts = {
            role: sum(1 for u in mine if u["role"] == role and u["active"])
            for role in ACCOUNT_ROLES
        }
        rows.append({"org": org, "counts": counts, "inactive": sum(1 for u in mine if not u["active"]),
                     "locked": sum(1 for u in mine if u["locked"])})  # fmt: skip
    return render(request, "admin/start.html", viewer, heading=("Beheer", "Administration"),
                  rows=rows, roles=list(ACCOUNT_ROLES), role_names=ROLE_NAMES)  # fmt: skip


# Accounts ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Enrolment:
    session_id: uuid.UUID
    expires: float
    user_id: str
    email: str
    name: str
    url: str = dataclasses.field(repr=False)  # the single-use enrolment link
    hours: int = 72
    new: bool = True


_WAITING: dict[str, _Enrolment] = {}
_WAITING_LOCK = threading.Lock()
SHOW_WITHIN = 600.0  # seconds


def _hand_over(db: Session, viewer: Viewer, user: dict[str, Any], *, new: bool) -> str:
    """Keep the enrolment for one look by this administrator, once the change is committed."""
    ticket = secrets.token_urlsafe(24)
    enrolment = _Enrolment(viewer.session_id, time.monotonic() + SHOW_WITHIN, str(user["id"]),
                           user["email"], user["name"], user["enrolment_url"],
                           user["enrolment_valid_hours"], new)  # fmt: skip

    def keep() -> None:
        with _WAITING_LOCK:
            now = time.monotonic()
            for old in [k for k, v in _WAITING.items() if v.expires < now]:
                del _WAITING[old]
            _WAITING[ticket] = enrolment

    after_commit(db, keep)
    return ticket


def _take(viewer: Viewer, ticket: str) -> _Enrolment | None:
    with _WAITING_LOCK:
        enrolment = _WAITING.pop(ticket, None)
    if (
        enrolment is None
        or enrolment.session_id != viewer.session_id
        or enrolment.expires < time.monotonic()
    ):
        return None
    return enrolment


def _accounts_page(
    request: Request,
    viewer: Viewer,
    db: Session,
    *,
    status: int = 200,
    error: str | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    orgs = _organisations(viewer, db)
    names = {o["id"]: o["name"] for o in orgs}
    users = _users(viewer, db)
    users.sort(key=lambda u: (names.get(u["organisation_id"], ""), u["name"].lower()))
    return render(request, "admin/accounts.html", viewer, status=status, error=error,
                  notice=_notice(request, request.query_params.get("gedaan")),
                  heading=("Accounts", "Accounts"), users=users, orgs=orgs, org_names=names,
                  roles=list(ACCOUNT_ROLES), role_names=ROLE_NAMES,
                  form=form or {"organisation": str(viewer.principal.organisation_id), "role": Role.trainer})  # fmt: skip


@router.get("/beheer/accounts")
def accounts(request: Request, viewer: PageViewer, db: DB) -> HTMLResponse:
    _admin(viewer)
    return _accounts_page(request, viewer, db)


def _account_problem(email: str, name: str, role: str) -> tuple[str, str] | None:
    if not EMAIL.fullmatch(email):
        return "Vul een geldig e-mailadres in.", "Enter a valid email address."
    if not name:
        return "Vul een naam in.", "Enter a name."
    if role not in ACCOUNT_ROLES:
        return "Kies een rol.", "Choose a role."
    return None


@router.post("/beheer/accounts", response_model=None)
def create_account(
    request: Request,
    viewer: FormViewer,
    db: DB,
    email: Annotated[str, Form(max_length=320)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    _admin(viewer)
    email, name = email.strip().lower(), name.strip()
    form = {"email": email, "name": name, "role": role}
    problem = _account_problem(email, name, role)
    if problem is not None:
        return _accounts_page(
            request, viewer, db, status=422, error=_pick(request, problem), form=form
        )
    body = UserCreate(email=email, name=name, role=Role(role))
    created, error = attempt(
        db,
        lambda: admin_service.create_user(
            db, viewer.principal, body, str(request.base_url)
        ).model_dump(mode="json"),
    )
    if error is not None or created is None:
        return _accounts_page(request, viewer, db, status=getattr(error, "status", 400),
                              error=message(request, error) if error else None, form=form)  # fmt: skip
    ticket = _hand_over(db, viewer, created, new=True)
    return redirect(f"/beheer/accounts/koppeling/{ticket}")


@router.get("/beheer/accounts/koppeling/{ticket}")
def enrolment(ticket: str, request: Request, viewer: PageViewer) -> HTMLResponse:
    _admin(viewer)
    shown = _take(viewer, ticket)
    if shown is None:
        return render(request, "admin/enrolment.html", viewer, status=410, shown=None,
                      heading=("Link al getoond", "Link already shown"))  # fmt: skip
    return render(request, "admin/enrolment.html", viewer, shown=shown,
                  heading=("Inschrijflink", "Enrolment link"))  # fmt: skip


def _account(viewer: Viewer, db: Session, request: Request, user_id: uuid.UUID) -> dict[str, Any]:
    return admin_service.get_user(db, viewer.principal, user_id).model_dump(mode="json")


def _account_page(
    request: Request,
    viewer: Viewer,
    db: Session,
    user_id: uuid.UUID,
    *,
    status: int = 200,
    error: str | None = None,
) -> HTMLResponse:
    user = _account(viewer, db, request, user_id)
    [listed] = [u for u in _users(viewer, db) if u["id"] == str(user_id)]
    names = {o["id"]: o["name"] for o in _organisations(viewer, db)}
    return render(request, "admin/account.html", viewer, status=status, error=error,
                  notice=_notice(request, request.query_params.get("gedaan")),
                  heading=(user["name"], user["name"]), user=listed,
                  organisation=names.get(user["organisation_id"], "–"), roles=list(ACCOUNT_ROLES),
                  role_names=ROLE_NAMES, own=user_id == viewer.principal.user_id)  # fmt: skip


@router.get("/beheer/accounts/{user_id}")
def account(user_id: uuid.UUID, request: Request, viewer: PageViewer, db: DB) -> HTMLResponse:
    _admin(viewer)
    return _account_page(request, viewer, db, user_id)


def _patch(
    request: Request, viewer: Viewer, db: Session, user_id: uuid.UUID, patch: UserUpdate
) -> Response:
    _, error = attempt(db, lambda: admin_service.update_user(db, viewer.principal, user_id, patch))
    if error is not None:
        return _account_page(
            request, viewer, db, user_id, status=error.status, error=message(request, error)
        )
    done = "rol" if patch.role is not None else ("aan" if patch.active else "uit")
    return redirect(f"/beheer/accounts/{user_id}?gedaan={done}")


@router.post("/beheer/accounts/{user_id}/rol", response_model=None)
def change_role(
    user_id: uuid.UUID,
    request: Request,
    viewer: FormViewer,
    db: DB,
    role: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    _admin(viewer)
    if role not in ACCOUNT_ROLES:
        return _account_page(request, viewer, db, user_id, status=422,
                             error=_pick(request, ("Kies een rol.", "Choose a role.")))  # fmt: skip
    return _patch(request, viewer, db, user_id, UserUpdate(role=Role(role)))


@router.post("/beheer/accounts/{user_id}/actief", response_model=None)
def change_active(
    user_id: uuid.UUID,
    request: Request,
    viewer: FormViewer,
    db: DB,
    active: Annotated[str, Form(max_length=1)] = "",
) -> Response:
    _admin(viewer)
    return _patch(request, viewer, db, user_id, UserUpdate(active=active == "1"))


@router.post("/beheer/accounts/{user_id}/code", response_model=None)
def new_code(user_id: uuid.UUID, request: Request, viewer: FormViewer, db: DB) -> Response:
    _admin(viewer)
    link, error = attempt(db, lambda: admin_service.reset_enrolment(db, viewer.principal, user_id,
                                                                    str(request.base_url)).model_dump(mode="json"))  # fmt: skip
    if error is not None or link is None:
        return _account_page(request, viewer, db, user_id, status=getattr(error, "status", 400),
                             error=message(request, error) if error else None)  # fmt: skip
    return redirect(f"/beheer/accounts/koppeling/{_hand_over(db, viewer, link, new=False)}")


# Organisations ----------------------------------------------------------------------------------


def _organisations_page(
    request: Request, viewer: Viewer, db: Session, *, status: int = 200, error: str | None = None
) -> HTMLResponse:
    users = _users(viewer, db)
    orgs = _organisations(viewer, db)
    for org in orgs:
        org["users"] = sum(1 for u in users if u["organisation_id"] == org["id"])
    return render(request, "admin/organisations.html", viewer, status=status, error=error,
                  notice=_notice(request, request.query_params.get("gedaan")),
                  heading=("Organisaties", "Organisations"), orgs=orgs)  # fmt: skip


@router.get("/beheer/organisaties")
def organisations(request: Request, viewer: PageViewer, db: DB) -> HTMLResponse:
    _admin(viewer)
    return _organisations_page(request, viewer, db)


# Supervision links and gecommitteerde grants ----------------------------------------------------


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def _start_of(day: date) -> datetime:
    return datetime.combine(day, clock.min, tzinfo=UTC)


def _window(
    first: str, last: str, *, required: bool
) -> tuple[tuple[datetime | None, datetime | None], tuple[str, str] | None]:
    """A validity period from two date fields, `last` included (stored as the next day's start)."""
    start, end = _day(first) if first.strip() else None, _day(last) if last.strip() else None
    if (first.strip() and start is None) or (last.strip() and end is None):
        return (None, None), ("Vul een geldige datum in.", "Enter a valid date.")
    if required and (start is None or end is None):
        return (None, None), ("Vul een begin- en einddatum in.", "Enter a start and end date.")
    if start is not None and end is not None and end < start:
        return (None, None), (
            "De einddatum ligt vóór de begindatum.",
            "The end date is before the start date.",
        )
    return (
        _start_of(start) if start else None,
        _start_of(end + timedelta(days=1)) if end else None,
    ), None


def _supervision_page(
    request: Request,
    viewer: Viewer,
    db: Session,
    *,
    status: int = 200,
    error: str | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    users = _users(viewer, db)
    names = {u["id"]: u["name"] for u in users}
    now = datetime.now(UTC)

    def state(start: datetime | None, end: datetime | None) -> str:
        start = start.replace(tzinfo=UTC) if start and start.tzinfo is None else start
        end = end.replace(tzinfo=UTC) if end and end.tzinfo is None else end
        return "later" if start and now < start else ("over" if end and now >= end else "now")

    def row(item: SupervisionLink | GrantRow, who: uuid.UUID) -> dict[str, Any]:
        last = item.valid_until - timedelta(days=1) if item.valid_until else None
        return {"trainee": names.get(str(item.trainee_id), "–"), "who": names.get(str(who), "–"),
                "first": item.valid_from, "last": last, "state": state(item.valid_from, item.valid_until)
                if item.confirmed_at else "proposed"}  # fmt: skip

    # Links and grants of this organisation's trainees (the API's own listing); the person on the other
    # side may work for another organisation.
    def named(ids: set[uuid.UUID]) -> None:
        for user in db.exec(
            select(User).where(col(User.id).in_(ids - {uuid.UUID(i) for i in names}))
        ):
            names[str(user.id)] = user.name

    listed = [db.get(SupervisionLink, i.id)
              for i in admin_service.list_links(db, viewer.principal)]  # fmt: skip
    given = [db.get(GrantRow, i.id)
             for i in admin_service.list_grants(db, viewer.principal)]  # fmt: skip
    named({s.opleider_id for s in listed if s} | {g.user_id for g in given if g})
    links = [row(s, s.opleider_id) for s in listed if s]
    grants = [row(g, g.user_id) for g in given if g]
    by_role = {
        role: [u for u in users if u["role"] == role and u["active"]] for role in ACCOUNT_ROLES
    }
    return render(request, "admin/supervision.html", viewer, status=status, error=error,
                  notice=_notice(request, request.query_params.get("gedaan")),
                  heading=("Begeleiding", "Supervision"), links=sorted(links, key=lambda r: (r["trainee"], r["who"])),
                  grants=sorted(grants, key=lambda r: (r["trainee"], r["who"])), by_role=by_role,
                  form=form or {})  # fmt: skip


@router.get("/beheer/begeleiding")
def supervision(request: Request, viewer: PageViewer, db: DB) -> HTMLResponse:
    _admin(viewer)
    return _supervision_page(request, viewer, db)


@router.post("/beheer/begeleiding", response_model=None)
def create_link(
    request: Request,
    viewer: FormViewer,
    db: DB,
    trainee: Annotated[str, Form(max_length=64)] = "",
    opleider: Annotated[str, Form(max_length=64)] = "",
    first: Annotated[str, Form(max_length=16)] = "",
    last: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    _admin(viewer)
    form = {"trainee": trainee, "opleider": opleider, "first": first, "last": last}
    (start, end), problem = _window(first, last, required=False)
    trainee_id, opleider_id = _uuid(trainee), _uuid(opleider)
    if trainee_id is None or opleider_id is None:
        problem = ("Kies een trainer en een opleider.", "Choose a trainer and an opleider.")
    if problem is not None or trainee_id is None or opleider_id is None:
        return _supervision_page(request, viewer, db, status=422, form=form,
                                 error=_pick(request, problem or ("", "")))  # fmt: skip
    body = SupervisionLinkCreate(
        trainee_id=trainee_id, opleider_id=opleider_id, valid_from=start, valid_until=end
    )
    _, error = attempt(db, lambda: admin_service.propose_link(db, viewer.principal, body))
    if error is not None:
        return _supervision_page(request, viewer, db, status=error.status, form=form,
                                 error=message(request, error))  # fmt: skip
    return redirect("/beheer/begeleiding?gedaan=koppeling")


@router.post("/beheer/begeleiding/opdracht", response_model=None)
def create_assignment(
    request: Request,
    viewer: FormViewer,
    db: DB,
    trainee: Annotated[str, Form(max_length=64)] = "",
    gecommitteerde: Annotated[str, Form(max_length=64)] = "",
    first: Annotated[str, Form(max_length=16)] = "",
    last: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    _admin(viewer)
    form = {
        "g_trainee": trainee,
        "gecommitteerde": gecommitteerde,
        "g_first": first,
        "g_last": last,
    }
    (start, end), problem = _window(first, last, required=True)
    trainee_id, user_id = _uuid(trainee), _uuid(gecommitteerde)
    if trainee_id is None or user_id is None:
        problem = ("Kies een gecommitteerde en een trainer.", "Choose an assessor and a trainer.")
    if problem is not None or trainee_id is None or user_id is None or start is None or end is None:
        return _supervision_page(request, viewer, db, status=422, form=form,
                                 error=_pick(request, problem or ("", "")))  # fmt: skip
    try:
        body = GrantCreate(
            user_id=user_id, trainee_id=trainee_id, valid_from=start, valid_until=end
        )
    except ValidationError:
        return _supervision_page(request, viewer, db, status=422, form=form,
                                 error=_pick(request, ("Vul een geldige datum in.", "Enter a valid date.")))  # fmt: skip
    _, error = attempt(db, lambda: admin_service.propose_grant(db, viewer.principal, body))
    if error is not None:
        return _supervision_page(request, viewer, db, status=error.status, form=form,
                                 error=message(request, error))  # fmt: skip
    return redirect("/beheer/begeleiding?gedaan=opdracht")


# Retention periods ------------------------------------------------------------------------------


def _period_text(period: retention.Period, lang: str) -> str:
    if lang != "en":
        return str(period)
    years, months = divmod(period.months, 12)
    parts = []
    if years and not months:
        parts.append(f"{years} year{'s' if years != 1 else ''}")
    elif period.months:
        parts.append(f"{period.months} month{'s' if period.months != 1 else ''}")
    if period.days:
        parts.append(f"{period.days} day{'s' if period.days != 1 else ''}")
    return " and ".join(parts) or "0 days"


def _retention_page(
    request: Request,
    viewer: Viewer,
    db: Session,
    organisation: uuid.UUID | None,
    *,
    status: int = 200,
    error: str | None = None,
    entered: dict[str, dict[str, tuple[str, str]]] | None = None,
) -> HTMLResponse:
    orgs = _organisations(viewer, db)
    ids = [o["id"] for o in orgs]
    chosen = str(organisation) if str(organisation) in ids else None
    chosen = chosen or (
        str(viewer.principal.organisation_id)
        if str(viewer.principal.organisation_id) in ids
        else None
    )
    chosen = chosen or (ids[0] if ids else None)  # fmt: skip
    policies = policies_for(db, uuid.UUID(chosen) if chosen else None)
    lang = language(request)
    types = []
    for kind, names in TYPES.items():
        policy, default = policies[kind], retention.DEFAULT_POLICIES[kind]
        rows = []
        for field, (label, explained) in PERIODS.items():
            now, standard = getattr(policy, field), getattr(default, field)
            typed = (entered or {}).get(kind, {}).get(field)
            rows.append({"field": field, "label": label, "explained": explained,
                         "now": _period_text(now, lang), "own": now != standard,
                         "default": _period_text(standard, lang),
                         "months": typed[0] if typed else str(now.months),
                         "days": typed[1] if typed else str(now.days)})  # fmt: skip
        types.append({"kind": kind.value, "names": names, "rows": rows,
                      "own": any(r["own"] for r in rows)})  # fmt: skip
    return render(request, "admin/retention.html", viewer, status=status, error=error,
                  notice=_notice(request, request.query_params.get("gedaan")),
                  heading=("Bewaartermijnen", "Retention periods"), orgs=orgs, chosen=chosen,
                  types=types)  # fmt: skip


@router.get("/beheer/bewaartermijnen")
def retention_periods(
    request: Request, viewer: PageViewer, db: DB, organisatie: str = ""
) -> HTMLResponse:
    _admin(viewer)
    return _retention_page(request, viewer, db, _uuid(organisatie))


async def _posted(request: Request) -> dict[str, str]:
    """The whole posted form (the retention form has a months and a days field per period)."""
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


Posted = Annotated[dict[str, str], Depends(_posted)]


def _periods(posted: dict[str, str]) -> tuple[dict[str, retention.Period], tuple[str, str] | None]:
    periods: dict[str, retention.Period] = {}
    for field, ((label_nl, label_en), _) in PERIODS.items():
        months, days = (
            posted.get(f"{field}_{unit}", "").strip() or "0" for unit in ("months", "days")
        )
        if not (WHOLE.fullmatch(months) and WHOLE.fullmatch(days)):
            return {}, (f"{label_nl}: vul hele getallen in voor maanden en dagen.",
                        f"{label_en}: enter whole numbers for months and days.")  # fmt: skip
        try:
            periods[field] = retention.Period(int(months), int(days))
        except retention.RetentionError as error:
            return {}, (f"{label_nl}: {error.message_nl}", f"{label_en}: {error.message_en}")
    return periods, None


@router.post("/beheer/bewaartermijnen", response_model=None)
def save_retention_periods(
    request: Request, viewer: FormViewer, db: DB, posted: Posted
) -> Response:
    _admin(viewer)
    organisation = _uuid(posted.get("organisation", ""))
    kind = posted.get("trajectory_type", "")
    if organisation is None or kind not in set(TrajectoryType):
        return _retention_page(request, viewer, db, organisation, status=422, error=_pick(request, (
            "Kies een organisatie en een soort traject.", "Choose an organisation and a trajectory type.")))  # fmt: skip
    _, error = attempt(db, lambda: own(db, viewer.principal, Organisation, organisation))
    if error is not None:
        return _retention_page(
            request, viewer, db, None, status=error.status, error=message(request, error)
        )
    if posted.get("standaard") == "1":
        default = retention.DEFAULT_POLICIES[TrajectoryType(kind)]
        periods, problem = {f: getattr(default, f) for f in PERIODS}, None
    else:
        periods, problem = _periods(posted)
    if problem is None:
        before = policies_for(db, organisation)[TrajectoryType(kind)]
        try:
            after, error = attempt(
                db, lambda: set_policy(db, organisation, kind, periods, by=viewer.principal)
            )
        except retention.RetentionError as refused:
            db.rollback()
            problem = (refused.message_nl, refused.message_en)
        else:
            if error is not None:
                return _retention_page(request, viewer, db, organisation, status=error.status,
                                       error=message(request, error))  # fmt: skip
            done = "gelijk" if after == before else "termijn"
            return redirect(
                f"/beheer/bewaartermijnen?organisatie={organisation}&gedaan={done}#{kind}"
            )
    typed = {f: (posted.get(f"{f}_months", ""), posted.get(f"{f}_days", "")) for f in PERIODS}
    return _retention_page(request, viewer, db, organisation, status=422,
                           error=_pick(request, problem), entered={kind: typed})  # fmt: skip
