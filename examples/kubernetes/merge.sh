#!/usr/bin/env bash
# Merge Job step: the reports of the whole run from every part; exit code as an unsharded run's.
set -euo pipefail
: "${PARTS:?}"
# shellcheck disable=SC2086 # the options are words on purpose
exec "${SEGSCORE:-segscore}" merge "$PARTS"/part-*.segpart ${MERGE_OPTIONS:-}
