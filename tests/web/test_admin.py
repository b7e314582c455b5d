"""The administrator's pages: accounts with a single-use enrolment link (the person enrols their own
authenticator app), disabling, supervision links the trainer confirms, retention periods of the own
organisation (validated, logged, and used by the purge)."""

from __future__ import annotations

import json
import re
import uuid

import pyotp
from sqlmodel import select

from tests.support.api import PASSWORD, Account, Api
from tests.support.browser import Browser
from tests.support.web import _signed_in
from vault import audit
from vault.db import unit_of_work
from vault.domain.models import RetentionPolicyRow, SupervisionLink, User


def test_an_administrator_runs_the_vault_in_chromium(api: Api, browser: Browser) -> None:
    admin = api.account("administrator")
    leaving = api.account("trainer")
    opleider = api.account("opleider")
    page = browser.sign_in(api, admin)
    assert page.get_by_role("heading", level=1).inner_text() == "Beheer"
    assert page.get_by_role("link", name="Bewaartermijnen").count() >= 1
    assert browser.barriers() == []
    browser.shot("beheer")

    # A new trainer: the administrator sees a single-use enrolment link once, and no secret.
    page.get_by_role("link", name="Accounts", exact=True).first.click()
    assert browser.barriers() == []
    page.get_by_label("Naam").fill("Tessa Trainer")
    email = f"tessa-{uuid.uuid4().hex[:6]}@org.example"
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Rol").select_option("trainer")
    assert page.get_by_label("Wachtwoord").count() == 0
    page.get_by_role("button", name="Account aanmaken").click()
    page.wait_for_url(re.compile(r".*/beheer/accounts/koppeling/.+"))
    enrolment = page.locator("code.enrolment-link").inner_text()
    assert "/inschrijven/" in enrolment
    assert page.locator("img.qr").count() == 0
    assert browser.barriers() == []
    browser.shot("beheer-inschrijflink")
    with unit_of_work() as db:
        trainer = db.exec(select(User).where(User.email == email)).one()
        assert trainer.totp_secret == ""
        assert trainer.role == "trainer"
    page.reload()
    assert page.get_by_role("heading", level=1).inner_text() == "Link al getoond"
    assert enrolment not in page.content()

    # Disabling a trainer who leaves: she can no longer sign in.
    browser.go(f"/beheer/accounts/{leaving.id}")
    page.get_by_role("button", name="Account uitschakelen").click()
    assert "Het account is uitgeschakeld" in page.get_by_role("status").inner_text()
    assert browser.barriers() == []
    refused = api.client.post(
        "/api/v1/auth/sign-in",
        json={"email": leaving.email, "password": PASSWORD, "totp": api.code(leaving)},
    )
    assert refused.status_code == 401

    # The new trainer gets an opleider.
    page.get_by_role("link", name="Begeleiding").click()
    page.locator("#trainee").select_option(label=f"Tessa Trainer ({email})")
    page.locator("#opleider").select_option(str(opleider.id))
    page.locator("#last").fill("2099-12-31")
    page.get_by_role("button", name="Vastleggen").first.click()
    assert page.get_by_role("status").inner_text().startswith("De begeleiding is voorgesteld")
    row = page.get_by_role("row", name=re.compile("Tessa Trainer"))
    assert "31-12-2099" in row.inner_text()
    assert "Wacht op bevestiging door de trainer" in row.inner_text()
    assert browser.barriers() == []
    with unit_of_work() as db:
        link = db.exec(
            select(SupervisionLink).where(SupervisionLink.trainee_id == trainer.id)
        ).one()
        assert link.opleider_id == opleider.id

    # A shorter retention period for K-VHT, in effect at once.
    page.get_by_role("link", name="Bewaartermijnen").click()
    assert "6 maanden" in page.locator("#k_vht-keep_after_closure-now").inner_text()
    page.locator("#k_vht-keep_after_closure-months").fill("3")
    page.locator("#k_vht-keep_after_closure-days").fill("14")
    page.get_by_role("button", name="Opslaan voor K-VHT (kortdurend)").click()
    assert page.get_by_role("status").inner_text() == "De bewaartermijnen zijn opgeslagen."
    effective = page.locator("#k_vht-keep_after_closure-now").inner_text()
    assert "3 maanden en 14 dagen" in effective
    assert "eigen keuze" in effective
    assert "standaard: 6 maanden" in effective
    assert "eigen keuze" not in page.locator("#vib-keep_after_closure-now").inner_text()
    assert browser.barriers() == []
    browser.shot("beheer-bewaartermijnen")

    # The new trainer opens the link, enrols her own authenticator app, signs in, confirms the link.
    page.get_by_role("button", name="Afmelden").click()
    page.wait_for_url(re.compile(r".*/aanmelden.*"))
    page.goto(browser.server + enrolment[enrolment.index("/inschrijven/") :])
    qr = page.locator("img.qr")
    assert qr.get_attribute("src").startswith("data:image/svg+xml")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    secret = page.locator("code.secret").inner_text().replace(" ", "")
    assert browser.barriers() == []
    browser.shot("inschrijven")
    page.get_by_label("Nieuw wachtwoord").fill(PASSWORD)
    page.get_by_label("Code uit de authenticator-app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Inschrijven").click()
    page.wait_for_url(re.compile(r".*/aanmelden\?ingeschreven=1"))
    assert "U bent ingeschreven" in page.get_by_role("status").inner_text()
    with unit_of_work() as db:
        assert db.get_one(User, trainer.id).totp_secret == secret
    newcomer = Account(trainer.id, email, secret, "trainer", admin.organisation_id)
    page = browser.sign_in(api, newcomer, offset_steps=1)
    assert page.url == browser.server + "/trajecten"
    page.get_by_role("link", name="Mijn begeleiding").click()
    assert browser.barriers() == []
    page.get_by_role("button", name=re.compile("Bevestigen")).click()
    assert "Bevestigd" in page.get_by_role("status").inner_text()
    with unit_of_work() as db:
        assert (
            db.exec(select(SupervisionLink).where(SupervisionLink.trainee_id == trainer.id))
            .one()
            .confirmed_at
        )


def test_a_trainer_is_refused_the_administrator_pages(api: Api) -> None:
    csrf = _signed_in(api, "trainer")
    for path in ("/beheer", "/beheer/accounts", "/beheer/bewaartermijnen"):
        refused = api.client.get(path, headers={"accept": "text/html"})
        assert refused.status_code == 403, path
        assert "Deze pagina hoort niet bij uw rol." in refused.text
    created = api.client.post(
        "/beheer/accounts",
        headers={"accept": "text/html"},
        data={
            "csrf": csrf,
            "email": "x@org.example",
            "name": "X",
            "role": "administrator",
            "organisation": str(api.organisation_id),
            "password": PASSWORD,
        },
    )
    assert created.status_code == 403
    with unit_of_work() as db:
        assert db.exec(select(User).where(User.email == "x@org.example")).first() is None


def _periods(**changed: str) -> dict[str, str]:
    fields = (
        "keep_after_closure",
        "keep_after_last_follow_up",
        "keep_after_handover",
        "teaching_max",
        "evidence_after_footage",
    )
    defaults = {
        "keep_after_closure_months": "6",
        "teaching_max_months": "60",
        "evidence_after_footage_months": "60",
        "keep_after_handover_days": "14",
    }
    body = {f"{f}_{u}": defaults.get(f"{f}_{u}", "0") for f in fields for u in ("months", "days")}
    return {**body, **changed}


def _policy_changes() -> list[audit.AuditRecord]:
    with unit_of_work() as db:
        return list(
            db.exec(
                select(audit.AuditRecord).where(audit.AuditRecord.object_type == "retention_policy")
            ).all()
        )


def test_a_retention_period_must_be_a_whole_positive_number(api: Api) -> None:
    csrf = _signed_in(api, "administrator")
    form = {"csrf": csrf, "organisation": str(api.organisation_id), "trajectory_type": "k_vht"}
    for bad, says in (
        ("-1", "Na afsluiting van het traject: Een bewaartermijn kan niet negatief zijn."),
        ("drie", "Na afsluiting van het traject: vul hele getallen in voor maanden en dagen."),
        ("2.5", "vul hele getallen in"),
        ("9999999", "Een bewaartermijn kan hoogstens 100 jaar zijn."),
    ):
        refused = api.client.post(
            "/beheer/bewaartermijnen", data={**form, **_periods(keep_after_closure_months=bad)}
        )
        assert refused.status_code == 422, bad
        assert says in refused.text, bad
        assert f'value="{bad}"' in refused.text  # what was typed stays, to correct it
    with unit_of_work() as db:
        assert db.exec(select(RetentionPolicyRow)).all() == []
    assert _policy_changes() == []
    page = api.client.get("/beheer/bewaartermijnen")
    assert "eigen keuze</span>" not in page.text

    # Saving the defaults changes nothing; a real change is stored and logged with old and new.
    same = api.client.post(
        "/beheer/bewaartermijnen", data={**form, **_periods()}, follow_redirects=False
    )
    assert same.headers["location"].endswith("gedaan=gelijk#k_vht")
    assert _policy_changes() == []
    changed = api.client.post(
        "/beheer/bewaartermijnen", data={**form, **_periods(teaching_max_months="24")}
    )
    assert "De bewaartermijnen zijn opgeslagen." in changed.text
    # In English, the notice and the form's refusals come from the catalogue.
    api.client.cookies.set("lang", "en")
    assert "Nothing was changed." in api.client.get("/beheer/bewaartermijnen?gedaan=gelijk").text
    unknown = api.client.get("/beheer/bewaartermijnen?gedaan=onzin").text
    assert 'class="notice"' not in unknown
    missing = api.client.post("/beheer/bewaartermijnen", data={"csrf": csrf})
    assert missing.status_code == 422
    assert "Choose an organisation and a trajectory type." in missing.text
    api.client.cookies.set("lang", "nl")
    [record] = _policy_changes()
    assert record.action == "configuration_change"
    assert record.role == "administrator"
    assert json.loads(record.detail)["teaching_max"] == "5 jaar → 2 jaar"
    with unit_of_work() as db:
        row = db.exec(select(RetentionPolicyRow)).one()
        assert row.trajectory_type == "k_vht"
        assert row.periods == '{"teaching_max": [24, 0]}'
    back = api.client.post("/beheer/bewaartermijnen", data={**form, "standaard": "1"})
    assert "eigen keuze</span>" not in back.text
    assert json.loads(_policy_changes()[-1].detail)["teaching_max"] == "2 jaar → 5 jaar"
    api.client.post("/beheer/bewaartermijnen", data={**form, **_periods(teaching_max_months="24")})
    api.client.get("/taal/en")
    english = api.client.get("/beheer/bewaartermijnen").text
    assert "2 years" in english
    assert "own choice</span>" in english


def test_the_enrolment_link_is_shown_once_also_after_a_new_code(api: Api) -> None:
    csrf = _signed_in(api, "administrator")
    email = f"olga-{uuid.uuid4().hex[:6]}@org.example"
    created = api.client.post(
        "/beheer/accounts",
        follow_redirects=False,
        data={"csrf": csrf, "email": email, "name": "Olga Opleider", "role": "opleider"},
    )
    assert created.status_code == 303
    shown = api.client.get(created.headers["location"])
    assert shown.status_code == 200
    first = re.search(r"/inschrijven/[A-Za-z0-9_-]+", shown.text)
    assert first is not None
    assert "data:image/svg+xml" not in shown.text  # no QR code, no secret for the administrator
    again = api.client.get(created.headers["location"])
    assert again.status_code == 410
    assert first.group(0) not in again.text
    with unit_of_work() as db:
        user = db.exec(select(User).where(User.email == email)).one()
    # A new link: the old one stops working, the new one is shown once.
    reset = api.client.post(
        f"/beheer/accounts/{user.id}/code", data={"csrf": csrf}, follow_redirects=False
    )
    assert reset.status_code == 303
    second = re.search(
        r"/inschrijven/[A-Za-z0-9_-]+", api.client.get(reset.headers["location"]).text
    )
    assert second is not None
    assert second.group(0) != first.group(0)
    assert api.client.get(first.group(0), headers={"accept": "text/html"}).status_code == 410
    assert second.group(0) not in api.client.get(reset.headers["location"]).text
    # A taken address: a Dutch message, nothing created.
    taken = api.client.post(
        "/beheer/accounts", data={"csrf": csrf, "email": email, "name": "O", "role": "trainer"}
    )
    assert taken.status_code == 409
    assert "Er bestaat al een account met dit e-mailadres." in taken.text


def test_organisations_roles_and_grants(api: Api) -> None:
    csrf = _signed_in(api, "administrator")
    other = api.organisation("GGD Noord")
    mine = api.client.get("/beheer/organisaties")
    assert "GGD Testregio" in mine.text
    assert "GGD Noord" not in mine.text  # the own organisation only; no creating others
    assert (
        api.client.post("/beheer/organisaties", data={"csrf": csrf, "name": "GGD Zuid"}).status_code
        == 405
    )
    elsewhere = api.client.post(
        "/beheer/bewaartermijnen",
        data={
            "csrf": csrf,
            "organisation": str(other),
            "trajectory_type": "k_vht",
            "standaard": "1",
        },
    )
    assert elsewhere.status_code == 404

    trainer, assessor = api.account("trainer"), api.account("gecommitteerde")
    grant = api.client.post(
        "/beheer/begeleiding/opdracht",
        data={
            "csrf": csrf,
            "gecommitteerde": str(assessor.id),
            "trainee": str(trainer.id),
            "first": "2026-01-01",
            "last": "2099-06-30",
        },
    )
    assert "De opdracht is voorgesteld" in grant.text
    assert "30-06-2099" in grant.text
    backwards = api.client.post(
        "/beheer/begeleiding/opdracht",
        data={
            "csrf": csrf,
            "gecommitteerde": str(assessor.id),
            "trainee": str(trainer.id),
            "first": "2026-02-01",
            "last": "2026-01-01",
        },
    )
    assert backwards.status_code == 422
    assert "De einddatum ligt vóór de begindatum." in backwards.text
    not_an_assessor = api.client.post(
        "/beheer/begeleiding/opdracht",
        data={
            "csrf": csrf,
            "gecommitteerde": str(trainer.id),
            "trainee": str(trainer.id),
            "first": "2026-01-01",
            "last": "2026-02-01",
        },
    )
    assert not_an_assessor.status_code == 409
    assert "Een opdracht is voor een gecommitteerde" in not_an_assessor.text

    # A role change is the API's own, logged; one's own role and account stay out of reach.
    changed = api.client.post(
        f"/beheer/accounts/{trainer.id}/rol", data={"csrf": csrf, "role": "opleider"}
    )
    assert "De rol is gewijzigd." in changed.text
    with unit_of_work() as db:
        assert db.get_one(User, trainer.id).role == "opleider"
        logged = db.exec(
            select(audit.AuditRecord).where(
                audit.AuditRecord.object_id == str(trainer.id), audit.AuditRecord.action == "update"
            )
        ).all()
        assert any(json.loads(r.detail).get("role") == "opleider" for r in logged)
        me = db.exec(select(User).where(User.role == "administrator")).one()
    own = api.client.post(f"/beheer/accounts/{me.id}/actief", data={"csrf": csrf, "active": "0"})
    assert own.status_code == 409
    assert "Uw eigen rol of account kunt u niet wijzigen" in own.text
    with unit_of_work() as db:
        assert db.get_one(User, me.id).active
