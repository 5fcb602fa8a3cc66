/* Name resolution that never blocks a pool.
 *
 * getaddrinfo on a name may wait seconds for a DNS server; on a cooperative pool's thread that
 * would stall every coroutine of the pool. hale_dns_resolve therefore answers in one of three
 * ways:
 *   - a numeric host (or none: a passive wildcard) is resolved at once (AI_NUMERICHOST), since
 *     that never leaves the process;
 *   - on a pool's thread, a name is handed to a small set of resolver threads (started on first
 *     use, at most HALE_DNS_THREADS, living as long as the process), and the caller waits on an
 *     eventfd with hale_wait_fd, so the pool keeps running its other coroutines meanwhile;
 *   - on a thread with no pool (plain C, a test's main thread before the scheduler), the lookup is
 *     the blocking getaddrinfo call.
 * A wait ended by hale_cancel or hale_interrupt returns EAI_SYSTEM with errno ECANCELED; the
 * lookup still finishes on its resolver thread, which then frees it. tcp.c (and through it the
 * http client and TLS connect) and std_udp.c resolve through here. */
#ifndef HALE_RUNTIME_DNS_H
#define HALE_RUNTIME_DNS_H

#include <netdb.h>
#include <stdint.h>

#define HALE_DNS_THREADS 4

/* getaddrinfo(host, service, hints, out), not blocking a pool (see above). Returns its result
 * code; *out is freed with freeaddrinfo as usual. */
int hale_dns_resolve(const char *host, const char *service, const struct addrinfo *hints,
                     struct addrinfo **out);

/* Lookups handed to a resolver thread so far, process-wide. */
int64_t hale_dns_offloaded(void);

/* Test hook: called on the resolver thread with the host just before each lookup it makes
 * (NULL: none). Lets a test hold a lookup in flight and watch the pool carry on. */
void hale_dns_set_test_hook(void (*hook)(const char *host));

#endif
