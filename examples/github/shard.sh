#!/usr/bin/env bash
# Matrix job step: shard SHARD (1…SHARDS) of the evaluation, written to PARTS/part-SHARD.segpart.
set -euo pipefail
: "${SHARD:?}" "${SHARDS:?}" "${GT:?}" "${PRED:?}" "${PARTS:?}"
mkdir -p "$PARTS"
status=0
# shellcheck disable=SC2086 # the options are words on purpose
"${SEGSCORE:-segscore}" evaluate "$GT" "$PRED" ${EVALUATE_OPTIONS:-} \
    --shard "$SHARD/$SHARDS" --partial "$PARTS/part-$SHARD.segpart" >/dev/null || status=$?
[ "$status" = 0 ] || [ "$status" = 3 ]
