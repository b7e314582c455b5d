"""Retention: policies, legal holds and the purge plan. A pure engine: a family's facts in, a dated plan out.

Use (the service fills the facts from its tables and the consent records):

from retention import DEFAULT_POLICIES, plan
p = plan(facts, DEFAULT_POLICIES, today)
for item in p.due():        # due today and not under a legal hold
    ...                     # the service purges item.object_id (rule item.rule)
if p.family_complete:       # nothing of the family remains: shred the family KEK too
    ...

The plan holds facts, not sentences: each item's `reason` (a `Reason`: the event, its day, the period,
the purpose) is put into words by whoever shows it (vault/purge/words.py, in the reader's language).
"""

from consent import Phase, Purpose  # consent owns them; here for users of the plan alone
from retention._errors import RetentionError
from retention._facts import (
    ConsentFact,
    FamilyFacts,
    Kind,
    LegalHold,
    StoredObject,
    TrajectoryFacts,
    TrajectoryType,
    Withdrawal,
    WokShare,
)
from retention._plan import (
    EVENTS,
    EVIDENCE,
    EXPIRES,
    RULE_CODES,
    RULES,
    WITHDRAWN,
    PlannedPurge,
    PurgePlan,
    Reason,
    Undated,
    plan,
    purposes_of,
)
from retention._policy import DEFAULT_POLICIES, Period, RetentionPolicy

__all__ = [
    "DEFAULT_POLICIES",
    "EVENTS",
    "EVIDENCE",
    "EXPIRES",
    "RULES",
    "RULE_CODES",
    "WITHDRAWN",
    "ConsentFact",
    "FamilyFacts",
    "Kind",
    "LegalHold",
    "Period",
    "Phase",
    "PlannedPurge",
    "PurgePlan",
    "Purpose",
    "Reason",
    "RetentionError",
    "RetentionPolicy",
    "StoredObject",
    "TrajectoryFacts",
    "TrajectoryType",
    "Undated",
    "Withdrawal",
    "WokShare",
    "plan",
    "purposes_of",
]
