from tests.support.purge import world  # noqa: F401 - the purge's world, shared with web/test_supervisor.py
