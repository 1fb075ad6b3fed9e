#!/usr/bin/env bash
# Proof that the README's first command works on a new machine (issue 18 item 1): clone
# this repository's committed HEAD into an empty temporary folder (no ../shared beside
# it, no ./.venv, no active virtual environment), run `bash scripts/demo.sh --no-windows`
# as the README writes it, wait until the demo office answers /api/v1/health, log in
# with a demo account, then stop it with Ctrl-C (SIGINT) and check nothing is left
# running. The second command (`bash scripts/test.sh`) is what CI runs on a fresh clone.
#
#   bash scripts/fresh-clone-check.sh [PORT]      exit 0 = the first command works
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
port="${1:-18080}"
work="$(mktemp -d)"
trap 'kill -INT "${pid:-0}" 2>/dev/null || true; sleep 1; rm -rf "$work"' EXIT
git clone -q "$repo" "$work/loket"
cd "$work/loket"
unset VIRTUAL_ENV
export PATH="$(echo "$PATH" | tr ':' '\n' | grep -v '/\.venv/bin$' | paste -sd:)"
[ ! -e .venv ] || { echo "the clone already has a .venv" >&2; exit 1; }
started=$(date +%s)
setsid bash scripts/demo.sh --no-windows --port "$port" --data-dir ./loket-data >"$work/demo.out" 2>&1 &
pid=$!
for _ in $(seq 1 600); do
  if grep -q "Ctrl-C" "$work/demo.out" 2>/dev/null; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then cat "$work/demo.out" >&2; echo "demo.sh stopped" >&2; exit 1; fi
  sleep 1
done
grep -q "Ctrl-C" "$work/demo.out" || { cat "$work/demo.out" >&2; echo "demo did not start in 10 min" >&2; exit 1; }
ready=$(( $(date +%s) - started ))
python3 - "$port" <<'PY'
import json, sys, urllib.request
base = f"http://127.0.0.1:{sys.argv[1]}/api/v1"
with urllib.request.urlopen(base + "/health", timeout=10) as r:
    assert r.status == 200, r.status
req = urllib.request.Request(base + "/auth/login", method="POST", headers={"Content-Type": "application/json"},
                             data=json.dumps({"username": "operator1", "password": "demo1234"}).encode())
with urllib.request.urlopen(req, timeout=10) as r:
    assert json.loads(r.read())["role"] == "operator"
PY
kill -INT -- "-$pid"
for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
if kill -0 "$pid" 2>/dev/null; then echo "the demo did not stop on Ctrl-C" >&2; exit 1; fi
if pgrep -f "$work/loket" >/dev/null; then echo "processes left behind" >&2; pgrep -af "$work/loket" >&2; exit 1; fi
test -x .venv/bin/loket
echo "fresh clone: 'bash scripts/demo.sh' installed into an empty .venv and served the demo office in ${ready} s; stopped cleanly"
