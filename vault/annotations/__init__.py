"""The trainer's analysis: an organisation's codebook (versioned) and the annotations on a recording.

`models` (the tables) < `schemas` < `formats` (W3C Web Annotation, WebVTT, ELAN) < `service` (the
rules) < `endpoints` (the HTTP routes); see docs/architecture.md and ADR 0011.
"""
