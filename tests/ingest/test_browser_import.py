"""The browser import says the card may be wiped only when every chosen file is verified: an empty
file is named with the server's own Dutch reason, an unreadable one as unreadable, and the rest of
the card goes on."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.support.api import Api
from tests.support.browser import Browser
from tests.support.families import family_with_recording


def test_an_empty_file_keeps_the_card_and_is_named_in_the_browser(
    api: Api,
    browser: Browser,  # noqa: F811
    worker: None,
    videos: dict[str, Path],
    tmp_path: Path,  # noqa: F811
) -> None:
    trainer = api.account("trainer")
    world = family_with_recording(api, trainer)
    page = browser.sign_in(api, trainer, offset_steps=1)
    browser.go(f"/trajecten/{world['trajectory']['id']}/importeren")
    card = tmp_path / "card"
    card.mkdir()
    shutil.copy(videos["good"], card / "MVI_0001.MP4")
    (card / "MVI_0004.MP4").write_bytes(b"")
    (card / "MVI_0005.MP4").write_bytes(b"\0" * 1000)
    page.get_by_label("Of losse videobestanden kiezen").set_input_files(
        [card / "MVI_0001.MP4", card / "MVI_0004.MP4", card / "MVI_0005.MP4"]
    )
    (card / "MVI_0005.MP4").unlink()  # chosen, then unreadable (the card was pulled)
    page.get_by_role("button", name="Importeren starten").click()
    page.locator("#outcome-card").wait_for(state="visible", timeout=180_000)
    outcome = page.locator("#outcome").inner_text()
    assert "Veilig opgeslagen en gecontroleerd" in outcome
    assert "MVI_0004.MP4: Niet gelukt: Het bestand 'MVI_0004.MP4' is leeg" in outcome
    assert "MVI_0005.MP4: Niet gelukt: het bestand is niet te lezen" in outcome
    assert "Wis de kaart nog NIET" in outcome
    assert "De kaart mag nu worden gewist" not in outcome
