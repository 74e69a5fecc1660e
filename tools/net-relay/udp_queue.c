/*
 * udp_queue.c - datagrams on their way out (udp.h): held back by
 * --reorder, delayed by --delay, gathered into batches and sent.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dgram.h"
#include "step.h"
#include "trace.h"
#include "udp.h"

/* Say once per client why the kernel would not send its datagrams. */
void
udp_send_failed(struct udp *u, struct session *s, int dir, int err)
{
	if (s->refused_told)
		return;
	s->refused_told = 1;
	if (dir == TO_SERVER)
		trace_error("client %s: cannot send to %s: %s (%s); its "
		    "datagrams are dropped", s->who, u->r->target_text,
		    strerror(err), trace_errno_name(err));
	else
		trace_error("cannot send to client %s: %s (%s); its datagrams "
		    "are dropped", s->who, strerror(err), trace_errno_name(err));
	trace_hint(err, STEP_SEND, dir == TO_SERVER ? u->r->target_text :
	    s->who);
}

/* Step 7: send what the outbox has gathered: to the target on the
 * client's connected upstream socket, or back to the client from the
 * listening socket. Datagrams of one size go in one buffer that the
 * kernel cuts apart (UDP_SEGMENT, on Linux): much cheaper for it than
 * one datagram at a time, and the receiver sees the same datagrams.
 * A datagram the kernel refuses is dropped. */
void
udp_flush(struct udp *u)
{
	struct outbox *o = &u->out;
	struct session *s = o->s;
	const struct sockaddr *to = NULL;
	struct dir_stats *st;
	socklen_t tolen = 0;
	int fd;
	ssize_t rc;
#ifdef __linux__
	size_t seg;
#endif

	if (o->n == 0)
		return;	/* nothing gathered (and perhaps no one yet) */
	st = &u->r->stats[o->dir];
	fd = s->fd;
	if (o->dir == TO_CLIENT) {
		fd = u->r->lfd;
		to = (const struct sockaddr *)&s->addr;
		tolen = s->addrlen;
	}
#ifdef __linux__
	if (dgram_gso_fits(&o->b, o->n, &seg))
		rc = dgram_send_gso(fd, &o->b, o->n, seg, to, tolen);
	else
#endif
		rc = dgram_send_batch(fd, &o->b, o->n, to, tolen, to == NULL);
	if (rc < 0) {
		st->dropped += (long long)o->n;
		udp_send_failed(u, s, o->dir, errno);
	} else {
		st->out += (long long)o->n;
	}
	o->n = 0;
}

/* Add one datagram to the outbox (sending what it held first, if that
 * was for someone else, or it is full). */
static void
outbox_add(struct udp *u, struct session *s, int dir, const char *data,
    size_t len)
{
	struct outbox *o = &u->out;

	if (o->n > 0 && (o->s != s || o->dir != dir || o->n == UDP_BATCH))
		udp_flush(u);
	o->s = s;
	o->dir = dir;
	memcpy(dgram_slot(&o->b, o->n), data, len);
	o->b.lens[o->n++] = len;
}

/* A copy of data, or NULL (ENOMEM). */
static struct held *
held_new(struct session *s, const char *data, size_t len)
{
	struct held *h = malloc(sizeof(*h) + len);

	if (h == NULL)
		return NULL;
	h->next = NULL;
	h->s = s;
	h->copies = 1;
	h->len = len;
	memcpy(h->data, data, len);
	return h;
}

/* Arm the delay queue's timer for its first datagram. */
static void
queue_arm(struct udp *u, int dir)
{
	struct loop *l = u->r->loop;

	if (u->queue[dir] != NULL)
		loop_timer_after(l, &u->queue_timer[dir], u->queue[dir]->due -
		    loop_now(l));
}

/* Send one copy now, or queue it for --delay: due after the delay, but
 * never before the datagram queued ahead of it. */
static void
emit(struct udp *u, struct session *s, int dir, const char *data, size_t len)
{
	const struct impair *imp = &u->r->opt->imp[dir];
	long long due;
	struct held *h;

	if (imp->delay_ms == 0 && imp->jitter_ms == 0) {
		outbox_add(u, s, dir, data, len);
		return;
	}
	if (u->queued[dir] >= UDP_QUEUE_MAX ||
	    (h = held_new(s, data, len)) == NULL) {
		u->r->stats[dir].dropped++;	/* a full queue drops */
		return;
	}
	due = loop_now(u->r->loop) + prng_delay(&s->rng[dir], imp->delay_ms,
	    imp->jitter_ms);
	h->due = due > u->last_due[dir] ? due : u->last_due[dir];
	u->last_due[dir] = h->due;
	if (u->queue[dir] == NULL)
		u->queue[dir] = h;
	else
		u->queue_tail[dir]->next = h;
	u->queue_tail[dir] = h;
	u->queued[dir]++;
	s->queued++;
	if (u->queue[dir] == h)
		queue_arm(u, dir);
}

/* The delay queue's timer: send every datagram that is due. */
static void
on_queue_timer(struct loop *l, struct loop_timer *t, void *ctx)
{
	struct udp *u = ctx;
	int dir = t == &u->queue_timer[TO_SERVER] ? TO_SERVER : TO_CLIENT;
	struct held *h;

	while ((h = u->queue[dir]) != NULL && h->due <= loop_now(l)) {
		u->queue[dir] = h->next;
		u->queued[dir]--;
		h->s->queued--;
		outbox_add(u, h->s, dir, h->data, h->len);
		free(h);
	}
	udp_flush(u);
	queue_arm(u, dir);
}

/* Start the delay queues' timers. */
void
udp_queue_init(struct udp *u)
{
	loop_timer_init(&u->queue_timer[TO_SERVER], on_queue_timer, u);
	loop_timer_init(&u->queue_timer[TO_CLIENT], on_queue_timer, u);
}

/* Let go of what s holds back in dir, in the order it came: behind a
 * datagram that overtook it (reordered), or after UDP_HOLD_MS (not). */
static void
release(struct udp *u, struct session *s, int dir, int overtaken)
{
	struct held *h;
	int i, c;

	for (i = 0; i < s->holds[dir]; i++) {
		h = s->hold[dir][i];
		if (overtaken)
			u->r->stats[dir].reordered++;
		for (c = 0; c < h->copies; c++)
			emit(u, s, dir, h->data, h->len);
		free(h);
	}
	s->holds[dir] = 0;
	if (s->holds[!dir] == 0)
		loop_timer_stop(u->r->loop, &s->hold_timer);
}

/* Pass one datagram on: hold it back (--reorder), or send it (and then
 * what it has just overtaken). */
void
udp_pass(struct udp *u, struct session *s, int dir, const char *data,
    size_t len, int copies)
{
	const struct impair *imp = &u->r->opt->imp[dir];
	struct held *h;
	int c;

	if (imp->reorder > 0 && s->holds[dir] < UDP_HOLD &&
	    prng_chance(&s->rng[dir], imp->reorder) &&
	    (h = held_new(s, data, len)) != NULL) {
		h->copies = copies;
		s->hold[dir][s->holds[dir]++] = h;
		if (!loop_timer_armed(&s->hold_timer))
			loop_timer_after(u->r->loop, &s->hold_timer,
			    UDP_HOLD_MS);
		return;
	}
	for (c = 0; c < copies; c++)
		emit(u, s, dir, data, len);
	if (s->holds[dir] > 0)
		release(u, s, dir, 1);
}

/* The hold timer: nothing overtook what s holds back; send it now. */
void
udp_on_hold_timer(struct loop *l, struct loop_timer *t, void *ctx)
{
	struct session *s = ctx;

	(void)l;
	(void)t;
	release(s->u, s, TO_SERVER, 0);
	release(s->u, s, TO_CLIENT, 0);
	udp_flush(s->u);
}

/* Drop what s holds back by --reorder, counting it. */
void
udp_drop_held(struct udp *u, struct session *s)
{
	int dir, i;

	for (dir = 0; dir < 2; dir++) {
		for (i = 0; i < s->holds[dir]; i++) {
			u->r->stats[dir].dropped += s->hold[dir][i]->copies;
			free(s->hold[dir][i]);
		}
		s->holds[dir] = 0;
	}
	loop_timer_stop(u->r->loop, &s->hold_timer);
}

/* Drop every delayed datagram, counting them (on exit). */
void
udp_drop_queues(struct udp *u)
{
	struct held *h;
	int dir;

	for (dir = 0; dir < 2; dir++) {
		while ((h = u->queue[dir]) != NULL) {
			u->queue[dir] = h->next;
			h->s->queued--;
			u->r->stats[dir].dropped++;
			free(h);
		}
		u->queued[dir] = 0;
		loop_timer_stop(u->r->loop, &u->queue_timer[dir]);
	}
}
