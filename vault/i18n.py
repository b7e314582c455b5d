"""Dutch first, English too: the one home of the words and numbers people read.

`t()` picks a language for a terminal (LANG/LC_ALL/LC_MESSAGES starting with 'en'); the pages pass
theirs (`lang`, "nl" or "en"). Numbers, plurals, durations, frame rates and times are formatted here
with Babel's locale data (decimal comma and "1 kanaal"/"2 kanalen" in Dutch), in Europe/Amsterdam.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from babel import Locale
from babel.numbers import format_decimal

LOCAL = ZoneInfo("Europe/Amsterdam")  # what people read and type; everything is stored in UTC
NONE = "–"  # shown for a value that is not known


def english() -> bool:
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var, "")
        if value:
            return value.lower().startswith("en")
    return False


def t(nl: str, en: str) -> str:
    """Pick the Dutch or English text for a person reading a terminal."""
    return en if english() else nl


def _locale(lang: str) -> str:
    return "en" if lang == "en" else "nl"


def number(value: float | None, lang: str = "nl", digits: int = 2, fixed: bool = False) -> str:
    """4.49 as "4,49" (nl) or "4.49" (en): at most `digits` decimals, or exactly that many if `fixed`."""
    if value is None:
        return NONE
    pattern = "#,##0." + ("0" if fixed else "#") * digits if digits else "#,##0"
    return format_decimal(value, format=pattern, locale=_locale(lang))


def count(n: int, one_nl: str, other_nl: str, one_en: str, other_en: str, lang: str = "nl") -> str:
    """ "1 kanaal", "2 kanalen": the noun in the plural form the language's rules ask for."""
    one = Locale.parse(_locale(lang)).plural_form(n) == "one"
    noun = (one_en if one else other_en) if lang == "en" else (one_nl if one else other_nl)
    return f"{number(n, lang, 0)} {noun}"


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
    if lang == "en":
        return f"{number(rate or 0, lang)} frames per second" + (" (variable)" if variable else "")
    return f"{number(rate or 0, lang)} beelden per seconde" + (" (wisselend)" if variable else "")


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


def container(format_name: str) -> str:
    """The kind of file in words; ffprobe names MP4 and QuickTime both "mov,mp4,m4a,3gp,3g2,mj2"."""
    if format_name.startswith("mov"):
        return "MP4/QuickTime"
    known = {"mpegts": "MPEG-TS (AVCHD)", "avi": "AVI", "matroska,webm": "Matroska (MKV)"}
    return known.get(format_name, format_name.split(",")[0].upper() or NONE)
