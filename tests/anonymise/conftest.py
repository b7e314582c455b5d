from ..api.conftest import api, worker  # noqa: F401 - the API and worker fixtures, shared
from ..ingest.conftest import server  # noqa: F401 - a real HTTP server
