"""A recording's annotations in open formats, for researchers and other tools: W3C Web Annotation
(JSON-LD, a `FragmentSelector` with a Media Fragments `t=` range), a WebVTT metadata track and an ELAN
`.eaf` file (EAF 3.0). Pure functions of the rows: the service decides, logs and reads them.

Times: a point is the one frame it marks ([start of the frame, start of the next)); a span runs from the
start of its first frame to the end of its last. Seconds come from the exact rational frame rate, so the
frame can be recovered from any of these files (round(start × rate)).
"""

from __future__ import annotations

import json
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any

from vault.annotations.models import Annotation

MEDIA_FRAGMENTS = "http://www.w3.org/TR/media-frags/"
ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"


def _rate(row: Annotation) -> Fraction:
    return Fraction(row.rate_num, row.rate_den)


def times(row: Annotation) -> tuple[Fraction, Fraction]:
    """(start, end) in exact seconds: from the start of the first frame to the end of the last."""
    rate = _rate(row)
    last = row.frame_in if row.frame_out is None else row.frame_out
    return row.frame_in / rate, (last + 1) / rate


def _utc(moment: datetime) -> datetime:
    """A stored time as an aware one (SQLite gives naive times back; they were written in UTC)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _npt(value: Fraction) -> str:
    """Seconds for a media fragment: six decimals at most, no trailing zeros."""
    text = f"{float(value):.6f}".rstrip("0").rstrip(".")
    return text or "0"


def _names(codebook: dict[str, Any]) -> dict[str, dict[str, str]]:
    return {e["key"]: e for group in codebook.values() if isinstance(group, list) for e in group}


def _ordered(rows: Sequence[Annotation]) -> list[Annotation]:
    return sorted(rows, key=lambda r: (times(r)[0], times(r)[1], str(r.id)))


def web_annotation(
    recording_id: uuid.UUID, rows: Sequence[Annotation], codebook: dict[str, Any]
) -> dict[str, Any]:
    """An AnnotationCollection (W3C Web Annotation Data Model) with every annotation in one page."""
    names = _names(codebook)
    source = f"urn:uuid:{recording_id}"
    items = []
    for row in _ordered(rows):
        start, end = times(row)
        body: list[dict[str, Any]] = []
        for key, purpose in (
            (row.code, "classifying"),
            (row.actor, "identifying"),
            *((m, "describing") for m in json.loads(row.modifiers or "[]")),
        ):
            if not key:
                continue
            entry = names.get(key, {"nl": key, "en": key})
            body += [
                {"type": "TextualBody", "purpose": purpose, "value": entry["nl"], "language": "nl"},
                {"type": "TextualBody", "purpose": purpose, "value": entry["en"], "language": "en"},
            ]
        if row.note:
            body.append(
                {
                    "type": "TextualBody",
                    "purpose": "commenting",
                    "value": row.note,
                    "format": "text/plain",
                }
            )
        items.append(
            {
                "id": f"urn:uuid:{row.id}",
                "type": "Annotation",
                "motivation": "commenting" if row.note else "classifying",
                "created": _utc(row.created_at).isoformat(),
                "body": body,
                "target": {
                    "source": source,
                    "type": "Video",
                    "selector": {
                        "type": "FragmentSelector",
                        "conformsTo": MEDIA_FRAGMENTS,
                        "value": f"t={_npt(start)},{_npt(end)}",
                    },
                },
            }
        )
    return {
        "@context": ANNO_CONTEXT,
        "id": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, source)}",
        "type": "AnnotationCollection",
        "label": "Beeldkluis: aantekeningen bij een opname / annotations of a recording",
        "total": len(items),
        "first": {"type": "AnnotationPage", "items": items},
    }


def _vtt_time(value: Fraction) -> str:
    ms = round(value * 1000)
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def _cue_text(payload: dict[str, Any]) -> str:
    """JSON on one line that can never end a cue or open markup: '<', '>' and '&' as JSON escapes."""
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def webvtt(rows: Sequence[Annotation]) -> str:
    """A WebVTT metadata track (for <track kind="metadata">): one cue per annotation, its payload JSON."""
    lines = ["WEBVTT - Beeldkluis aantekeningen / annotations", ""]
    for row in _ordered(rows):
        start, end = times(row)
        rate = _rate(row)
        payload = {
            "id": str(row.id),
            "code": row.code,
            "actor": row.actor,
            "modifiers": json.loads(row.modifiers or "[]"),
            "note": row.note,
            "frame_in": row.frame_in,
            "frame_out": row.frame_out,
            "rate": f"{rate.numerator}/{rate.denominator}",
        }
        lines += [str(row.id), f"{_vtt_time(start)} --> {_vtt_time(end)}", _cue_text(payload), ""]
    return "\n".join(lines)


def eaf(
    recording_id: uuid.UUID,
    rows: Sequence[Annotation],
    codebook: dict[str, Any],
    now: datetime | None = None,
) -> bytes:
    """An ELAN annotation document (EAF 3.0): a tier per actor holding the codes, one for the modifiers
    and one for the notes; times in milliseconds."""
    now = now or datetime.now(UTC)
    ordered = _ordered(rows)
    root = ET.Element(
        "ANNOTATION_DOCUMENT",
        {
            "AUTHOR": "Beeldkluis",
            "DATE": now.isoformat(timespec="seconds"),
            "FORMAT": "3.0",
            "VERSION": "3.0",
            "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
            "xsi:noNamespaceSchemaLocation": "http://www.mpi.nl/tools/elan/EAFv3.0.xsd",
        },
    )
    header = ET.SubElement(root, "HEADER", {"MEDIA_FILE": "", "TIME_UNITS": "milliseconds"})
    ET.SubElement(
        header,
        "MEDIA_DESCRIPTOR",
        {"MEDIA_URL": f"urn:uuid:{recording_id}", "MIME_TYPE": "video/mp4"},
    )
    order = ET.SubElement(root, "TIME_ORDER")
    slots: dict[int, str] = {}

    def slot(value: Fraction) -> str:
        ms = round(value * 1000)
        if ms not in slots:
            slots[ms] = f"ts{len(slots) + 1}"
        return slots[ms]

    tiers: dict[str, list[tuple[str, str, str]]] = {}
    actors = [e["key"] for e in codebook.get("actors", [])]
    for row in ordered:
        start, end = times(row)
        first, last = slot(start), slot(end)
        tiers.setdefault(row.actor or "zonder_actor", []).append((first, last, row.code))
        modifiers = json.loads(row.modifiers or "[]")
        if modifiers:
            tiers.setdefault("modifiers", []).append((first, last, ", ".join(modifiers)))
        if row.note:
            tiers.setdefault("notities", []).append((first, last, row.note))
    for ms, name in sorted(slots.items()):
        ET.SubElement(order, "TIME_SLOT", {"TIME_SLOT_ID": name, "TIME_VALUE": str(ms)})
    names = [*(a for a in actors if a in tiers), *sorted(t for t in tiers if t not in actors)]
    n = 0
    for tier_id in names:
        tier = ET.SubElement(
            root, "TIER", {"LINGUISTIC_TYPE_REF": "beeldkluis", "TIER_ID": tier_id}
        )
        for first, last, value in tiers[tier_id]:
            n += 1
            wrapper = ET.SubElement(tier, "ANNOTATION")
            alignable = ET.SubElement(
                wrapper,
                "ALIGNABLE_ANNOTATION",
                {"ANNOTATION_ID": f"a{n}", "TIME_SLOT_REF1": first, "TIME_SLOT_REF2": last},
            )
            ET.SubElement(alignable, "ANNOTATION_VALUE").text = value
    ET.SubElement(header, "PROPERTY", {"NAME": "lastUsedAnnotationId"}).text = str(n)
    ET.SubElement(
        root,
        "LINGUISTIC_TYPE",
        {
            "GRAPHIC_REFERENCES": "false",
            "LINGUISTIC_TYPE_ID": "beeldkluis",
            "TIME_ALIGNABLE": "true",
        },
    )
    ET.SubElement(root, "LANGUAGE", {"LANG_ID": "nld", "LANG_LABEL": "Dutch (nld)"})
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode").encode()
    )
