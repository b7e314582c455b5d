"""The trainer's consent page: people and gezag, a consent recorded on paper (first missing a
signature, then complete), the scanned form stored encrypted, and a withdrawal that counts at once."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from sqlmodel import select

from tests.support.api import Api
from tests.support.browser import Browser
from tests.support.families import family_with_recording
from vault.db import unit_of_work
from vault.domain.models import User
from vault.i18n import LOCAL
from vault.store import StoredObject

GIVEN = re.compile("Gegeven")


def test_trainer_records_consent_uploads_the_form_and_records_a_withdrawal(
    api: Api, browser: Browser, tmp_path: Path
) -> None:
    trainer = api.account("trainer")
    world = family_with_recording(api, trainer)  # signs the trainer in through the API once
    family = world["family"]
    page = browser.sign_in(api, trainer, offset_steps=1)
    page = browser.go(f"/gezinnen/{family['id']}/toestemming")
    assert page.get_by_role("heading", level=1).inner_text() == f"Toestemming · {family['code']}"

    # A second parent, who shares gezag over the child.
    page.get_by_label("Soort", exact=True).select_option("parent")
    page.get_by_label("Naam of aanduiding").fill("Vader")
    page.get_by_role("button", name="Toevoegen").click()
    assert page.get_by_role("status").inner_text() == "Het gezinslid is toegevoegd."
    page.get_by_label("Ouder of verzorger").select_option(label="Vader")
    page.get_by_role("button", name="Gezag vastleggen").click()
    assert page.get_by_role("status").inner_text() == "Het gezag is vastgelegd."

    # Supervision with only the mother's signature: the father is missing.
    summary = page.locator("table.consent-summary")
    supervision = summary.get_by_role("row", name="Supervisie van de trainer")
    assert "Nog niet gevraagd" in supervision.inner_text()
    page.get_by_label("Doel").select_option("supervision")
    page.locator(f"#signed-{world['mother']['id']}").check()
    page.get_by_role("button", name="Toestemming vastleggen").click()
    assert page.get_by_role("status").inner_text() == "De toestemming is vastgelegd."
    assert "Onvolledig" in supervision.inner_text()
    assert "Handtekening van Vader (ouder met gezag)" in supervision.inner_text()

    # The father signs later: his signature is added to THAT record, which becomes complete.
    incomplete = page.locator("article.record").filter(has_text="Onvolledig")
    incomplete.get_by_role("button", name="Handtekening van Vader toevoegen").click()
    assert page.get_by_role("status").inner_text() == "De handtekening is toegevoegd."
    assert "Gegeven" in supervision.inner_text()
    assert "Niets" in supervision.inner_text()
    assert page.locator("article.record").count() == 1  # no duplicate, no stale "Onvolledig"
    assert "Onvolledig" not in page.locator("main").inner_text()

    # The scanned form, stored encrypted.
    scan = tmp_path / "formulier.pdf"
    scan.write_bytes(b"%PDF-1.4\n% getekend toestemmingsformulier\n" + b"0" * 2000)
    complete = page.locator("article.record").filter(has_text=GIVEN)
    complete.get_by_label("Getekend formulier (PDF, JPEG of PNG)").set_input_files(str(scan))
    complete.get_by_role("button", name="Formulier uploaden").click()
    assert page.get_by_role("status").inner_text().startswith("Het getekende formulier is")
    assert (
        "opgeslagen (versleuteld)"
        in page.locator("article.record").filter(has_text=GIVEN).inner_text()
    )
    with unit_of_work() as db:
        stored = db.exec(select(StoredObject).where(StoredObject.kind == "evidence")).one()
    assert stored.size == scan.stat().st_size

    browser.shot("toestemming")

    # A text file is refused in Dutch.
    bad = tmp_path / "notitie.txt"
    bad.write_text("geen scan")
    complete = page.locator("article.record").filter(has_text=GIVEN)
    complete.get_by_label("Getekend formulier (PDF, JPEG of PNG)").set_input_files(str(bad))
    complete.get_by_role("button", name="Formulier uploaden").click()
    assert "als PDF, JPEG of PNG" in page.get_by_role("alert").inner_text()

    # The father withdraws: a second step says what stops; not confirmed, nothing changes.
    complete = page.locator("article.record").filter(has_text=GIVEN)
    complete.get_by_label("Intrekking gemeld door").select_option(label="Vader")
    complete.get_by_role("button", name="Toestemming intrekken").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Toestemming intrekken?"
    confirm = page.locator("main").inner_text()
    assert "Vader trekt de toestemming voor supervisie van de trainer in" in confirm
    assert "opleider" in confirm
    assert "meteen" in confirm
    page.get_by_role("link", name="Niet intrekken").click()
    assert "Gegeven" in supervision.inner_text()
    unconfirmed = page.request.post(  # the form without the second step's answer
        browser.server + f"/gezinnen/{family['id']}/toestemming/{_record_id(page)}/intrekken",
        form={"by_person_id": _person_id(page, "Vader"), "csrf": _csrf(page)},
        max_redirects=0,
    )
    assert unconfirmed.status == 200
    assert "Toestemming intrekken?" in unconfirmed.text()
    page.reload()
    assert "Gegeven" in supervision.inner_text()

    # Confirmed: it shows at once, and says who recorded it and who withdrew.
    complete = page.locator("article.record").filter(has_text=GIVEN)
    complete.get_by_label("Intrekking gemeld door").select_option(label="Vader")
    complete.get_by_role("button", name="Toestemming intrekken").click()
    page.get_by_role("button", name="Ja, toestemming intrekken").click()
    assert page.get_by_role("status").inner_text().startswith("De toestemming is ingetrokken")
    assert "Ingetrokken" in supervision.inner_text()
    recorded = page.locator("article.record").inner_text()
    with unit_of_work() as db:
        trainer_name = db.exec(select(User.name).where(User.id == trainer.id)).one()
    today = datetime.now(LOCAL).strftime("%d-%m-%Y")
    assert f"Intrekking vastgelegd door {trainer_name} op {today}" in recorded, recorded
    assert "gemeld door Vader" in recorded
    assert "Ingetrokken door" not in recorded
    assert page.locator("article.record").filter(has_text=GIVEN).count() == 0
    overview = api.client.get(
        f"/api/v1/families/{family['id']}/consents", headers=world["headers"]
    ).json()["items"]
    assert [c["status"] for c in overview] == ["withdrawn"]


def _record_id(page) -> str:  # type: ignore[no-untyped-def]
    return str(page.locator("article.record h3").first.get_attribute("id"))[2:]


def _person_id(page, name: str) -> str:  # type: ignore[no-untyped-def]
    select = page.locator("article.record select[name=by_person_id]").first
    return str(select.locator("option", has_text=name).get_attribute("value"))


def _csrf(page) -> str:  # type: ignore[no-untyped-def]
    return str(page.locator("input[name=csrf]").first.get_attribute("value"))


def test_consent_page_refuses_another_trainer_and_a_form_without_csrf(api: Api) -> None:
    from tests.support.web import _signed_in

    world = family_with_recording(api, api.account("trainer"))
    _signed_in(api, "trainer")  # another trainer, signed in on api.client's cookie jar
    page = api.client.get(
        f"/gezinnen/{world['family']['id']}/toestemming", headers={"accept": "text/html"}
    )
    assert page.status_code == 403
    assert "niet de trainer" in page.text
    posted = api.client.post(
        f"/gezinnen/{world['family']['id']}/personen", data={"kind": "child", "csrf": "nope"}
    )
    assert posted.status_code == 403
    assert "formulier is verlopen" in posted.text
    back = api.client.get(f"/gezinnen/{world['family']['id']}/personen", follow_redirects=False)
    assert back.status_code == 303  # a form's address opened directly leads to the page
    assert back.headers["location"] == f"/gezinnen/{world['family']['id']}/toestemming"


def test_the_trajectory_choice_names_the_type_in_words(api: Api) -> None:
    """The consent form's trajectory choice reads "K-VHT (kortdurend)", never the code K_VHT."""
    from tests.support.web import _cookie_sign_in

    trainer = api.account("trainer")
    world = family_with_recording(api, trainer)  # a K-VHT trajectory
    _cookie_sign_in(api, trainer, offset_steps=1)
    page = api.client.get(
        f"/gezinnen/{world['family']['id']}/toestemming", headers={"accept": "text/html"}
    )
    assert page.status_code == 200
    option = re.search(
        rf'<option value="{world["trajectory"]["id"]}"[^>]*>([^<]*)</option>', page.text
    )
    assert option is not None
    assert option.group(1).startswith("K-VHT (kortdurend) · gestart"), option.group(1)
    assert "K_VHT" not in page.text
