# Shared by scripts/examples-check.sh and scripts/slurm-check.sh (sourced, not run): three
# datasets built from the demo (passing gate, failing gate, a corrupt file), the unsharded
# reports of each, and the comparison of a sharded run's reports with them.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SEGSCORE=${SEGSCORE:-$root/.build/debug/segscore}
export SEGSCORE SOURCE_DATE_EPOCH=1700000000
[ -x "$SEGSCORE" ] || { echo "sharding: $SEGSCORE is not built (make build)" >&2; exit 2; }

# make_cases WORK: WORK/{demo,bad}/{gt,pred} and the case table.
make_cases() {
    local work=$1
    mkdir -p "$work/demo" "$work/bad"
    cp -r "$root/Fixtures/demo/gt" "$root/Fixtures/demo/pred" "$work/demo/"
    cp -r "$root/Fixtures/demo/gt" "$root/Fixtures/demo/pred" "$work/bad/"
    printf 'not a png' >"$(ls "$work/bad/pred/"*.png | head -1)"
    cases=(
        "pass|$work/demo|--labels $root/Fixtures/demo/labels.json|--fail-under 0.5|0"
        "gate|$work/demo|--labels $root/Fixtures/demo/labels.json|--fail-under 0.99|1"
        "bad|$work/bad|--labels $root/Fixtures/demo/labels.json|--fail-under 0.5|3"
    )
}

# The report options writing every format, relative to the working folder (the unsharded run
# and the merge each run in their own folder, so their command lines, which the Markdown report
# quotes, are the same).
reports="--json report.json --csv images.csv --summary-csv classes.csv --markdown report.md --junit junit.xml"

# unsharded NAME DATA EVALUATE GATES OUT: the reference run; prints its exit code.
unsharded() {
    local status=0
    mkdir -p "$5"
    # shellcheck disable=SC2086
    (cd "$5" && "$SEGSCORE" evaluate "$2/gt" "$2/pred" $3 $4 $reports >stdout 2>stderr) || status=$?
    echo "$status"
}

# same_reports EXPECTED ACTUAL LABEL: every report file identical.
same_reports() {
    local file
    for file in report.json images.csv classes.csv report.md junit.xml; do
        if ! cmp -s "$1/$file" "$2/$file"; then
            echo "sharding: $3: $file differs from the unsharded run's" >&2
            diff "$1/$file" "$2/$file" | head -10 >&2 || true
            return 1
        fi
    done
}
