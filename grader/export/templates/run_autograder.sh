#!/usr/bin/env bash
# Gradescope runs this for every submission. It grades $ROOT/submission with the bundled
# hidden suite and always leaves $ROOT/results/results.json, even when the grader itself
# cannot start. AUTOGRADER_ROOT and GRADER_PYTHON exist so the bundle can be tried outside
# Gradescope (see docs/ci.md).
set -uo pipefail

ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"
PYTHON="${GRADER_PYTHON:-$ROOT/venv/bin/python}"
RESULTS="$ROOT/results/results.json"

export GRADER_HOME="$SOURCE/home"
# The bundled package first, so the grader that runs is the one this zip was built with.
export PYTHONPATH="$SOURCE/package${PYTHONPATH:+:$PYTHONPATH}"
mkdir -p "$ROOT/results"

"$PYTHON" -m grader.cli ci --submission "$ROOT/submission" --results "$RESULTS"
code=$?

if [ "$code" -ne 0 ] && [ ! -s "$RESULTS" ]; then
  # grader ci writes a verdict in every case it can run; this is for a broken image.
  cat > "$RESULTS" <<JSON
{"score": 0.0, "output": "The autograder could not start (exit code $code), so this submission was not graded. This is not your fault: the course staff has to fix the autograder and regrade.", "stdout_visibility": "visible", "tests": []}
JSON
fi
# The verdict is in the file; the exit code has nothing to add.
exit 0
