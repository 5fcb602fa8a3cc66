/* The C baselines of locus_instantiation and coord_with_churn: a struct per locus from
 * malloc/free, its hooks called through function pointers (as a runtime would), no scheduler,
 * no regions. Same work and rounds as the Hale programs; prints the best times. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef struct node node;
struct node {
    int64_t id, acc;
    void (*birth)(node *), (*run)(node *), (*dissolve)(node *);
};

static void birth(node *n) {
    n->acc = n->id * 3;
}
static void run(node *n) {
    n->acc = n->acc + 1;
}
static void dissolve(node *n) {
    n->acc = n->acc - 1;
}
static void work(node *n) {
    n->acc = (n->id * 7 + 3) % 1000;
}

static volatile int64_t sink;
/* Each struct escapes through here, so the compiler cannot pair malloc with free and drop both. */
static void *volatile escape;

static int64_t now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t instantiation(int64_t n) {
    int64_t t0 = now();
    for (int64_t i = 0; i < n; i++) {
        node *l = malloc(sizeof *l);
        l->id = i;
        l->birth = birth;
        l->run = run;
        l->dissolve = dissolve;
        l->birth(l);
        l->run(l);
        l->dissolve(l);
        sink += l->acc;
        escape = l;
        free(l);
    }
    return now() - t0;
}

static int64_t churn(int64_t rounds, int64_t width, int64_t *tally) {
    int64_t t0 = now();
    *tally = 0;
    for (int64_t r = 0; r < rounds; r++) {
        for (int64_t i = 0; i < width; i++) {
            node *w = malloc(sizeof *w);
            w->id = i;
            w->run = work;
            w->run(w);
            *tally += w->acc;
            escape = w;
            free(w);
        }
    }
    return now() - t0;
}

int main(void) {
    int64_t best = INT64_MAX, tally = 0;
    for (int r = 0; r < 11; r++) {
        int64_t t = instantiation(100000);
        best = t < best ? t : best;
    }
    printf("locus_instantiation_c %lld\n", (long long)best);
    best = INT64_MAX;
    for (int r = 0; r < 5; r++) {
        int64_t t = churn(50, 2000, &tally);
        best = t < best ? t : best;
    }
    printf("coord_with_churn_c %lld tally %lld\n", (long long)best, (long long)tally);
    return 0;
}
