#!/usr/bin/env bash
# Run the whole test suite against real services: install what is missing, start MinIO, PostgreSQL and
# Redis on loopback with throwaway data, run pytest (a missing service fails, never skips) on both cores, stop them.
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
pytest=(.venv/bin/python -m pytest -p no:cacheprovider --durations=25)
if [ $# -gt 0 ]; then "${pytest[@]}" "$@"; exit 0; fi  # set -e: a red run exits with its code
# The whole suite: on both cores (each pytest-xdist worker has its own databases, buckets and Redis
# databases; a file stays on one worker), then, alone, the tests that stop a shared service.
status=0
"${pytest[@]}" -n 2 --dist loadfile -m "not serial" || status=$?
"${pytest[@]}" -m serial || status=$?
exit "$status"
