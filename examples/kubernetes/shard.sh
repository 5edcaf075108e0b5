#!/usr/bin/env bash
# Pod step of the Indexed Job: shard JOB_COMPLETION_INDEX+1 of SHARDS. EVALUATE_OPTIONS are
# words separated by spaces (no quoting).
set -euo pipefail
: "${JOB_COMPLETION_INDEX:?set by Kubernetes for Indexed Jobs}" "${SHARDS:?}" "${GT:?}" "${PRED:?}" "${PARTS:?}"
mkdir -p "$PARTS"
status=0
# shellcheck disable=SC2086 # the options are words on purpose
"${SEGSCORE:-segscore}" evaluate "$GT" "$PRED" ${EVALUATE_OPTIONS:-} \
    --shard "$((JOB_COMPLETION_INDEX + 1))/$SHARDS" --partial "$PARTS/part-$JOB_COMPLETION_INDEX.segpart" >/dev/null || status=$?
[ "$status" = 0 ] || [ "$status" = 3 ]
