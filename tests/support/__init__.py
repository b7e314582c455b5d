"""Helpers shared between test modules. A test module imports helpers from here, from tests/factories.py
or fixtures through conftest.py, never from another test module (tests/test_codebase.py)."""
