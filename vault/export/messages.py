"""What went wrong with an export, for people: a stable code is stored (`Export.error`), with what it
concerns (`Export.error_detail`: the recording's name and the reason); the text is made here, Dutch
first, English beside it, when the page or the API shows it."""

from __future__ import annotations

import json
from typing import Any

from vault.recordings.models import Recording

SITUATIONS = {
    "bath": "in bad",
    "play": "spelen",
    "meal": "eten",
    "review_with_parents": "terugkijkgesprek",
    "other": "opname",
}

MESSAGES: dict[str, tuple[str, str]] = {
    "package_damaged": (
        "Het pakket is beschadigd in de opslag en kan niet worden gedownload. Maak een nieuw pakket.",
        "The stored package is damaged and cannot be downloaded. Build a new package.",
    ),
    "recording_unreadable": (
        "De opname {recording} kan niet worden gelezen: {reason_nl}. Maak het pakket opnieuw zonder "
        "deze opname, of meld het aan de beheerder.",
        "The recording {recording} cannot be read: {reason_en}. Build the package again without it, "
        "or tell the administrator.",
    ),
    "recording_unusable": (
        "De opname {recording} kon niet worden omgezet: {reason_nl}. Maak het pakket opnieuw zonder "
        "deze opname.",
        "The recording {recording} could not be converted: {reason_en}. Build the package again "
        "without it.",
    ),
    "recording_short": (
        "De opname {recording} kon niet volledig worden omgezet: {reason_nl}. Het pakket is niet "
        "gemaakt. Maak het opnieuw zonder deze opname, of meld het aan de beheerder.",
        "The recording {recording} could not be converted completely: {reason_en}. The package was "
        "not built. Build it again without this recording, or tell the administrator.",
    ),
    "store_unavailable": (
        "De opslag was niet bereikbaar. Probeer het later opnieuw.",
        "The storage could not be reached. Try again later.",
    ),
    "build_interrupted": (
        "Het maken van het pakket werd steeds onderbroken. Probeer het opnieuw; lukt het weer niet, "
        "meld het dan aan de beheerder.",
        "Building the package was interrupted again and again. Try again; if it fails again, tell "
        "the administrator.",
    ),
    "trainer_inactive": (
        "Het account van de trainer die het pakket vroeg, is niet meer actief.",
        "The account of the trainer who asked for the package is no longer active.",
    ),
    "internal_error": (
        "Er ging iets mis bij het maken van het pakket. Probeer het opnieuw; lukt het weer niet, meld "
        "het dan aan de beheerder.",
        "Something went wrong while building the package. Try again; if it fails again, tell the "
        "administrator.",
    ),
}
LEFT_OUT: tuple[str, str] = (
    "De opname {recording} is niet meegegeven: {reason_nl}.",
    "The recording {recording} was left out: {reason_en}.",
)


def recording_name(recording: Recording, filename: str | None = None) -> str:
    """How a trainer knows a recording: its file name on the card if known, else date and situation."""
    if filename:
        return filename
    return f"van {recording.recorded_at:%d-%m-%Y %H:%M} ({SITUATIONS.get(recording.situation, 'opname')})"


def detail(
    recording: Recording | None, reason_nl: str = "", reason_en: str = "", *, name: str = ""
) -> dict[str, str]:
    return {
        "recording_id": str(recording.id) if recording else "",
        "recording": name or (recording_name(recording) if recording else ""),
        "reason_nl": reason_nl,
        "reason_en": reason_en or reason_nl,
    }


def _format(template: str, info: dict[str, Any]) -> str:
    return template.format(
        recording=f"“{info.get('recording', '')}”",
        reason_nl=info.get("reason_nl", ""),
        reason_en=info.get("reason_en", ""),
    )


def message(code: str, error_detail: str) -> tuple[str, str] | None:
    """(Dutch, English) for an export's error, or None when there is none."""
    if not code:
        return None
    try:
        info = json.loads(error_detail or "{}")
    except ValueError:
        info = {}
    if code in MESSAGES:
        nl, en = MESSAGES[code]
        return _format(nl, info), _format(en, info)
    if info.get("reason_nl"):  # a refusal with its own words (consent withdrawn, nothing to export)
        return str(info["reason_nl"]), str(info.get("reason_en") or info["reason_nl"])
    return MESSAGES["internal_error"]


def left_out(skipped: str) -> list[tuple[str, str]]:
    """One (Dutch, English) note per recording the trainer chose to leave out when it failed."""
    try:
        items = json.loads(skipped or "[]")
    except ValueError:
        items = []
    return [
        (_format(LEFT_OUT[0], i), _format(LEFT_OUT[1], i)) for i in items if isinstance(i, dict)
    ]
