"""A recording's annotations leave in open formats that other tools read back, to the frame: W3C Web
Annotation (JSON-LD with a Media Fragments `FragmentSelector`), a WebVTT metadata track (read back
with webvtt-py) and an ELAN `.eaf` (read back with pympi-ling, the library researchers use for ELAN)."""

from __future__ import annotations

import io
import json
import re
import uuid
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

import webvtt
from pympi.Elan import Eaf
from sqlmodel import select

from tests.support.annotations import world
from tests.support.api import Api
from vault.annotations import formats
from vault.annotations.models import DEFAULT_CODEBOOK, Annotation
from vault.audit import AuditRecord
from vault.db import unit_of_work

RECORDING = uuid.UUID(int=7)
NTSC = Fraction(30000, 1001)


def row(
    frame_in: int,
    frame_out: int | None,
    code: str,
    actor: str = "",
    note: str = "",
    modifiers: tuple[str, ...] = (),
    rate: Fraction = NTSC,
) -> Annotation:
    return Annotation(
        id=uuid.uuid4(),
        recording_id=RECORDING,
        codebook_id=uuid.UUID(int=8),
        frame_in=frame_in,
        frame_out=frame_out,
        rate_num=rate.numerator,
        rate_den=rate.denominator,
        code=code,
        actor=actor,
        note=note,
        modifiers=json.dumps(list(modifiers)),
        created_by=uuid.UUID(int=9),
        created_at=datetime(2026, 12, 2, 13, 0, tzinfo=UTC),
    )


ROWS = [
    row(
        7191,
        None,
        "initiatief",
        "kind",
        "Kijkt naar moeder --> en lacht <3 & wacht.",
        ("non_verbaal",),
    ),
    row(300, 1198, "gezamenlijke_aandacht", "ouder"),
    row(299, None, "geslaagd_moment"),
    row(1, 2, "benoemen", "ouder", "", ("verbaal",), Fraction(25)),
]


def frame_of(seconds: float | Fraction, rate: Fraction) -> int:
    return round(Fraction(seconds) * rate)


def test_web_annotation_json_ld() -> None:
    doc = json.loads(json.dumps(formats.web_annotation(RECORDING, ROWS, DEFAULT_CODEBOOK)))
    assert doc["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert doc["type"] == "AnnotationCollection"
    items = doc["first"]["items"]
    assert doc["total"] == len(items) == 4
    assert doc["first"]["type"] == "AnnotationPage"
    by_id = {item["id"]: item for item in items}
    for source in ROWS:
        item = by_id[f"urn:uuid:{source.id}"]
        assert item["type"] == "Annotation"
        target = item["target"]
        assert target["source"] == f"urn:uuid:{RECORDING}"
        selector = target["selector"]
        assert selector["type"] == "FragmentSelector"
        assert selector["conformsTo"] == "http://www.w3.org/TR/media-frags/"
        found = re.fullmatch(r"t=(\d+(?:\.\d+)?),(\d+(?:\.\d+)?)", selector["value"])
        assert found, selector["value"]
        start, end = (Fraction(x) for x in found.groups())
        rate = Fraction(source.rate_num, source.rate_den)
        assert frame_of(start, rate) == source.frame_in
        assert frame_of(end, rate) - 1 == (
            source.frame_out if source.frame_out is not None else source.frame_in
        )
        assert start < end  # a point is the one frame it marks
        for body in item["body"]:
            assert body["type"] == "TextualBody"
            assert body["purpose"] in ("classifying", "identifying", "describing", "commenting")
        assert datetime.fromisoformat(item["created"]).tzinfo is not None
    point = by_id[f"urn:uuid:{ROWS[0].id}"]
    values = {(b["purpose"], b.get("language"), b["value"]) for b in point["body"]}
    assert {
        ("classifying", "nl", "initiatief"),
        ("classifying", "en", "initiative"),
        ("identifying", "nl", "kind"),
        ("describing", "en", "non-verbal"),
    } <= values
    assert ("commenting", None, ROWS[0].note) in values
    assert point["motivation"] == "commenting"
    starts = [Fraction(re.findall(r"[\d.]+", i["target"]["selector"]["value"])[0]) for i in items]
    assert starts == sorted(starts)


def test_webvtt_metadata_track_reads_back() -> None:
    text = formats.webvtt(ROWS)
    assert text.startswith("WEBVTT")
    track = webvtt.from_buffer(io.StringIO(text))
    assert len(track.captions) == 4
    starts = [c.start_in_seconds for c in track.captions]
    assert starts == sorted(starts)
    for cue in track.captions:
        payload = json.loads(cue.text)
        source = next(r for r in ROWS if str(r.id) == payload["id"])
        assert cue.identifier == str(source.id)
        rate = Fraction(payload["rate"])
        assert (payload["frame_in"], payload["frame_out"]) == (source.frame_in, source.frame_out)
        hours, minutes, seconds = cue.start.split(":")
        start = Fraction(seconds) + 60 * int(minutes) + 3600 * int(hours)
        assert frame_of(start, rate) == source.frame_in  # milliseconds are finer than any frame
        assert payload["note"] == source.note
    # The note's "-->", "<" and "&" cannot end a cue or open markup; they come back as written.
    cue_line = next(line for line in text.splitlines() if "Kijkt" in line)
    assert "-->" not in cue_line
    assert "<" not in cue_line


def test_elan_eaf_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "aantekeningen.eaf"
    path.write_bytes(formats.eaf(RECORDING, ROWS, DEFAULT_CODEBOOK))
    eaf = Eaf(str(path))
    assert eaf.adocument["FORMAT"] == "3.0"
    assert set(eaf.get_tier_names()) == {"kind", "ouder", "zonder_actor", "modifiers", "notities"}
    kind = eaf.get_annotation_data_for_tier("kind")
    assert [(a[2]) for a in kind] == ["initiatief"]
    start_ms, end_ms = kind[0][0], kind[0][1]
    assert frame_of(Fraction(start_ms, 1000), NTSC) == 7191
    assert frame_of(Fraction(end_ms, 1000), NTSC) == 7192
    ouder = sorted(eaf.get_annotation_data_for_tier("ouder"))
    assert [a[2] for a in ouder] == ["benoemen", "gezamenlijke_aandacht"]
    assert frame_of(Fraction(ouder[0][0], 1000), Fraction(25)) == 1
    assert (
        frame_of(Fraction(ouder[0][1], 1000), Fraction(25)) == 3
    )  # frames 1 and 2, end of frame 2
    notes = eaf.get_annotation_data_for_tier("notities")
    assert [n[2] for n in notes] == [ROWS[0].note]
    assert eaf.linguistic_types["beeldkluis"]["TIME_ALIGNABLE"] == "true"


def test_export_route_is_decided_and_logged(api: Api) -> None:
    w = world(api)
    h = w["headers"]
    made = api.client.post(
        w["url"],
        headers=h,
        json={
            "frame_in": 42,
            "frame_out": 80,
            "code": "afsluiten",
            "actor": "ouder",
            "note": "Sluit mooi af.",
        },
    )
    assert made.status_code == 201, made.text
    for fmt, media in (
        ("jsonld", "application/ld+json"),
        ("vtt", "text/vtt"),
        ("eaf", "application/xml"),
    ):
        answer = api.client.get(f"{w['url']}/export?format={fmt}", headers=h)
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].startswith(media)
        assert f".{fmt}" in answer.headers["content-disposition"]
        assert answer.headers["cache-control"] == "private, no-store"
    doc = api.client.get(f"{w['url']}/export", headers=h).json()
    assert (
        doc["first"]["items"][0]["target"]["selector"]["value"] == "t=1.4014,2.7027"
    )  # 42 × 1001/30000 s to the end of frame 80
    bad = api.client.get(f"{w['url']}/export?format=docx", headers=h)
    assert bad.status_code == 422
    assert bad.json()["field"] == "format"
    assert "jsonld" in bad.json()["detail"]
    with unit_of_work() as db:
        reads = db.exec(
            select(AuditRecord).where(AuditRecord.object_type == "annotation_export")
        ).all()
        assert len(reads) == 4
        assert {r.outcome for r in reads} == {"allowed"}
