"""The access report a parent can read (NEN 7513 client view, Wabvpz art. 15e): Dutch, Dutch time, one line per
viewing session rather than per 4-second segment, grouped by purpose; who, what, when, why and the outcome.
No IP addresses, session ids or internal codes."""

from __future__ import annotations

import html
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from vault.audit._log import AuditRecord
from vault.consents.models import ConsentRecordRow
from vault.domain.models import Organisation
from vault.i18n import LOCAL
from vault.recordings.models import Clip, Recording

GAP = timedelta(minutes=10)  # segments closer than this belong to one viewing session
MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)
ROLES = {
    "trainer": "trainer",
    "opleider": "opleider",
    "gecommitteerde": "gecommitteerde",
    "privacy_officer": "privacyfunctionaris",
    "administrator": "beheerder",
    "system": "automatisch",
}
VERBS = {
    "view": "bekeek",
    "stream_segment": "bekeek",
    "download": "downloadde",
    "export": "maakte een pakket van",
    "upload": "zette online",
    "clip": "maakte een fragment uit",
    "consent_event": "legde een toestemming vast voor",
    "grant": "gaf toegang tot",
    "purge": "verwijderde (bewaartermijn verstreken)",
    "delete": "verwijderde",
    "create": "legde vast",
    "update": "wijzigde",
    "key_rotation": "verving de sleutel van",
    "audit_read": "las het toegangsoverzicht van",
}
PURPOSES = {
    "review": "terugkijken met u",
    "supervision": "supervisie",
    "wok": "intervisie (WOK)",
    "teaching": "onderwijs",
    "grant": "toetsing door een gecommitteerde",
    "administration": "vastleggen en beheren",
    "care": "de begeleiding",
}
WATCHING = {"view", "stream_segment"}


def dutch_day(moment: datetime) -> str:
    local = moment.astimezone(LOCAL)
    return f"{local.day} {MONTHS[local.month - 1]} {local.year}"


def _clock(moment: datetime) -> str:
    return moment.astimezone(LOCAL).strftime("%H:%M")


@dataclass
class Line:
    purpose: str
    start: datetime
    end: datetime
    who: str
    did: str
    what: str
    why: str
    denied: bool

    def sentence(self) -> str:
        when = f"{dutch_day(self.start)}, {_clock(self.start)}"
        if _clock(self.end) != _clock(self.start) or dutch_day(self.end) != dutch_day(self.start):
            when += f"–{_clock(self.end)}"
        if self.denied:
            verb = _INFINITIVE.get(self.did)
            done = (
                f"probeerde {self.what} te {verb}"
                if verb
                else f"probeerde toegang te krijgen tot {self.what}"
            )
        else:
            done = f"{self.did} {self.what}"
        text = f"{when}: {self.who} {done}"
        if self.why:
            text += f", {self.why}"
        return text + (" — geweigerd" if self.denied else "")


_INFINITIVE = {
    "bekeek": "bekijken",
    "downloadde": "downloaden",
    "maakte een pakket van": "exporteren",
}


class _Names:
    """Looks up what a line names, once per id."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._cache: dict[tuple[str, str], Any] = {}

    def get(self, model: Any, key: str | None) -> Any:
        if not key:
            return None
        try:
            ident = uuid.UUID(key)
        except ValueError:
            return None
        if (model.__name__, key) not in self._cache:
            self._cache[(model.__name__, key)] = self.session.get(model, ident)
        return self._cache[(model.__name__, key)]


def _who(row: AuditRecord, names: _Names) -> str:
    if row.role == "system" or row.user_id is None:
        return "Beeldkluis (automatisch)"
    org = names.get(Organisation, str(row.organisation_id) if row.organisation_id else None)
    return f"{row.user_name} ({ROLES.get(row.role, row.role)}{', ' + org.name if org else ''})"


def _what(row: AuditRecord, names: _Names) -> str:
    if row.object_type == "clip":
        clip = names.get(Clip, row.object_id)
        return f"fragment '{clip.title}'" if clip is not None and clip.title else "een fragment"
    if row.object_type == "recording":
        rec = names.get(Recording, row.object_id)
        return f"de opname van {dutch_day(rec.recorded_at)}" if rec is not None else "een opname"
    return {"export": "de beelden", "consent": "uw gezin"}.get(
        row.object_type or "", "de gegevens van uw gezin"
    )


def _purpose_and_why(row: AuditRecord, names: _Names) -> tuple[str, str]:
    for basis in json.loads(row.basis or "[]"):
        kind, _, ident = str(basis).partition(":")
        if kind == "consent":
            consent = names.get(ConsentRecordRow, ident)
            if consent is not None:
                return (
                    consent.purpose,
                    f"op grond van uw toestemming van {dutch_day(consent.valid_from)}",
                )
            return "care", "op grond van uw toestemming"
        if kind == "supervision":
            return "supervision", "als opleider van uw begeleider"
        if kind == "grant":
            return "grant", "met een tijdelijke toegang voor toetsing"
    if row.action in WATCHING or row.action == "download":
        return "care", ""
    return "administration", ""


def access_report(
    session: Session,
    family_id: uuid.UUID,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
) -> dict[str, list[str]]:
    """The family's access log as readable lines, grouped by purpose (a Dutch heading each)."""
    query = (
        select(AuditRecord).where(AuditRecord.family_id == family_id).order_by(col(AuditRecord.seq))
    )
    if since is not None:
        query = query.where(AuditRecord.occurred_at >= since)
    if until is not None:
        query = query.where(AuditRecord.occurred_at < until)
    names = _Names(session)
    lines: list[Line] = []
    open_sessions: dict[tuple[Any, ...], Line] = {}
    for row in session.exec(query):
        purpose, why = _purpose_and_why(row, names)
        denied = row.outcome == "denied"
        verb = VERBS.get(row.action, "raadpleegde")
        key = (
            row.user_id,
            row.session_id,
            "watch" if row.action in WATCHING else row.action,
            row.object_id,
            denied,
        )
        current = open_sessions.get(key)
        if current is not None and row.occurred_at - current.end <= GAP:
            current.end = row.occurred_at
            continue
        line = Line(
            purpose,
            row.occurred_at,
            row.occurred_at,
            _who(row, names),
            verb,
            _what(row, names),
            why,
            denied,
        )
        lines.append(line)
        open_sessions[key] = line
    grouped: dict[str, list[str]] = {}
    for line in lines:
        grouped.setdefault(PURPOSES.get(line.purpose, line.purpose), []).append(line.sentence())
    return grouped


def access_report_html(family_label: str, grouped: dict[str, list[str]], made: datetime) -> str:
    """A print-ready page (A4, no scripts, no external resources)."""
    parts = [
        "<!doctype html><html lang=nl><meta charset=utf-8>",
        f"<title>Wie bekeek de beelden van {html.escape(family_label)}</title>",
        "<style>@page{size:A4;margin:2cm}body{font:11pt/1.5 system-ui,sans-serif;max-width:42em;margin:auto}"
        "h1{font-size:16pt}h2{font-size:13pt;margin-top:1.5em}li{margin:.2em 0}</style>",
        f"<h1>Wie bekeek de beelden van {html.escape(family_label)}</h1>",
        f"<p>Overzicht gemaakt op {dutch_day(made)} om {_clock(made)} (Nederlandse tijd). Elke regel is één keer "
        "kijken of één handeling; geweigerde pogingen staan er ook in.</p>",
    ]
    if not grouped:
        parts.append("<p>Niemand heeft de beelden bekeken.</p>")
    for purpose, sentences in grouped.items():
        parts.append(f"<h2>Voor {html.escape(purpose)}</h2><ul>")
        parts += [f"<li>{html.escape(s)}</li>" for s in sentences]
        parts.append("</ul>")
    return "".join(parts) + "</html>"
