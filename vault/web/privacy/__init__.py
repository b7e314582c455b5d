"""Privacy officer (privacyfunctionaris, FG) pages, by area:

- `log`: the audit log with filters, the chain's state and the anomaly signals (/privacy);
- `reports`: everything that happened to one family or that one employee did;
- `retention`: a family's purge plan, legal holds, what was purged and the signed deletion
  certificates (/privacy/bewaren).

Every read goes through the audit and retention API's own functions, which log the read
(`audit_read`). The officer sees the log of their own organisation: what its people did and
everything that happened to its families. The names of the log's codes: vault/web/labels/log.py.
"""

from __future__ import annotations

from fastapi import APIRouter

from vault.web.privacy import log, reports, retention

router = APIRouter()
for area in (log, reports, retention):
    router.include_router(area.router)
