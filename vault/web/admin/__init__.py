"""Administrator pages: organisations, accounts and roles, supervision links and gecommitteerde
grants, retention periods. The administrator sees no footage and no family data: these pages work on
accounts and configuration only, through the administrator's service (vault.organisations.service,
which checks the role and logs).

Every page works on the administrator's own organisation only: the service functions go through
`vault.accounts.own` (ADR 0002). A new account, or one whose code is reset, gets a single-use
enrolment link for the person it is for (they choose a password and enrol their own authenticator
app at /inschrijven/…); the administrator never sees a second factor. The link is shown once, on the
page the browser is sent to right after the change (post, redirect, get): between the two it waits
in this process's memory under a random ticket bound to the administrator's session, for ten minutes
at most; the first look takes it out, so a reload or the back button shows it no more.

One module per area: `organisations` (the start page and the organisations), `accounts`, `supervision`
(links and grants) and `retention` (the periods).
"""

from __future__ import annotations

from fastapi import APIRouter

from vault.web.admin import accounts, organisations, retention, supervision

router = APIRouter()
for area in (organisations, accounts, supervision, retention):
    router.include_router(area.router)
