"""The parents' package in the browser: the trainer builds it (a real Celery worker) and follows the
progress, makes the link and code and prints the hand-over sheet; a parent, not signed in, on a phone,
opens the link, gives the code and downloads a plain ZIP; the trainer records the hand-over (ADR 0015)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from tests.support.api import PASSWORD, Api
from tests.support.browser import Browser
from tests.support.families import family_with_recording
from tests.support.media import make_video
from tests.support.tus import stored


def test_trainer_builds_the_package_and_a_parent_downloads_it_on_a_phone(
    api: Api, browser: Browser, server: str, worker: None, tmp_path: Path
) -> None:
    trainer = api.account("trainer")
    world = family_with_recording(api, trainer)
    stored(api, server, world, [make_video(tmp_path / "bad.mp4", 3)])
    trajectory = world["trajectory"]["id"]

    page = browser.sign_in(api, trainer, offset_steps=1)
    page = browser.go(f"/trajecten/{trajectory}/pakket")
    assert page.get_by_role("heading", level=1).inner_text() == "Pakket voor de ouders"
    assert page.get_by_label("Versleuteld ZIP-bestand (AES-256) met een wachtwoord").count() == 0
    page.get_by_role("button", name="Pakket maken").click()
    assert "Het pakket wordt gemaakt" in page.get_by_role("status").first.inner_text()

    # The page follows the build (export.js) and shows the finished package by itself.
    make_link = page.get_by_role("button", name="Link en code voor de ouders maken")
    make_link.wait_for(timeout=180_000)
    assert "Klaar" in page.locator("article").first.inner_text()
    make_link.click()
    url = page.locator("#parent-link").inner_text().strip()
    code = page.locator("#parent-code").inner_text().strip()
    assert url.startswith(f"{browser.server}/ophalen/")
    assert "maar één keer" in page.locator(".once").inner_text()
    sheet = page.locator(".sheet").inner_text()
    for said in (
        "Uw video-opnames",
        "Vul deze code in",
        "Werkt tot",
        "Wat zit erin",
        "geen wachtwoord",
        "In English",
    ):
        assert said in sheet, said
    assert page.locator(".sheet img.qr").is_visible()
    assert page.get_by_role("button", name="Overdrachtsblad afdrukken").is_visible()
    assert browser.barriers() == []
    page.emulate_media(media="print")  # on paper: the sheet alone
    assert page.locator(".sheet").is_visible()
    assert not page.locator(".once").is_visible()
    assert not page.get_by_role("button", name="Pakket maken").is_visible()
    browser.shot("overdrachtsblad")
    page.emulate_media(media="screen")

    # A parent, in a browser of their own, on a phone, without an account.
    context = browser.context.browser.new_context(
        accept_downloads=True, locale="nl-NL", viewport={"width": 390, "height": 844}
    )
    parent = context.new_page()
    violations: list[str] = []
    parent.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    own = browser.page
    browser.page = parent  # axe and screenshots on the parent's page
    try:
        parent.goto(url)
        assert parent.get_by_role("heading", level=1).inner_text() == "Uw video-opnames ophalen"
        assert browser.barriers() == []
        parent.get_by_label("Code").fill("aaaa-aaaa")
        parent.get_by_role("button", name="Verder").click()
        assert "Deze code klopt niet" in parent.get_by_role("alert").inner_text()
        browser.shot("ouder")
        parent.get_by_label("Code").fill(code.upper())
        parent.get_by_role("button", name="Verder").click()
        assert "De code klopt" in parent.get_by_role("status").inner_text()
        assert parent.get_by_role("alert").count() == 0  # no stale red error after success
        assert browser.barriers() == []
        assert parent.evaluate("document.documentElement.scrollWidth") <= 390  # nothing sideways
        browser.shot("ouder-downloaden")
        with parent.expect_download() as fetched:
            parent.get_by_role("link", name="Downloaden").click()
        data = Path(fetched.value.path()).read_bytes()
        with zipfile.ZipFile(io.BytesIO(data)) as z:  # no password
            top = z.namelist()[0].split("/")[0]
            assert "Ze zijn van u." in z.read(f"{top}/LEESMIJ.txt").decode()
        parent.reload()
        assert "volledig gedownload" in parent.locator("main").inner_text()
    finally:
        browser.page = own
        context.close()
    assert violations == []

    # The trainer sees the download and confirms the hand-over.
    page = browser.go(f"/trajecten/{trajectory}/pakket")
    assert "Gedownload door de ouders" in page.locator("article").first.inner_text()
    page.get_by_role("button", name="Overdracht bevestigen").click()
    assert page.get_by_role("status").inner_text().startswith("De overdracht is vastgelegd")
    traj = api.client.get(f"/api/v1/trajectories/{trajectory}", headers=world["headers"]).json()
    assert traj["export_handed_over_on"] is not None
    browser.shot("pakket")


def test_the_package_page_refuses_another_trainer(api: Api) -> None:
    from tests.support.web import _signed_in

    world = family_with_recording(api, api.account("trainer"))
    _signed_in(api, "trainer")
    page = api.client.get(
        f"/trajecten/{world['trajectory']['id']}/pakket", headers={"accept": "text/html"}
    )
    assert page.status_code == 403
    assert "niet de trainer" in page.text


def test_a_package_being_built_can_be_cancelled_and_forms_need_the_token(
    api: Api, server: str, tmp_path: Path
) -> None:
    """No worker runs here, so the package waits in the queue until the trainer cancels it."""
    trainer = api.account("trainer")
    world = family_with_recording(api, trainer)
    stored(api, server, world, [make_video(tmp_path / "bad.mp4", 2)])
    signed_in = api.client.post(
        "/aanmelden",
        data={"email": trainer.email, "password": PASSWORD, "totp": api.code(trainer, 1)},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303
    url = f"/trajecten/{world['trajectory']['id']}/pakket"
    csrf = re.search(r'name="csrf-token" content="([0-9a-f]+)"', api.client.get(url).text)
    assert csrf is not None
    assert api.client.post(url, data={"csrf": "0" * 64}).status_code == 403
    built = api.client.post(url, data={"csrf": csrf.group(1)})
    assert built.status_code == 200
    assert "Het pakket wordt gemaakt" in built.text
    assert "/static/export.js" in built.text  # the page follows the progress at once
    page = api.client.get(url).text
    assert "In de wachtrij" in page
    assert "Traject K-VHT (kortdurend)" in page  # the type in words, not the code K_VHT
    assert "K_VHT" not in page
    assert "/static/export.js" in page
    export_id = re.search(r'data-export="([0-9a-f-]+)"', page)
    assert export_id is not None
    cancelled = api.client.post(
        f"{url}/{export_id.group(1)}/annuleren",
        data={"csrf": csrf.group(1)},
        follow_redirects=False,
    )
    assert cancelled.status_code == 303
    page = api.client.get(cancelled.headers["location"]).text
    assert "Het pakket is geannuleerd." in page
    assert "Geannuleerd" in page
