#!/usr/bin/env bash
# Sets up the grader in ./.venv: Python dependencies, the notebook kernel and, where the
# machine allows it, bubblewrap (the default sandbox). Safe to run again: it only adds
# what is missing.
set -euo pipefail
cd "$(dirname "$0")"

python=${PYTHON:-python3}

have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ]; }

# Debian packages: bubblewrap for the default sandbox and, as root, what the portability
# tests (tests/portability) use: Debian's own python3 with its venv module (a second Python
# layout), useradd plus setpriv or runuser (grading as an unprivileged user), and
# chromium (the review app's browser tests drive it with Playwright; Playwright's own
# browser download is never used). One apt-get call; the tests skip what is still missing.
packages=()
have bwrap || packages+=(bubblewrap)
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  /usr/bin/python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || packages+=(python3 python3-venv)
  { have useradd && have userdel; } || packages+=(passwd)
  have setpriv || have runuser || packages+=(util-linux)
  { have chromium || have chromium-browser; } || packages+=(chromium)
  if [ ${#packages[@]} -gt 0 ]; then
    echo "setup: installing ${packages[*]} with apt-get"
    (export DEBIAN_FRONTEND=noninteractive
     apt-get update -qq && apt-get install -y -qq --no-install-recommends "${packages[@]}") \
      >/dev/null || echo "setup: could not install ${packages[*]} (without bubblewrap grading" \
                         "uses the weaker process sandbox; the portability tests skip what" \
                         "they cannot run)"
  fi
elif ! have bwrap; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    echo "setup: installing bubblewrap (sandbox) with sudo apt-get"
    (sudo apt-get update -qq && sudo apt-get install -y -qq bubblewrap) >/dev/null \
      || echo "setup: could not install bubblewrap; grading falls back to the process sandbox"
  else
    echo "setup: bubblewrap is not installed and cannot be installed here;" \
         "grading will use the weaker process sandbox (install the 'bubblewrap' package)"
  fi
fi

if [ -e .venv ] && [ ! -d .venv ]; then
  echo "setup: .venv exists but is not a folder; move it away and run setup.sh again" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip >/dev/null
echo "setup: installing the grader and its dependencies into .venv"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
# Notebooks execute with a kernel named python3 that must be this environment's Python.
.venv/bin/python -m ipykernel install --sys-prefix --name python3 >/dev/null
echo "setup: ready ($(.venv/bin/grader --version))"
