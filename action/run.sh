#!/usr/bin/env bash
# Step 2 of action.yml: `segscore evaluate GT PRED [options] [--baseline B --max-drop D]`. The
# Markdown report is appended to GITHUB_STEP_SUMMARY by segscore itself; the exit code is the
# step's (so a failed gate fails the job) and the `exit-code` output.
set -uo pipefail
: "${SEGSCORE_GT:?}" "${SEGSCORE_PRED:?}" "${GITHUB_OUTPUT:?}"
# The options input is shell words (quotes respected, nothing expanded or executed).
options=()
if [ -n "${SEGSCORE_OPTIONS:-}" ]; then
    words=$(mktemp)
    if ! python3 -c 'import shlex, sys; sys.stdout.write("".join(w + "\0" for w in shlex.split(sys.argv[1])))' \
        "$SEGSCORE_OPTIONS" >"$words" 2>"$words.err"; then
        echo "::error::segscore action: the options input is not valid shell words: $(tail -1 "$words.err")"
        echo "exit-code=2" >>"$GITHUB_OUTPUT"
        exit 2
    fi
    while IFS= read -r -d '' word; do options+=("$word"); done <"$words"
    rm -f "$words" "$words.err"
fi
if [ -n "${SEGSCORE_BASELINE:-}" ]; then options+=(--baseline "$SEGSCORE_BASELINE"); fi
if [ -n "${SEGSCORE_MAX_DROP:-}" ]; then options+=(--max-drop "$SEGSCORE_MAX_DROP"); fi
segscore evaluate "$SEGSCORE_GT" "$SEGSCORE_PRED" "${options[@]}"
status=$?
echo "exit-code=$status" >>"$GITHUB_OUTPUT"
case $status in
    0) ;;
    1) echo "::error::segscore: a quality gate failed (see the job summary)" ;;
    3) echo "::error::segscore: some masks could not be scored (see the job summary)" ;;
    *) echo "::error::segscore exited with $status" ;;
esac
exit "$status"
