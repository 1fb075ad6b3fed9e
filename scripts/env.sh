# Sourced by scripts/demo.sh and scripts/test.sh: Debian packages and the project's own
# virtual environment, so both work as written on a stock Debian 12 / Ubuntu 24.04 whose
# system pip refuses global installs (PEP 668). Needs Python 3.11 or newer.
#
#   loket_apt PKG...      install Debian packages that are missing (apt-get; sudo when not root)
#   loket_venv EXTRAS     use the active virtual environment, or create/refresh ./.venv,
#                         and install the project into it (pip install -e ".[EXTRAS]")

loket_apt() {
  [ $# -gt 0 ] || return 0
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "Memasang paket Debian / installing Debian packages: $*" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

loket_venv() {
  local extras="${1:-}"
  python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || {
    echo "Loket needs Python 3.11 or newer; this python3 is $(python3 --version 2>&1)." >&2
    return 1
  }
  if [ -z "${VIRTUAL_ENV:-}" ]; then
    if [ ! -x .venv/bin/python ]; then
      # Debian/Ubuntu ship venv without ensurepip unless python3-venv is installed.
      if ! python3 -m venv .venv >/dev/null 2>&1; then
        rm -rf .venv
        local ver
        ver=$(python3 -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
        loket_apt "python${ver}-venv" || loket_apt python3-venv
        python3 -m venv .venv
      fi
    fi
    # shellcheck disable=SC1091
    . .venv/bin/activate
  fi
  python -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null 2>&1 || true
  if [ -n "$extras" ]; then
    python -m pip install -q --disable-pip-version-check -e ".[$extras]"
  else
    python -m pip install -q --disable-pip-version-check -e .
  fi
}
