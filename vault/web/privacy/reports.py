"""Reports: everything that happened to one family, and everything one employee did, with links to
the same records as CSV and FHIR from the audit API."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from consent import Role
from vault import audit
from vault.audit import service as audit_log
from vault.db import DB
from vault.domain.models import User
from vault.errors import NotFound
from vault.web._page import PageViewer, render, require, words
from vault.web.labels.log import LOGGED_ROLES
from vault.web.privacy._common import own_family, rows

router = APIRouter()


@router.get("/privacy/gezinnen/{family_id}")
def family_report(
    family_id: uuid.UUID, request: Request, viewer: PageViewer, db: DB
) -> HTMLResponse:
    require(viewer, Role.privacy_officer)
    family = own_family(db, viewer, family_id)
    if family is None:
        raise NotFound(
            "Dit gezin bestaat niet in uw organisatie.", "No such family in your organisation."
        )
    found = audit_log.family_records(db, viewer.principal, family.id, None)
    api = f"/api/v1/audit/families/{family.id}"
    _ = words(request)
    return render(
        request,
        "privacy/report.html",
        viewer,
        heading=_("Gezin %(code)s", code=family.code),
        rows=rows(db, viewer, [audit.as_dict(r) for r in reversed(found)]),
        family=family,
        csv=f"{api}?fmt=csv",
        fhir=f"{api}?fmt=fhir",
        file=family.code,
        filter_link="/privacy?" + urlencode({"gezin": family.code}),
        retention_link="/privacy/bewaren?" + urlencode({"gezin": family.code}),
    )


@router.get("/privacy/medewerkers/{user_id}")
def employee_report(
    user_id: uuid.UUID, request: Request, viewer: PageViewer, db: DB
) -> HTMLResponse:
    require(viewer, Role.privacy_officer)
    person = db.get(User, user_id)
    if person is None or person.organisation_id != viewer.principal.organisation_id:
        raise NotFound(
            "Deze medewerker bestaat niet in uw organisatie.",
            "No such employee in your organisation.",
        )
    found = audit_log.employee_records(db, viewer.principal, person.id, None)
    api = f"/api/v1/audit/employees/{person.id}"
    return render(
        request,
        "privacy/report.html",
        viewer,
        heading=person.name,
        rows=rows(db, viewer, [audit.as_dict(r) for r in reversed(found)]),
        person=person,
        person_role=LOGGED_ROLES.get(person.role, person.role),
        csv=f"{api}?fmt=csv",
        fhir=f"{api}?fmt=fhir",
        file="medewerker-" + person.id.hex[:8],
        filter_link="/privacy?" + urlencode({"medewerker": str(person.id)}),
    )
