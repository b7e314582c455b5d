from ..api.conftest import api, worker  # noqa: F401 - the API and worker fixtures, shared
from ..ingest.conftest import server  # noqa: F401 - a real uvicorn server
from ..streaming.test_stream import watched  # noqa: F401 - a clip an opleider may watch
