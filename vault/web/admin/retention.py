"""The organisation's own retention periods per trajectory type."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse
from sqlmodel import Session

import retention
from retention import TrajectoryType
from vault.accounts import own
from vault.db import DB
from vault.domain.models import Organisation
from vault.i18n import N_, translations
from vault.purge.policies import policies_for, set_policy
from vault.web._page import (
    FormViewer,
    PageViewer,
    Viewer,
    attempt,
    language,
    message,
    redirect,
    render,
    words,
)
from vault.web.admin._common import (
    WHOLE,
    _admin,
    _notice,
    _organisations,
    _pick,
    _uuid,
)
from vault.web.labels import TYPES

router = APIRouter()


# The periods the purge plan applies, with what each one means (the audit log's own period is
# kept by the service, not per organisation, so it is not offered here).
# Each a (name, what it means) pair of gettext msgids.
PERIODS: dict[str, tuple[str, str]] = {
    "keep_after_closure": (
        N_("Na afsluiting van het traject"),
        N_("Beelden van het traject blijven minstens zo lang na de afsluiting bewaard."),
    ),
    "keep_after_last_follow_up": (
        N_("Na de laatste nazorg"),
        N_("…en minstens zo lang na de laatste afgeronde nazorg; nooit zolang er nog nazorg komt."),
    ),
    "keep_after_handover": (
        N_("Na overdracht aan de ouders"),
        N_(
            "Beelden die in het pakket voor de ouders zitten, gaan zo lang na de overdracht, als dat eerder is."
        ),
    ),
    "teaching_max": (
        N_("Onderwijs en onderzoek, hoogstens"),
        N_(
            "Dit materiaal gaat als de toestemming eindigt, en nooit later dan zo lang na de toestemming."
        ),
    ),
    "evidence_after_footage": (
        N_("Toestemmingsformulier na de beelden"),
        N_(
            "Een gescand toestemmingsformulier blijft zo lang bewaard na de beelden waar het over gaat."
        ),
    ),
}


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
    chosen = chosen or (ids[0] if ids else None)
    policies = policies_for(db, uuid.UUID(chosen) if chosen else None)
    lang = language(request)
    types = []
    for kind in TrajectoryType:
        names = TYPES[kind]
        policy, default = policies[kind], retention.DEFAULT_POLICIES[kind]
        rows = []
        for field, (label, explained) in PERIODS.items():
            now, standard = getattr(policy, field), getattr(default, field)
            typed = (entered or {}).get(kind, {}).get(field)
            rows.append(
                {
                    "field": field,
                    "label": label,
                    "explained": explained,
                    "now": _period_text(now, lang),
                    "own": now != standard,
                    "default": _period_text(standard, lang),
                    "months": typed[0] if typed else str(now.months),
                    "days": typed[1] if typed else str(now.days),
                }
            )
        types.append(
            {"kind": kind.value, "names": names, "rows": rows, "own": any(r["own"] for r in rows)}
        )
    return render(
        request,
        "admin/retention.html",
        viewer,
        status=status,
        error=error,
        notice=_notice(request, request.query_params.get("gedaan")),
        heading=N_("Bewaartermijnen"),
        orgs=orgs,
        chosen=chosen,
        types=types,
    )


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
    for field, (label_nl, _) in PERIODS.items():
        label_en = translations("en").gettext(label_nl)
        months, days = (
            posted.get(f"{field}_{unit}", "").strip() or "0" for unit in ("months", "days")
        )
        if not (WHOLE.fullmatch(months) and WHOLE.fullmatch(days)):
            return {}, (
                f"{label_nl}: vul hele getallen in voor maanden en dagen.",
                f"{label_en}: enter whole numbers for months and days.",
            )
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
        return _retention_page(
            request,
            viewer,
            db,
            organisation,
            status=422,
            error=words(request)(N_("Kies een organisatie en een soort traject.")),
        )
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
                return _retention_page(
                    request,
                    viewer,
                    db,
                    organisation,
                    status=error.status,
                    error=message(request, error),
                )
            done = "gelijk" if after == before else "termijn"
            return redirect(
                f"/beheer/bewaartermijnen?organisatie={organisation}&gedaan={done}#{kind}"
            )
    typed = {f: (posted.get(f"{f}_months", ""), posted.get(f"{f}_days", "")) for f in PERIODS}
    return _retention_page(
        request,
        viewer,
        db,
        organisation,
        status=422,
        error=_pick(request, problem),
        entered={kind: typed},
    )
