"""The purge plan in words: the engine's facts (rule codes, events, dates) as people read them.

The retention engine is pure and returns facts; this adapter says them in the reader's language
(gettext, ADR 0012: the msgid is the Dutch) with Babel's dates ("2 december 2026"), for the command
line and the API's `text`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from types import MappingProxyType

import retention
from vault.i18n import N_, long_day, translations

# The rule that ends an object, in words (every code in retention.RULE_CODES).
RULE_NAMES: Mapping[str, str] = MappingProxyType(
    {
        retention.WITHDRAWN: N_("Toestemming ingetrokken"),
        "original_after_follow_up": N_("Bewaartermijn na afsluiting en nazorg verstreken"),
        "export_handed_over": N_("Kopie aan de ouders overgedragen"),
        "supervision_done": N_("Supervisie afgerond"),
        "supervision_at_closure": N_("Supervisie voorbij bij afsluiting van het traject"),
        "wok_session_ended": N_("WOK-bijeenkomst voorbij"),
        "consent_expired": N_("Toestemming verlopen"),
        retention.EXPIRES: N_("Pakket voor de ouders verlopen"),
        retention.EVIDENCE: N_("Bewaartermijn toestemmingsbewijs verstreken"),
    }
)

# What happened, in words (every code in retention.EVENTS): %(day)s, %(purpose)s, %(period)s.
EVENT_TEXTS: Mapping[str, str] = MappingProxyType(
    {
        "consent_withdrawn": N_("toestemming voor %(purpose)s ingetrokken op %(day)s"),
        "trajectory_closed": N_("traject afgesloten op %(day)s"),
        "last_follow_up_done": N_("laatste nazorg afgerond op %(day)s"),
        "handed_over": N_("kopie aan de ouders overgedragen op %(day)s, geen nazorg meer"),
        "supervision_done": N_("supervisie afgerond op %(day)s"),
        "closed_supervision_over": N_("traject afgesloten op %(day)s, supervisie is voorbij"),
        "wok_session_ended": N_("WOK-bijeenkomst voorbij op %(day)s"),
        "no_consent": N_("geen toestemming voor %(purpose)s vastgelegd"),
        "consent_ends": N_(
            "toestemming voor %(purpose)s loopt af op %(day)s (hoogstens %(period)s)"
        ),
        "package_expires": N_("het pakket voor de ouders vervalt op %(day)s"),
        "last_footage_gone": N_("laatste beelden die dit formulier dekt verdwijnen op %(day)s"),
    }
)

PURPOSES: Mapping[retention.Purpose, str] = MappingProxyType(
    {
        retention.Purpose.review: N_("terugkijken met het gezin"),
        retention.Purpose.supervision: N_("supervisie"),
        retention.Purpose.wok: N_("WOK"),
        retention.Purpose.teaching: N_("onderwijs"),
        retention.Purpose.research: N_("onderzoek"),
    }
)

KINDS: Mapping[retention.Kind, str] = MappingProxyType(
    {
        retention.Kind.original: N_("Opname"),
        retention.Kind.proxy: N_("Afgeleide kopie"),
        retention.Kind.clip: N_("Fragment"),
        retention.Kind.review_recording: N_("Opname van terugkijkgesprek"),
        retention.Kind.evidence: N_("Toestemmingsformulier"),
        retention.Kind.export: N_("Pakket voor de ouders"),
    }
)


def period(value: retention.Period, lang: str = "nl") -> str:
    """ "6 maanden", "5 jaar", "1 maand en 14 dagen" (English: "6 months", …)."""
    words = translations(lang)
    years, months = divmod(value.months, 12)
    parts = []
    if years and not months:
        parts.append(words.ngettext("%(num)s jaar", "%(num)s jaar", years) % {"num": years})
    elif value.months:
        parts.append(
            words.ngettext("%(num)s maand", "%(num)s maanden", value.months) % {"num": value.months}
        )
    if value.days or not parts:
        parts.append(
            words.ngettext("%(num)s dag", "%(num)s dagen", value.days) % {"num": value.days}
        )
    if len(parts) == 1:
        return parts[0]
    return words.gettext("%(first)s en %(second)s") % {"first": parts[0], "second": parts[1]}


def reason(found: retention.Reason, lang: str = "nl") -> str:
    """Why an object goes, in a sentence: "traject afgesloten op 1 juni 2026 + 6 maanden"."""
    words = translations(lang)
    purpose = words.gettext(PURPOSES[found.purpose]) if found.purpose else ""
    text = words.gettext(EVENT_TEXTS[found.event]) % {
        "day": long_day(found.day, lang),
        "purpose": purpose,
        "period": period(found.period, lang),
    }
    if found.since is not None:
        text += words.gettext(", sinds %(day)s") % {"day": long_day(found.since, lang)}
    if found.period and found.event != "consent_ends":  # that one says its period as a maximum
        text += " + " + period(found.period, lang)
    return text


def rule(code: str, lang: str = "nl") -> str:
    return translations(lang).gettext(RULE_NAMES[code])


def _short(object_id: uuid.UUID) -> str:
    return f"{object_id.hex[:8]}…"


def _hold(hold: retention.LegalHold, lang: str) -> str:
    words = translations(lang)
    text = words.gettext("bewaarplicht %(hold)s (%(reason)s, opgelegd door %(by)s") % {
        "hold": _short(hold.id),
        "reason": hold.reason,
        "by": hold.placed_by,
    }
    if hold.until is not None:
        text += words.gettext(", tot %(day)s") % {"day": long_day(hold.until, lang)}
    if hold.review_on is not None:
        text += words.gettext(", herbeoordeling op %(day)s") % {
            "day": long_day(hold.review_on, lang)
        }
    return text + ")"


def item(found: retention.PlannedPurge, plan: retention.PurgePlan, lang: str = "nl") -> str:
    """One line: what goes on which day, why, by which rule, and which holds stop it."""
    words = translations(lang)
    line = words.gettext(
        "%(kind)s %(object)s wordt verwijderd op %(day)s: %(reason)s (regel: %(rule)s)"
    ) % {
        "kind": words.gettext(KINDS[found.kind]),
        "object": _short(found.object_id),
        "day": long_day(found.due, lang),
        "reason": reason(found.reason, lang),
        "rule": rule(found.rule, lang),
    }
    if found.blocked_by:
        holds = {h.id: h for h in plan.holds}
        line += words.gettext("; tegengehouden door %(holds)s") % {
            "holds": ", ".join(_hold(holds[h], lang) for h in found.blocked_by)
        }
    return line


def describe(plan: retention.PurgePlan, lang: str = "nl") -> list[str]:
    """The plan in the reader's language, one line per object, for a dry run or a privacy officer."""
    words = translations(lang)
    lines = [item(i, plan, lang) for i in plan.items]
    for undated in plan.undated:
        about = {"kind": words.gettext(KINDS[undated.kind]), "object": _short(undated.object_id)}
        if undated.waiting_for:
            running = ", ".join(words.gettext(PURPOSES[p]) for p in undated.waiting_for)
            lines.append(
                words.gettext(
                    "%(kind)s %(object)s: nog geen verwijderdatum, het doel loopt nog (%(purposes)s)"
                )
                % {**about, "purposes": running}
            )
        else:
            lines.append(
                words.gettext(
                    "%(kind)s %(object)s: nog geen verwijderdatum, de beelden die het dekt zijn er nog"
                )
                % about
            )
    lines.extend(
        words.gettext(
            "Bewaarplicht %(hold)s moest op %(day)s herbeoordeeld worden (%(reason)s, opgelegd door %(by)s)."
        )
        % {
            "hold": _short(h.id),
            "day": long_day(h.review_on, lang),
            "reason": h.reason,
            "by": h.placed_by,
        }
        for h in plan.holds_to_review()
        if h.review_on is not None
    )
    if plan.family_complete:
        lines.append(
            words.gettext(
                "Hierna is niets van het gezin meer over: de gezinssleutel wordt ook vernietigd."
            )
        )
    return lines
