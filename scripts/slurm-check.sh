#!/usr/bin/env bash
# The Slurm example for real: brings up a single-node Slurm (scripts/slurm-up.sh), submits
# examples/slurm/submit.sh (an array of 4 shard tasks, then a merge job depending on it) for
# three datasets, waits, and checks the merged reports and exit code equal the unsharded run's.
set -euo pipefail
source "$(dirname "$0")/sharding-lib.sh"
eval "$(bash "$root/scripts/slurm-up.sh")"
work=$(mktemp -d /tmp/segscore-slurm-check.XXXXXX)   # on a path the Slurm node sees
trap 'rm -rf "$work"' EXIT
make_cases "$work"
shards=4
started=$(date +%s)
job_state() { scontrol show job "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | head -1 | cut -d= -f2; }
for entry in "${cases[@]}"; do
    IFS='|' read -r name data evaluate gates expected <<<"$entry"
    status=$(unsharded "$name" "$data" "$evaluate" "$gates" "$work/$name/reference")
    [ "$status" = "$expected" ] || { echo "slurm-check: $name: unsharded exit $status, expected $expected" >&2; exit 1; }
    out=$work/$name/slurm
    mkdir -p "$out"
    # shellcheck disable=SC2046
    merge=$(cd "$out" && bash "$root/examples/slurm/submit.sh" "$shards" "$data/gt" "$data/pred" "$work/$name/parts" \
        "$evaluate" $gates $reports)
    echo "slurm-check: $name: array of $shards + merge job $merge submitted"
    for _ in $(seq 1 300); do
        state=$(job_state "$merge")
        case $state in COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY) break ;; esac
        sleep 1
    done
    exit_code=$(scontrol show job "$merge" | grep -o ' ExitCode=[0-9]*' | head -1 | cut -d= -f2)
    echo "slurm-check: $name: merge job $merge $state, exit $exit_code"
    [ "$exit_code" = "$expected" ] || { echo "slurm-check: $name: merge exit $exit_code, expected $expected" >&2; cat "$out"/segscore-*.out >&2; exit 1; }
    same_reports "$work/$name/reference" "$out" "slurm $name"
    echo "slurm-check: $name: reports identical to the unsharded run's"
done
echo "slurm-check: ok in $(($(date +%s) - started)) s"
