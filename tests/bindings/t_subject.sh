#!/bin/sh
# A string subject bound to a transport (`bindings { "notes.in": unix(...) }`) crosses between two
# compiled programs exactly like a declared topic does.
. "$(dirname "$0")/../transport/lib.sh"
export HALE_CACHE_DIR="$work/cache"
export HALE_KEY_FILE="$key"
cat >"$work/sub.hl" <<EOT
type Note { n: Int = 0; text: String = ""; }
locus Reader {
    params { got: Int = 0; }
    bus { subscribe "notes.in" as on_note of type Note; }
    fn on_note(x: Note) {
        self.got = self.got + 1;
        println("note ", x.n, " ", x.text);
    }
}
main locus App {
    params { r: Reader = Reader { }; }
    bindings { "notes.in": unix("$work/notes.sock", role: listen); }
    run() {
        println("ready");
        while self.r.got < 3 {
            std::time::sleep(5ms);
        }
        println("done");
    }
}
fn main() { App { }; }
EOT
cat >"$work/pub.hl" <<EOT
type Note { n: Int = 0; text: String = ""; }
main locus App {
    bus { publish "notes.in" of type Note; }
    bindings { "notes.in": unix("$work/notes.sock", role: connect); }
    run() {
        let mut i = 1;
        while i <= 3 {
            "notes.in" <- Note { n: i, text: "t" + i } or wait;
            i = i + 1;
        }
    }
}
fn main() { App { }; }
EOT
"$hale" build "$work/sub.hl" -o "$work/sub" >"$work/build.out" 2>&1 || fail "sub.hl did not build"
"$hale" build "$work/pub.hl" -o "$work/pub" >>"$work/build.out" 2>&1 || fail "pub.hl did not build"
start sub "$work/sub"
wait_for sub '^ready' 20
start pub "$work/pub"
wait_exit sub 60
[ "$rc" = 0 ] || fail "subscriber exited $rc"
for i in 1 2 3; do
    grep -qx "note $i t$i" "$work/sub.out" || fail "note $i did not arrive intact"
done
wait_exit pub 30
[ "$rc" = 0 ] || fail "publisher exited $rc"
echo "ok: a bound string subject crosses between two programs"
