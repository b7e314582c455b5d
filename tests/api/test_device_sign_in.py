"""Compatibility only (see tests/api/conftest.py): these helpers are in tests/support/device.py."""

from tests.support.device import confirm, web_sign_in  # noqa: F401
