#!/usr/bin/env bash
# Runs the shell steps of examples/kubernetes and examples/github locally, with the index
# variables each scheduler sets (JOB_COMPLETION_INDEX; the matrix's SHARD), on three datasets,
# and checks the merged reports and exit code equal the unsharded run's.
set -euo pipefail
source "$(dirname "$0")/sharding-lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
make_cases "$work"
shards=4
for entry in "${cases[@]}"; do
    IFS='|' read -r name data evaluate gates expected <<<"$entry"
    status=$(unsharded "$name" "$data" "$evaluate" "$gates" "$work/$name/reference")
    [ "$status" = "$expected" ] || { echo "examples-check: $name: unsharded exit $status, expected $expected" >&2; exit 1; }

    parts=$work/$name/k8s-parts out=$work/$name/k8s
    mkdir -p "$out"
    for index in $(seq 0 $((shards - 1))); do
        JOB_COMPLETION_INDEX=$index SHARDS=$shards GT=$data/gt PRED=$data/pred PARTS=$parts EVALUATE_OPTIONS="$evaluate" \
            bash "$root/examples/kubernetes/shard.sh"
    done
    status=0
    (cd "$out" && PARTS=$parts MERGE_OPTIONS="$gates $reports" bash "$root/examples/kubernetes/merge.sh" >stdout 2>stderr) || status=$?
    [ "$status" = "$expected" ] || { echo "examples-check: kubernetes $name: merge exit $status, expected $expected" >&2; exit 1; }
    same_reports "$work/$name/reference" "$out" "kubernetes $name"

    parts=$work/$name/gh-parts out=$work/$name/gh
    mkdir -p "$out"
    for shard in $(seq 1 $shards); do
        SHARD=$shard SHARDS=$shards GT=$data/gt PRED=$data/pred PARTS=$parts EVALUATE_OPTIONS="$evaluate" \
            GITHUB_ACTIONS=true bash "$root/examples/github/shard.sh"
    done
    status=0
    (cd "$out" && GITHUB_STEP_SUMMARY=$work/$name/summary.md PARTS=$parts MERGE_OPTIONS="$gates $reports" \
        bash "$root/examples/github/merge.sh" >stdout 2>stderr) || status=$?
    [ "$status" = "$expected" ] || { echo "examples-check: github $name: merge exit $status, expected $expected" >&2; exit 1; }
    same_reports "$work/$name/reference" "$out" "github $name"
    echo "examples-check: $name: kubernetes and github steps, $shards shards merged = unsharded (exit $status)"
done
echo "examples-check: ok"
