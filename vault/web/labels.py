"""Dutch and English names of the domain's values, shared by the pages."""

from __future__ import annotations

from consent import Phase, Purpose
from retention import TrajectoryType
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


# What a recording is, in words a person uses (no ffprobe names). Each gives (Dutch, English).


def decimal(value: float | None, digits: int = 2) -> Label:
    """12.5 as ("12,50", "12.50")."""
    text = "–" if value is None else f"{value:.{digits}f}"
    return text.replace(".", ","), text


def length(seconds: float | None) -> Label:
    """A recording's length: "3 min 12 s", "1 u 2 min 0 s", "4,5 s"."""
    if seconds is None:
        return "–", "–"
    if seconds < 10:
        nl, en = decimal(seconds, 1)
        return nl.removesuffix(",0") + " s", en.removesuffix(".0") + " s"
    whole = int(round(seconds))
    hours, minutes, rest = whole // 3600, whole // 60 % 60, whole % 60
    if not hours and not minutes:
        return f"{rest} s", f"{rest} s"
    nl = (f"{hours} u " if hours else "") + f"{minutes} min {rest} s"
    return nl, nl.replace(" u ", " h ")


def container(format_name: str, file_name: str | None) -> Label:
    """The kind of file: ffprobe calls MP4 and QuickTime both "mov,mp4,...", the card's name tells."""
    extension = (file_name or "").rsplit(".", 1)[-1].lower()
    if format_name.startswith("mov"):
        name = "QuickTime (MOV)" if extension == "mov" else "MP4"
    elif format_name == "mpegts":
        name = "AVCHD (MTS)" if extension in ("mts", "m2ts") else "MPEG-TS"
    else:
        known = {"avi": "AVI", "matroska,webm": "Matroska (MKV)"}
        name = known.get(format_name, format_name.split(",")[0].upper() or "–")
    return name, name


def video_codec(name: str) -> str:
    return {"h264": "H.264", "hevc": "H.265 (HEVC)", "mpeg2video": "MPEG-2", "mpeg4": "MPEG-4",
            "mjpeg": "Motion JPEG", "av1": "AV1", "vp9": "VP9"}.get(name, name.upper())  # fmt: skip


def sound(codec: str | None, channels: int) -> Label:
    if not codec or channels <= 0:
        return "geen geluid", "no sound"
    if channels == 1:
        return "mono", "mono"
    if channels == 2:
        return "stereo", "stereo"
    return f"{channels} kanalen", f"{channels} channels"


def frame_rate(rate: float | None, variable: bool = False) -> Label:
    nl, en = decimal(rate or 0, 2)
    nl, en = nl.removesuffix(",00"), en.removesuffix(".00")
    return (
        f"{nl} beelden per seconde" + (" (wisselend)" if variable else ""),
        f"{en} frames per second" + (" (variable)" if variable else ""),
    )


def picture(width: int, height: int) -> str:
    return f"{width} × {height}"
