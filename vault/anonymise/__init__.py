"""Anonymised fragments: faces found and blurred from the encrypted source (issue #24, ADR 0017)."""
