from ..api.conftest import api, worker  # noqa: F401 - the API and worker fixtures, shared
