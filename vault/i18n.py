"""Dutch first, English too: the one home of the words and numbers people read.

Words are gettext messages whose msgid is the Dutch text (ADR 0012); the English is in the catalogue
vault/locale/en/LC_MESSAGES/messages.po, read (and compiled in memory) at first use. `_()` and
`ngettext()` pick a language for a terminal (LANG/LC_ALL/LC_MESSAGES starting with 'en'); the pages
use `translations(lang)` for theirs (vault/pages.py). Numbers, durations, frame rates and times are
formatted here with Babel's locale data (decimal comma in Dutch), in Europe/Amsterdam.
"""

from __future__ import annotations

import gettext
import io
import os
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LOCALES = Path(__file__).parent / "locale"
DOMAIN = "messages"
LOCAL = ZoneInfo("Europe/Amsterdam")  # what people read and type; everything is stored in UTC
NONE = "–"  # shown for a value that is not known


def english() -> bool:
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var, "")
        if value:
            return value.lower().startswith("en")
    return False


def terminal() -> str:
    """The language of the person reading a terminal: "en" or "nl"."""
    return "en" if english() else "nl"


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The messages in `lang`. Dutch is the source language (the msgids themselves, whose plural
    rule is English's: one for 1, other otherwise); English comes from its catalogue, compiled in
    memory once per process. A message missing from the catalogue falls back to Dutch."""
    if lang != "en":
        return gettext.NullTranslations()
    with (LOCALES / lang / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as po:
        catalogue = read_po(po, locale=lang, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)  # fuzzy entries are left out, so they read as Dutch
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def _(message: str) -> str:
    """A message for a person reading a terminal (the msgid is the Dutch text)."""
    return translations(terminal()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The plural form a terminal reader's language asks for: ngettext("%(n)s kanaal", "%(n)s kanalen", n)."""
    return translations(terminal()).ngettext(singular, plural, n)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for a message marked, not translated
    """Mark a message for the catalogue without translating it here (label tables: translated where shown)."""
    return message


def _locale(lang: str) -> str:
    return "en" if lang == "en" else "nl"


def number(value: float | None, lang: str = "nl", digits: int = 2, fixed: bool = False) -> str:
    """4.49 as "4,49" (nl) or "4.49" (en): at most `digits` decimals, or exactly that many if `fixed`."""
    if value is None:
        return NONE
    pattern = "#,##0." + ("0" if fixed else "#") * digits if digits else "#,##0"
    return format_decimal(value, format=pattern, locale=_locale(lang))


def duration(seconds: float | None, lang: str = "nl") -> str:
    """A length in words: "4,5 s" under ten seconds, else "1 min 12 s", "1 u 2 min 0 s"."""
    if seconds is None:
        return NONE
    if seconds < 10:
        return f"{number(seconds, lang, 1)} s"
    whole = int(round(seconds))
    hours, minutes, rest = whole // 3600, whole // 60 % 60, whole % 60
    if not hours and not minutes:
        return f"{rest} s"
    hour = "h" if lang == "en" else "u"
    return (f"{hours} {hour} " if hours else "") + f"{minutes} min {rest} s"


def clock(seconds: float | None) -> str:
    """A clip's length as a player shows it: "0:30", "1:02:00"."""
    if seconds is None:
        return NONE
    whole = int(round(seconds))
    minutes = f"{whole // 60 % 60:02d}" if whole >= 3600 else f"{whole // 60}"
    return (f"{whole // 3600}:" if whole >= 3600 else "") + f"{minutes}:{whole % 60:02d}"


def frame_rate(rate: float | None, lang: str = "nl", variable: bool = False) -> str:
    """ "25 beelden per seconde", "29,97 frames per second (variable)"."""
    found = translations(lang)
    if variable:
        text = found.gettext("%(rate)s beelden per seconde (wisselend)")
    else:
        text = found.gettext("%(rate)s beelden per seconde")
    return text % {"rate": number(rate or 0, lang)}


def when(
    value: datetime | date | str | None,
    lang: str = "nl",
    with_time: bool = True,
    zone: bool = False,
) -> str:
    """A moment in Dutch time: "20-11-2026 11:00", with `zone` "20-11-2026 11:00 CET"."""
    if value in (None, ""):
        return NONE
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        return value.strftime("%d-%m-%Y")
    local = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(LOCAL)
    if not with_time:
        return local.strftime("%d-%m-%Y")
    return local.strftime("%d-%m-%Y %H:%M" + (" %Z" if zone else ""))


def day(value: datetime | date | str | None, lang: str = "nl") -> str:
    return when(value, lang, with_time=False)


def long_day(value: datetime | date, lang: str = "nl") -> str:
    """A day in words: "2 december 2026" (nl), "December 2, 2026" (en); a moment on its Dutch day."""
    if isinstance(value, datetime):
        value = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(LOCAL).date()
    return format_date(value, format="long", locale=_locale(lang))


def container(format_name: str) -> str:
    """The kind of file in words; ffprobe names MP4 and QuickTime both "mov,mp4,m4a,3gp,3g2,mj2"."""
    if format_name.startswith("mov"):
        return "MP4/QuickTime"
    known = {"mpegts": "MPEG-TS (AVCHD)", "avi": "AVI", "matroska,webm": "Matroska (MKV)"}
    return known.get(format_name, format_name.split(",")[0].upper() or NONE)
