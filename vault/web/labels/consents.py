"""The names of consent's values (purposes, statuses, people, signatures, how and what was recorded),
keyed by the consent engine's own enums. Each name is a gettext msgid (ADR 0012)."""

from __future__ import annotations

from consent import Capacity, ConsentStatus, EventKind, Method, PersonKind, Purpose
from vault.i18n import N_

PURPOSES: dict[str, str] = {
    Purpose.review: N_("Terugkijken met het gezin"),
    Purpose.supervision: N_("Supervisie van de trainer"),
    Purpose.wok: N_("WOK (intervisie met andere trainers)"),
    Purpose.teaching: N_("Onderwijs"),
    Purpose.research: N_("Onderzoek"),
}
STATUSES: dict[str, str] = {
    ConsentStatus.given: N_("Gegeven"),
    ConsentStatus.incomplete: N_("Onvolledig"),
    ConsentStatus.not_yet_valid: N_("Nog niet ingegaan"),
    ConsentStatus.withdrawn: N_("Ingetrokken"),
    ConsentStatus.expired: N_("Verlopen"),
    ConsentStatus.invalidated: N_("Ongeldig"),
}
BADGES: dict[str, str] = {  # the colour of a status's badge
    ConsentStatus.given: "ok",
    ConsentStatus.incomplete: "warn",
    ConsentStatus.not_yet_valid: "warn",
    ConsentStatus.withdrawn: "bad",
    ConsentStatus.expired: "bad",
    ConsentStatus.invalidated: "bad",
}
PERSON_KINDS: dict[str, str] = {
    PersonKind.child: N_("Kind"),
    PersonKind.parent: N_("Ouder"),
    PersonKind.carer: N_("Verzorger"),
    PersonKind.other: N_("Ander"),
}
CAPACITIES: dict[str, str] = {
    Capacity.parent_with_authority: N_("ouder met gezag"),
    Capacity.child: N_("kind van 12 tot 16 jaar"),
    Capacity.self: N_("jongere van 16 jaar of ouder"),
}
METHODS: dict[str, str] = {
    Method.paper_form: N_("Papieren formulier"),
    Method.in_person: N_("Mondeling, in persoon"),
    Method.digital: N_("Digitaal"),
}
EVENTS: dict[str, str] = {
    EventKind.withdrawn: N_("Intrekking vastgelegd"),
    EventKind.expired: N_("Verlopen"),
    EventKind.invalidated: N_("Ongeldig verklaard"),
    EventKind.reconfirmed: N_("Opnieuw bevestigd"),
}
# Who stops seeing the footage when consent for a purpose is withdrawn (the confirmation step).
STOPS: dict[str, str] = {
    Purpose.review: N_("u en het gezin, bij het samen terugkijken"),
    Purpose.supervision: N_("de opleider of supervisor van de trainer"),
    Purpose.wok: N_("de andere trainers in een WOK-bijeenkomst"),
    Purpose.teaching: N_("studenten en docenten in het onderwijs"),
    Purpose.research: N_("onderzoekers"),
}
