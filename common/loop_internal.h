/*
 * loop_internal.h - the loop's own state, shared by loop.c (descriptors
 * and the run) and loop_timer.c (the timer heap). Not for tools: they see
 * only loop.h.
 */
#ifndef SOCKLAB_LOOP_INTERNAL_H
#define SOCKLAB_LOOP_INTERNAL_H

#include "loop.h"
#include "loop_backend.h"

/* Ready descriptors handled per wait. */
#define LOOP_BATCH 256

/* What one descriptor waits for, and whom to call. */
struct watch {
	loop_io_fn *fn;
	void *ctx;
	unsigned char events;	/* LOOP_READ | LOOP_WRITE, as asked */
	unsigned char paused;	/* loop_pause(): not given to the backend */
	unsigned char used;	/* registered */
};

struct loop {
	struct backend *backend;
	struct watch *watch;	/* watch[fd] */
	int slots;		/* length of watch[] */
	int count;		/* descriptors registered */
	struct loop_timer **heap;	/* timers by key, earliest first */
	int timers, heap_cap;
	struct backend_ready ready[LOOP_BATCH];	/* from the last wait */
	int nready, next;	/* ready[next..nready) not yet dispatched */
	long long now;		/* ms, read once per wake-up */
	int running;
};

/* Fire every timer that is due (loop_timer.c). */
void loop_run_timers(struct loop *l);
/* How long the next wait may last: until the earliest timer, or -1. */
int loop_wait_ms(const struct loop *l);

#endif
