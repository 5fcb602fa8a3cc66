/* Closing an nng socket without trusting nng_close to return.
 *
 * nng 1.5's tcp and ipc transports can lose a transfer when a pipe is closed while the
 * completion of a partial read or write is still queued for its callback (a busy machine makes
 * that window wide): the callback then resubmits on the already-closed transport aio, the
 * submission is refused without a completion, and the protocol's pipe aio never finishes. nng's
 * single reaper thread then waits for it forever, and every nng_close from then on (which waits
 * for its pipes to be reaped) never returns. Closing a socket while peers are still sending to
 * it, or while a large frame is half written, is exactly that case.
 *
 * So the close runs on a thread of its own, followed by whatever must wait for it (freeing what
 * nng's callbacks use), and the caller waits a bounded time. If nng is wedged, the caller goes
 * on (the process can still shut down) and the thread finishes the job if nng ever returns.
 * While an abandoned close has not finished, nng's reaper is known to be stuck, and later closes
 * do not wait at all. Not installed. */
#ifndef HALE_TRANSPORT_CLOSER_H
#define HALE_TRANSPORT_CLOSER_H

#include <nng/nng.h>

#define TP_CLOSE_WAIT_MS 5000

/* Closes `sock`, then calls after(arg) (may be NULL), on a thread of its own; waits up to
 * wait_ms for both. Returns 0 when they finished, -1 when the wait ran out (they finish later on
 * that thread, if nng ever returns; the caller must no longer touch what `after` frees). */
int tp_close_socket(nng_socket sock, void (*after)(void *), void *arg, int wait_ms);

#endif
