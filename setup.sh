#!/usr/bin/env bash
# Sets up the grader in ./.venv: Python dependencies, the notebook kernel and, where the
# machine allows it, bubblewrap (the default sandbox). Safe to run again: it only adds
# what is missing.
set -euo pipefail
cd "$(dirname "$0")"

python=${PYTHON:-python3}

if ! command -v bwrap >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "setup: installing bubblewrap (sandbox) with apt-get"
    (apt-get update -qq && apt-get install -y -qq bubblewrap) >/dev/null \
      || echo "setup: could not install bubblewrap; grading falls back to the process sandbox"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
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
