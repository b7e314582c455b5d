"""The consent domain: consent records, signatures, events, grants, WOK sessions, supervision notes.

`models` (the tables) < `service` (the rules) < `endpoints` (the HTTP routes); see docs/architecture.md.
"""
