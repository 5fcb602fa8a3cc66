#!/bin/sh
# Hale's LOTUS_BUS_CONFIG route lines: a route that cannot be opened refuses the boot naming the
# subject (as Hale's binding_birth_fail test asks), a route a program does not use is ignored,
# and a route on a topic the compiler lowered to direct calls is not silently bypassed: the
# sends take the bus, reach the local subscriber and go to the route.
. "$(dirname "$0")/../transport/lib.sh"
. "$(dirname "$0")/lib.sh"
cat >"$work/cfg.hl" <<'EOT'
type T { n: Int = 0; }
topic Evt { payload: T; subject: "evt"; }
locus Sub {
    params { got: Int = 0; }
    bus { subscribe Evt as on_evt; }
    fn on_evt(t: T) { self.got = self.got + t.n; }
    dissolve() { println("sub got ", self.got); }
}
main locus App {
    bus { publish Evt; }
    run() {
        Evt <- T { n: 1 };
        Evt <- T { n: 2 };
        println("sent ok");
    }
}
fn main() { Sub { }; App { }; }
EOT
"$hale" build "$work/cfg.hl" -o "$work/cfg" >"$work/cfgbuild.out" 2>&1 || fail "cfg.hl did not build"
"$hale" check --json "$work/cfg.hl" | grep -q '"lowering":"direct"' || fail "Evt is not lowered to direct calls"

long=$(printf '%0200d' 0)
printf '# Hale format\nevt = unix:///tmp/%s/x.sock : connect\n' "$long" >"$work/long.conf"
LOTUS_BUS_CONFIG="$work/long.conf" "$work/cfg" >"$work/long.out" 2>&1
rc=$?
[ "$rc" != 0 ] || fail "an unopenable LOTUS_BUS_CONFIG route booted"
grep -q '^sent ok' "$work/long.out" && fail "the publisher ran past a dead route"
grep -q 'binding `evt` (ipc:///tmp/0.*could not be realized' "$work/long.out" ||
    fail "the refusal does not name the subject"

printf 'evt = udp://127.0.0.1:9 : connect\n' >"$work/udp.conf"
LOTUS_BUS_CONFIG="$work/udp.conf" "$work/cfg" >"$work/udp.out" 2>&1
[ $? != 0 ] || fail "a udp:// route (not carried) booted"
grep -q 'binding `evt`' "$work/udp.out" || fail "the udp refusal does not name the subject"

printf 'evt = tcp://127.0.0.1:0 : listen\nbroken line\nother = ipc:///x : listen\n' >"$work/ok.conf"
LOTUS_BUS_CONFIG="$work/ok.conf" HALE_BUS_COUNTERS_DUMP=1 "$work/cfg" >"$work/ok.out" 2>&1
rc=$?
[ "$rc" = 0 ] || fail "a good route file refused the boot ($rc)"
grep -q "ok.conf:2: .*the line is skipped" "$work/ok.out" || fail "the malformed line was not reported"
grep -q '^sub got 3' "$work/ok.out" || fail "the local subscriber did not get both messages"
grep -q '^evt published=2 delivered=2 .*refused=2' "$work/ok.out" ||
    fail "the direct topic's sends did not go to its route"
echo "ok: Hale's route lines refuse dead routes and a route on a direct topic is used"
