from ..api.conftest import api, stream_worker, worker  # noqa: F401 - the API and worker fixtures, shared
from ..ingest.conftest import server, videos  # noqa: F401 - a real HTTP server and real videos
