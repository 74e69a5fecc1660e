/*
 * flow.c - one direction of a relayed TCP connection (tcp.h).
 *
 * Bytes received from the source are kept as pieces: at most --segment
 * bytes each, each with the time it may leave (now, or --delay later;
 * never before the piece ahead of it, so the stream keeps its order).
 * The pump sends the first piece once it is due, no faster than --rate,
 * stopping short at the byte counts of --stall-after, --reset-after and
 * --close-after. While the buffer is full the source is not read (the
 * kernel's buffers fill, and the sender waits: backpressure), so a flow
 * never holds more than FLOW_BUFSIZE bytes. A FIN from the source becomes
 * shutdown(SHUT_WR) on the destination once every byte before it has
 * gone: a half-close passed on faithfully, never a full close.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "step.h"
#include "tcp.h"
#include "trace.h"

static const char *const flow_state_names[] = {
	"OPEN", "FULL", "STALLED", "DRAINING", "SHUT"
};

/* Sends one pump may make before it lets the other connections run. */
#define FLOW_SENDS 64

static void flow_pump(struct flow *f);

/* The one place a flow's state changes: narrate it at -v. The caller
 * then lets conn_watch() derive what the loop watches from it. */
static void
flow_set_state(struct flow *f, enum flow_state to)
{
	if (f->state == to)
		return;
	trace_transition(relay_dir_name(f->dir), f->c->fd[f->dir],
	    flow_state_names[f->state], flow_state_names[to]);
	f->state = to;
}

/* The source and destination sockets. */
static int
flow_src(const struct flow *f)
{
	return f->c->fd[f->dir];
}

static int
flow_dst(const struct flow *f)
{
	return f->c->fd[!f->dir];
}

/* The timer fired: a stall is over, or a piece, the pace or the FIN is
 * due. */
static void
on_flow_timer(struct loop *l, struct loop_timer *t, void *ctx)
{
	struct flow *f = ctx;

	(void)l;
	(void)t;
	if (f->state == FLOW_STALLED) {
		trace_status("connection %lld: %s flows again", f->c->id,
		    relay_dir_name(f->dir));
		flow_set_state(f, f->eof ? FLOW_DRAINING : FLOW_OPEN);
	}
	flow_pump(f);
	if (f->c->state == CONN_RELAYING)
		conn_watch(f->c);
}

/* Set up flow dir of c. */
void
flow_init(struct flow *f, struct conn *c, int dir)
{
	memset(f, 0, sizeof(*f));
	f->c = c;
	f->dir = dir;
	f->state = FLOW_OPEN;
	f->imp = &c->r->opt->imp[dir];
	f->stats = &c->r->stats[dir];
	/* Stream 2 * id + dir: each flow its own, whatever the others do. */
	prng_seed(&f->rng, c->r->seed, 2 * (unsigned long long)c->id +
	    (unsigned)dir);
	loop_timer_init(&f->timer, on_flow_timer, f);
}

/* Bytes held now. */
static size_t
flow_held(const struct flow *f)
{
	return f->len - f->off;
}

/* Stop the timer, free the buffer; the bytes still held. */
size_t
flow_free(struct flow *f)
{
	size_t held = flow_held(f);

	loop_timer_stop(f->c->r->loop, &f->timer);
	free(f->buf);
	f->buf = NULL;
	f->piece = NULL;
	f->off = f->len = 0;
	f->count = 0;
	return held;
}

/* How many bytes one recv may take now: what fits in the buffer, and in
 * the free pieces. */
static size_t
flow_room(const struct flow *f)
{
	size_t room = FLOW_BUFSIZE - flow_held(f);
	size_t pieces = FLOW_PIECES - f->count;
	size_t seg = f->imp->segment > 0 ? (size_t)f->imp->segment : 0;

	if (pieces == 0)
		return 0;
	if (seg > 0 && pieces * seg < room)
		room = pieces * seg;
	return room;
}

/* What the loop should watch the source and destination for. */
int
flow_wants_read(const struct flow *f)
{
	return f->state == FLOW_OPEN;
}

int
flow_wants_write(const struct flow *f)
{
	return f->blocked && f->state != FLOW_STALLED &&
	    f->state != FLOW_SHUT;
}

/* The state a flow that is not stalled or shut is in, by its buffer. */
static void
flow_settle(struct flow *f)
{
	if (f->state == FLOW_STALLED || f->state == FLOW_SHUT)
		return;
	flow_set_state(f, f->eof ? FLOW_DRAINING : flow_room(f) == 0 ?
	    FLOW_FULL : FLOW_OPEN);
}

/* Arm the timer for ms on the loop's clock (the earliest wins). */
static void
flow_wake_at(struct flow *f, long long ms)
{
	struct loop *l = f->c->r->loop;

	if (!loop_timer_armed(&f->timer) || f->timer.due > ms)
		loop_timer_after(l, &f->timer, ms - loop_now(l));
}

/* Keep n bytes just received at buf + len as pieces, due after --delay. */
static void
flow_keep(struct flow *f, size_t n)
{
	long long now = loop_now(f->c->r->loop), due;
	size_t seg = f->imp->segment > 0 ? (size_t)f->imp->segment : n, cut;

	f->len += n;
	while (n > 0) {
		cut = n < seg ? n : seg;
		due = now + prng_delay(&f->rng, f->imp->delay_ms,
		    f->imp->jitter_ms);
		if (due < f->last_due)
			due = f->last_due;	/* never overtake the one ahead */
		f->last_due = due;
		f->piece[(f->head + f->count) % FLOW_PIECES] =
		    (struct piece){ cut, due };
		f->count++;
		n -= cut;
	}
}

/* Step 8: receive once from the source, into the buffer (allocated now
 * if nothing was held). */
void
flow_readable(struct flow *f)
{
	size_t room = flow_room(f);
	ssize_t n;

	if (f->state != FLOW_OPEN || room == 0)
		return;
	if (f->buf == NULL) {
		f->buf = malloc(FLOW_BUFSIZE + FLOW_PIECES * sizeof(*f->piece));
		if (f->buf == NULL) {
			conn_failed(f->c, f->dir, ENOMEM, STEP_RECV);
			return;
		}
		f->piece = (struct piece *)(void *)(f->buf + FLOW_BUFSIZE);
	}
	/* Move what is held to the front when the tail has little room. */
	if (f->off > 0 && FLOW_BUFSIZE - f->len < FLOW_BUFSIZE / 4) {
		memmove(f->buf, f->buf + f->off, flow_held(f));
		f->len -= f->off;
		f->off = 0;
	}
	if (room > FLOW_BUFSIZE - f->len)
		room = FLOW_BUFSIZE - f->len;
	n = step_recv(flow_src(f), f->buf + f->len, room);
	if (n < 0 && relay_not_yet(errno))
		return;
	if (n < 0) {
		conn_failed(f->c, f->dir, errno, STEP_RECV);
		return;
	}
	if (n == 0) {
		/* The FIN waits its turn behind the bytes before it. */
		f->eof = 1;
		f->fin_due = loop_now(f->c->r->loop) + f->imp->delay_ms;
		if (f->fin_due < f->last_due)
			f->fin_due = f->last_due;
	} else {
		f->stats->in += n;
		flow_keep(f, (size_t)n);
	}
	flow_pump(f);
}

/* The destination has room again. */
void
flow_writable(struct flow *f)
{
	f->blocked = 0;
	flow_pump(f);
}

/* A byte count was reached: stall, reset or close. 1 if it acted. */
static int
flow_threshold(struct flow *f)
{
	const struct impair *imp = f->imp;

	if (imp->reset_after >= 0 && f->passed >= imp->reset_after) {
		trace_status("connection %lld: reset both sides after %lld "
		    "bytes %s", f->c->id, f->passed, relay_dir_name(f->dir));
		conn_end(f->c, END_RESET);
		return 1;
	}
	if (imp->close_after >= 0 && f->passed >= imp->close_after) {
		trace_status("connection %lld: closing both sides after %lld "
		    "bytes %s", f->c->id, f->passed, relay_dir_name(f->dir));
		conn_end(f->c, END_CLOSE);
		return 1;
	}
	if (imp->stall_after >= 0 && !f->stalled &&
	    f->passed >= imp->stall_after) {
		f->stalled = 1;
		trace_status("connection %lld: %s stalls for %g s after %lld "
		    "bytes", f->c->id, relay_dir_name(f->dir),
		    imp->stall_ms / 1000.0, f->passed);
		flow_set_state(f, FLOW_STALLED);
		loop_timer_after(f->c->r->loop, &f->timer, imp->stall_ms);
		return 1;
	}
	return 0;
}

/* The connection is up: a threshold of 0 bytes acts at once. */
void
flow_start(struct flow *f)
{
	flow_threshold(f);
}

/* How many bytes of the first piece one send may carry now. */
static size_t
flow_send_size(const struct flow *f)
{
	const struct impair *imp = f->imp;
	size_t n = f->piece[f->head].len;

	if (imp->rate > 0 && impair_rate_piece(imp->rate) < n)
		n = impair_rate_piece(imp->rate);
	if (!f->stalled)
		n = impair_before(f->passed, n, imp->stall_after);
	n = impair_before(f->passed, n, imp->reset_after);
	return impair_before(f->passed, n, imp->close_after);
}

/* Step 7: send the first piece (or as much of it as may go now); 1 if
 * more may follow at once, 0 if not, -1 if the connection failed. */
static int
flow_send_one(struct flow *f)
{
	struct piece *p = &f->piece[f->head];
	long long now_us = loop_now(f->c->r->loop) * 1000;
	size_t want = flow_send_size(f);
	ssize_t n = step_send(flow_dst(f), f->buf + f->off, want);

	if (n < 0 && relay_not_yet(errno)) {
		f->blocked = 1;
		return 0;
	}
	if (n < 0) {
		conn_failed(f->c, !f->dir, errno, STEP_SEND);
		return -1;
	}
	f->off += (size_t)n;
	f->passed += n;
	f->stats->out += n;
	f->stats->pieces++;
	if (f->imp->rate > 0)
		f->next_us = impair_pace(f->next_us, now_us, (size_t)n,
		    f->imp->rate);
	p->len -= (size_t)n;
	if (p->len == 0) {
		f->head = (f->head + 1) % FLOW_PIECES;
		f->count--;
	}
	/* Less taken than offered: the socket is full; wait until it is not. */
	f->blocked = (size_t)n < want;
	return !f->blocked;
}

/* Send every piece that is due, as far as pace and thresholds allow;
 * then pass the FIN on if it is due and nothing is left before it. */
static void
flow_pump(struct flow *f)
{
	long long now = loop_now(f->c->r->loop);
	int budget = FLOW_SENDS;

	while (f->count > 0 && f->state != FLOW_STALLED && !f->blocked) {
		if (flow_threshold(f))
			return;
		if (budget-- == 0) {
			/* Enough for one turn: wait for the loop to say the
			 * destination is writable (it is), so that every other
			 * socket ready meanwhile has its turn first. */
			f->blocked = 1;
			break;
		}
		if (f->piece[f->head].due > now) {
			flow_wake_at(f, f->piece[f->head].due);
			break;
		}
		if (f->imp->rate > 0 && f->next_us > now * 1000) {
			flow_wake_at(f, (f->next_us + 999) / 1000);
			break;
		}
		if (flow_send_one(f) < 0)
			return;
	}
	if (f->c->state != CONN_RELAYING || flow_threshold(f))
		return;
	if (f->count == 0) {
		free(f->buf);	/* nothing held: give the memory back */
		f->buf = NULL;
		f->piece = NULL;
		f->off = f->len = 0;
	}
	if (f->count == 0 && f->eof && f->state != FLOW_SHUT &&
	    f->state != FLOW_STALLED) {
		if (f->fin_due > now) {
			flow_wake_at(f, f->fin_due);
		} else {
			/* Step 9: the source's FIN, passed on as a half-close. */
			step_shutdown(flow_dst(f), SHUT_WR);
			flow_set_state(f, FLOW_SHUT);
			conn_check_done(f->c);
			return;
		}
	}
	flow_settle(f);
}
