"""The names of the parents' package's states and of how it was handed over, keyed by the export's
own enums. Each name is a gettext msgid (ADR 0012)."""

from __future__ import annotations

from vault.export.models import ExportStatus
from vault.export.schemas import HandoverHow
from vault.i18n import N_

STATUSES: dict[str, str] = {
    ExportStatus.queued: N_("In de wachtrij"),
    ExportStatus.building: N_("Wordt gemaakt"),
    ExportStatus.ready: N_("Klaar"),
    ExportStatus.failed: N_("Mislukt"),
    ExportStatus.cancelled: N_("Geannuleerd"),
    ExportStatus.removed: N_("Verwijderd"),
}
BADGES: dict[str, str] = {  # the colour of a state's badge
    ExportStatus.queued: "warn",
    ExportStatus.building: "warn",
    ExportStatus.ready: "ok",
    ExportStatus.failed: "bad",
    ExportStatus.cancelled: "bad",
    ExportStatus.removed: "bad",
}
HOW: dict[str, str] = {
    HandoverHow.usb: N_("Op een usb-stick gegeven"),
    HandoverHow.download: N_("Door de ouders gedownload"),
    HandoverHow.in_person: N_("Persoonlijk overhandigd"),
}
