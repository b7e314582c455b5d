"""Compatibility only, until the branches that own tests/export, tests/ingest, tests/annotations and
tests/web/test_privacy.py are merged: they still import from here. The API fixtures are in
tests/conftest.py, the helpers in tests/support/. Delete tests/api/ once nothing imports it."""

from tests.conftest import api, stream_worker, worker  # noqa: F401
from tests.support.api import PASSWORD, Account, Api, start_stream_worker, stop_stream_worker  # noqa: F401
