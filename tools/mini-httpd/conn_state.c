/*
 * conn_state.c - the table of a connection's states (drawn in conn.h):
 * each state's name for the narration, the deadline it starts, and what
 * the loop watches the socket for in it. conn_set_state() is the one
 * place a state changes; conn_watch() derives the loop interest from it
 * before a handler returns to the loop.
 */
#include "conn.h"
#include "loop.h"
#include "trace.h"

/* How long a closing connection may keep sending before we hang up. */
#define LINGER_MS 2000

static const char *const state_names[] = {
	"CLOSED", "IDLE", "READ_HEAD", "READ_BODY", "STORE_BODY", "CGI_WAIT",
	"SEND", "LINGER"
};

/* What the loop watches the socket for, in each state. */
static const int state_events[] = {
	0, LOOP_READ, LOOP_READ, LOOP_READ, LOOP_READ, 0, LOOP_WRITE, LOOP_READ
};

/* The deadline each state starts, in ms (0: none). */
static long long
state_deadline(const struct server *s, enum conn_state st)
{
	switch (st) {
	case IDLE:
	case SEND:
		return s->cfg->idle_ms;
	case READ_HEAD:
	case READ_BODY:
		/* Counted from the first byte of the head, or from the answer
		 * for a body, never pushed back by bytes that trickle in. */
		return s->cfg->head_ms;
	case STORE_BODY:	/* the whole body, however it trickles */
		return s->cfg->body_ms;
	case CGI_WAIT:		/* the script's silence, from its last piece */
		return s->cfg->cgi_ms;
	case LINGER:
		return LINGER_MS;
	default:
		return 0;
	}
}

/* The one place c's state changes: narrate it (-v), start the new
 * state's deadline. The loop interest follows in conn_watch(). */
void
conn_set_state(struct server *s, struct conn *c, enum conn_state to)
{
	if (c->state == to)
		return;
	trace_transition("conn", c->fd, state_names[c->state],
	    state_names[to]);
	c->state = to;
	if (state_deadline(s, to) > 0)
		loop_timer_after(s->loop, &c->deadline, state_deadline(s, to));
	else
		loop_timer_stop(s->loop, &c->deadline);
}

/* Before a handler returns to the loop: watch the socket for what the
 * state waits for (one epoll_ctl only when that changed). */
void
conn_watch(struct server *s, struct conn *c)
{
	int want = state_events[c->state];

	if (c->state != CLOSED && c->watch != want &&
	    loop_mod(s->loop, c->fd, want) == 0)
		c->watch = (unsigned char)want;
}

/* True in the states that read requests. */
int
conn_reading(const struct conn *c)
{
	return c->state == IDLE || c->state == READ_HEAD ||
	    c->state == READ_BODY || c->state == STORE_BODY;
}
