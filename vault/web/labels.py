"""Dutch and English names of the domain's values, shared by the pages."""

from __future__ import annotations

from consent import Phase, Purpose
from retention import TrajectoryType
from vault.i18n import number, translations
from vault.recordings.models import RemovalReason, Situation

Label = tuple[str, str]

TYPES: dict[str, Label] = {
    TrajectoryType.k_vht: ("K-VHT (kortdurend)", "K-VHT (short)"),
    TrajectoryType.vht_complex: ("VHT complex", "VHT complex"),
    TrajectoryType.vib: ("VIB", "VIB"),
}
PHASES: dict[str, Label] = {
    Phase.intake: ("Intake", "Intake"),
    Phase.active: ("Actief", "Active"),
    Phase.closed: ("Afgesloten", "Closed"),
    Phase.follow_up: ("Nazorg", "Follow-up"),
    Phase.ended: ("Beëindigd", "Ended"),
}
SITUATIONS: dict[str, Label] = {
    Situation.bath: ("In bad", "Bath"),
    Situation.play: ("Spelen", "Play"),
    Situation.meal: ("Eten", "Meal"),
    Situation.review_with_parents: ("Terugkijken met ouders", "Review with parents"),
    Situation.other: ("Anders", "Other"),
}
CLIP_PURPOSES: dict[str, Label] = {
    Purpose.review: ("Terugkijken met het gezin", "Review with the family"),
    Purpose.supervision: ("Supervisie", "Supervision"),
    Purpose.wok: ("WOK", "WOK"),
    Purpose.teaching: ("Onderwijs", "Teaching"),
}
REMOVAL_REASONS: dict[str, Label] = {
    RemovalReason.wrong_family: ("Verkeerd gezin", "Wrong family"),
    RemovalReason.imported_by_mistake: ("Per ongeluk geïmporteerd", "Imported by mistake"),
    RemovalReason.failed_recording: ("Mislukte opname", "Failed recording"),
    RemovalReason.duplicate: ("Dubbel geïmporteerd", "Imported twice"),
}


# What a recording is, in words a person uses (no ffprobe names). Numbers: vault/i18n.py.


def video_codec(name: str) -> str:
    return {"h264": "H.264", "hevc": "H.265 (HEVC)", "mpeg2video": "MPEG-2", "mpeg4": "MPEG-4",
            "mjpeg": "Motion JPEG", "av1": "AV1", "vp9": "VP9"}.get(name, name.upper())  # fmt: skip


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
