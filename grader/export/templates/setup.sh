#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder image (Ubuntu base
# image). It installs Python, bubblewrap (the grader's default sandbox) and the bundled
# grader into a virtual environment that run_autograder uses for every submission.
set -euo pipefail

ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"
VENV="$ROOT/venv"

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq python3 python3-pip python3-venv bubblewrap

python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$SOURCE/package"

# Fail the image build now, not every submission later, if the bundle does not load.
GRADER_HOME="$SOURCE/home" "$VENV/bin/python" -m grader.cli --version
