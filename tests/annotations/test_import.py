"""Importing annotations (issue #23): a file in one of the export formats (W3C Web Annotation JSON-LD,
WebVTT metadata, ELAN .eaf) into another recording of the same trainer gives the same annotations, to
the frame; a file with any bad entry is refused whole, naming the entry; a second import adds nothing;
hostile files (entity expansion, external entities, 50 MB, 100k items) and the wrong people are
refused, and every decision is in the log."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlmodel import select

from tests.support.annotations import denials, wok_peer, world
from tests.support.api import Api
from vault.annotations import formats
from vault.annotations.formats import MAX_IMPORT_BYTES, MAX_IMPORT_ENTRIES
from vault.annotations.models import DEFAULT_CODEBOOK, Annotation
from vault.audit import AuditRecord
from vault.db import unit_of_work
from vault.recordings.models import Recording

FORMATS = ("jsonld", "vtt", "eaf")

# Points and spans, two annotations on the same frames (one with a note and a modifier, one without),
# a note that could end a cue or open markup, and the last frame of the recording (240 s = 7192.8
# frames: 0 to 7191).
SOURCE = [
    {"frame_in": 42, "frame_out": 80, "code": "afsluiten", "actor": "ouder", "note": "Sluit af."},
    {"frame_in": 300, "code": "initiatief", "actor": "kind", "modifiers": ["non_verbaal"]},
    {"frame_in": 300, "code": "ontvangen", "actor": "ouder"},
    {
        "frame_in": 301,
        "frame_out": 7190,
        "code": "gezamenlijke_aandacht",
        "modifiers": ["verbaal", "non_verbaal"],
        "note": "Kijkt --> lacht <3 & wacht.\nTweede regel.",
    },
    {"frame_in": 7191, "code": "geslaagd_moment", "note": "Laatste beeld."},
]


def same(item: dict[str, Any]) -> tuple[Any, ...]:
    return (
        item["frame_in"],
        item.get("frame_out"),
        item["code"],
        item.get("actor", ""),
        tuple(sorted(item.get("modifiers", []))),
        item.get("note", ""),
    )


def annotations(api: Api, w: dict[str, Any]) -> list[dict[str, Any]]:
    answer = api.client.get(w["url"], headers=w["headers"])
    assert answer.status_code == 200, answer.text
    return list(answer.json()["items"])


def created_logged(recording_id: str) -> int:
    with unit_of_work() as db:
        rows = db.exec(
            select(AuditRecord).where(
                AuditRecord.object_type == "annotation", AuditRecord.action == "create"
            )
        ).all()
        return sum(1 for r in rows if recording_id in (r.detail or ""))


def post(api: Api, w: dict[str, Any], data: bytes | Iterator[bytes], **params: str) -> Any:
    return api.client.post(
        f"{w['url']}/import", headers=w["headers"], content=data, params=params or None
    )


@pytest.fixture
def pair(api: Api) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two recordings of one trainer: the first coded with SOURCE, the second empty."""
    source = world(api)
    target = world(api, trainer=source["trainer"])
    for body in SOURCE:
        made = api.client.post(source["url"], headers=source["headers"], json=body)
        assert made.status_code == 201, made.text
    return source, target


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_then_import_gives_the_same_annotations(
    api: Api, pair: tuple[dict[str, Any], dict[str, Any]], fmt: str
) -> None:
    source, target = pair
    exported = api.client.get(f"{source['url']}/export?format={fmt}", headers=source["headers"])
    assert exported.status_code == 200
    done = post(api, target, exported.content)
    assert done.status_code == 200, done.text
    assert (done.json()["format"], done.json()["created"], done.json()["skipped"]) == (fmt, 5, 0)
    assert sorted(map(same, annotations(api, target))) == sorted(map(same, SOURCE))
    assert {a["rate"] for a in annotations(api, target)} == {"30000/1001"}
    assert created_logged(target["recording"]["id"]) == 5

    # The same file again adds nothing and says so.
    again = post(api, target, exported.content, format=fmt)
    assert again.status_code == 200, again.text
    assert (again.json()["created"], again.json()["skipped"], again.json()["items"]) == (0, 5, [])
    assert len(annotations(api, target)) == 5
    assert created_logged(target["recording"]["id"]) == 5


def bad_files(api: Api, source: dict[str, Any]) -> list[tuple[str, bytes, str, str]]:
    """(what, file, words naming the entry, words naming the reason)."""

    def export(fmt: str) -> bytes:
        answer = api.client.get(f"{source['url']}/export?format={fmt}", headers=source["headers"])
        return bytes(answer.content)

    eaf, vtt, jsonld = export("eaf"), export("vtt").decode(), json.loads(export("jsonld"))
    wrong_type = json.loads(json.dumps(jsonld))
    wrong_type["first"]["items"][2]["body"][-1]["value"] = 12
    unknown_name = json.loads(json.dumps(jsonld))
    unknown_name["first"]["items"][1]["body"][0]["value"] = "knuffelen"
    mixed = json.loads(json.dumps(jsonld))  # Dutch says one code, English another
    mixed["first"]["items"][0]["body"][1]["value"] = "initiative"
    first_cue = vtt.split("\n\n")[1].splitlines()[0]
    # No id links the first modifiers to their code: two codes share its times.
    ambiguous = re.sub(rb'ANNOTATION_ID="a\dm"', b'ANNOTATION_ID="x1"', eaf, count=1)
    return [
        (
            "unknown code (eaf)",
            eaf.replace(b">afsluiten<", b">knuffelen<"),
            "annotation a1",
            "knuffelen",
        ),
        (
            "unknown actor (eaf)",
            eaf.replace(b'TIER_ID="kind"', b'TIER_ID="opa"'),
            "annotation a",
            "opa",
        ),
        (
            "unknown code (jsonld)",
            json.dumps(unknown_name).encode(),
            "item 1 (urn:uuid:",
            "knuffelen",
        ),
        ("two codes (jsonld)", json.dumps(mixed).encode(), "item 0", "afsluiten / initiative"),
        ("wrong type (jsonld)", json.dumps(wrong_type).encode(), "item 2", "must be text"),
        (
            "past the end (vtt)",
            vtt.replace("00:03:59.940 --> 00:03:59.973", "00:04:10.000 --> 00:04:10.040").encode(),
            "line",
            "past the end",
        ),
        (
            "no times (vtt)",
            vtt.replace(" --> ", " -> ", 1).encode(),
            f"cue {first_cue}",
            "no times",
        ),
        ("payload (vtt)", vtt.replace('{"id"', "{id", 1).encode(), f"cue {first_cue}", "payload"),
        ("malformed XML", eaf.replace(b"</TIER>", b"</TIR>", 1), "line ", "not valid XML"),
        ("malformed JSON", json.dumps(jsonld).encode()[:-3], "line 1", "not valid JSON"),
        ("ambiguous note (eaf)", ambiguous, "annotation x1", "unclear"),
        ("not a format", b"%PDF-1.4 hello", "the file", "not WebVTT"),
        ("empty", b"  \n", "the file", "empty"),
        (
            "a note too long (vtt)",
            vtt.replace('"note":"Sluit af."', '"note":"' + "x" * 2001 + '"').encode(),
            f"cue {first_cue}",
            "'note' is wrong",
        ),
        (
            "a long unknown code, quoted short (eaf)",
            eaf.replace(b">afsluiten<", b">" + b"k" * 5000 + b"<"),
            "annotation a1",
            "k" * 59 + "…",
        ),
    ]


def test_a_file_with_one_bad_entry_is_refused_whole_naming_it(
    api: Api, pair: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    source, target = pair
    for what, data, entry, reason in bad_files(api, source):
        answer = post(api, target, data)
        assert answer.status_code == 422, (what, answer.text)
        problem = answer.json()
        assert problem["field"] == "file", what
        assert entry in problem["detail_en"], (what, problem)
        assert reason in problem["detail_en"], (what, problem)
        assert "Er is niets ingelezen" in problem["detail"], (what, problem)
        assert annotations(api, target) == [], what
    assert created_logged(target["recording"]["id"]) == 0
    unknown = post(api, target, b"WEBVTT\n", format="docx")
    assert unknown.status_code == 422
    assert unknown.json()["field"] == "format"
    assert all(len(post(api, target, d).text) < 2000 for _, d, _, _ in bad_files(api, source))

    # Without a known frame rate (not checked yet) nothing can be placed: 409 before the file is read.
    with unit_of_work() as db:
        recording = db.get(Recording, uuid.UUID(target["recording"]["id"]))
        assert recording is not None
        recording.probe = "{}"
        db.add(recording)
    exported = api.client.get(f"{source['url']}/export?format=eaf", headers=source["headers"])
    unchecked = post(api, target, exported.content)
    assert unchecked.status_code == 409, unchecked.text
    assert "beeldfrequentie" in unchecked.json()["detail"]
    assert annotations(api, target) == []


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<ANNOTATION_DOCUMENT><TIME_ORDER><TIME_SLOT TIME_SLOT_ID="ts1" TIME_VALUE="0"/>
<TIME_SLOT TIME_SLOT_ID="ts2" TIME_VALUE="40"/></TIME_ORDER><TIER TIER_ID="kind"><ANNOTATION>
<ALIGNABLE_ANNOTATION ANNOTATION_ID="a1" TIME_SLOT_REF1="ts1" TIME_SLOT_REF2="ts2">
<ANNOTATION_VALUE>&lol9;</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION></TIER>
</ANNOTATION_DOCUMENT>"""


def external_entity(path: str) -> bytes:
    return (
        b'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file://'
        + path.encode()
        + b'">]>\n'
        b'<ANNOTATION_DOCUMENT><TIME_ORDER><TIME_SLOT TIME_SLOT_ID="ts1" TIME_VALUE="0"/>'
        b'<TIME_SLOT TIME_SLOT_ID="ts2" TIME_VALUE="40"/></TIME_ORDER><TIER TIER_ID="kind">'
        b'<ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="a1" TIME_SLOT_REF1="ts1" '
        b'TIME_SLOT_REF2="ts2"><ANNOTATION_VALUE>initiatief</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION>'
        b'</ANNOTATION></TIER><TIER TIER_ID="notities"><ANNOTATION><ALIGNABLE_ANNOTATION '
        b'ANNOTATION_ID="a1n" TIME_SLOT_REF1="ts1" TIME_SLOT_REF2="ts2"><ANNOTATION_VALUE>&x;'
        b"</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION></TIER></ANNOTATION_DOCUMENT>"
    )


def test_hostile_files_are_refused_before_they_cost_anything(api: Api, tmp_path: Any) -> None:
    w = world(api)
    secret = tmp_path / "geheim.txt"
    secret.write_text("root:x:0:0:GEHEIM")

    started = time.monotonic()
    laughs = post(api, w, BILLION_LAUGHS)
    assert laughs.status_code == 422, laughs.text
    assert "DOCTYPE" in laughs.json()["detail_en"]
    assert time.monotonic() - started < 5

    xxe = post(api, w, external_entity(str(secret)))
    assert xxe.status_code == 422, xxe.text
    assert "GEHEIM" not in xxe.text
    # Without a DOCTYPE an undeclared entity is malformed XML, not a lookup.
    undeclared = post(
        api,
        w,
        external_entity(str(secret))
        .replace(b"<!DOCTYPE", b"<!-- ", 1)
        .replace(b'">]>', b'" -->', 1),
    )
    assert undeclared.status_code == 422, undeclared.text
    assert "not valid XML" in undeclared.json()["detail_en"]
    assert "GEHEIM" not in undeclared.text

    # 50 MB: refused on the declared length, and (sent in chunks, no length) at the cap.
    big = b"WEBVTT\n\n" + b"x" * (50 * 1024 * 1024)
    declared = post(api, w, big)
    assert declared.status_code == 413, declared.text[:300]
    assert declared.json()["max_bytes"] == MAX_IMPORT_BYTES

    def chunks() -> Iterator[bytes]:
        yield b"WEBVTT\n\n"
        for _ in range(50):
            yield b"x" * (1024 * 1024)

    streamed = post(api, w, chunks())
    assert streamed.status_code == 413, streamed.text[:300]

    # A JSON-LD with 100k items: refused on the bytes, before it is parsed; one item over the count
    # is refused by the count, before any item is read.
    item = {"type": "Annotation"}
    for count, words in (
        (100_000, "too many objects or values (100003 and"),
        (MAX_IMPORT_ENTRIES + 1, f"{MAX_IMPORT_ENTRIES + 1} annotations are too many"),
    ):
        many = {"type": "AnnotationCollection", "first": {"items": [item] * count}}
        data = json.dumps(many, separators=(",", ":")).encode()
        assert len(data) < MAX_IMPORT_BYTES
        counted = post(api, w, data)
        assert counted.status_code == 422, counted.text[:300]
        assert words in counted.json()["detail_en"], counted.json()
    # ... as is 9 MB of empty objects (3 million: some 250 MB once parsed), before it is parsed.
    started = time.monotonic()
    empty = post(api, w, b"[" + b"{}," * 3_000_000 + b"{}]")
    assert empty.status_code == 422, empty.text[:300]
    assert "too many objects or values" in empty.json()["detail_en"]
    assert time.monotonic() - started < 5
    # ... and a JSON nested a million deep.
    deep = post(api, w, b"[" * 1_000_000 + b"]" * 1_000_000)
    assert deep.status_code == 422, deep.text[:300]
    assert annotations(api, w) == []


def test_only_the_own_trainer_imports_and_every_decision_is_logged(api: Api) -> None:
    w = world(api)
    h = w["headers"]
    made = api.client.post(w["url"], headers=h, json=SOURCE[0])
    assert made.status_code == 201
    data = api.client.get(f"{w['url']}/export?format=eaf", headers=h).content
    url = f"{w['url']}/import"

    # A WOK participant who may watch the shared clip, while the session is on.
    peer = wok_peer(api, w)

    other = api.account("trainer")  # same organisation, not this family's trainer
    admin = api.account("administrator")
    for who in (peer, other, admin):
        answer = api.client.post(url, headers=api.as_(who), content=data)
        assert answer.status_code == 403, (who.role, answer.text)
        # The same answer as creating one annotation by hand.
        by_hand = api.client.post(w["url"], headers=api.as_(who), json=SOURCE[1])
        assert (by_hand.status_code, by_hand.json()["reason"]) == (403, answer.json()["reason"])
        logged = denials(who.id)
        assert len(logged) == 2, who.role
        assert {r.object_type for r in logged} == {"annotation"}
    missing = api.client.post(
        f"/api/v1/recordings/{uuid.uuid4()}/annotations/import", headers=h, content=data
    )
    assert missing.status_code == 404
    assert len(annotations(api, w)) == 1

    # The own trainer: allowed, and the decision is logged as a create's is.
    with unit_of_work() as db:
        before = len(
            db.exec(
                select(AuditRecord).where(
                    AuditRecord.user_id == w["trainer"].id, AuditRecord.outcome == "allowed"
                )
            ).all()
        )
    done = api.client.post(url, headers=h, content=data)
    assert (done.status_code, done.json()["created"], done.json()["skipped"]) == (200, 0, 1)
    with unit_of_work() as db:
        allowed = db.exec(
            select(AuditRecord).where(
                AuditRecord.user_id == w["trainer"].id, AuditRecord.outcome == "allowed"
            )
        ).all()
        assert len(allowed) == before + 1
        assert allowed[-1].object_type == "annotation"


def test_a_body_without_a_length_is_read_no_further_than_the_cap(api: Api) -> None:
    """The app pulls a chunked body of 50 MB (no Content-Length) only up to the cap, then refuses it:
    counted at the ASGI seam, where the server hands the body over chunk by chunk."""
    import anyio

    w = world(api)
    pulled = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        pulled += 1
        if pulled > 50:
            return {"type": "http.disconnect"}
        return {"type": "http.request", "body": b"x" * (1024 * 1024), "more_body": pulled < 50}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": f"{w['url']}/import",
        "raw_path": f"{w['url']}/import".encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (k.lower().encode(), v.encode())
            for k, v in {**w["headers"], "Host": "testserver", "Content-Type": "text/vtt"}.items()
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "state": {},
    }
    anyio.run(api.client.app, scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    assert start["status"] == 413, sent
    assert pulled <= MAX_IMPORT_BYTES // (1024 * 1024) + 1, pulled
    assert annotations(api, w) == []


def test_a_file_another_tool_wrote_maps_onto_the_codebook_and_the_frames(
    api: Api, tmp_path: Any
) -> None:
    """An .eaf a researcher made with pympi-ling (not our export): codes and actors by their Dutch or
    English names, a note by its times, on a 25 fps recording (frames from the times)."""
    from pympi.Elan import Eaf

    w = world(api, rate=25.0)
    doc = Eaf(author="onderzoeker")
    for tier in ("ouder", "kind", "notities", "kenmerken"):
        doc.add_tier(tier)
    doc.add_annotation("ouder", 1000, 1400, "Gezamenlijke aandacht")  # frames 25..34
    doc.add_annotation("kind", 2000, 2040, "initiative")  # one frame: a point at 50
    doc.add_annotation("kind", 3000, 3080, "benoemen")
    doc.add_annotation("notities", 3000, 3080, "Benoemt zelf.")
    doc.add_annotation("kenmerken", 3000, 3080, "verbaal")
    path = tmp_path / "onderzoek.eaf"
    doc.to_file(str(path))
    done = post(api, w, path.read_bytes())
    assert done.status_code == 200, done.text
    assert done.json()["format"] == "eaf"
    assert sorted(map(same, annotations(api, w))) == [
        (25, 34, "gezamenlijke_aandacht", "ouder", (), ""),
        (50, None, "initiatief", "kind", (), ""),
        (75, 76, "benoemen", "kind", ("verbaal",), "Benoemt zelf."),
    ]
    assert {a["rate"] for a in annotations(api, w)} == {"25/1"}


def test_the_most_annotations_a_file_may_hold_fit_in_every_format() -> None:
    """The limits agree: the export of MAX_IMPORT_ENTRIES annotations, each with a code, an actor, two
    modifiers and a note, is below the size cap in every format and reads back whole."""
    rows = [
        Annotation(
            id=uuid.uuid4(),
            recording_id=uuid.UUID(int=1),
            codebook_id=uuid.UUID(int=2),
            frame_in=i,
            frame_out=i + 3,
            rate_num=30000,
            rate_den=1001,
            code="gezamenlijke_aandacht",
            actor="ouder",
            modifiers=json.dumps(["verbaal", "non_verbaal"]),
            note="Moeder volgt de blik van het kind, benoemt wat ze ziet, en wacht op een reactie.",
            created_by=uuid.UUID(int=3),
            created_at=datetime.now(UTC),
        )
        for i in range(MAX_IMPORT_ENTRIES)
    ]
    recording = uuid.UUID(int=1)
    files = {
        "jsonld": json.dumps(
            formats.web_annotation(recording, rows, DEFAULT_CODEBOOK), ensure_ascii=False, indent=1
        ).encode(),
        "vtt": formats.webvtt(rows).encode(),
        "eaf": formats.eaf(recording, rows, DEFAULT_CODEBOOK),
    }
    for fmt, data in files.items():
        assert len(data) < MAX_IMPORT_BYTES, (fmt, len(data))
        assert len(formats.READERS[fmt](data)) == MAX_IMPORT_ENTRIES, fmt
