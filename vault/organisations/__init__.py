"""The administrator's area: their own organisation, its accounts (with their enrolment links), and the
supervision links and gecommitteerde grants they propose. No footage, no family data.

`service` (the rules) < `endpoints` (the HTTP routes). The tables are the accounts' (vault/domain/models.py)
and, for grants, the consent domain's (vault/consents/models.py).
"""
