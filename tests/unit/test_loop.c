/*
 * test_loop.c - the event loop (common/loop.c): timers fire in order,
 * once or again, can be pushed back or stopped; descriptors are reported
 * ready, paused and resumed; an event of a forgotten descriptor is
 * dropped. Runs on whichever backend is built (make LOOP=poll too).
 */
#include <stdlib.h>
#include <unistd.h>

#include "loop.h"
#include "trace.h"
#include "unit.h"

static char order[64];
static size_t fired;

struct mark {
	char name;
	int stop_after;		/* stop the loop when this one fires */
};

/* A timer's callback: note its name; stop the loop if asked. */
static void
on_timer(struct loop *l, struct loop_timer *t, void *ctx)
{
	struct mark *m = ctx;

	(void)t;
	if (fired < sizeof(order) - 1)
		order[fired++] = m->name;
	if (m->stop_after)
		loop_stop(l);
}

/* Timers fire earliest first, pushed-back ones at their new time. */
static void
test_timers(void)
{
	struct loop *l = loop_new();
	struct loop_timer a, b, c, d, e;
	struct mark ma = { 'a', 0 }, mb = { 'b', 0 }, mc = { 'c', 0 },
	    md = { 'd', 0 }, me = { 'e', 1 };

	CHECK(l != NULL);
	loop_timer_init(&a, on_timer, &ma);
	loop_timer_init(&b, on_timer, &mb);
	loop_timer_init(&c, on_timer, &mc);
	loop_timer_init(&d, on_timer, &md);
	loop_timer_init(&e, on_timer, &me);
	CHECK(!loop_timer_armed(&a));
	loop_timer_after(l, &c, 30);
	loop_timer_after(l, &a, 10);
	loop_timer_after(l, &b, 20);
	loop_timer_after(l, &d, 5);
	loop_timer_after(l, &e, 60);
	CHECK(loop_timer_armed(&a));
	loop_timer_after(l, &a, 40);	/* pushed back: after c now */
	loop_timer_stop(l, &d);		/* never fires */
	loop_timer_stop(l, &d);		/* twice is harmless */
	memset(order, 0, sizeof(order));
	fired = 0;
	CHECK(loop_run(l) == 0);
	CHECK_STR(order, "bcae");
	CHECK(!loop_timer_armed(&a) && !loop_timer_armed(&e));
	loop_free(l);
}

static int ticks;

/* A repeating timer's callback: stop the loop at the fifth tick. */
static void
on_tick(struct loop *l, struct loop_timer *t, void *ctx)
{
	(void)t;
	(void)ctx;
	if (++ticks == 5)
		loop_stop(l);
}

/* A repeating timer fires again (and stays armed) until stopped. */
static void
test_every(void)
{
	struct loop *l = loop_new();
	struct loop_timer t;
	long long start = loop_now(l);

	loop_timer_init(&t, on_tick, NULL);
	loop_timer_every(l, &t, 10);
	ticks = 0;
	loop_run(l);
	CHECK(ticks == 5);
	CHECK(loop_now(l) - start >= 40);
	CHECK(loop_timer_armed(&t));
	loop_timer_stop(l, &t);
	CHECK(!loop_timer_armed(&t));
	loop_free(l);
}

static int reads;

/* Read one byte; stop the loop after three. */
static void
on_read(struct loop *l, int fd, int events, void *ctx)
{
	char c;

	(void)ctx;
	if ((events & LOOP_READ) && read(fd, &c, 1) == 1 && ++reads == 3)
		loop_stop(l);
}

/* Close the other descriptor before its event is handled. */
static void
on_read_forget(struct loop *l, int fd, int events, void *ctx)
{
	int *other = ctx;
	char c;

	(void)events;
	if (read(fd, &c, 1) == 1)
		reads++;
	loop_del(l, *other);
	loop_stop(l);
}

/* Descriptors: ready, paused, resumed, forgotten. */
static void
test_fds(void)
{
	struct loop *l = loop_new();
	int p[2], q[2];

	CHECK(pipe(p) == 0 && pipe(q) == 0);
	CHECK(loop_add(l, p[0], LOOP_READ, on_read, NULL) == 0);
	CHECK(loop_add(l, p[0], LOOP_READ, on_read, NULL) < 0);
	CHECK(loop_count(l) == 1);
	CHECK(write(p[1], "xyz", 3) == 3);
	reads = 0;
	loop_run(l);
	CHECK(reads == 3);
	/* Paused: the byte waits; resumed: it is read. */
	CHECK(write(p[1], "w", 1) == 1);
	CHECK(loop_pause(l, p[0]) == 0 && loop_paused(l, p[0]));
	CHECK(loop_mod(l, p[0], LOOP_READ) == 0 && loop_paused(l, p[0]));
	{
		struct loop_timer t;
		struct mark m = { 'p', 1 };

		loop_timer_init(&t, on_timer, &m);
		loop_timer_after(l, &t, 20);
		reads = 0;
		loop_run(l);
		CHECK(reads == 0);
	}
	CHECK(loop_resume(l, p[0]) == 0 && !loop_paused(l, p[0]));
	reads = 2;
	loop_run(l);
	CHECK(reads == 3);
	CHECK(loop_del(l, p[0]) == 0 && loop_del(l, p[0]) < 0);
	CHECK(loop_mod(l, 99, LOOP_READ) < 0);
	/* Two ready at once; the first forgets the second: it is not called. */
	CHECK(loop_add(l, p[0], LOOP_READ, on_read_forget, &q[0]) == 0);
	CHECK(loop_add(l, q[0], LOOP_READ, on_read_forget, &p[0]) == 0);
	CHECK(write(p[1], "1", 1) == 1 && write(q[1], "2", 1) == 1);
	reads = 0;
	loop_run(l);
	CHECK(reads == 1 && loop_count(l) == 1);
	loop_free(l);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
}

int
main(void)
{
	trace_init("unit");
	unit_quiet();
	test_timers();
	test_every();
	test_fds();
	return unit_report("test_loop");
}
