"""Accounts: argon2 passwords, mandatory TOTP, short-lived tokens, revocable sessions, OIDC sign-in."""

from vault.accounts._deps import Principal, client_address, current_principal, require_role
from vault.accounts._security import BadToken, issue_access_token, read_access_token, totp_step
from vault.accounts._service import (
    AccountLocked,
    SignInFailed,
    Tokens,
    principal_of,
    refresh,
    revoke,
    sign_in,
    sign_in_oidc,
)
from vault.accounts._tenant import InvalidField, administrator, own, own_users
from vault.accounts._users import (
    ENROLMENT_HOURS,
    create_user,
    enrol,
    enrolling,
    enrolment_url,
    first_organisation,
    invite_user,
    new_enrolment,
    reset_totp,
    set_active,
)

__all__ = [
    "ENROLMENT_HOURS",
    "InvalidField",
    "administrator",
    "enrol",
    "enrolling",
    "enrolment_url",
    "invite_user",
    "new_enrolment",
    "own",
    "own_users",
    "AccountLocked",
    "BadToken",
    "Principal",
    "SignInFailed",
    "Tokens",
    "client_address",
    "create_user",
    "current_principal",
    "first_organisation",
    "issue_access_token",
    "principal_of",
    "read_access_token",
    "refresh",
    "require_role",
    "reset_totp",
    "revoke",
    "set_active",
    "sign_in",
    "sign_in_oidc",
    "totp_step",
]
