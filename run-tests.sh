#!/usr/bin/env bash
# run-tests.sh -- build trunkgate and run the whole test suite: `make check`
# (unit selftest + integration tests driving the real daemon) and the browser
# test (headless Chromium).  Installs what it needs first.  Exits non-zero on
# any failure and ends with the summary line "run-tests: N passed, M failed".
#   TG_CONFIGURE_FLAGS   extra ./configure options (CI: --enable-werror)
set -uo pipefail
cd "$(dirname "$0")"
top=$PWD
scripts/install-deps.sh || exit 1
scripts/build.sh || exit 1

log=$(mktemp)
trap 'rm -f "$log"' EXIT
fail_stage=0

echo "== make check"
make -j"$(nproc)" check >"$log" 2>&1
check_rc=$?
grep -E '^(PASS|FAIL|ERROR|XPASS|SKIP):' "$log" | grep -Ev '^PASS:' || true
grep -E '^# (TOTAL|PASS|SKIP|XFAIL|FAIL|XPASS|ERROR):' "$log"
if [ $check_rc -ne 0 ]; then
	fail_stage=1
	for f in tests/unit/*.log tests/integration/*.log; do
		[ -f "$f" ] && grep -q '^not ok\|^ERROR' "$f" && { echo "--- $f"; grep -B2 -A6 '^not ok' "$f" | head -60; }
	done
fi
pass=$(sed -n 's/^# PASS: *//p' "$log" | tail -n 1)
failed=$(( $(sed -n 's/^# FAIL: *//p' "$log" | tail -n 1) + $(sed -n 's/^# ERROR: *//p' "$log" | tail -n 1) ))

echo "== browser test"
TG_BUILDDIR=$top TG_SRCDIR=$top tests/browser/run.sh >"$log" 2>&1
brc=$?
grep -E '^(not ok|# )' "$log" || true
bpass=$(grep -c '^ok ' "$log")
bfail=$(grep -c '^not ok ' "$log")
[ $brc -ne 0 ] && [ "$bfail" -eq 0 ] && bfail=1     # died before reporting
[ $brc -ne 0 ] && fail_stage=1

pass=$(( ${pass:-0} + bpass ))
failed=$(( ${failed:-0} + bfail ))
[ $check_rc -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
echo "run-tests: $pass passed, $failed failed"
[ $fail_stage -eq 0 ] && [ "$failed" -eq 0 ]
