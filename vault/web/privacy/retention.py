"""Retention (/privacy/bewaren): a family's purge plan, legal holds placed and released, what was
purged, and the signed deletion certificates."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlmodel import Session, col, select

from consent import Role
from vault.db import DB
from vault.errors import NotFound
from vault.families.models import Family
from vault.i18n import N_
from vault.keyring import signing_key
from vault.pages import language
from vault.purge import CERTIFICATES, LegalHoldRow, verify_certificate
from vault.purge import service as purges
from vault.purge.schemas import HoldIn, TombstonePublic
from vault.settings import get_settings
from vault.store import BlobNotFound
from vault.web._page import (
    FormViewer,
    PageViewer,
    Viewer,
    attempt,
    message,
    redirect,
    render,
    require,
    words,
)
from vault.web.labels.log import KINDS, OBJECTS, REASONS
from vault.web.privacy._common import NOTICES, family_codes, own_family, parse_day

router = APIRouter()


def _retention(
    request: Request,
    viewer: Viewer,
    db: Session,
    family: Family | None,
    *,
    chosen: str = "",
    error: str | None = None,
    notice: str | None = None,
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
        plan = purges.plan(db, viewer.principal, family.id, None, language(request))
        holds = db.exec(
            select(LegalHoldRow)
            .where(LegalHoldRow.family_id == family.id)
            .order_by(col(LegalHoldRow.placed_on).desc())
        ).all()
    purged = [  # the service keeps to the organisation
        TombstonePublic.model_validate(t).model_dump(mode="json")
        for t in purges.purged(db, viewer.principal)
        if family is None or t.family_id == family.id
    ]
    purged.reverse()
    codes = family_codes(db, viewer, (t["family_id"] for t in purged))
    for t in purged:
        t["family_code"] = codes.get(t["family_id"], "")
        name = str(t.get("certificate") or "")
        t["certificate_id"] = name.removeprefix(CERTIFICATES).removesuffix(".json")
        t["kind_label"] = KINDS.get(t["kind"], OBJECTS["object"])
        t["rule_label"] = REASONS.get(t["rule"], t["rule"])
    return render(
        request,
        "privacy/retention.html",
        viewer,
        status=status,
        heading=N_("Bewaren en verwijderen"),
        family=family,
        chosen=chosen,
        plan=plan,
        holds=holds,
        in_force=in_force[:50],
        purged=purged[:100],
        today=today,
        form=form or {},
        error=error,
        notice=notice,
    )


@router.get("/privacy/bewaren")
def retention(request: Request, viewer: PageViewer, db: DB, gezin: str = "") -> HTMLResponse:
    require(viewer, Role.privacy_officer)
    _ = words(request)
    family = own_family(db, viewer, gezin) if gezin.strip() else None
    if gezin.strip() and family is None:
        return _retention(
            request,
            viewer,
            db,
            None,
            chosen=gezin,
            status=400,
            error=_(
                "Geen gezin ‘%(gezin)s’ in uw organisatie; gebruik het pseudoniem (FAM-…).",
                gezin=gezin.strip(),
            ),
        )
    notice = NOTICES.get(request.query_params.get("gedaan", ""))
    return _retention(
        request, viewer, db, family, chosen=gezin, notice=_(notice) if notice else None
    )


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
    family = own_family(db, viewer, gezin)
    if family is None:
        raise NotFound(
            "Dit gezin bestaat niet in uw organisatie.", "No such family in your organisation."
        )
    _ = words(request)
    form = {"reden": reden, "tot": tot, "herbeoordeling": herbeoordeling}
    problem: str | None = None
    days: dict[str, date | None] = {}
    for name, label in (("tot", _("Tot")), ("herbeoordeling", _("Herbeoordelen op"))):
        try:
            days[name] = parse_day(form[name]) if form[name].strip() else None
        except ValueError:
            problem = _(
                "‘%(field)s’ is geen geldige datum; gebruik bijvoorbeeld 25-11-2026.", field=label
            )
    today = datetime.now(UTC).date()
    if problem is None and (days["tot"] or today) < today:
        problem = _("De einddatum van een bewaarplicht ligt in de toekomst.")
    if problem is None:
        try:
            body = HoldIn(
                family_id=family.id,
                reason=reden.strip(),
                until=days["tot"],
                review_on=days["herbeoordeling"],
            )
        except ValidationError:
            problem = _("Geef een reden van 3 tot 500 tekens.")
    if problem is not None:
        return _retention(
            request, viewer, db, family, chosen=family.code, form=form, status=400, error=problem
        )
    _done, error = attempt(db, lambda: purges.place_hold(db, viewer.principal, body))
    if error is not None:
        return _retention(
            request,
            viewer,
            db,
            family,
            chosen=family.code,
            form=form,
            status=error.status,
            error=message(request, error),
        )
    return redirect("/privacy/bewaren?" + urlencode({"gezin": family.code, "gedaan": "geplaatst"}))


@router.post("/privacy/bewaren/bewaarplicht/{hold_id}/opheffen")
def release_hold(hold_id: uuid.UUID, viewer: FormViewer, db: DB) -> Response:
    require(viewer, Role.privacy_officer)
    hold = db.get(LegalHoldRow, hold_id)
    family = own_family(db, viewer, hold.family_id) if hold is not None else None
    if hold is None or family is None:
        raise NotFound("Bewaarplicht niet gevonden.", "Hold not found.")
    purges.release_hold(db, viewer.principal, hold.id)
    return redirect("/privacy/bewaren?" + urlencode({"gezin": family.code, "gedaan": "opgeheven"}))


@router.get("/privacy/bewaren/certificaten/{certificate_id}")
def certificate(
    certificate_id: uuid.UUID, request: Request, viewer: PageViewer, db: DB
) -> HTMLResponse:
    require(viewer, Role.privacy_officer)
    try:
        found = purges.certificate(db, viewer.principal, certificate_id)
    except BlobNotFound:
        found = None
    family = own_family(db, viewer, str(found.get("family_id", ""))) if found else None
    if found is None or family is None:
        raise NotFound(
            "Dit certificaat bestaat niet in uw organisatie.",
            "No such certificate in your organisation.",
        )
    key = signing_key(get_settings())
    items = [
        {
            **i,
            "kind_label": KINDS.get(str(i.get("kind")), str(i.get("kind"))),
            "rule_label": REASONS.get(str(i.get("rule")), str(i.get("rule"))),
        }
        for i in found.get("items", [])
    ]
    return render(
        request,
        "privacy/certificate.html",
        viewer,
        heading=N_("Verwijderingscertificaat"),
        cert=found,
        items=items,
        valid=verify_certificate(found, key.public_bytes()),
        family=family,
        raw=json.dumps(found, indent=2, ensure_ascii=False),
    )
