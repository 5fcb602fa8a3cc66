#!/bin/sh
# Builds examples/echo with `hale build` and drives it with the echo test client
# (tests/sched/echo_client.c): concurrent connections, churn, bad clients, then SIGTERM.
#
#   run.sh HALE CLIENT WORKDIR [CLIENT OPTIONS...]
set -eu
hale=$1
client=$2
work=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work"
"$hale" build "$here/../../examples/echo" -o "$work/echo"
exec "$client" "$@" -- "$work/echo"
