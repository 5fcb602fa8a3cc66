/* See dns.h. A lookup handed off is a job shared by the caller and a resolver thread, counted by
 * two references: whichever side lets go last frees it (the caller lets go early when its wait is
 * cancelled, and the thread then discards the answer). The eventfd is the only thing the caller
 * waits on, so the pool's loop sees a lookup exactly like any other fd. */
#include "dns.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "region.h"
#include "scheduler.h"

typedef struct dns_job {
    struct dns_job *next;
    char *host, *service; /* copies; NULL as given */
    struct addrinfo hints;
    struct addrinfo *res;
    int rc, err;
    int efd;
    atomic_int refs;
} dns_job;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t more = PTHREAD_COND_INITIALIZER;
static dns_job *head, *tail;
static int threads, idle;
static _Atomic int64_t offloaded;
static void (*_Atomic test_hook)(const char *host);

int64_t hale_dns_offloaded(void) {
    return atomic_load_explicit(&offloaded, memory_order_relaxed);
}

void hale_dns_set_test_hook(void (*hook)(const char *host)) {
    atomic_store(&test_hook, hook);
}

static char *copy_str(const char *s) {
    if (!s) {
        return NULL;
    }
    size_t n = strlen(s) + 1;
    char *d = hale_sys_malloc(n);
    if (d) {
        memcpy(d, s, n);
    }
    return d;
}

static void release(dns_job *j) {
    if (atomic_fetch_sub_explicit(&j->refs, 1, memory_order_acq_rel) != 1) {
        return;
    }
    if (j->res) {
        freeaddrinfo(j->res);
    }
    close(j->efd);
    hale_sys_free(j->host);
    hale_sys_free(j->service);
    hale_sys_free(j);
}

static void *resolver(void *arg) {
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&mu);
        idle++;
        while (!head) {
            pthread_cond_wait(&more, &mu);
        }
        idle--;
        dns_job *j = head;
        head = j->next;
        if (!head) {
            tail = NULL;
        }
        pthread_mutex_unlock(&mu);
        void (*hook)(const char *) = atomic_load(&test_hook);
        if (hook) {
            hook(j->host);
        }
        j->rc = getaddrinfo(j->host, j->service, &j->hints, &j->res);
        j->err = errno;
        uint64_t one = 1;
        ssize_t w;
        do {
            w = write(j->efd, &one, sizeof one);
        } while (w < 0 && errno == EINTR);
        release(j);
    }
    return NULL;
}

/* Queues j, starting a resolver thread when none is idle and the cap allows; false when no
 * thread exists to take it. */
static bool submit(dns_job *j) {
    pthread_mutex_lock(&mu);
    if (idle == 0 && threads < HALE_DNS_THREADS) {
        pthread_t t;
        pthread_attr_t a;
        pthread_attr_init(&a);
        pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
        pthread_attr_setstacksize(&a, 256 * 1024);
        /* The resolver takes no signal: they belong to the program's own threads. */
        sigset_t all, old;
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        if (pthread_create(&t, &a, resolver, NULL) == 0) {
            threads++;
        }
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        pthread_attr_destroy(&a);
    }
    if (threads == 0) {
        pthread_mutex_unlock(&mu);
        return false;
    }
    j->next = NULL;
    if (tail) {
        tail->next = j;
    } else {
        head = j;
    }
    tail = j;
    pthread_cond_signal(&more);
    pthread_mutex_unlock(&mu);
    return true;
}

int hale_dns_resolve(const char *host, const char *service, const struct addrinfo *hints,
                     struct addrinfo **out) {
    *out = NULL;
    struct addrinfo h = *hints;
    h.ai_flags |= AI_NUMERICHOST;
    int rc = getaddrinfo(host, service, &h, out);
    if (rc != EAI_NONAME || !host) {
        return rc; /* numeric, the wildcard, or an error no name could fix */
    }
    if (hale_pool_current() == NULL) {
        return getaddrinfo(host, service, hints, out); /* no pool to keep running */
    }
    dns_job *j = hale_sys_calloc(1, sizeof *j);
    if (!j) {
        return EAI_MEMORY;
    }
    j->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    j->host = copy_str(host);
    j->service = copy_str(service);
    j->hints = *hints;
    j->hints.ai_addr = NULL;
    j->hints.ai_canonname = NULL;
    j->hints.ai_next = NULL;
    atomic_init(&j->refs, 2);
    if (j->efd < 0 || !j->host || (service && !j->service) || !submit(j)) {
        if (j->efd >= 0) {
            close(j->efd);
        }
        hale_sys_free(j->host);
        hale_sys_free(j->service);
        hale_sys_free(j);
        return getaddrinfo(host, service, hints, out); /* no way to hand it off: block */
    }
    atomic_fetch_add_explicit(&offloaded, 1, memory_order_relaxed);
    for (;;) {
        int r = hale_wait_fd(j->efd, HALE_READABLE, -1);
        uint64_t v;
        if (r > 0 && read(j->efd, &v, sizeof v) != (ssize_t)sizeof v) {
            continue; /* readiness without the count: wait again */
        }
        hale_fd_closing(j->efd);
        if (r <= 0) {
            release(j);
            errno = ECANCELED;
            return EAI_SYSTEM;
        }
        break;
    }
    rc = j->rc;
    *out = j->res;
    j->res = NULL;
    if (rc == EAI_SYSTEM) {
        errno = j->err;
    }
    release(j);
    return rc;
}
