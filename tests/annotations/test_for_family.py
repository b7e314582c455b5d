"""The trainer marks an annotation for the family (ADR 0011 decision 12): published, off unless she
says so, set only by the trajectory's trainer; an imported annotation is never marked."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.annotations import world
from tests.support.api import Api

FORMATS = ("jsonld", "vtt", "eaf")


def test_only_the_own_trainer_marks_an_annotation_for_the_family(api: Api) -> None:
    w = world(api)
    h, url = w["headers"], w["url"]
    made = api.client.post(url, headers=h, json={"frame_in": 10, "code": "kans"})
    assert made.status_code == 201, made.text
    assert made.json()["for_family"] is False  # not unless she says so
    one = f"{url}/{made.json()['id']}"
    marked_body = {"frame_in": 10, "code": "kans", "note": "Mooi!", "for_family": True}

    # Another trainer (of her organisation, or another one) can neither mark nor unmark it.
    for other in (
        api.account("trainer"),
        api.account("trainer", api.organisation("Andere organisatie")),
    ):
        refused = api.client.put(one, headers=api.as_(other), json=marked_body)
        assert refused.status_code == 403, refused.text
        assert refused.json()["reason"] == "not_assigned"
    assert api.client.get(url, headers=h).json()["items"][0]["for_family"] is False

    marked = api.client.put(one, headers=h, json=marked_body)
    assert marked.status_code == 200, marked.text
    assert marked.json()["for_family"] is True
    assert api.client.get(url, headers=h).json()["items"][0]["for_family"] is True
    new = api.client.post(url, headers=h, json={**marked_body, "frame_in": 20})
    assert new.json()["for_family"] is True

    bad = api.client.put(one, headers=h, json={**marked_body, "for_family": "misschien"})
    assert bad.status_code == 422
    assert "for_family" in bad.text


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_import_never_marks_for_the_family(api: Api, fmt: str) -> None:
    source = world(api)
    target = world(api, trainer=source["trainer"])
    body: dict[str, Any] = {
        "frame_in": 30,
        "code": "initiatief",
        "note": "Mooi!",
        "for_family": True,
    }
    assert api.client.post(source["url"], headers=source["headers"], json=body).status_code == 201
    exported = api.client.get(f"{source['url']}/export?format={fmt}", headers=source["headers"])
    assert exported.status_code == 200
    done = api.client.post(
        f"{target['url']}/import", headers=target["headers"], content=exported.content
    )
    assert done.status_code == 200, done.text
    assert [(a["note"], a["for_family"]) for a in done.json()["items"]] == [("Mooi!", False)]
    listed = api.client.get(target["url"], headers=target["headers"]).json()["items"]
    assert [a["for_family"] for a in listed] == [False]
