"""Numbers, durations, plurals, frame rates and times as a Dutch (or English) reader writes them."""

from __future__ import annotations

import ast
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from vault import i18n, pages


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
    def channels(n: int, lang: str) -> str:
        return i18n.translations(lang).ngettext("%(num)s kanaal", "%(num)s kanalen", n) % {"num": n}

    assert channels(1, "nl") == "1 kanaal"
    assert channels(2, "nl") == "2 kanalen"
    assert channels(0, "nl") == "0 kanalen"
    assert channels(1, "en") == "1 channel"
    assert channels(6, "en") == "6 channels"


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
    from babel.messages.pofile import read_po

    with (root / "vault" / "locale" / "en" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        for message in read_po(po):  # every gettext message: its msgid is the Dutch (ADR 0012)
            for text in message.id if isinstance(message.id, tuple) else (message.id,):
                if text:
                    found.append((f"messages.po: {message.locations[:1]}", text))
    pair = re.compile(r"""\bt\(\s*(?:"([^"]*)"|'([^']*)')\s*,""")
    for path in sorted((root / "vault" / "web" / "templates").rglob("*.html")):
        for match in pair.finditer(path.read_text()):
            found.append((str(path.relative_to(root)), match.group(1) or match.group(2) or ""))
    errors = {
        "t",
        "NotFound",
        "Forbidden",
        "Unauthenticated",
        "Conflict",
        "ServiceUnavailable",
        "Malformed",
        "VaultError",
        "count",
    }
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
                found.append((f"{path.relative_to(root)}:{node.lineno}", strings[0].value))  # type: ignore[attr-defined]  # the filter above keeps only expressions that are string constants
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


def test_every_code_of_the_engines_has_a_name_on_the_pages() -> None:
    """A label table is keyed by its engine's own codes, so a new code cannot go unlabelled: a purged
    object's rule, a refusal's reason, a role or an action is shown as words, never as its code."""
    import consent
    import retention
    from retention._plan import _RULE_FUNCTIONS
    from vault.audit import AuditAction, Outcome
    from vault.export.models import ExportStatus
    from vault.export.schemas import HandoverHow
    from vault.web import labels
    from vault.web.labels import consents, exports, log

    vocabularies = [
        (consent.Role, labels.ROLES),
        (consent.Role, log.LOGGED_ROLES),
        (consent.Phase, labels.PHASES),
        (retention.TrajectoryType, labels.TYPES),
        (consent.Purpose, consents.PURPOSES),
        (consent.Purpose, consents.STOPS),
        (consent.ConsentStatus, consents.STATUSES),
        (consent.ConsentStatus, consents.BADGES),
        (consent.PersonKind, consents.PERSON_KINDS),
        (consent.Capacity, consents.CAPACITIES),
        (consent.Method, consents.METHODS),
        (consent.EventKind, consents.EVENTS),
        (AuditAction, log.ACTIONS),
        (Outcome, log.OUTCOMES),
        (Outcome, log.BADGES),
        (consent.MESSAGES, log.DECISIONS),
        ((*_RULE_FUNCTIONS, "export_expires"), log.REASONS),
        (retention.Kind, log.KINDS),
        (ExportStatus, exports.STATUSES),
        (ExportStatus, exports.BADGES),
        (HandoverHow, exports.HOW),
    ]
    unnamed = [
        f"{code!r} has no name"
        for codes, table in vocabularies
        for code in codes
        if str(code) not in table
    ]
    assert unnamed == []


# --- gettext catalogues (ADR 0012): msgids are Dutch, English comes from vault/locale/en ---

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "vault" / "locale" / "en" / "LC_MESSAGES" / "messages.po"


def _extracted() -> dict[tuple[str | tuple[str, ...], str | None], str]:
    """Every message the code and the templates use (as `pybabel extract -F babel.cfg` finds them)."""
    method_map = [("**.py", "python"), ("web/templates/**.html", "jinja2")]
    options = {
        "web/templates/**.html": {"trim_blocks": "true", "lstrip_blocks": "true", "silent": "false"}
    }
    found: dict[tuple[str | tuple[str, ...], str | None], str] = {}
    for filename, line, message, _comments, context in extract_from_dir(
        ROOT / "vault", method_map, options, keywords=DEFAULT_KEYWORDS
    ):
        found.setdefault((message, context), f"vault/{filename}:{line}")
    return found


def _catalogue() -> Catalog:
    with CATALOGUE.open("rb") as po:
        return read_po(po, locale="en")


def test_every_message_in_code_and_templates_has_its_english() -> None:
    catalogue = _catalogue()
    missing = []
    for (message, context), where in _extracted().items():
        msgid = message if isinstance(message, str) else message[0]
        entry = catalogue.get(msgid, context=context)
        strings = (
            []
            if entry is None
            else ([entry.string] if isinstance(entry.string, str) else list(entry.string or ()))
        )
        if entry is None or entry.fuzzy or not all(strings):
            missing.append(f"{where}: {msgid!r}")
    assert missing == [], (
        "messages without English in vault/locale/en (pybabel update, then translate):\n"
        + "\n".join(missing)
    )


def test_the_english_catalogue_keeps_the_placeholders_of_the_dutch() -> None:
    problems = [f"{m.id!r}: {errors}" for m, errors in _catalogue().check()]
    assert problems == []


def test_english_comes_from_the_catalogue_and_dutch_is_the_message_itself() -> None:
    assert (
        i18n.translations("en").gettext("%(rate)s beelden per seconde")
        == "%(rate)s frames per second"
    )
    assert (
        i18n.translations("nl").gettext("%(rate)s beelden per seconde")
        == "%(rate)s beelden per seconde"
    )
    assert (
        i18n.translations("en").gettext("Geen bericht met deze tekst")
        == "Geen bericht met deze tekst"
    )


def test_the_terminal_language_picks_the_catalogue(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    assert i18n._("%(rate)s beelden per seconde") == "%(rate)s frames per second"
    monkeypatch.setenv("LANG", "nl_NL.UTF-8")
    assert i18n._("%(rate)s beelden per seconde") == "%(rate)s beelden per seconde"
    assert i18n.ngettext("%(num)s kanaal", "%(num)s kanalen", 2) % {"num": 2} == "2 kanalen"


def test_pages_translate_per_render_and_never_share_a_language_between_requests() -> None:
    """The Environment is shared: each render brings its own `_`, `ngettext` and `{% trans %}`."""
    page = pages._templates.from_string(
        '{{ _("%(rate)s beelden per seconde", rate=lang) }}|'
        "{% trans n=many %}{{ n }} beelden per seconde{% endtrans %}|"
        '{{ ngettext("%(num)s kanaal", "%(num)s kanalen", many) }}|'
        '{{ _("%(rate)s beelden per seconde", rate="<b>") }}'
    )

    def render(lang: str) -> str:
        return page.render(lang=lang, many=2, **pages.gettext_callables(lang))

    with ThreadPoolExecutor(8) as pool:
        done = list(pool.map(render, ["nl", "en"] * 50))
    assert set(done[0::2]) == {
        "nl beelden per seconde|2 beelden per seconde|2 kanalen|&lt;b&gt; beelden per seconde"
    }
    assert set(done[1::2]) == {
        "en frames per second|2 beelden per seconde|2 channels|&lt;b&gt; frames per second"
    }


def test_no_hand_made_pair_is_left() -> None:
    """Words are gettext messages: no `t("nl", "en")` or `count(...)` in code or templates (run
    tools/to_gettext.py on a branch that added some); a label is a msgid from vault/web/labels/."""
    found = []
    for path in sorted((ROOT / "vault").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_bytes())):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                if name == "t" or (name == "count" and len(node.args) == 5):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
                for keyword in node.keywords:  # a page's title is a msgid: a pair would show as one
                    if keyword.arg == "heading" and isinstance(keyword.value, ast.Tuple):
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno} heading")
    for path in sorted((ROOT / "vault" / "web" / "templates").rglob("*.html")):
        text = path.read_text()
        for m in re.finditer(r"(?<![\w.])(?:t\(\s*[\"'~]|t\([^)]*[\"']\s*~|count\()", text):
            found.append(f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, m.start()) + 1}")
    assert found == [], "pairs left (run tools/to_gettext.py):\n" + "\n".join(found)


def _label_tables() -> dict[str, dict[str, str]]:
    """Every table of names in vault/web/labels (a public dict of codes to msgids; not the badges)."""
    import importlib
    import pkgutil

    from vault.web import labels

    modules = [labels] + [
        importlib.import_module(f"vault.web.labels.{m.name}")
        for m in pkgutil.iter_modules(labels.__path__)
    ]
    return {
        f"{module.__name__}.{name}": table
        for module in modules
        for name, table in vars(module).items()
        if name.isupper()
        and not name.startswith("_")
        and name != "BADGES"
        and isinstance(table, dict)
    }


def test_the_label_tables_are_messages_with_english() -> None:
    """The names of the engines' values (vault/web/labels/) are gettext msgids, each in the English
    catalogue, so a page shows them in its language (issue #22: "parent" untranslated)."""
    with (ROOT / "vault" / "locale" / "en" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        english = {m.id: m.string for m in read_po(po) if m.id and not m.context}
    tables = _label_tables()
    assert {"vault.web.labels.log.REASONS", "vault.web.labels.consents.PURPOSES"} <= set(tables)
    missing = [
        f"{where}[{key}]: {name!r}"
        for where, table in tables.items()
        for key, name in table.items()
        if not isinstance(name, str) or not english.get(name)
    ]
    assert missing == []


def test_no_pair_of_languages_is_shown_in_a_template() -> None:
    """Templates show messages (`_()`, `ngettext()`, `pgettext()`, `{% trans %}`) and label tables as
    `_(label)`; the deprecated `t(nl, en)` / `t(*pair)` is gone from the templates and from their
    context. An error that carries both its texts (an API problem's message_nl and message_en) is
    shown with `error_text(nl, en)`."""
    templates = ROOT / "vault" / "web" / "templates"
    found = []
    for path in sorted(templates.rglob("*.html")):
        text = path.read_text()
        for m in re.finditer(r"(?<![\w.])t\(", text):
            found.append(f"{path.relative_to(templates)}:{text.count(chr(10), 0, m.start()) + 1}")
    assert found == [], "show a label with _(msgid) from vault/web/labels/, not t(...)"
    assert "t" not in pages.gettext_callables("en")


def test_the_catalogue_holds_each_message_once() -> None:
    """Two branches adding the same message leave it twice after a merge: Babel keeps the last one
    silently, GNU msgfmt refuses the file. Each (context, msgid) once."""
    import re
    from collections import Counter
    from pathlib import Path

    po = Path(__file__).parent.parent / "vault" / "locale" / "en" / "LC_MESSAGES" / "messages.po"
    keys = re.findall(
        r'^((?:msgctxt "[^\n]*"\n)?msgid "[^\n]*"\n(?:"[^\n]*"\n)*)', po.read_text(), re.M
    )
    assert sorted(k for k, n in Counter(keys).items() if n > 1) == []
