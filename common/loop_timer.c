/*
 * loop_timer.c - the loop's timers (loop.h), in a binary heap ordered by
 * key. Arming a timer later than its key only moves its due time; when
 * the heap brings it up early, it is put back at its real due time. A
 * connection's idle deadline, pushed back on every byte, so costs nothing
 * until it really comes near.
 */
#include <stdlib.h>
#include <string.h>

#include "loop_internal.h"

/* Swap heap entries i and j, keeping their slots right. */
static void
heap_swap(struct loop *l, int i, int j)
{
	struct loop_timer *t = l->heap[i];

	l->heap[i] = l->heap[j];
	l->heap[j] = t;
	l->heap[i]->slot = i;
	l->heap[j]->slot = j;
}

/* Restore heap order around entry i (moved up or down). */
static void
heap_fix(struct loop *l, int i)
{
	int child;

	while (i > 0 && l->heap[(i - 1) / 2]->key > l->heap[i]->key) {
		heap_swap(l, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
	for (;;) {
		child = 2 * i + 1;
		if (child >= l->timers)
			return;
		if (child + 1 < l->timers &&
		    l->heap[child + 1]->key < l->heap[child]->key)
			child++;
		if (l->heap[i]->key <= l->heap[child]->key)
			return;
		heap_swap(l, i, child);
		i = child;
	}
}

/* Set a timer up, not armed. */
void
loop_timer_init(struct loop_timer *t, loop_timer_fn *fn, void *ctx)
{
	memset(t, 0, sizeof(*t));
	t->slot = -1;
	t->fn = fn;
	t->ctx = ctx;
}

/* Arm t to fire at due; 0, or -1 (ENOMEM). */
static int
timer_arm(struct loop *l, struct loop_timer *t, long long due)
{
	t->due = due;
	if (t->slot >= 0) {
		/* Later: leave it where it is (lazily); earlier: move it up. */
		if (due < t->key) {
			t->key = due;
			heap_fix(l, t->slot);
		}
		return 0;
	}
	if (l->timers == l->heap_cap) {
		int cap = l->heap_cap ? l->heap_cap * 2 : 64;
		struct loop_timer **heap = realloc(l->heap, (size_t)cap *
		    sizeof(*heap));

		if (heap == NULL)
			return -1;
		l->heap = heap;
		l->heap_cap = cap;
	}
	t->key = due;
	t->slot = l->timers;
	l->heap[l->timers++] = t;
	heap_fix(l, t->slot);
	return 0;
}

/* Arm t to fire once, ms from now. */
int
loop_timer_after(struct loop *l, struct loop_timer *t, long long ms)
{
	t->period = 0;
	return timer_arm(l, t, l->now + ms);
}

/* Arm t to fire every ms. */
int
loop_timer_every(struct loop *l, struct loop_timer *t, long long ms)
{
	t->period = ms > 0 ? ms : 1;
	return timer_arm(l, t, l->now + t->period);
}

/* Disarm t. */
void
loop_timer_stop(struct loop *l, struct loop_timer *t)
{
	int i = t->slot;

	if (i < 0)
		return;
	t->slot = -1;
	if (i != --l->timers) {
		l->heap[i] = l->heap[l->timers];
		l->heap[i]->slot = i;
		heap_fix(l, i);
	}
}

/* True while t is armed. */
int
loop_timer_armed(const struct loop_timer *t)
{
	return t->slot >= 0;
}

/* Fire every timer that is due; put back those the heap raised early. */
void
loop_run_timers(struct loop *l)
{
	struct loop_timer *t;

	while (l->timers > 0 && l->heap[0]->key <= l->now) {
		t = l->heap[0];
		if (t->due > l->now) {
			t->key = t->due;	/* pushed back since: not yet */
			heap_fix(l, 0);
			continue;
		}
		loop_timer_stop(l, t);
		if (t->period > 0)
			timer_arm(l, t, l->now + t->period);
		t->fn(l, t, t->ctx);
	}
}

/* How long the next wait may last: until the earliest timer, or -1. */
int
loop_wait_ms(const struct loop *l)
{
	long long ms;

	if (l->timers == 0)
		return -1;
	ms = l->heap[0]->key - l->now;
	return ms < 0 ? 0 : ms > 86400000 ? 86400000 : (int)ms;
}
