#!/usr/bin/env bash
# Submits a sharded segscore evaluation: an array of N shard tasks, then a merge job that runs
# once all of them have ended (afterany: the merge itself says which shards are missing).
#   examples/slurm/submit.sh N GT PRED PARTS "EVALUATE OPTIONS" MERGE-OPTIONS…
# e.g. submit.sh 4 gt/ pred/ parts/ "--labels dataset.json" --json report.json --fail-under 0.8
# Prints the merge job's id.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
shards=$1 gt=$2 pred=$3 parts=$4 evaluate_options=$5
shift 5
# shellcheck disable=SC2086 # the evaluate options are words on purpose
array=$(sbatch --parsable --array="0-$((shards - 1))" "$here/shard.sbatch" "$gt" "$pred" "$parts" $evaluate_options)
sbatch --parsable --dependency="afterany:${array%%;*}" "$here/merge.sbatch" "$parts" "$@"
