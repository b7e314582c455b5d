"""The tamper-evident access log (NEN 7513): records, Merkle checkpoints, verification and reports."""

from vault.audit._chain import PREFIX, VerifyReport, checkpoint, inclusion, verify
from vault.audit._denials import FLOOD_LIMIT, record_denial, record_now
from vault.audit._log import (
    APPEND_ONLY_TRIGGER,
    DROP_APPEND_ONLY_TRIGGER,
    FHIR_ACTION,
    SYSTEM,
    AuditAction,
    AuditRecord,
    Outcome,
    Principal,
    leaves,
    record,
)
from vault.audit._reports import (
    anomalies,
    as_dict,
    denied_report,
    employee_report,
    family_report,
    fhir_audit_event,
    retention_cutoff,
    search,
    to_csv,
)

__all__ = [
    "FLOOD_LIMIT",
    "APPEND_ONLY_TRIGGER",
    "DROP_APPEND_ONLY_TRIGGER",
    "FHIR_ACTION",
    "PREFIX",
    "SYSTEM",
    "AuditAction",
    "AuditRecord",
    "Outcome",
    "Principal",
    "VerifyReport",
    "anomalies",
    "as_dict",
    "checkpoint",
    "denied_report",
    "employee_report",
    "family_report",
    "fhir_audit_event",
    "inclusion",
    "leaves",
    "record",
    "record_denial",
    "record_now",
    "retention_cutoff",
    "search",
    "to_csv",
    "verify",
]
