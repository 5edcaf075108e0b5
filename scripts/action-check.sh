#!/usr/bin/env bash
# Runs the shell steps of action.yml locally, the way a runner would: GITHUB_PATH,
# GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and RUNNER_TEMP are files/folders of a temporary folder,
# and the tarball `make dist` wrote stands in for the release download.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
version=$(sed -n 's/.*segscoreVersion = "\(.*\)".*/\1/p' Sources/SegScore/Version.swift)
tarball=$root/dist/segscore-$version-linux-$(uname -m).tar.gz
[ -f "$tarball" ] || { echo "action-check: $tarball is missing: run make dist" >&2; exit 2; }
grep -q "default: \"$version\"" action.yml || { echo "action-check: action.yml's default version is not $version" >&2; exit 1; }
# Every variable the scripts read is one action.yml sets.
for variable in $(grep -oh 'SEGSCORE_[A-Z_]*' action/*.sh | sort -u); do
    grep -q "$variable:" action.yml || { echo "action-check: action.yml does not set $variable" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "action-check: $*" >&2; exit 1; }
step_env() { # a fresh runner environment for one job
    export RUNNER_TEMP=$work/$1/tmp GITHUB_PATH=$work/$1/path GITHUB_OUTPUT=$work/$1/output \
        GITHUB_STEP_SUMMARY=$work/$1/summary.md
    mkdir -p "$RUNNER_TEMP"
    : >"$GITHUB_PATH"; : >"$GITHUB_OUTPUT"; : >"$GITHUB_STEP_SUMMARY"
}
run_job() { # name, then the inputs as NAME=VALUE; prints the evaluate step's exit code
    local name=$1; shift
    step_env "$name"
    SEGSCORE_VERSION=$version SEGSCORE_TARBALL=$tarball bash action/install.sh >"$work/$name.install" 2>&1 \
        || fail "$name: install step failed: $(cat "$work/$name.install")"
    local status=0
    (cd "$work" && env PATH="$(cat "$GITHUB_PATH"):/usr/bin:/bin" "$@" bash "$root/action/run.sh") \
        >"$work/$name.out" 2>&1 || status=$?
    echo "$status"
}

demo="--labels $root/Fixtures/demo/labels.json"
status=$(run_job pass SEGSCORE_GT="$root/Fixtures/demo/gt" SEGSCORE_PRED="$root/Fixtures/demo/pred" \
    SEGSCORE_OPTIONS="$demo --fail-under 0.5 --json '$work/report with space.json'")
[ "$status" = 0 ] || fail "passing job exited $status: $(cat "$work/pass.out")"
grep -q "exit-code=0" "$work/pass/output" || fail "passing job: no exit-code=0 output"
grep -q -F "✅ **passed**" "$work/pass/summary.md" || fail "passing job: the job summary has no verdict"
[ -s "$work/report with space.json" ] || fail "passing job: a quoted option was not passed as one word"
echo "action-check: passing gate → exit 0, job summary written, quoted options kept whole"

status=$(run_job gate SEGSCORE_GT="$root/Fixtures/demo/gt" SEGSCORE_PRED="$root/Fixtures/demo/pred" \
    SEGSCORE_OPTIONS="$demo --fail-under 0.999")
[ "$status" = 1 ] || fail "failing gate exited $status, not 1"
grep -q "exit-code=1" "$work/gate/output" || fail "failing gate: no exit-code=1 output"
grep -q "::error::segscore: a quality gate failed" "$work/gate.out" || fail "failing gate: no ::error:: annotation"
grep -q -F "❌ **failed**" "$work/gate/summary.md" || fail "failing gate: the job summary has no failed verdict"
echo "action-check: failing gate → exit 1, ::error:: annotation, failed verdict in the job summary"

status=$(run_job baseline SEGSCORE_GT="$root/Fixtures/demo/gt" SEGSCORE_PRED="$root/Fixtures/demo/pred" \
    SEGSCORE_OPTIONS="$demo" SEGSCORE_BASELINE="$work/report with space.json" SEGSCORE_MAX_DROP=0.01)
[ "$status" = 0 ] || fail "baseline job exited $status: $(cat "$work/baseline.out")"
grep -q -i "baseline" "$work/baseline/summary.md" || fail "baseline job: the job summary does not mention the baseline"
echo "action-check: baseline input → --baseline/--max-drop gate in the job summary"

status=$(run_job words SEGSCORE_GT="$root/Fixtures/demo/gt" SEGSCORE_PRED="$root/Fixtures/demo/pred" \
    SEGSCORE_OPTIONS="--labels \"unterminated \$(touch $work/pwned)")
[ "$status" = 2 ] || fail "bad options exited $status, not 2"
[ ! -e "$work/pwned" ] || fail "the options input was executed by a shell"
status=$(run_job inject SEGSCORE_GT="$root/Fixtures/demo/gt" SEGSCORE_PRED="$root/Fixtures/demo/pred" \
    SEGSCORE_OPTIONS="$demo --json \$(touch $work/pwned)")
[ ! -e "$work/pwned" ] || fail "the options input was executed by a shell"
echo "action-check: unbalanced quotes → exit 2; \$(…) in options never executed"
echo "action-check: ok"
