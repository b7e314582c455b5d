"""The privacy officer's pages: the log with filters, chain verification and signals, the family and
employee reports with their downloads, legal holds, the purge list and deletion certificates; other
roles are refused and bad filters get a Dutch message."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import col, select

from tests.support.api import PASSWORD, Account, Api
from tests.support.browser import Browser
from tests.support.families import family_with_recording
from vault import audit
from vault.audit import AuditRecord
from vault.db import engine_for, unit_of_work
from vault.domain.models import User
from vault.families.models import Family
from vault.purge import LegalHoldRow
from vault.purge.tasks import run_all
from vault.recordings.models import Recording
from vault.settings import get_settings
from vault.store import ObjectKind, open_store

HTML = {"accept": "text/html"}


def _name(account: Account) -> str:
    with unit_of_work() as db:
        user = db.get(User, account.id)
        assert user is not None
        return user.name


def _watched(api: Api) -> dict[str, Any]:
    """A family whose trainer looked at it, and another trainer who tried and was refused."""
    trainer, other = api.account("trainer"), api.account("trainer")
    world = family_with_recording(api, trainer)
    family_id = world["family"]["id"]
    seen = api.client.get(
        f"/api/v1/recordings/{world['recording']['id']}", headers=world["headers"]
    )
    assert seen.status_code == 200
    refused = api.client.get(f"/api/v1/families/{family_id}", headers=api.as_(other))
    assert refused.status_code == 403
    return {**world, "trainer": trainer, "other": other, "code": world["family"]["code"]}


def _signed_in(api: Api, role: str) -> tuple[Account, str]:
    """Sign in through the page form with the TestClient; returns the account and its CSRF token."""
    account = api.account(role)
    response = api.client.post(
        "/aanmelden",
        data={"email": account.email, "password": PASSWORD, "totp": api.code(account)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = api.client.get(response.headers["location"], headers=HTML)
    match = re.search(r'name="csrf-token" content="([0-9a-f]+)"', page.text)
    assert match is not None
    return account, match.group(1)


def test_officer_follows_a_family_from_the_log_to_a_legal_hold(api: Api, browser: Browser) -> None:
    w = _watched(api)
    trainer, other = _name(w["trainer"]), _name(w["other"])
    officer = api.account("privacy_officer")
    page = browser.sign_in(api, officer)
    assert page.url == browser.server + "/privacy"
    assert page.get_by_role("heading", level=1).inner_text() == "Logboek"
    rows = page.locator("table.records tbody tr")
    assert rows.count() > 3
    assert browser.barriers() == []
    browser.shot("privacy")

    # Filter on the family: the refusal of the other trainer is there, with its reason.
    page.get_by_label("Gezin (pseudoniem)").fill(w["code"])
    page.get_by_role("button", name="Toon").click()
    page.wait_for_load_state()
    assert "gezin=" in page.url
    refused = rows.filter(has_text=other)
    assert refused.count() >= 1
    assert "Geweigerd" in refused.first.inner_text()
    assert all(w["code"] in rows.nth(i).inner_text() for i in range(rows.count()))
    page.get_by_label("Uitkomst").select_option("denied")
    page.get_by_role("button", name="Toon").click()
    page.wait_for_load_state()
    assert rows.count() == refused.count()

    # The family report: the trainer's view of the recording is in it.
    page.get_by_role("link", name=f"Volledig rapport van gezin {w['code']}").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == f"Gezin {w['code']}"
    viewed = (
        page.locator("table.records tbody tr").filter(has_text=trainer).filter(has_text="Bekeken")
    )
    assert viewed.count() >= 1
    assert "Opname" in viewed.first.inner_text()
    assert browser.barriers() == []
    browser.shot("privacy-gezin")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    csv = download.value.path().read_text()
    assert csv.startswith("seq,event_id,occurred_at,action")
    assert trainer in csv
    assert other in csv

    # The employee report of the refused trainer, from the link on their name.
    page.locator("table.records").get_by_role("link", name=other).first.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == other
    assert "Geweigerd" in page.locator("table.records").inner_text()

    # Verify the chain now: intact.
    browser.go("/privacy")
    page.get_by_role("button", name="Nu controleren").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").filter(has_text="De keten is gecontroleerd").count() == 1
    assert "Intact" in page.locator("#keten-status").inner_text()

    # A legal hold on the family.
    page.get_by_role("link", name="Bewaren en verwijderen").click()
    page.wait_for_load_state()
    page.get_by_label("Gezin (pseudoniem)").fill(w["code"])
    page.get_by_role("button", name="Toon").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name=f"Bewaarplan van {w['code']}").is_visible()
    page.get_by_label("Reden").fill("Klacht in behandeling bij de klachtencommissie")
    page.get_by_role("button", name="Bewaarplicht opleggen").click()
    page.wait_for_load_state()
    assert "De bewaarplicht is opgelegd." in page.get_by_role("status").first.inner_text()
    holds = page.locator("#holds tbody tr")
    assert holds.count() == 1
    assert "Klacht in behandeling" in holds.first.inner_text()
    assert "Van kracht" in holds.first.inner_text()
    assert browser.barriers() == []
    browser.shot("privacy-bewaren")
    browser.go("/privacy/bewaren")
    assert page.get_by_role("link", name=w["code"]).is_visible()
    # ... and released again.
    page.get_by_role("link", name=w["code"]).click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Opheffen").click()
    page.wait_for_load_state()
    assert "Opgeheven" in page.locator("#holds tbody tr").first.inner_text()
    with unit_of_work() as db:
        hold = db.exec(select(LegalHoldRow)).one()
        assert hold.released_on is not None
        changes = db.exec(select(AuditRecord).where(AuditRecord.object_type == "legal_hold")).all()
        assert [c.reason for c in changes] == ["legal_hold_placed", "legal_hold_released"]
        assert all(c.user_id == officer.id for c in changes)
        reads = db.exec(
            select(AuditRecord.object_type).where(
                AuditRecord.action == "audit_read", AuditRecord.user_id == officer.id
            )
        ).all()
    assert {
        "log_search",
        "anomalies",
        "family_report",
        "employee_report",
        "verify",
        "retention_plan",
        "purge_report",
    } <= set(reads)


def test_other_roles_are_refused(api: Api) -> None:
    _signed_in(api, "trainer")
    for path in ("/privacy", "/privacy/bewaren"):
        page = api.client.get(path, headers=HTML)
        assert page.status_code == 403
        assert "Deze pagina hoort niet bij uw rol." in page.text
    assert api.client.get("/api/v1/audit/records").status_code == 403


def test_bad_filters_get_a_dutch_message(api: Api) -> None:
    w = _watched(api)
    _signed_in(api, "privacy_officer")
    cases = {
        "van=2026-11-10&tot=2026-11-01": "De einddatum ligt vóór de begindatum.",
        "van=31-02-2026": "‘Van’ is geen geldige datum",
        "tot=gisteren": "‘Tot en met’ is geen geldige datum",
        "tot=9999-12-31": "‘Tot en met’ is geen geldige datum",
        "gezin=FAM-NOPE00": "Geen gezin ‘FAM-NOPE00’ in uw organisatie",
        "medewerker=iemand": "Kies een medewerker uit de lijst.",
        "handeling=hack": "Kies een handeling uit de lijst.",
        "regel=-1": "Een regelnummer is een geheel getal.",
    }
    for query, expected in cases.items():
        page = api.client.get(f"/privacy?{query}", headers=HTML)
        assert page.status_code == 400, query
        assert expected in page.text, query
        assert 'role="alert"' in page.text
    # Typed Dutch dates, a lower-case pseudonym and a silly page number all work.
    fine = api.client.get(
        f"/privacy?van=01-01-2026&gezin={w['code'].lower()}&pagina=x", headers=HTML
    )
    assert fine.status_code == 200
    assert "Geweigerd" in fine.text
    assert api.client.get("/privacy/bewaren?gezin=FAM-NOPE00", headers=HTML).status_code == 400
    assert api.client.get(f"/privacy/gezinnen/{w['family']['id']}x", headers=HTML).status_code in (
        404,
        422,
    )


def test_another_organisations_family_stays_out_of_sight(api: Api) -> None:
    w = _watched(api)
    elsewhere = api.organisation("Elders")
    officer = api.account("privacy_officer", elsewhere)
    response = api.client.post(
        "/aanmelden",
        data={"email": officer.email, "password": PASSWORD, "totp": api.code(officer)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    log = api.client.get("/privacy", headers=HTML)
    assert log.status_code == 200
    assert w["code"] not in log.text
    assert _name(w["trainer"]) not in log.text
    assert api.client.get(f"/privacy?gezin={w['code']}", headers=HTML).status_code == 400
    assert api.client.get(f"/privacy/gezinnen/{w['family']['id']}", headers=HTML).status_code == 404
    assert (
        api.client.get(f"/privacy/medewerkers/{w['trainer'].id}", headers=HTML).status_code == 404
    )
    # The API behind the pages says the same.
    family = w["family"]["id"]
    for path in (
        f"/api/v1/audit/families/{family}",
        f"/api/v1/audit/employees/{w['trainer'].id}",
        f"/api/v1/audit/families/{family}?fmt=csv",
        f"/api/v1/retention/plan/{family}",
    ):
        assert api.client.get(path).status_code == 404, path
    csrf = re.search(r'name="csrf-token" content="([0-9a-f]+)"', log.text)
    assert csrf is not None
    hold = api.client.post(
        "/api/v1/retention/holds",
        headers={"X-CSRF-Token": csrf.group(1)},
        json={"family_id": family, "reason": "Niet van ons"},
    )
    assert hold.status_code == 404
    with unit_of_work() as db:
        assert db.exec(select(LegalHoldRow)).all() == []
    denied = api.client.get("/api/v1/audit/denied").json()["items"]
    assert all(d["family_id"] != family for d in denied)
    assert api.client.get("/api/v1/audit/anomalies").json()["items"] == []


def test_forms_need_the_csrf_token_and_a_reason(api: Api) -> None:
    w = _watched(api)
    _, csrf = _signed_in(api, "privacy_officer")
    assert (
        api.client.post("/privacy/controle", data={"csrf": "0" * 64}, headers=HTML).status_code
        == 403
    )
    short = api.client.post(
        "/privacy/bewaren/bewaarplicht",
        headers=HTML,
        data={"csrf": csrf, "gezin": w["family"]["id"], "reden": "x"},
    )
    assert short.status_code == 400
    assert "Geef een reden van 3 tot 500 tekens." in short.text
    past = api.client.post(
        "/privacy/bewaren/bewaarplicht",
        headers=HTML,
        data={"csrf": csrf, "gezin": w["family"]["id"], "reden": "Klacht", "tot": "01-01-2020"},
    )
    assert past.status_code == 400
    assert "ligt in de toekomst" in past.text
    with unit_of_work() as db:
        assert db.exec(select(LegalHoldRow)).all() == []


def test_a_purge_shows_with_its_signed_certificate(api: Api) -> None:
    """A closed trajectory's recording is purged by the real purge run; the officer sees what went,
    when and why, and the certificate with a valid signature."""
    w = _watched(api)
    h = w["headers"]
    closed = api.client.patch(
        f"/api/v1/trajectories/{w['trajectory']['id']}",
        headers=h,
        json={"phase": "closed", "closed_on": "2026-01-10"},
    )
    assert closed.status_code == 200, closed.text
    with unit_of_work() as db:
        family = db.exec(select(Family).where(Family.code == w["code"])).one()
        stored = open_store(db, get_settings()).put(
            family_id=family.id, kind=ObjectKind.original, source=[b"beelden " * 4000]
        )
        recording = db.get(Recording, uuid.UUID(w["recording"]["id"]))
        assert recording is not None
        recording.original_object_id = stored.id
        db.add(recording)
    run_all(datetime(2026, 8, 1, 3, tzinfo=UTC))  # mark
    assert run_all(datetime(2026, 8, 1, 4, tzinfo=UTC)) == 1  # and purge after the grace period
    _signed_in(api, "privacy_officer")
    page = api.client.get(f"/privacy/bewaren?gezin={w['code']}", headers=HTML)
    assert page.status_code == 200
    assert "Opname" in page.text
    assert "01-08-2026 06:00" in page.text  # Dutch summer time
    assert "Bewaartermijn na afsluiting verstreken" in page.text
    link = re.search(r'href="(/privacy/bewaren/certificaten/[0-9a-f-]+)"', page.text)
    assert link is not None
    certificate = api.client.get(link.group(1), headers=HTML)
    assert certificate.status_code == 200
    assert "Handtekening geldig" in certificate.text
    assert w["code"] in certificate.text
    log = api.client.get(f"/privacy?gezin={w['code']}&handeling=purge", headers=HTML)
    assert "Verwijderd (bewaartermijn)" in log.text
    assert "Systeem" in log.text
    with unit_of_work() as db:
        assert db.exec(
            select(AuditRecord).where(col(AuditRecord.object_type) == "deletion_certificate")
        ).first()


def test_signals_link_to_their_record_and_the_log_has_pages(api: Api) -> None:
    w = _watched(api)
    trainer = _name(w["trainer"])
    with unit_of_work() as db:
        user = db.get(User, w["trainer"].id)
        assert user is not None
        family = db.exec(select(Family).where(Family.code == w["code"])).one()
        who = audit.Principal(user.id, user.name, user.role, user.organisation_id)
        download = audit.record(
            db,
            action="download",
            outcome="allowed",
            actor=who,
            family_id=family.id,
            object_type="recording",
            object_id=w["recording"]["id"],
        )
        seq = download.seq
        for _ in range(60):
            audit.record(db, action="sign_out", outcome="success", actor=who)
    _signed_in(api, "privacy_officer")
    start = api.client.get("/privacy", headers=HTML)
    assert "Beeldmateriaal gedownload" in start.text
    assert (
        f'href="/privacy?regel={seq}">Beeldmateriaal gedownload</a> · {trainer} · {w["code"]}'
        in start.text
    )
    one = api.client.get(f"/privacy?regel={seq}", headers=HTML)
    assert "1 regel." in one.text
    assert "Gedownload" in one.text
    # Newest first, fifty to a page, the filters kept on the links between pages.
    first = api.client.get(f"/privacy?medewerker={w['trainer'].id}", headers=HTML)
    assert "Pagina 1 van 2." in first.text
    assert first.text.count('<tr id="regel-') == 50
    older = re.search(r'href="([^"]+)" rel="next"', first.text)
    assert older is not None
    second = api.client.get(older.group(1).replace("&amp;", "&"), headers=HTML)
    assert "Pagina 2 van 2." in second.text
    assert f"medewerker={w['trainer'].id}" in older.group(1)
    assert 'rel="prev"' in second.text
    # The downloads behind the report's buttons work with the page's cookie.
    fhir = api.client.get(f"/api/v1/audit/families/{family.id}?fmt=fhir").json()
    assert fhir["resourceType"] == "Bundle"
    assert any(e["resource"]["action"] == "R" for e in fhir["entry"])
    # English on request.
    english = api.client.get("/privacy", headers={**HTML, "accept-language": "en-GB"})
    assert "<h1>Audit log</h1>" in english.text
    assert (
        "Downloaded"
        in api.client.get(f"/privacy?regel={seq}", headers={**HTML, "accept-language": "en"}).text
    )


def test_the_log_search_api_keeps_to_the_organisation(api: Api) -> None:
    w = _watched(api)
    officer = api.as_(api.account("privacy_officer"))
    family = w["family"]["id"]
    found = api.client.get(
        f"/api/v1/audit/records?family_id={family}&outcome=denied", headers=officer
    )
    assert found.status_code == 200, found.text
    body = found.json()
    assert body["total"] == 1
    assert body["items"][0]["user_id"] == str(w["other"].id)
    assert body["items"][0]["reason"] == "not_assigned"
    assert api.client.get("/api/v1/audit/records?limit=0", headers=officer).status_code == 422
    assert api.client.get("/api/v1/audit/records?action=hack", headers=officer).status_code == 422
    elsewhere = api.as_(api.account("privacy_officer", api.organisation("Elders")))
    theirs = api.client.get(f"/api/v1/audit/records?family_id={family}", headers=elsewhere).json()
    assert theirs["total"] == 0
    assert api.client.get("/api/v1/audit/records", headers=w["headers"]).status_code == 403


def test_a_tampered_log_shows_as_broken(api: Api) -> None:
    _watched(api)
    _, csrf = _signed_in(api, "privacy_officer")
    with engine_for(get_settings().effective_database_url).connect() as conn:
        postgres = conn.dialect.name == "postgresql"
        if postgres:
            conn.execute(text("ALTER TABLE audit_record DISABLE TRIGGER audit_record_no_change"))
        conn.execute(text("UPDATE audit_record SET user_name = 'Iemand anders' WHERE seq = 3"))
        if postgres:
            conn.execute(text("ALTER TABLE audit_record ENABLE TRIGGER audit_record_no_change"))
        conn.commit()
    done = api.client.post(
        "/privacy/controle", data={"csrf": csrf}, headers=HTML, follow_redirects=False
    )
    assert done.status_code == 303
    page = api.client.get(done.headers["location"], headers=HTML)
    assert "De keten is gecontroleerd." in page.text
    assert "Niet intact" in page.text
    assert 'eerste afwijking bij regel <a href="/privacy?regel=3">3</a>' in page.text


def test_the_period_is_in_dutch_days(api: Api) -> None:
    """Half past eleven at night UTC on 24 November is already the 25th in the Netherlands."""
    w = _watched(api)
    with unit_of_work() as db:
        family = db.exec(select(Family).where(Family.code == w["code"])).one()
        who = audit.Principal(w["trainer"].id, "Trainer", "trainer", family.organisation_id)
        audit.record(
            db,
            action="export",
            outcome="success",
            actor=who,
            family_id=family.id,
            occurred_at=datetime(2026, 11, 24, 23, 30, tzinfo=UTC),
        )
    _signed_in(api, "privacy_officer")
    on = api.client.get("/privacy?van=25-11-2026&tot=25-11-2026&handeling=export", headers=HTML)
    assert "1 regel." in on.text
    assert "25-11-2026 00:30" in on.text
    before = api.client.get("/privacy?van=2026-11-24&tot=2026-11-24&handeling=export", headers=HTML)
    assert "0 regels" in before.text


def test_every_role_in_the_log_is_named_in_dutch(api: Api) -> None:
    """The parents' download is logged with the role `parent`: the officer reads "Ouder", never the
    code; an unknown code is called unknown, in Dutch."""
    w = _watched(api)
    with unit_of_work() as db:
        family = db.exec(select(Family).where(Family.code == w["code"])).one()
        parent = audit.Principal(None, "ouder (downloadlink)", "parent")
        odd = audit.Principal(None, "import van elders", "importer")
        for who, at in ((parent, 10), (odd, 11)):
            audit.record(
                db,
                action="download",
                outcome="allowed",
                actor=who,
                family_id=family.id,
                occurred_at=datetime(2026, 11, 24, at, 0, tzinfo=UTC),
            )
    _signed_in(api, "privacy_officer")
    log = api.client.get("/privacy?van=24-11-2026&tot=24-11-2026&handeling=download", headers=HTML)
    assert log.status_code == 200
    roles = re.findall(r"<br><small>([^<·]*)", log.text)
    assert [r.strip() for r in roles] == ["Onbekende rol (importer)", "Ouder"], roles
    english = api.client.get(
        "/privacy?van=24-11-2026&tot=24-11-2026&handeling=download",
        headers={**HTML, "accept-language": "en"},
    )
    assert "<br><small>Parent" in english.text


def test_the_retention_plan_shows_the_package_s_own_removal_day(api: Api) -> None:
    """The trainer's package page says "Wordt verwijderd op <dag>"; the officer's plan of that family
    shows the same day for the package (the trajectory is still active: no other date exists yet)."""
    from datetime import timedelta

    from vault.export.models import Export, ExportStatus
    from vault.i18n import LOCAL

    w = _watched(api)
    expires = datetime.now(UTC) + timedelta(days=20)
    with unit_of_work() as db:
        family = db.exec(select(Family).where(Family.code == w["code"])).one()
        package = open_store(db, get_settings()).put(
            family_id=family.id, kind=ObjectKind.export, source=[b"PK pakket" * 100]
        )
        db.add(
            Export(
                trajectory_id=uuid.UUID(w["trajectory"]["id"]),
                family_id=family.id,
                created_by=w["trainer"].id,
                encrypted=False,
                status=ExportStatus.ready,
                done=1,
                total=1,
                object_id=package.id,
                size=900,
                expires_at=expires,
            )
        )
    _signed_in(api, "privacy_officer")
    page = api.client.get(f"/privacy/bewaren?gezin={w['code']}", headers=HTML)
    assert page.status_code == 200
    row = re.search(rf"<tr><td class=\"mono\">{str(package.id)[:8]}….*?</tr>", page.text, re.S)
    assert row is not None, page.text
    assert expires.astimezone(LOCAL).strftime("%d-%m-%Y") in row.group(0)
    assert "pakket voor de ouders" in row.group(0)
    # Read as people read it: Dutch dates and the rule in words, no ISO dates or rule codes.
    plan = re.search(r'<ul class="plan">.*?</ul>', page.text, re.S)
    assert plan is not None
    assert "regel: Pakket voor de ouders verlopen" in plan.group(0)
    for shown in (plan.group(0), row.group(0)):
        assert not re.search(r"\d{4}-\d{2}-\d{2}", shown), shown
        assert "export_expires" not in shown
    # The API behind the page: the machine's facts (ISO day, codes) next to the words, in the
    # request's language.
    from vault.i18n import long_day

    day = expires.astimezone(LOCAL).date()
    for lang, rule in (
        ("nl", "Pakket voor de ouders verlopen"),
        ("en", "Parents' package expired"),
    ):
        answer = api.client.get(
            f"/api/v1/retention/plan/{family.id}", headers={"accept-language": lang}
        )
        assert answer.status_code == 200, answer.text
        item = next(i for i in answer.json()["items"] if i["object_id"] == str(package.id))
        assert (item["due"], item["rule"], item["event"], item["event_on"]) == (
            day.isoformat(),
            "export_expires",
            "package_expires",
            day.isoformat(),
        )
        assert item["rule_text"] == rule
        assert long_day(day, lang) in item["reason"]
        line = next(t for t in answer.json()["text"] if str(package.id.hex)[:8] in t)
        assert long_day(day, lang) in line, line
        assert rule in line, line
        assert not re.search(r"\d{4}-\d{2}-\d{2}", line), line
        assert "export_expires" not in line
