#!/bin/sh
# Every payload shape (scalars, String, Bytes, Duration, enum, nested record, arrays, bounded)
# crosses between two compiled programs, sealed, over ipc and over TCP; the receiver prints
# exactly what was sent.
. "$(dirname "$0")/../transport/lib.sh"
. "$(dirname "$0")/lib.sh"
want='shape i=1 f=1.5 b=true s=héllo d=250000000ns data=raw color=Color::Blue inner=in/0.25 list=[1, 2, 3] inners=2 tags=2'
for kind in ipc tcp; do
    if [ $kind = ipc ]; then
        routes "$work/r.toml" "ipc://$work/shape.sock" "ipc://$work/seq.sock"
    else
        routes "$work/r.toml" "tcp://127.0.0.1:17311" "tcp://127.0.0.1:17312"
    fi
    export HALE_BUS_CONFIG="$work/r.toml"
    mask=$(umask)
    umask 000 # a permissive umask must not leak into the socket's mode
    BIND_SHAPES=3 HALE_BUS_COUNTERS_DUMP=1 start sub "$work/sub"
    umask "$mask"
    wait_for sub '^ready' 20
    if [ $kind = ipc ]; then
        # The listener (the subscriber) created both sockets before `ready`: owner-only, whatever
        # the umask of whoever started it.
        for s in shape seq; do
            mode=$(stat -c %a "$work/$s.sock" 2>/dev/null) || fail "ipc: $s.sock does not exist"
            [ $((0$mode & 077)) = 0 ] || fail "ipc: $s.sock has mode $mode, not owner-only"
        done
    fi
    BIND_SHAPES=3 start pub "$work/pub"
    wait_exit sub 60
    [ "$rc" = 0 ] || fail "$kind: subscriber exited $rc"
    grep -qxF "$want" "$work/sub.out" || fail "$kind: shape not delivered intact"
    [ "$(grep -c '^shape ' "$work/sub.out")" = 3 ] || fail "$kind: not 3 shapes"
    grep -q "hale-bus binding url=$kind.* sealed=1 .* received=3 " "$work/sub.out" ||
        fail "$kind: receiver not sealed or counts wrong"
    wait_exit pub 30
    [ "$rc" = 0 ] || fail "$kind: publisher exited $rc"
done
echo "ok: every shape over ipc and tcp, sealed; ipc sockets owner-only"
