/*
 * loop.c - the event loop (loop.h): who watches what, and the run: wait,
 * call what is ready, fire what is due. The timers are in loop_timer.c;
 * the kernel side is a backend (loop_backend.h), one file each.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "loop.h"
#include "loop_internal.h"
#include "step.h"
#include "trace.h"

/* Milliseconds on the monotonic clock (never jumps with the wall clock). */
static long long
clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A new, empty loop, or NULL with errno set. */
struct loop *
loop_new(void)
{
	struct loop *l = calloc(1, sizeof(*l));

	if (l == NULL)
		return NULL;
	if ((l->backend = backend_new()) == NULL) {
		int err = errno;

		free(l);
		errno = err;
		return NULL;
	}
	l->now = clock_ms();
	return l;
}

/* Free the loop. */
void
loop_free(struct loop *l)
{
	if (l == NULL)
		return;
	backend_free(l->backend);
	free(l->watch);
	free(l->heap);
	free(l);
}

/* The watch of fd, or NULL (errno ENOENT) if fd is not registered. */
static struct watch *
watch_of(const struct loop *l, int fd)
{
	if (fd < 0 || fd >= l->slots || !l->watch[fd].used) {
		errno = ENOENT;
		return NULL;
	}
	return &l->watch[fd];
}

/* What the backend is told fd waits for: nothing while paused. */
static int
effective(const struct watch *w)
{
	return w->used && !w->paused ? w->events : 0;
}

/* Tell the backend what fd waits for now, after it waited for old. */
static int
update(struct loop *l, int fd, int old)
{
	return backend_set(l->backend, fd, old, effective(&l->watch[fd]));
}

/* Watch fd for events and call fn(ctx) when ready. */
int
loop_add(struct loop *l, int fd, int events, loop_io_fn *fn, void *ctx)
{
	struct watch *w;

	if (fd < 0) {
		errno = EBADF;
		return -1;
	}
	if (fd >= l->slots) {
		int slots = fd * 2 + 64;
		struct watch *grown = realloc(l->watch, (size_t)slots *
		    sizeof(*grown));

		if (grown == NULL)
			return -1;
		memset(grown + l->slots, 0, (size_t)(slots - l->slots) *
		    sizeof(*grown));
		l->watch = grown;
		l->slots = slots;
	}
	w = &l->watch[fd];
	if (w->used) {
		errno = EEXIST;
		return -1;
	}
	*w = (struct watch){ fn, ctx, (unsigned char)events, 0, 1 };
	if (update(l, fd, 0) < 0) {
		w->used = 0;
		return -1;
	}
	l->count++;
	return 0;
}

/* Change what fd waits for. */
int
loop_mod(struct loop *l, int fd, int events)
{
	struct watch *w = watch_of(l, fd);
	int old;

	if (w == NULL)
		return -1;
	old = effective(w);
	w->events = (unsigned char)events;
	return update(l, fd, old);
}

/* Stop watching fd; drop its events not yet dispatched. */
int
loop_del(struct loop *l, int fd)
{
	struct watch *w = watch_of(l, fd);
	int old, i;

	if (w == NULL)
		return -1;
	old = effective(w);
	w->used = 0;
	l->count--;
	/* A descriptor closed now may be reused by the next accept: its old
	 * events must not reach whoever gets the number next. */
	for (i = l->next; i < l->nready; i++)
		if (l->ready[i].fd == fd)
			l->ready[i].events = 0;
	return backend_set(l->backend, fd, old, 0);
}

/* Stop watching fd for a while. */
int
loop_pause(struct loop *l, int fd)
{
	struct watch *w = watch_of(l, fd);
	int old;

	if (w == NULL || w->paused)
		return w == NULL ? -1 : 0;
	old = effective(w);
	w->paused = 1;
	return update(l, fd, old);
}

/* Watch fd again. */
int
loop_resume(struct loop *l, int fd)
{
	struct watch *w = watch_of(l, fd);

	if (w == NULL || !w->paused)
		return w == NULL ? -1 : 0;
	w->paused = 0;
	return update(l, fd, 0);
}

/* True while fd is paused. */
int
loop_paused(const struct loop *l, int fd)
{
	const struct watch *w = watch_of(l, fd);

	return w != NULL && w->paused;
}

/* Milliseconds on the loop's clock. */
long long
loop_now(const struct loop *l)
{
	return l->now;
}

/* Descriptors watched now. */
int
loop_count(const struct loop *l)
{
	return l->count;
}

/* Call the callback of every descriptor the last wait found ready. */
static void
dispatch(struct loop *l)
{
	struct backend_ready *r;
	struct watch *w;

	while (l->next < l->nready && l->running) {
		r = &l->ready[l->next++];
		if (r->events == 0 || (w = watch_of(l, r->fd)) == NULL)
			continue;	/* forgotten by an earlier callback */
		w->fn(l, r->fd, r->events, w->ctx);
	}
	l->next = l->nready = 0;
}

/* Wait and dispatch until stopped. */
int
loop_run(struct loop *l)
{
	int timeout, n;

	l->running = 1;
	while (l->running && !step_stop) {
		timeout = loop_wait_ms(l);
		n = backend_wait(l->backend, l->ready, LOOP_BATCH, timeout);
		if (n < 0 && errno != EINTR)
			return -1;
		l->now = clock_ms();
		trace_event(backend_name, "%s(%d watched, %d ms) = %d ready",
		    backend_call, l->count, timeout, n < 0 ? 0 : n);
		l->nready = n < 0 ? 0 : n;
		l->next = 0;
		dispatch(l);
		loop_run_timers(l);
	}
	return 0;
}

/* Make loop_run() return. */
void
loop_stop(struct loop *l)
{
	l->running = 0;
}

void
loop_stop_timer(struct loop *l, struct loop_timer *t, void *ctx)
{
	(void)t;
	(void)ctx;
	loop_stop(l);
}

/* The backend compiled in. */
const char *
loop_backend(void)
{
	return backend_name;
}
