# Shared by the bind tests (sourced after tests/transport/lib.sh): builds the two Hale programs
# into the temp dir and writes a route file that points their topics at sockets in it.
progs=$(cd "$(dirname "$0")/progs" && pwd)
export HALE_CACHE_DIR="$work/cache"
"$hale" build "$progs/pub.hl" -o "$work/pub" >"$work/build.out" 2>&1 || fail "pub.hl did not build"
"$hale" build "$progs/sub.hl" -o "$work/sub" >>"$work/build.out" 2>&1 || fail "sub.hl did not build"
export HALE_KEY_FILE="$key" # the deployment key tests/transport/lib.sh made

# routes FILE URL_SHAPE URL_SEQ [EXTRA]: a HALE_BUS_CONFIG file for both topics.
routes() {
    cat >"$1" <<EOT
[bus.routes."bind.shape"]
url = "$2"
[bus.routes."bind.seq"]
url = "$3"
EOT
}
