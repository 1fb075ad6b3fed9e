#!/usr/bin/env bash
# Install Loket into its own virtual environment (./.venv) and run the demo office:
# the queue server on a SQLite file in ./loket-data, a kiosk, a counter station and the
# waiting-room display, printers writing PNG previews. Arguments go to `loket demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
loket_venv
exec loket demo "$@"
