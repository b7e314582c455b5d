"""The trainer's side of an anonymised fragment (ADR 0017, decision 7), on the clip's page and its check
page: who is in view, the copy asked for, watched and only then approved, the approval taken back; every
step through the same services as the API, refusals shown on the page in Dutch."""

from __future__ import annotations

import uuid
from pathlib import Path

from tests.support.api import Api
from tests.support.web import _clip_with_video, _cookie_sign_in
from vault.anonymise.tasks import make_anonymised


def test_the_trainer_says_who_is_in_view_and_approves_only_a_copy_she_watched(
    api: Api, server: str, tmp_path: Path
) -> None:
    trainer = api.account("trainer")
    world = _clip_with_video(api, trainer, server, tmp_path, "Bad", seconds=2)
    clip, base = world["clip_id"], f"/fragmenten/{world['clip_id']}"
    page = f"{base}/anonimiseren"
    csrf = _cookie_sign_in(api, trainer, offset_steps=1)
    html = {"accept": "text/html"}

    summary = api.client.get(
        base, headers=html
    ).text  # the clip's page: the state, and the way here
    assert "Nog niet vastgelegd wie er in beeld is" in summary
    assert "In een WOK delen kan nu niet: geen toestemming van het gezin." in summary
    assert f'href="{page}"' in summary
    shown = api.client.get(page, headers=html).text
    assert "Nog niet vastgelegd wie er in beeld is: dit fragment" in shown
    assert "Er is nog geen versie met vervaagde gezichten." in shown

    said = api.client.post(
        f"{base}/in-beeld",
        data={"csrf": csrf, "people": [world["child"]["id"]], "others": "ja"},
        follow_redirects=False,
    )
    assert said.status_code == 303
    shown = api.client.get(said.headers["location"], headers=html).text
    assert "Vastgelegd wie er in beeld is." in shown
    assert f'value="{world["child"]["id"]}" checked' in shown
    assert 'id="in-beeld-anderen" name="others" value="ja" checked' in shown
    stored = api.client.get(f"/api/v1/clips/{clip}", headers=world["headers"]).json()
    assert (stored["in_view"], stored["others_in_view"]) == ([world["child"]["id"]], True)

    asked = api.client.post(page, data={"csrf": csrf}, follow_redirects=False)
    assert asked.status_code == 303
    assert "wordt gemaakt" in api.client.get(asked.headers["location"], headers=html).text
    assert make_anonymised(uuid.UUID(clip)) == "made"
    assert "Nog niet goedgekeurd" in api.client.get(page, headers=html).text

    # Not watched yet: refused on the page, in Dutch, nothing approved.
    blind = api.client.post(f"{base}/anonimiseren/goedkeuren", data={"csrf": csrf})
    assert blind.status_code == 409
    assert "Bekijk de geanonimiseerde versie eerst zelf" in blind.text
    assert (
        api.client.get(f"/api/v1/clips/{clip}", headers=world["headers"]).json()["anonymised"]
        == "made"
    )

    # She opens the copy in the player (which loads its playlist), then approves it.
    watch = api.client.post(
        f"{base}/anonimiseren/bekijken", data={"csrf": csrf}, follow_redirects=False
    )
    assert watch.status_code == 303
    player = watch.headers["location"]
    assert player.startswith("/kijken/")
    assert player.endswith(f"?terug=%2Ffragmenten%2F{clip}%2Fanonimiseren")
    token = player.removeprefix("/kijken/").split("?")[0]
    assert api.client.get(f"/api/v1/stream/{token}/index.m3u8").status_code == 200
    approved = api.client.post(
        f"{base}/anonimiseren/goedkeuren", data={"csrf": csrf}, follow_redirects=False
    )
    assert approved.status_code == 303
    shown = api.client.get(approved.headers["location"], headers=html).text
    assert "Goedgekeurd: deze versie mag nu buiten het gezin getoond worden." in shown
    assert "Goedkeuring intrekken" in shown

    withdrawn = api.client.post(
        f"{base}/anonimiseren/intrekken", data={"csrf": csrf}, follow_redirects=False
    )
    assert (
        "De goedkeuring is ingetrokken."
        in api.client.get(withdrawn.headers["location"], headers=html).text
    )
    assert (
        api.client.get(f"/api/v1/clips/{clip}", headers=world["headers"]).json()["anonymised"]
        == "made"
    )


def test_another_trainer_changes_nothing(api: Api, server: str, tmp_path: Path) -> None:
    owner = api.account("trainer")
    world = _clip_with_video(api, owner, server, tmp_path, "Bad", seconds=2)
    page = f"/fragmenten/{world['clip_id']}"
    csrf = _cookie_sign_in(api, api.account("trainer"), offset_steps=1)
    assert api.client.get(f"{page}/anonimiseren", headers={"accept": "text/html"}).status_code in (
        403,
        404,
    )
    for path, data in (
        ("in-beeld", {"people": [world["child"]["id"]]}),
        ("anonimiseren", {}),
        ("anonimiseren/goedkeuren", {}),
    ):
        refused = api.client.post(f"{page}/{path}", data={"csrf": csrf, **data})
        assert refused.status_code in (403, 404), (path, refused.status_code)
    unchanged = api.client.get(f"/api/v1/clips/{world['clip_id']}", headers=world["headers"])
    assert unchanged.json()["in_view"] is None
