#!/bin/sh
# Kill the listener: the dialling publisher's link is lost, a structural failure on main. With no
# on_failure for its transport the program exits 70 naming the subject; with
# `on_failure(t: std::bus::UnixTransport, err) { restart(t); }` it redials and carries on.
. "$(dirname "$0")/../transport/lib.sh"
. "$(dirname "$0")/lib.sh"
routes "$work/r.toml" "ipc://$work/shape.sock" "ipc://$work/seq.sock"
export HALE_BUS_CONFIG="$work/r.toml"
start sub "$work/sub"
wait_for sub '^ready' 20
BIND_COUNT=1000000 BIND_PAUSE_MS=2 start pub "$work/pub"
sleep 1
kill -9 "$pid_sub"
wait_exit pub 30
[ "$rc" = 70 ] || fail "publisher exited $rc after losing its link, not 70"
grep -q 'binding `bind.shape\|binding `bind.seq' "$work/pub.out" || fail "loss did not name the subject"
grep -q 'lost its connection' "$work/pub.out" || fail "loss not reported"

# Hale finds a connect-side loss with a send: a publisher that is idle when its listener goes
# away and then simply ends is not failing anything (exit 0), one that sends again is (70)
start sub4 "$work/sub"
wait_for sub4 '^ready' 20
BIND_COUNT=1000 BIND_IDLE_MS=1500 start idle "$work/pub"
wait_for idle '^sent 1000' 20
kill -9 "$pid_sub4"
wait_exit idle 30
[ "$rc" = 0 ] || fail "an idle publisher whose listener left exited $rc, not 0"
grep -q 'lost its connection' "$work/idle.out" && fail "an idle publisher reported a loss"
grep -q '^ends' "$work/idle.out" || fail "the idle publisher did not run to its end"
start sub5 "$work/sub"
wait_for sub5 '^ready' 20
BIND_COUNT=1000 BIND_IDLE_MS=1500 BIND_AFTER=5 start late "$work/pub"
wait_for late '^sent 1000' 20
kill -9 "$pid_sub5"
wait_exit late 30
[ "$rc" = 70 ] || fail "a publisher that sent after its listener left exited $rc, not 70"
grep -q '^idle over' "$work/late.out" || fail "the loss was reported before the next send"
grep -q 'binding `bind.seq`.*lost its connection' "$work/late.out" || fail "the send's loss not named"

# the supervised publisher
cat >"$work/sup.hl" <<'EOT'
type Num { n: Int = 0; }
topic Seq { payload: Num; subject: "bind.seq"; }
main locus App {
    bus { publish Seq; }
    bindings { Seq: unix("/tmp/hale-bind-seq.sock"); }
    on_failure(t: std::bus::UnixTransport, err: ClosureViolation) {
        println("[sup] link lost: ", err.message);
        restart(t);
        println("[sup] recovered");
    }
    run() {
        let mut n = 0;
        while n < 400 {
            Seq <- Num { n: n } or wait;
            std::time::sleep(10ms);
            n = n + 1;
        }
        println("sent all");
    }
}
fn main() { App { }; }
EOT
"$hale" build "$work/sup.hl" -o "$work/sup" >"$work/supbuild.out" 2>&1 || fail "sup.hl did not build"
start sub2 "$work/sub"
wait_for sub2 '^ready' 20
HALE_BUS_COUNTERS_DUMP=1 start sup "$work/sup"
sleep 1
kill -9 "$pid_sub2"
sleep 0.5
start sub3 "$work/sub"
wait_exit sup 60
[ "$rc" = 0 ] || fail "supervised publisher exited $rc"
grep -q '^\[sup\] link lost: binding `bind.seq`' "$work/sup.out" || fail "on_failure did not run"
grep -q '^\[sup\] recovered' "$work/sup.out" || fail "restart(t) did not redial"
grep -q '^sent all' "$work/sup.out" || fail "publisher did not resume"
echo "ok: lost link exits 70 naming the subject; found by a send, not while idle; on_failure + restart(t) redials"
