"""A recording's annotations in open formats, for researchers and other tools: W3C Web Annotation
(JSON-LD, a `FragmentSelector` with a Media Fragments `t=` range), a WebVTT metadata track and an ELAN
`.eaf` file (EAF 3.0). Pure functions of the rows: the service decides, logs and reads them.

Times: a point is the one frame it marks ([start of the frame, start of the next)); a span runs from the
start of its first frame to the end of its last. Seconds come from the exact rational frame rate, so the
frame can be recovered from any of these files (round(start × rate)).
"""

from __future__ import annotations

import json
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any
from xml.parsers import expat

from vault.annotations.models import Annotation
from vault.errors import VaultError

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

    # A modifier or note carries the id of its code annotation with "m" or "n" (a7 → a7m, a7n), so it
    # is read back onto that one even where two annotations share their times.
    tiers: dict[str, list[tuple[str, str, str, str]]] = {}
    actors = [e["key"] for e in codebook.get("actors", [])]
    for n, row in enumerate(ordered, start=1):
        start, end = times(row)
        first, last = slot(start), slot(end)
        tiers.setdefault(row.actor or "zonder_actor", []).append((f"a{n}", first, last, row.code))
        modifiers = json.loads(row.modifiers or "[]")
        if modifiers:
            tiers.setdefault("modifiers", []).append((f"a{n}m", first, last, ", ".join(modifiers)))
        if row.note:
            tiers.setdefault("notities", []).append((f"a{n}n", first, last, row.note))
    for ms, name in sorted(slots.items()):
        ET.SubElement(order, "TIME_SLOT", {"TIME_SLOT_ID": name, "TIME_VALUE": str(ms)})
    names = [*(a for a in actors if a in tiers), *sorted(t for t in tiers if t not in actors)]
    for tier_id in names:
        tier = ET.SubElement(
            root, "TIER", {"LINGUISTIC_TYPE_REF": "beeldkluis", "TIER_ID": tier_id}
        )
        for ident, first, last, value in tiers[tier_id]:
            wrapper = ET.SubElement(tier, "ANNOTATION")
            alignable = ET.SubElement(
                wrapper,
                "ALIGNABLE_ANNOTATION",
                {"ANNOTATION_ID": ident, "TIME_SLOT_REF1": first, "TIME_SLOT_REF2": last},
            )
            ET.SubElement(alignable, "ANNOTATION_VALUE").text = value
    n = len(ordered)
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


# Reading the same formats back (an import) --------------------------------------------------------
#
# The parsers only read: they turn a file into entries with times in exact seconds and the codes as
# written (a key, or its Dutch or English name). The service maps them onto the recording's frames and
# its organisation's current codebook and refuses the whole file at the first bad entry.

MAX_IMPORT_BYTES = 10 * 1024 * 1024
MAX_IMPORT_ENTRIES = 5_000  # their JSON-LD export, each with two modifiers and a note: 8 MB


class ImportRefused(VaultError):
    """422: the file, or one entry in it (named: its line, index or id), cannot be imported; nothing was."""

    status = 422
    code = "invalid_import"

    def __init__(self, entry: tuple[str, str], reason_nl: str, reason_en: str) -> None:
        super().__init__(
            f"{entry[0]}: {reason_nl} Er is niets ingelezen.",
            f"{entry[1]}: {reason_en} Nothing was imported.",
            field="file",
            entry=entry[1],
        )


class ImportTooLarge(VaultError):
    status = 413
    code = "payload_too_large"

    def __init__(self) -> None:
        mb = MAX_IMPORT_BYTES // (1024 * 1024)
        super().__init__(
            f"Het bestand is te groot (hoogstens {mb} MB). Er is niets ingelezen.",
            f"The file is too large (at most {mb} MB). Nothing was imported.",
            field="file",
            max_bytes=MAX_IMPORT_BYTES,
        )


FILE = ("het bestand", "the file")
MAX_XML_ELEMENTS = 20 * MAX_IMPORT_ENTRIES  # an annotation with a modifier and a note takes 11


def shown(value: str) -> str:
    """What a file wrote, as a refusal quotes it: one line, at most 60 characters."""
    value = " ".join(value.split())
    return value if len(value) <= 60 else value[:59] + "…"


@dataclass(frozen=True)
class Imported:
    """One annotation as a file has it: where it is (to name it), its times in seconds, its codes as
    written. `span` is True where the file says it is a span even when it covers one frame (the WebVTT
    payload's frame_out); elsewhere a single frame is a point."""

    where: tuple[str, str]
    start: Fraction
    end: Fraction
    code: str
    actor: str = ""
    modifiers: tuple[str, ...] = ()
    note: str = ""
    span: bool = False


def detect(data: bytes) -> str:
    """The format from the first characters: WEBVTT, '<' (XML: ELAN) or '{'/'[' (JSON-LD)."""
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"WEBVTT"):
        return "vtt"
    if head.startswith(b"<"):
        return "eaf"
    if head[:1] in (b"{", b"["):
        return "jsonld"
    raise ImportRefused(
        FILE,
        "dit is geen WebVTT, ELAN (.eaf) of W3C Web Annotation (JSON-LD).",
        "this is not WebVTT, ELAN (.eaf) or W3C Web Annotation (JSON-LD).",
    )


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRefused(
            FILE,
            f"geen geldige UTF-8 (byte {error.start}).",
            f"not valid UTF-8 (byte {error.start}).",
        ) from None


def _counted(entries: list[Imported]) -> list[Imported]:
    if not entries:
        raise ImportRefused(FILE, "er staan geen aantekeningen in.", "it holds no annotations.")
    return entries


def _too_many(count: int) -> ImportRefused:
    return ImportRefused(
        FILE,
        f"{count} aantekeningen is te veel (hoogstens {MAX_IMPORT_ENTRIES} per bestand).",
        f"{count} annotations are too many (at most {MAX_IMPORT_ENTRIES} per file).",
    )


def _string(value: Any, where: tuple[str, str], name: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ImportRefused(where, f"'{name}' moet tekst zijn.", f"'{name}' must be text.")
    return value


# W3C Web Annotation (JSON-LD) ---------------------------------------------------------------------

_NPT = re.compile(r"^t=(?:npt:)?(\d{1,7}(?:\.\d{1,9})?)?,(\d{1,7}(?:\.\d{1,9})?)$")


def _items(doc: Any) -> list[Any]:
    if isinstance(doc, list):
        return doc
    if isinstance(doc, dict):
        page = doc.get("first") if doc.get("type") == "AnnotationCollection" else doc
        if isinstance(page, dict) and isinstance(page.get("items"), list):
            return list(page["items"])
        if doc.get("type") == "Annotation":
            return [doc]
    raise ImportRefused(
        FILE,
        "verwacht een AnnotationCollection met 'first.items', een AnnotationPage of een lijst "
        "aantekeningen.",
        "expected an AnnotationCollection with 'first.items', an AnnotationPage or a list of "
        "annotations.",
    )


def _selector(item: dict[str, Any], where: tuple[str, str]) -> tuple[Fraction, Fraction]:
    target = item.get("target")
    value = None
    if isinstance(target, str) and "#" in target:
        value = target.rsplit("#", 1)[1]
    elif isinstance(target, dict):
        selector = target.get("selector")
        if isinstance(selector, list) and len(selector) == 1:
            selector = selector[0]
        if isinstance(selector, dict) and selector.get("type") == "FragmentSelector":
            value = selector.get("value")
    found = _NPT.match(value) if isinstance(value, str) else None
    if found is None:
        raise ImportRefused(
            where,
            "geen FragmentSelector met een tijd 't=begin,eind' in seconden.",
            "no FragmentSelector with a time 't=start,end' in seconds.",
        )
    return Fraction(found.group(1) or "0"), Fraction(found.group(2))


def _bodies(item: dict[str, Any], where: tuple[str, str]) -> dict[str, list[str]]:
    bodies = item.get("body", [])
    bodies = bodies if isinstance(bodies, list) else [bodies]
    found: dict[str, list[str]] = {}
    for body in bodies:
        if not isinstance(body, dict) or body.get("type") != "TextualBody":
            raise ImportRefused(
                where,
                "elke body moet een TextualBody zijn.",
                "every body must be a TextualBody.",
            )
        purpose = body.get("purpose")
        purpose = "classifying" if purpose == "tagging" else purpose
        if purpose not in ("classifying", "identifying", "describing", "commenting"):
            raise ImportRefused(
                where,
                f"onbekend doel '{shown(str(purpose))}' (classifying, identifying, describing of "
                "commenting).",
                f"unknown purpose '{shown(str(purpose))}' (classifying, identifying, describing or "
                "commenting).",
            )
        found.setdefault(purpose, []).append(_string(body.get("value"), where, "value"))
    return found


_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
MAX_JSON_CONTAINERS = (
    20 * MAX_IMPORT_ENTRIES
)  # an exported annotation has about 13 objects and lists
MAX_JSON_VALUES = 100 * MAX_IMPORT_ENTRIES  # ... and about 50 values


def _json_shape(data: bytes) -> None:
    """Counted before parsing: 10 MB of '{},' would be 3 million objects (about 250 MB in Python).
    Objects, lists and values outside strings are bounded by what the most annotations need."""
    bare = _JSON_STRING.sub(b'""', data)
    containers, values = bare.count(b"{") + bare.count(b"["), bare.count(b",")
    if containers > MAX_JSON_CONTAINERS or values > MAX_JSON_VALUES:
        raise ImportRefused(
            FILE,
            f"te veel objecten of waarden ({containers} en {values}; hoogstens "
            f"{MAX_JSON_CONTAINERS} en {MAX_JSON_VALUES}).",
            f"too many objects or values ({containers} and {values}; at most "
            f"{MAX_JSON_CONTAINERS} and {MAX_JSON_VALUES}).",
        )


def read_web_annotation(data: bytes) -> list[Imported]:
    """An AnnotationCollection as `web_annotation` writes it. A body's Dutch and English value name one
    codebook entry; the service checks that both name the same one."""
    _json_shape(data)
    try:
        doc = json.loads(_text(data))
    except json.JSONDecodeError as error:
        raise ImportRefused(
            (f"regel {error.lineno}", f"line {error.lineno}"),
            f"geen geldige JSON ({error.msg}).",
            f"not valid JSON ({error.msg}).",
        ) from None
    except RecursionError:
        raise ImportRefused(FILE, "te diep genest.", "nested too deeply.") from None
    items = _items(doc)
    if len(items) > MAX_IMPORT_ENTRIES:
        raise _too_many(len(items))
    entries = []
    for index, item in enumerate(items):
        ident = item.get("id") if isinstance(item, dict) else None
        label = f"item {index}" + (f" ({shown(ident)})" if isinstance(ident, str) else "")
        where = (label, label)
        if not isinstance(item, dict) or item.get("type") != "Annotation":
            raise ImportRefused(where, "geen Annotation (type).", "not an Annotation (type).")
        start, end = _selector(item, where)
        bodies = _bodies(item, where)
        notes = bodies.get("commenting", [])
        if len(notes) > 1:
            raise ImportRefused(
                where, "meer dan één notitie (commenting).", "more than one note (commenting)."
            )
        entries.append(
            Imported(
                where,
                start,
                end,
                code="\n".join(dict.fromkeys(bodies.get("classifying", []))),
                actor="\n".join(dict.fromkeys(bodies.get("identifying", []))),
                modifiers=tuple(bodies.get("describing", [])),
                note=notes[0] if notes else "",
            )
        )
    return _counted(entries)


# WebVTT metadata ----------------------------------------------------------------------------------

_CUE_TIME = re.compile(
    r"^((?:\d{1,4}:)?\d{2}:\d{2}\.\d{3})[ \t]+-->[ \t]+((?:\d{1,4}:)?\d{2}:\d{2}\.\d{3})(?:[ \t].*)?$"
)


def _vtt_seconds(text: str) -> Fraction:
    *hm, secs = text.split(":")
    hours, minutes = (int(hm[0]), int(hm[1])) if len(hm) == 2 else (0, int(hm[0]))
    return Fraction(secs) + 60 * minutes + 3600 * hours


def read_webvtt(data: bytes) -> list[Imported]:
    """A WebVTT metadata track as `webvtt` writes it: each cue's payload the annotation as JSON."""
    lines = re.split(r"\r\n|\r|\n", _text(data))
    if not re.match(r"^WEBVTT(?:[ \t].*)?$", lines[0]):
        raise ImportRefused(
            ("regel 1", "line 1"),
            "een WebVTT-bestand begint met 'WEBVTT'.",
            "a WebVTT file starts with 'WEBVTT'.",
        )
    blocks: list[tuple[int, list[str]]] = []
    previous_blank = False
    for index, line in enumerate(lines, start=1):
        if not line.strip():
            previous_blank = True
            continue
        if blocks and not previous_blank:
            blocks[-1][1].append(line)
        else:
            blocks.append((index, [line]))
        previous_blank = False
    blocks = blocks[1:]  # the header block: WEBVTT and what follows it up to the first blank line
    entries = []
    for first, block in blocks:
        if block[0].startswith(("NOTE", "STYLE", "REGION")):
            continue
        if len(entries) >= MAX_IMPORT_ENTRIES:
            raise _too_many(sum(1 for _, b in blocks if not b[0].startswith("NOTE")))
        timed = 0 if "-->" in block[0] else 1
        name = shown(block[0]) if timed else ""
        label_nl = f"cue {name} (regel {first})" if name else f"cue op regel {first}"
        label_en = f"cue {name} (line {first})" if name else f"cue on line {first}"
        where = (label_nl, label_en)
        times = _CUE_TIME.match(block[timed]) if len(block) > timed else None
        if times is None:
            raise ImportRefused(
                where,
                "geen tijden 'uu:mm:ss.mmm --> uu:mm:ss.mmm'.",
                "no times 'hh:mm:ss.mmm --> hh:mm:ss.mmm'.",
            )
        try:
            payload = json.loads("\n".join(block[timed + 1 :]))
        except (json.JSONDecodeError, RecursionError):
            payload = None
        if not isinstance(payload, dict):
            raise ImportRefused(
                where,
                "de inhoud is geen JSON-object met code, actor, modifiers en note.",
                "the payload is not a JSON object with code, actor, modifiers and note.",
            )
        modifiers = payload.get("modifiers") or []
        if not isinstance(modifiers, list):
            raise ImportRefused(
                where, "'modifiers' moet een lijst zijn.", "'modifiers' must be a list."
            )
        entries.append(
            Imported(
                where,
                _vtt_seconds(times.group(1)),
                _vtt_seconds(times.group(2)),
                code=_string(payload.get("code"), where, "code"),
                actor=_string(payload.get("actor"), where, "actor"),
                modifiers=tuple(_string(m, where, "modifiers") for m in modifiers),
                note=_string(payload.get("note"), where, "note"),
                span=payload.get("frame_out") is not None,
            )
        )
    return _counted(entries)


# ELAN (.eaf) --------------------------------------------------------------------------------------


@dataclass
class _Node:
    tag: str
    attrs: dict[str, str]
    line: int
    children: list[_Node] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    def all(self, tag: str) -> list[_Node]:
        return [c for c in self.children if c.tag == tag]


def _no_dtd(*_args: Any) -> None:
    raise ImportRefused(
        FILE,
        "een DOCTYPE of entiteiten worden niet ingelezen (ELAN schrijft ze niet).",
        "a DOCTYPE or entities are not read (ELAN does not write them).",
    )


def _xml(data: bytes) -> _Node:
    """Untrusted XML through expat with every DTD refused before it is read: no entity is ever
    declared or expanded (billion laughs), none is fetched (external entities)."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _no_dtd
    parser.EntityDeclHandler = _no_dtd
    parser.UnparsedEntityDeclHandler = _no_dtd
    parser.ExternalEntityRefHandler = _no_dtd
    parser.SkippedEntityHandler = _no_dtd
    root = _Node("", {}, 0)
    stack = [root]

    elements = 0

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal elements
        elements += 1
        if elements > MAX_XML_ELEMENTS:
            raise ImportRefused(
                (f"regel {parser.CurrentLineNumber}", f"line {parser.CurrentLineNumber}"),
                f"meer dan {MAX_XML_ELEMENTS} XML-elementen.",
                f"more than {MAX_XML_ELEMENTS} XML elements.",
            )
        node = _Node(tag, attrs, parser.CurrentLineNumber)
        stack[-1].children.append(node)
        stack.append(node)

    def end(_tag: str) -> None:
        stack.pop()

    def text(value: str) -> None:
        stack[-1].text.append(value)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        raise ImportRefused(
            (f"regel {error.lineno}", f"line {error.lineno}"),
            f"geen geldige XML ({expat.ErrorString(error.code)}).",
            f"not valid XML ({expat.ErrorString(error.code)}).",
        ) from None
    if len(root.children) != 1 or root.children[0].tag != "ANNOTATION_DOCUMENT":
        raise ImportRefused(
            FILE,
            "geen ELAN-document (ANNOTATION_DOCUMENT).",
            "not an ELAN document (ANNOTATION_DOCUMENT).",
        )
    return root.children[0]


MODIFIER_TIERS = {"modifiers", "kenmerken"}
NOTE_TIERS = {"notities", "notes"}
NO_ACTOR = "zonder_actor"


def read_eaf(data: bytes) -> list[Imported]:
    """An ELAN document as `eaf` writes it: a tier per actor holding the codes (`zonder_actor` for none),
    a `modifiers` and a `notities` tier. A modifier or note belongs to the code annotation whose id it
    carries (`a7m`, `a7n`: how `eaf` links them), that it refers to (a symbolic association), or else the
    one code annotation with the same times; where several share those times it is refused as unclear."""
    doc = _xml(data)
    for header in doc.all("HEADER"):
        if header.attrs.get("TIME_UNITS", "milliseconds") != "milliseconds":
            raise ImportRefused(
                FILE, "tijden moeten in milliseconden zijn.", "times must be in milliseconds."
            )
    slots: dict[str, int | None] = {}
    for order in doc.all("TIME_ORDER"):
        for slot in order.all("TIME_SLOT"):
            value = slot.attrs.get("TIME_VALUE")
            slots[slot.attrs.get("TIME_SLOT_ID", "")] = (
                int(value) if value is not None and value.isdigit() and len(value) < 12 else None
            )
    coded: dict[str, tuple[int, int, str, str, int]] = {}  # id: start, end, code, actor, line
    extras: list[tuple[str, str, str, str | None, tuple[int, int] | None, int]] = []
    count = 0
    for tier in doc.all("TIER"):
        name = tier.attrs.get("TIER_ID", "")
        for wrapper in tier.all("ANNOTATION"):
            for node in wrapper.children:
                ident = node.attrs.get("ANNOTATION_ID", "")
                where = (
                    f"annotatie {shown(ident)} op tier {shown(name)} (regel {node.line})",
                    f"annotation {shown(ident)} on tier {shown(name)} (line {node.line})",
                )
                value = "".join("".join(v.text) for v in node.all("ANNOTATION_VALUE")).strip()
                times = None
                if node.tag == "ALIGNABLE_ANNOTATION":
                    first = slots.get(node.attrs.get("TIME_SLOT_REF1", ""))
                    last = slots.get(node.attrs.get("TIME_SLOT_REF2", ""))
                    if first is None or last is None:
                        raise ImportRefused(
                            where,
                            "een tijdstip zonder tijd of een onbekend tijdstip.",
                            "a time slot without a time, or an unknown time slot.",
                        )
                    if last < first:
                        raise ImportRefused(
                            where, "eindigt voor het begint.", "ends before it starts."
                        )
                    times = (first, last)
                elif node.tag != "REF_ANNOTATION" or name not in MODIFIER_TIERS | NOTE_TIERS:
                    raise ImportRefused(
                        where,
                        "alleen aantekeningen met tijden (ALIGNABLE_ANNOTATION).",
                        "only annotations with times (ALIGNABLE_ANNOTATION).",
                    )
                if name in MODIFIER_TIERS | NOTE_TIERS:
                    extras.append(
                        (name, ident, value, node.attrs.get("ANNOTATION_REF"), times, node.line)
                    )
                    continue
                assert times is not None  # noqa: S101 - refused above when it is not alignable
                count += 1
                if count > MAX_IMPORT_ENTRIES:
                    raise _too_many(
                        sum(
                            len(t.all("ANNOTATION"))
                            for t in doc.all("TIER")
                            if t.attrs.get("TIER_ID") not in MODIFIER_TIERS | NOTE_TIERS
                        )
                    )
                if ident in coded or not ident:
                    raise ImportRefused(
                        where,
                        "een annotatie-id ontbreekt of komt twee keer voor.",
                        "an annotation id is missing or used twice.",
                    )
                coded[ident] = (*times, value, "" if name == NO_ACTOR else name, node.line)
    linked: dict[str, dict[str, str]] = {}
    for tier, ident, value, ref, times, line in extras:
        where = (
            f"annotatie {shown(ident)} op tier {tier} (regel {line})",
            f"annotation {shown(ident)} on tier {tier} (line {line})",
        )
        owner = ref
        code = coded.get(ident[:-1]) if ident[-1:] in ("m", "n") else None
        if owner is None and code is not None and (code[0], code[1]) == times:
            owner = ident[:-1]
        if owner is None and times is not None:
            same = [k for k, c in coded.items() if (c[0], c[1]) == times]
            if len(same) > 1:
                raise ImportRefused(
                    where,
                    f"onduidelijk bij welke code dit hoort: {shown(', '.join(same))} hebben dezelfde "
                    "tijden.",
                    f"unclear which code this belongs to: {shown(', '.join(same))} have the same "
                    "times.",
                )
            owner = same[0] if same else None
        if owner not in coded:
            raise ImportRefused(
                where,
                "hoort bij geen code-annotatie (zelfde tijden of verwijzing).",
                "belongs to no code annotation (same times or a reference).",
            )
        kind = "modifiers" if tier in MODIFIER_TIERS else "note"
        if kind in linked.setdefault(owner, {}):
            raise ImportRefused(
                where,
                f"annotatie {shown(owner)} heeft al {('kenmerken' if kind == 'modifiers' else 'een notitie')}.",
                f"annotation {shown(owner)} already has {kind}.",
            )
        linked[owner][kind] = value
    entries = []
    for ident, (first, last, code, actor, line) in coded.items():
        extra = linked.get(ident, {})
        modifiers = tuple(m.strip() for m in extra.get("modifiers", "").split(",") if m.strip())
        entries.append(
            Imported(
                (
                    f"annotatie {shown(ident)} (regel {line})",
                    f"annotation {shown(ident)} (line {line})",
                ),
                Fraction(first, 1000),
                Fraction(last, 1000),
                code=code,
                actor=actor,
                modifiers=modifiers,
                note=extra.get("note", ""),
            )
        )
    return _counted(entries)


READERS = {"jsonld": read_web_annotation, "vtt": read_webvtt, "eaf": read_eaf}
