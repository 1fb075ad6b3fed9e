#!/usr/bin/env bash
# Install everything the test suite needs on a new Debian/Ubuntu machine, then run it.
# Debian packages: xvfb, xdotool and x11-utils (real Kivy windows, their places), poppler-utils (pdftoppm for
# PDFs), espeak-ng and sox (voice pack), fonts, nginx and openssl (HTTPS behind the office's
# reverse proxy, tests/server/test_https_proxy.py), chromium and chromium-driver (the browser
# pages in real headless Chromium with Selenium, tests/web), postgresql (the server tests on PostgreSQL
# too: a throwaway cluster per test session, tests/support/pg_kit.py). Python packages: the project with
# [test] in its own virtual environment (./.venv, or the one already active).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh

need=()
for pair in Xvfb:xvfb pdftoppm:poppler-utils espeak-ng:espeak-ng sox:sox xdotool:xdotool xwininfo:x11-utils; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || need+=("${pair##*:}")
done
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || need+=(nginx)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
[ ${#need[@]} -eq 0 ] || loket_apt "${need[@]}"

loket_venv test

export KIVY_NO_ARGS=1 KIVY_NO_CONSOLELOG=1 SDL_AUDIODRIVER=dummy
exec python -m pytest -n 2 --dist loadfile -q "$@"
