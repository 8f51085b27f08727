#!/usr/bin/env bash
# Runs every test `make test` promises and ends with one line:
#   N passed, N failed
# Unit tests (cmocka), short fuzz runs (libFuzzer), system tests (pytest).
set -u
cd "$(dirname "$0")/.."

passed=0
failed=0
PY=/usr/bin/python3          # Debian's python3, which has pytest and pexpect
FUZZ_SECONDS=${FUZZ_SECONDS:-5}

echo "== unit tests (cmocka)"
for t in build/unit/test_*; do
	[ -x "$t" ] || continue
	out=$("$t" 2>&1)
	rc=$?
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	p=${p:-0}; f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	printf '  %-28s %3d passed, %d failed\n' "$(basename "$t")" "$p" "$f"
	[ "$f" -eq 0 ] || printf '%s\n' "$out" | grep -E 'FAILED|ERROR|Failure|error' | head -20
	passed=$((passed + p)); failed=$((failed + f))
done

echo "== fuzz targets (libFuzzer, ${FUZZ_SECONDS}s each)"
for t in build/fuzz/fuzz_*; do
	[ -x "$t" ] || continue
	name=${t##*/fuzz_}
	corpus=tests/fuzz/corpus/$name
	work=$(mktemp -d)
	[ -d "$corpus" ] && cp -r "$corpus"/. "$work"/ 2>/dev/null
	out=$("$t" -max_total_time="$FUZZ_SECONDS" -print_final_stats=1 "$work" 2>&1)
	rc=$?
	execs=$(printf '%s\n' "$out" | sed -n 's/^stat::number_of_executed_units: *//p' | tail -1)
	rm -rf "$work"
	if [ "$rc" -eq 0 ]; then
		printf '  %-28s passed (%s executions)\n' "fuzz_$name" "${execs:-?}"
		passed=$((passed + 1))
	else
		printf '  %-28s FAILED\n' "fuzz_$name"
		printf '%s\n' "$out" | tail -30
		failed=$((failed + 1))
	fi
done

echo "== system tests (pytest, QEMU)"
out=$($PY -m pytest -q -p no:cacheprovider tests/system 2>&1)
rc=$?
printf '%s\n' "$out" | tail -40
p=$(printf '%s\n' "$out" | tail -1 | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+')
f=0
for n in $(printf '%s\n' "$out" | tail -1 | grep -oE '[0-9]+ (failed|errors?)' | grep -oE '[0-9]+'); do
	f=$((f + n))
done
p=${p:-0}; f=${f:-0}
if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
passed=$((passed + p)); failed=$((failed + f))

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
