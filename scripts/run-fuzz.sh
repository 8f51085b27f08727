#!/usr/bin/env bash
# make fuzz: every libFuzzer target for FUZZ_SECONDS (default 300) each,
# starting from its corpus in tests/fuzz/corpus/NAME. A crash leaves its
# input in build/fuzz/crashes/NAME/ (turn it into a regression test and a
# corpus file). FUZZ_MERGE=1 adds the new coverage-increasing inputs to the
# corpus in the repository.
set -u
cd "$(dirname "$0")/.."
secs=${FUZZ_SECONDS:-300}
status=0
printf '%-16s %12s %8s %s\n' target executions seconds result
for t in build/fuzz/fuzz_*; do
	[ -x "$t" ] || continue
	name=${t##*/fuzz_}
	corpus=tests/fuzz/corpus/$name
	work=$(mktemp -d)
	crashes=build/fuzz/crashes/$name
	mkdir -p "$crashes" "$corpus"
	cp -r "$corpus"/. "$work"/ 2>/dev/null
	out=$("$t" -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="$crashes/" "$work" 2>&1)
	rc=$?
	execs=$(printf '%s\n' "$out" | sed -n 's/^stat::number_of_executed_units: *//p' | tail -1)
	if [ "$rc" -eq 0 ]; then
		result=ok
	else
		result="FAILED (see $crashes)"
		status=1
	fi
	if [ "${FUZZ_MERGE:-0}" = 1 ]; then
		"$t" -merge=1 "$corpus" "$work" >/dev/null 2>&1
	fi
	rm -rf "$work"
	printf '%-16s %12s %8s %s\n' "$name" "${execs:-?}" "$secs" "$result"
done
exit $status
