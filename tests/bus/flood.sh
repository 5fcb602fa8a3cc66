#!/bin/sh
# Runs the flood program with the counters dump on and checks the dump's lines.
set -u
out=$(HALE_BUS_COUNTERS_DUMP=1 "$1" 2>&1) || { echo "$out"; exit 1; }
echo "$out"
for want in "bus.flood.start published=1 delivered=1 " \
            "bus.flood.local published=2000000 delivered=2000000 dropped=0 unmatched=0 refused=0" \
            "bus.flood.remote published=2000000 delivered=2000000 dropped=0 unmatched=0 refused=0"; do
    echo "$out" | grep -q "^$want" || { echo "missing dump line: $want"; exit 1; }
done
[ "$(echo "$out" | grep -c '^bus\.flood\.')" -eq 3 ] || { echo "want 3 dump lines"; exit 1; }
