#!/usr/bin/env bash
# Merge job step: the reports of the whole run (the Markdown goes to GITHUB_STEP_SUMMARY when it
# is set and no --markdown is given); the step fails as an unsharded run would.
set -euo pipefail
: "${PARTS:?}"
# shellcheck disable=SC2086 # the options are words on purpose
exec "${SEGSCORE:-segscore}" merge "$PARTS"/part-*.segpart ${MERGE_OPTIONS:-}
