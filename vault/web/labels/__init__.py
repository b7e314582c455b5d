"""The names people read for the domain's values, shared by the pages: the one home of the label tables.

Each is a gettext msgid (the Dutch text), marked with `N_` and translated where shown:
`_(types[key])` in a template, `translations(lang).gettext(...)` in Python; English in messages.po.
Keyed by the engines' own codes; tests/test_i18n.py fails on a code without a name.

Here: trajectories, recordings, clips and roles. Beside it: `consents` (purposes, statuses, people,
signatures), `exports` (the parents' package) and `log` (what the audit log records)."""

from __future__ import annotations

from consent import Phase, Purpose, Role
from retention import TrajectoryType
from vault.i18n import N_, number, translations
from vault.recordings.models import RemovalReason, Situation

TYPES: dict[str, str] = {
    TrajectoryType.k_vht: N_("K-VHT (kortdurend)"),
    TrajectoryType.vht_complex: N_("VHT complex"),
    TrajectoryType.vib: N_("VIB"),
}
PHASES: dict[str, str] = {
    Phase.intake: N_("Intake"),
    Phase.active: N_("Actief"),
    Phase.closed: N_("Afgesloten"),
    Phase.follow_up: N_("Nazorg"),
    Phase.ended: N_("Beëindigd"),
}
SITUATIONS: dict[str, str] = {
    Situation.bath: N_("In bad"),
    Situation.play: N_("Spelen"),
    Situation.meal: N_("Eten"),
    Situation.review_with_parents: N_("Terugkijken met ouders"),
    Situation.other: N_("Anders"),
}
CLIP_PURPOSES: dict[str, str] = {
    Purpose.review: N_("Terugkijken met het gezin"),
    Purpose.supervision: N_("Supervisie"),
    Purpose.wok: N_("WOK"),
    Purpose.teaching: N_("Onderwijs"),
}
# What a clip is made for; teaching is marked later, once who is in view is known (ADR 0017, decision 10).
NEW_CLIP_PURPOSES = {k: v for k, v in CLIP_PURPOSES.items() if k != Purpose.teaching}
ROLES: dict[str, str] = {
    Role.trainer: N_("Trainer"),
    Role.opleider: N_("Opleider"),
    Role.gecommitteerde: N_("Gecommitteerde"),
    Role.privacy_officer: N_("Privacyfunctionaris"),
    Role.administrator: N_("Beheerder"),
    Role.parent: N_("Ouder"),
    Role.wok_viewer: N_("WOK-deelnemer"),
}
REMOVAL_REASONS: dict[str, str] = {
    RemovalReason.wrong_family: N_("Verkeerd gezin"),
    RemovalReason.imported_by_mistake: N_("Per ongeluk geïmporteerd"),
    RemovalReason.failed_recording: N_("Mislukte opname"),
    RemovalReason.duplicate: N_("Dubbel geïmporteerd"),
}


# What a recording is, in words a person uses (no ffprobe names). Numbers: vault/i18n.py.


_CODECS = {"h264": "H.264", "hevc": "H.265 (HEVC)", "mpeg2video": "MPEG-2", "mpeg4": "MPEG-4"}
_CODECS |= {"mjpeg": "Motion JPEG", "av1": "AV1", "vp9": "VP9"}


def video_codec(name: str) -> str:
    return _CODECS.get(name, name.upper())


def sound(codec: str | None, channels: int, lang: str) -> str:
    found = translations(lang)
    if not codec or channels <= 0:
        return found.gettext("geen geluid")
    if channels <= 2:
        return "mono" if channels == 1 else "stereo"
    return found.ngettext("%(num)s kanaal", "%(num)s kanalen", channels) % {
        "num": number(channels, lang, 0)
    }


def picture(width: int, height: int) -> str:
    return f"{width} × {height}"
