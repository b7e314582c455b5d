#!/usr/bin/env bash
# Run the whole test suite against real services: install what is missing, start MinIO, PostgreSQL and
# Redis on loopback with throwaway data, run pytest (a missing service fails, never skips), stop them.
#   deploy/test.sh [pytest args]     deploy/test.sh --bench   (run bench/*.py against the same services)
set -euo pipefail
cd "$(dirname "$0")/.."

deploy/services.sh install
dir="$(mktemp -d /tmp/beeldkluis-services.XXXXXX)"
cleanup() { deploy/services.sh stop "$dir" || true; rm -rf "$dir"; }
trap cleanup EXIT
deploy/services.sh start "$dir"
# shellcheck disable=SC1091
. "$dir/env"
export BEELDKLUIS_REQUIRE_SERVICES=1

if [ "${1:-}" = "--bench" ]; then
  for b in bench/*.py; do echo "== $b"; .venv/bin/python "$b"; done
  exit 0
fi
.venv/bin/python -m pytest -p no:cacheprovider --durations=25 "$@"
