"""The privacy officer prints the parents' readable access report for an art. 15 request."""

from __future__ import annotations

import pytest

from tests.factories import FamilyFactory, bound
from tests.support.api import Api
from vault.db import unit_of_work

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def test_the_officer_gets_a_print_ready_page_for_their_own_families_only(api: Api) -> None:
    officer = api.account("privacy_officer")
    with unit_of_work() as db, bound(db):
        family = FamilyFactory(organisation_id=api.organisation_id, created_by=officer.id)
        family_id, code = family.id, family.code
    page = api.client.get(f"/api/v1/audit/families/{family_id}/readable", headers=api.as_(officer))
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert f"Wie bekeek de beelden van gezin {code}" in page.text
    assert "Niemand heeft de beelden bekeken." in page.text
    elsewhere = api.as_(api.account("privacy_officer", api.organisation("Elders")))
    assert (
        api.client.get(
            f"/api/v1/audit/families/{family_id}/readable", headers=elsewhere
        ).status_code
        == 404
    )
    trainer = api.as_(api.account("trainer"))
    assert (
        api.client.get(f"/api/v1/audit/families/{family_id}/readable", headers=trainer).status_code
        == 403
    )
