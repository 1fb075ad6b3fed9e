#!/usr/bin/env bash
# Install everything the test suite needs on a new Debian machine, then run it.
# Debian packages: xvfb (real Kivy windows), poppler-utils (pdftoppm for PDFs),
# espeak-ng and sox (voice pack), fonts. Python packages: the project with [test].
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for pair in Xvfb:xvfb pdftoppm:poppler-utils espeak-ng:espeak-ng sox:sox xdotool:xdotool; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || need+=("${pair##*:}")
done
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
fi

python3 -m pip install -q --disable-pip-version-check -e ".[test]"

export KIVY_NO_ARGS=1 KIVY_NO_CONSOLELOG=1 SDL_AUDIODRIVER=dummy
exec python3 -m pytest -n 2 --dist loadfile -q "$@"
