"""Dutch and English names of the domain's values, shared by the pages."""

from __future__ import annotations

from vault.domain.models import ClipPurpose, Phase, Situation, TrajectoryType

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
    ClipPurpose.review: ("Terugkijken met het gezin", "Review with the family"),
    ClipPurpose.supervision: ("Supervisie", "Supervision"),
    ClipPurpose.wok: ("WOK", "WOK"),
    ClipPurpose.teaching: ("Onderwijs", "Teaching"),
}
