from ..api.conftest import api  # noqa: F401 - the API fixture, shared
from ..ingest.conftest import server, videos  # noqa: F401 - a real HTTP server and real videos
