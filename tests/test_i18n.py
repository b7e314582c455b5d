"""Numbers, durations, plurals, frame rates and times as a Dutch (or English) reader writes them."""

from __future__ import annotations

from datetime import UTC, datetime

from vault import i18n


def test_decimals_have_a_comma_in_dutch_and_a_point_in_english() -> None:
    assert i18n.number(4.49, "nl") == "4,49"
    assert i18n.number(4.49, "en") == "4.49"
    assert i18n.number(12.5, "nl") == "12,5"  # no trailing zeros
    assert i18n.number(1234.5, "nl") == "1.234,5"
    assert i18n.number(25.0, "nl") == "25"
    assert i18n.number(1.5, "nl", fixed=True) == "1,50"  # a column of clip times lines up
    assert i18n.number(None, "nl") == "–"


def test_durations_in_words() -> None:
    assert i18n.duration(4.5, "nl") == "4,5 s"
    assert i18n.duration(4.5, "en") == "4.5 s"
    assert i18n.duration(72, "nl") == "1 min 12 s"
    assert i18n.duration(240, "nl") == "4 min 0 s"
    assert i18n.duration(3720, "nl") == "1 u 2 min 0 s"
    assert i18n.duration(3720, "en") == "1 h 2 min 0 s"
    assert i18n.duration(None, "nl") == "–"


def test_counts_take_the_plural_the_language_asks_for() -> None:
    channels = ("kanaal", "kanalen", "channel", "channels")
    assert i18n.count(1, *channels, lang="nl") == "1 kanaal"
    assert i18n.count(2, *channels, lang="nl") == "2 kanalen"
    assert i18n.count(0, *channels, lang="nl") == "0 kanalen"
    assert i18n.count(1, *channels, lang="en") == "1 channel"
    assert i18n.count(6, *channels, lang="en") == "6 channels"


def test_frame_rates_in_words() -> None:
    assert i18n.frame_rate(25.0, "nl") == "25 beelden per seconde"
    assert i18n.frame_rate(29.97002997, "nl") == "29,97 beelden per seconde"
    assert i18n.frame_rate(29.97002997, "en") == "29.97 frames per second"
    assert i18n.frame_rate(30.0, "nl", variable=True) == "30 beelden per seconde (wisselend)"


def test_times_are_dutch_time_with_the_zone_named_where_asked() -> None:
    winter = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    summer = datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
    assert i18n.when(winter, "nl") == "20-11-2026 11:00"
    assert i18n.when(winter, "nl", zone=True) == "20-11-2026 11:00 CET"
    assert i18n.when(summer, "nl", zone=True) == "01-07-2026 12:00 CEST"
    assert i18n.when(winter.replace(tzinfo=None), "nl") == "20-11-2026 11:00"  # stored naive in UTC
    assert i18n.when("2026-11-20T10:00:00+00:00", "nl") == "20-11-2026 11:00"
    assert i18n.day(winter, "nl") == "20-11-2026"
    assert i18n.when(None, "nl") == "–"


def test_containers_in_words_not_ffprobe_names() -> None:
    assert i18n.container("mov,mp4,m4a,3gp,3g2,mj2") == "MP4/QuickTime"
    assert i18n.container("mpegts") == "MPEG-TS (AVCHD)"
    assert i18n.container("avi") == "AVI"


# --- the Dutch people read: youth-care words, no English leftovers (issue #22) -------------------------

# A word a Dutch youth-care professional would not write, and what they write instead. Code names
# (`clip_id`, `families`) are not text; only the Dutch half of a (Dutch, English) pair is read.
NOT_DUTCH = {
    r"\bfamilie(s)?\b": "gezin",
    r"\bclips?\b": "fragment",
    r"\btekenen ook het kind\b": "tekent ook het kind",
    r"\bparent\b": "ouder",
}


def _dutch_texts() -> list[tuple[str, str]]:
    """(where, Dutch text): the first of every t("nl", "en") pair in the templates, of every pair of
    plain strings and every error raised with a Dutch message in the code, and the engine's messages."""
    import ast
    import re
    from pathlib import Path

    import consent

    root = Path(__file__).parent.parent
    found = [(f"consent.MESSAGES[{k}]", v) for k, v in consent.MESSAGES.items()]
    pair = re.compile(r"""\bt\(\s*(?:"([^"]*)"|'([^']*)')\s*,""")
    for path in sorted((root / "vault" / "web" / "templates").rglob("*.html")):
        for match in pair.finditer(path.read_text()):
            found.append((str(path.relative_to(root)), match.group(1) or match.group(2) or ""))
    errors = {"t", "NotFound", "Forbidden", "Unauthenticated", "Conflict", "ServiceUnavailable",
              "Malformed", "VaultError", "count"}  # fmt: skip
    for path in sorted((root / "vault").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Tuple) and len(node.elts) == 2:
                strings = node.elts
            elif (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", "")) in errors
            ):
                strings = node.args[:2]
            else:
                continue
            if len(strings) == 2 and all(
                isinstance(s, ast.Constant) and isinstance(s.value, str) for s in strings
            ):
                found.append((f"{path.relative_to(root)}:{node.lineno}", strings[0].value))  # type: ignore[attr-defined]
    return found


def test_the_dutch_says_gezin_and_fragment_never_familie_or_clip() -> None:
    import re

    wrong = [
        f"{where}: {word!r} → {instead!r} in {text!r}"
        for where, text in _dutch_texts()
        for word, instead in NOT_DUTCH.items()
        if re.search(word, text, re.IGNORECASE)
    ]
    assert wrong == [], "\n".join(wrong)


def test_every_retention_rule_has_a_name_on_the_officer_s_pages() -> None:
    """A purged object's rule is shown as words, never as its code (`wok_session_ended`)."""
    from retention._plan import _RULE_FUNCTIONS
    from vault.web.privacy import REASONS

    assert [r for r in (*_RULE_FUNCTIONS, "export_expires") if r not in REASONS] == []
