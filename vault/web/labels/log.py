"""The names of what the tamper-evident log records, for the privacy officer's pages: handelingen,
outcomes, reasons, objects, signals and the basis of an allowance. Keyed by the engines' own codes
(`AuditAction`, `Outcome`, `consent.MESSAGES`, the retention rules and object kinds) so that
tests/test_i18n.py can fail on a code without a name. Each name is a gettext msgid (ADR 0012)."""

from __future__ import annotations

from retention import Kind
from vault.audit import AuditAction, Outcome
from vault.i18n import N_
from vault.web.labels import ROLES

ACTIONS: dict[str, str] = {
    AuditAction.view: N_("Bekeken"),
    AuditAction.stream_segment: N_("Beelden afgespeeld"),
    AuditAction.download: N_("Gedownload"),
    AuditAction.export: N_("Export"),
    AuditAction.upload: N_("Geüpload"),
    AuditAction.clip: N_("Fragment gemaakt"),
    AuditAction.consent_event: N_("Toestemming"),
    AuditAction.grant: N_("Opdracht gecommitteerde"),
    AuditAction.purge: N_("Verwijderd (bewaartermijn)"),
    AuditAction.key_rotation: N_("Sleutelbeheer"),
    AuditAction.sign_in: N_("Aangemeld"),
    AuditAction.sign_in_failed: N_("Aanmelden mislukt"),
    AuditAction.sign_out: N_("Afgemeld"),
    AuditAction.configuration_change: N_("Instelling gewijzigd"),
    AuditAction.logging_change: N_("Logging gewijzigd"),
    AuditAction.audit_read: N_("Logboek ingezien"),
    AuditAction.create: N_("Aangemaakt"),
    AuditAction.update: N_("Gewijzigd"),
    AuditAction.delete: N_("Verwijderd"),
}
OUTCOMES: dict[str, str] = {
    Outcome.allowed: N_("Toegestaan"),
    Outcome.success: N_("Gelukt"),
    Outcome.denied: N_("Geweigerd"),
    Outcome.failure: N_("Mislukt"),
}
BADGES: dict[str, str] = {  # the colour of an outcome's badge
    Outcome.allowed: "ok",
    Outcome.success: "ok",
    Outcome.denied: "bad",
    Outcome.failure: "warn",
}

# Why: the access decision's reasons (every key of consent.MESSAGES, in short), the retention rules
# that ended an object's life, and the reasons the rest of the service writes to the log.
DECISIONS: dict[str, str] = {
    "allowed": N_("Toegestaan"),
    "not_found": N_("Niet gevonden of geen toegang"),
    "unknown_action": N_("Handeling niet toegestaan voor deze rol"),
    "no_footage_for_role": N_("Rol heeft geen toegang tot beeldmateriaal"),
    "unknown_role": N_("Onbekende rol"),
    "not_assigned": N_("Niet de trainer van dit traject"),
    "phase_forbids": N_("Niet toegestaan in deze fase van het traject"),
    "no_supervision_link": N_("Geen supervisiekoppeling met de trainer"),
    "no_grant": N_("Geen geldige opdracht als gecommitteerde"),
    "not_in_wok_session": N_("Niet gedeeld in een WOK van deze deelnemer"),
    "outside_wok_window": N_("Buiten de WOK-bijeenkomst"),
    "no_consent": N_("Geen toestemming van het gezin"),
    "consent_incomplete": N_("Toestemming onvolledig"),
    "consent_withdrawn": N_("Toestemming ingetrokken"),
    "consent_expired": N_("Toestemming verlopen"),
    "consent_not_yet_valid": N_("Toestemming nog niet ingegaan"),
    "consent_invalidated": N_("Toestemming ongeldig verklaard"),
    "recording_not_covered": N_("Opname valt niet onder de toestemming"),
    "needs_reconfirmation": N_("Toestemming moet opnieuw bevestigd worden"),
    "handover_not_verified": N_("Ophaalcode niet bevestigd"),
    "other_family": N_("Materiaal van een ander gezin"),
    "purge_pending": N_("Wordt verwijderd volgens het bewaarbeleid"),
    "annotations_on_a_clip": N_("Aantekeningen alleen bij een fragment"),
    "clip_for_other_purpose": N_("Fragment voor een ander doel gemaakt"),
    "in_view_unknown": N_("Niet vastgelegd wie er in beeld is"),
    "needs_anonymised": N_("Alleen de geanonimiseerde versie"),
    "anonymised_not_approved": N_("Geanonimiseerde versie niet goedgekeurd"),
}
RULES: dict[str, str] = {
    "original_after_follow_up": N_("Bewaartermijn na afsluiting verstreken"),
    "withdrawn_consent": N_("Toestemming ingetrokken"),
    "evidence_period": N_("Bewaartermijn toestemmingsbewijs verstreken"),
    "export_handed_over": N_("Bewaartermijn na overhandiging verstreken"),
    "export_expires": N_("Pakket voor de ouders verlopen"),
    "supervision_done": N_("Supervisie afgerond"),
    "supervision_at_closure": N_("Traject afgesloten, supervisie voorbij"),
    "wok_session_ended": N_("WOK-bijeenkomst voorbij"),
}
OTHER_REASONS: dict[str, str] = {
    "legal_hold_placed": N_("Bewaarplicht opgelegd"),
    "legal_hold_released": N_("Bewaarplicht opgeheven"),
    "blocked_for_purge": N_("Geblokkeerd voor verwijdering"),
    "family_key_shredded": N_("Gezinssleutel vernietigd"),
    "family_rotated": N_("Gezinssleutel vernieuwd"),
    "master_rotated": N_("Hoofdsleutel vernieuwd"),
    "master_trimmed": N_("Oude hoofdsleutel opgeruimd"),
    "retention_policy_changed": N_("Bewaarbeleid gewijzigd"),
    "download_link_created": N_("Downloadlink gemaakt"),
    "handed_over": N_("Overgedragen aan het gezin"),
    "build_failed": N_("Maken mislukt"),
    "no_account": N_("Onbekend account"),
    "locked": N_("Account tijdelijk geblokkeerd"),
    "rate_limited": N_("Te veel pogingen"),
    "refresh_token_reused": N_("Vernieuwingstoken hergebruikt"),
    "session_refreshed": N_("Sessie verlengd"),
    "device": N_("Opdrachtregel, bevestigd in de webapp"),
    "device_approved": N_("Opdrachtregel toegestaan"),
    "device_denied": N_("Opdrachtregel geweigerd"),
    "device_code_unknown": N_("Onbekende code voor de opdrachtregel"),
    "link_invalid": N_("Ongeldige link"),
    "idle": N_("Sessie verlopen door inactiviteit"),
    "sign_out": N_("Afgemeld"),
    "oidc": N_("Via de identiteitsprovider"),
    "offline": N_("Offline"),
    "proxy": N_("Afgeleide kopie"),
}
REASONS: dict[str, str] = {**OTHER_REASONS, **RULES, **DECISIONS}

OBJECTS: dict[str, str] = {
    "family": N_("Gezin"),
    "trajectory": N_("Traject"),
    "recording": N_("Opname"),
    "clip": N_("Fragment"),
    "segment": N_("Videosegment"),
    "upload": N_("Upload"),
    "proxy": N_("Afgeleide kopie"),
    "object": N_("Opgeslagen bestand"),
    "consent": N_("Toestemming"),
    "evidence": N_("Toestemmingsbewijs"),
    "export_package": N_("Exportpakket"),
    "grant": N_("Opdracht"),
    "legal_hold": N_("Bewaarplicht"),
    "family_key": N_("Gezinssleutel"),
    "user": N_("Account"),
    "organisation": N_("Organisatie"),
    "supervision_link": N_("Supervisiekoppeling"),
    "supervision_note": N_("Supervisienotitie"),
    "annotation": N_("Aantekening van de trainer"),
    "annotation_export": N_("Aantekeningen uitgevoerd"),
    "annotation_comment": N_("Reactie op een aantekening"),
    "codebook": N_("Codeboek"),
    "retention_policy": N_("Bewaarbeleid"),
    "wok_session": N_("WOK-bijeenkomst"),
    "family_list": N_("Lijst van gezinnen"),
    "trajectory_list": N_("Lijst van trajecten"),
    "clip_list": N_("Lijst van fragmenten"),
    "log_search": N_("Logboek"),
    "family_report": N_("Gezinsrapport"),
    "employee_report": N_("Medewerkersrapport"),
    "denied_report": N_("Geweigerde pogingen"),
    "anomalies": N_("Signalen"),
    "verify": N_("Ketencontrole"),
    "inclusion_proof": N_("Opnamebewijs"),
    "retention_plan": N_("Bewaarplan"),
    "purge_report": N_("Verwijderlijst"),
    "deletion_certificate": N_("Verwijderingscertificaat"),
}
SIGNALS: dict[str, str] = {
    "outside_active_trajectory": N_("Toegang buiten een actief traject"),
    "off_hours_streaming": N_("Beelden bekeken buiten kantooruren"),
    "download": N_("Beeldmateriaal gedownload"),
    "many_families": N_("Veel gezinnen in korte tijd"),
    "wok_outside_window": N_("WOK-deelnemer buiten de bijeenkomst"),
}
BASIS: dict[str, str] = {  # what an allowance rests on: `consent:<id>`, `grant:<id>`, ...
    "assignment": N_("Trainer van het traject"),
    "registered": N_("Heeft het gezin aangemeld"),
    "consent": N_("Toestemming"),
    "grant": N_("Opdracht gecommitteerde"),
    "handover": N_("Overdracht aan het gezin"),
    "supervision": N_("Supervisiekoppeling"),
    "wok": N_("WOK-bijeenkomst"),
}
# Who can appear in the log: the account roles, the parents (their download link) and the system.
LOGGED_ROLES: dict[str, str] = {**ROLES, "system": N_("Systeem")}

# What a purged object was (retention's object kinds).
KINDS: dict[str, str] = {
    Kind.original: N_("Opname"),
    Kind.proxy: N_("Afgeleide kopie"),
    Kind.clip: N_("Fragment"),
    Kind.evidence: N_("Toestemmingsformulier"),
    Kind.export: N_("Exportpakket"),
    Kind.review_recording: N_("Opname van terugkijkgesprek"),
}
