"""The purge plan in words (vault/purge/words.py): every rule and event has a Dutch text and an English
one, and the Dutch reads as Dutch: dates as "1 december 2026", rules by name, no ISO date, no code."""

from __future__ import annotations

import re
import uuid
from dataclasses import replace
from datetime import date

import pytest

import retention
from retention import (
    DEFAULT_POLICIES,
    ConsentFact,
    FamilyFacts,
    Kind,
    LegalHold,
    Phase,
    Purpose,
    Withdrawal,
    WokShare,
    plan,
)
from tests.retention.build import (
    ACTIVE,
    CLIP1,
    CLOSED,
    EXPORT,
    FOOTAGE,
    REC1,
    RECORDED,
    TRAJ,
    family,
    obj,
    trajectory,
)
from vault.i18n import translations
from vault.purge import words

FORM = uuid.UUID("ef000000-0000-0000-0000-000000000001")
TEACH = obj(CLIP1, Kind.clip, REC1, purposes=frozenset({Purpose.teaching}))
REVIEW = obj(uuid.UUID("4e000000-0000-0000-0000-000000000001"), Kind.review_recording, REC1)
HOLD = LegalHold(
    uuid.UUID("40100000-0000-0000-0000-000000000001"),
    "klacht in behandeling",
    "fg@zorgorg.nl",
    until=date(2027, 3, 1),
    review_on=date(2027, 1, 1),
)

# One family per rule, and the day its plan is made.
CASES: dict[str, tuple[FamilyFacts, date]] = {
    "original_after_follow_up": (family(), date(2026, 12, 1)),
    "export_handed_over": (
        family(trajectory(phase=Phase.closed, export_handed_over_on=date(2026, 6, 10))),
        date(2026, 6, 24),
    ),
    retention.WITHDRAWN: (
        family(
            ACTIVE,
            consents=(
                ConsentFact(
                    uuid.uuid4(), Purpose.review, TRAJ, withdrawals=(Withdrawal(date(2026, 3, 2)),)
                ),
            ),
        ),
        date(2026, 3, 2),
    ),
    "supervision_done": (
        family(replace(ACTIVE, supervision_done_on=date(2026, 3, 3)), (REVIEW,)),
        date(2026, 3, 3),
    ),
    "supervision_at_closure": (
        family(trajectory(phase=Phase.closed, follow_ups_planned=(date(2026, 12, 1),)), (REVIEW,)),
        CLOSED,
    ),
    "wok_session_ended": (
        family(
            ACTIVE,
            (obj(CLIP1, Kind.clip, REC1, clip_id=CLIP1),),
            wok_shares=(WokShare(uuid.uuid4(), frozenset({CLIP1}), date(2026, 4, 4)),),
        ),
        date(2026, 4, 4),
    ),
    "consent_expired": (
        family(
            ACTIVE,
            (TEACH,),
            consents=(
                ConsentFact(uuid.uuid4(), Purpose.teaching, TRAJ, valid_until=date(2029, 3, 1)),
            ),
        ),
        date(2029, 3, 1),
    ),
    retention.EXPIRES: (
        family(
            ACTIVE,
            (obj(EXPORT, Kind.export, created=date(2026, 7, 1), expires_on=date(2026, 7, 15)),),
        ),
        date(2026, 7, 2),
    ),
    retention.EVIDENCE: (
        family(
            objects=(*FOOTAGE, obj(FORM, Kind.evidence, created=RECORDED)),
            consents=(ConsentFact(uuid.uuid4(), Purpose.review, TRAJ, evidence_object_id=FORM),),
        ),
        date(2031, 12, 1),
    ),
}
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
CODES = re.compile("|".join(sorted(retention.RULE_CODES | retention.EVENTS)))


def test_every_rule_event_purpose_and_kind_has_words_in_both_languages() -> None:
    assert set(words.RULE_NAMES) == retention.RULE_CODES == set(CASES)
    assert set(words.EVENT_TEXTS) == retention.EVENTS
    assert set(words.PURPOSES) == set(Purpose)
    assert set(words.KINDS) == set(Kind)
    english = translations("en")
    for text in (
        *words.RULE_NAMES.values(),
        *words.EVENT_TEXTS.values(),
        *words.PURPOSES.values(),
        *words.KINDS.values(),
    ):
        assert english.gettext(text) != text or text == "WOK", text


@pytest.mark.parametrize("rule", sorted(CASES))
def test_each_rule_reads_as_dutch_without_iso_dates_or_codes(rule: str) -> None:
    facts, day = CASES[rule]
    found = plan(replace(facts, holds=(HOLD,)), DEFAULT_POLICIES, day)
    mine = [i for i in found.items if i.rule == rule]
    assert mine, [i.rule for i in found.items]
    for lang in ("nl", "en"):
        text = words.describe(found, lang)
        line = words.item(mine[0], found, lang)
        assert line in text
        for shown in (*text, words.reason(mine[0].reason, lang)):
            assert not ISO_DAY.search(shown), shown
            assert not CODES.search(shown), shown
    dutch = words.item(mine[0], found, "nl")
    assert f"(regel: {words.RULE_NAMES[rule]})" in dutch
    assert re.search(
        r"wordt verwijderd op \d{1,2} (januari|februari|maart|april|mei|juni|juli|augustus|"
        r"september|oktober|november|december) \d{4}: ",
        dutch,
    ), dutch


def test_the_plan_in_dutch_and_english() -> None:
    facts, day = CASES["original_after_follow_up"]
    assert words.describe(plan(facts, DEFAULT_POLICIES, day)) == [
        "Opname 3f2a0000… wordt verwijderd op 1 december 2026: traject afgesloten op 1 juni 2026 "
        "+ 6 maanden (regel: Bewaartermijn na afsluiting en nazorg verstreken)",
        "Opname 3f2a0000… wordt verwijderd op 1 december 2026: traject afgesloten op 1 juni 2026 "
        "+ 6 maanden (regel: Bewaartermijn na afsluiting en nazorg verstreken)",
        "Afgeleide kopie 3f2a0000… wordt verwijderd op 1 december 2026: traject afgesloten op "
        "1 juni 2026 + 6 maanden (regel: Bewaartermijn na afsluiting en nazorg verstreken)",
        "Pakket voor de ouders e0000000… wordt verwijderd op 1 december 2026: traject afgesloten op "
        "1 juni 2026 + 6 maanden (regel: Bewaartermijn na afsluiting en nazorg verstreken)",
        "Hierna is niets van het gezin meer over: de gezinssleutel wordt ook vernietigd.",
    ]
    held = plan(replace(facts, holds=(HOLD,)), DEFAULT_POLICIES, date(2027, 1, 1))
    assert words.describe(held, "en")[0] == (
        "Recording 3f2a0000… is deleted on December 1, 2026: trajectory closed on June 1, 2026 "
        "+ 6 months (rule: Retention period after closure and follow-up ended); stopped by legal hold "
        "40100000… (klacht in behandeling, placed by fg@zorgorg.nl, until March 1, 2027, review on "
        "January 1, 2027)"
    )
    assert words.describe(held)[-1] == (
        "Bewaarplicht 40100000… moest op 1 januari 2027 herbeoordeeld worden (klacht in behandeling, "
        "opgelegd door fg@zorgorg.nl)."
    )
    waiting = words.describe(plan(family(ACTIVE), DEFAULT_POLICIES, day))
    assert waiting[0] == (
        "Opname 3f2a0000…: nog geen verwijderdatum, het doel loopt nog (terugkijken met het gezin)"
    )


@pytest.mark.parametrize(
    ("months", "days", "nl", "en"),
    [
        (6, 0, "6 maanden", "6 months"),
        (60, 0, "5 jaar", "5 years"),
        (12, 0, "1 jaar", "1 year"),
        (1, 14, "1 maand en 14 dagen", "1 month and 14 days"),
        (0, 1, "1 dag", "1 day"),
        (0, 0, "0 dagen", "0 days"),
    ],
)
def test_periods_in_words(months: int, days: int, nl: str, en: str) -> None:
    period = retention.Period(months, days)
    assert (words.period(period), words.period(period, "en")) == (nl, en)
