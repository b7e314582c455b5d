"""Compatibility only (see tests/api/conftest.py): family_with_recording is in tests/support/families.py."""

from tests.support.families import family_with_recording  # noqa: F401
