"""Compatibility only (see tests/api/conftest.py): consent_body is in tests/support/families.py."""

from tests.support.families import consent_body  # noqa: F401
