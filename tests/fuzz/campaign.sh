#!/bin/sh
# A fuzz campaign measured in CPU time, not wall time: runs one libFuzzer target in chunks until
# the processes it ran have used CPU_SECONDS of user+system time, then merges what added
# coverage into the kept corpus and appends a line to tests/fuzz/campaigns.tsv. Wall time is the
# wrong measure on a shared machine (a fuzzer at nice 19 beside a build gets a fraction of a
# core), and -max_total_time counts wall time, so each chunk is timed by /usr/bin/time.
#
#   campaign.sh BUILD TARGET CPU_SECONDS [CHUNK_WALL_SECONDS]
#
# New inputs go to BUILD/fuzz/campaign/TARGET first (outside the tree); crashers to
# BUILD/fuzz/findings/TARGET/. A crash stops the campaign and is recorded as such. A fuzzer
# interrupted (SIGINT or SIGTERM to it: libFuzzer then exits with 72) ends the campaign early,
# recorded as `interrupted` with the CPU time it had used, so a later campaign can add to it;
# signal the fuzzer, not /usr/bin/time above it, or the last chunk's CPU time is lost (`stopped`).
#
# Beside other work: `nice -n 19` alone does not make a campaign yield when the kernel schedules
# by autogroup (/proc/sys/kernel/sched_autogroup_enabled): every session is one group, weighed
# against the others at the group's own nice level, so a fuzzer at nice 19 started in a session
# of its own (setsid, or nohup from another terminal) still takes a whole core from a benchmark.
# Lower the group too: `echo 19 > /proc/PID/autogroup` for the campaign's PID.
set -eu
build=$1
name=$2
want=$3
chunk=${4:-300}
root=$(cd "$(dirname "$0")/../.." && pwd)
bin="$build/fuzz/fuzz_$name"
[ -x "$bin" ] || {
    echo "campaign: no $bin (make build-fuzz)" >&2
    exit 2
}
corpus="$root/tests/fuzz/corpus/$name"
scratch="$build/fuzz/campaign/$name"
findings="$build/fuzz/findings/$name"
log="$build/fuzz/campaign/$name.log"
ledger="$root/tests/fuzz/campaigns.tsv"
mkdir -p "$corpus" "$scratch" "$findings"
before=$(find "$corpus" -type f | wc -l)
used=0
execs=0
result=ok
while awk -v u="$used" -v w="$want" 'BEGIN { exit !(u < w) }'; do
    rc=0
    /usr/bin/time -f '%U %S' -o "$scratch.time" "$bin" -max_total_time="$chunk" \
        -artifact_prefix="$findings/" -print_final_stats=1 "$scratch" "$corpus" \
        >"$log" 2>&1 || rc=$?
    case $rc in
    0) ;;
    72) result=interrupted ;;
    1 | 7[0-9]) result=crash ;; # libFuzzer's crash, timeout, OOM and leak exits
    *) result=stopped ;;        # the timer itself killed: this chunk's CPU is not known
    esac
    [ -s "$scratch.time" ] || echo "0 0" >"$scratch.time"
    cpu=$(tail -n 1 "$scratch.time" | awk '{ printf "%.1f", $1 + $2 }')
    used=$(awk -v u="$used" -v c="$cpu" 'BEGIN { printf "%.1f", u + c }')
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    execs=$((execs + ${runs:-0}))
    echo "campaign $name: $used / $want CPU s, $execs runs"
    if [ $result = crash ]; then
        echo "campaign $name: crash, see $findings and $log" >&2
        tail -n 40 "$log" >&2
        break
    fi
    [ $result = ok ] || break
done
cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
ft=$(grep -o 'ft: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
"$bin" -merge=1 "$corpus" "$scratch" >"$log.merge" 2>&1 || true
after=$(find "$corpus" -type f | wc -l)
[ -s "$ledger" ] ||
    printf 'date\ttarget\tcpu_seconds\truns\tcov\tft\tcorpus_before\tcorpus_after\tresult\n' >"$ledger"
printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%Y-%m-%d)" "$name" "$used" "$execs" \
    "${cov:-?}" "${ft:-?}" "$before" "$after" "$result" >>"$ledger"
echo "campaign $name: $result, $used CPU s, $execs runs, cov ${cov:-?}, corpus $before -> $after"
[ $result != crash ]
