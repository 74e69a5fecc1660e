/*
 * chat.c - chat mode: every line a client sends goes to all the others.
 *
 * The poll model again (one process, non-blocking sockets, loop.h), with
 * two bounded buffers per member: the line being received (a longer line
 * is cut at CHAT_LINE_MAX) and what still has to go out to that member
 * (a member who falls CHAT_OUT_MAX behind is dropped as too slow). So no
 * client, however fast or slow, can make the server's memory grow.
 *
 * A member's state changes only in member_set_state():
 *
 *   LISTENING  --a line to send-->  SENDING  --all sent-->  LISTENING
 *   either     --gone, lost, too slow-->  LEAVING  --the sweep-->  closed
 *
 * Leaving members are closed by the sweep, a timer run after the loop
 * has handled what is ready: a member may be told to leave while the
 * room is still being walked for a message.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "cli.h"
#include "io.h"
#include "loop.h"
#include "server.h"
#include "step.h"
#include "trace.h"

#define CHAT_LINE_MAX 512		/* bytes of one line, newline included */
#define CHAT_OUT_MAX (32 * 1024)	/* bytes queued for one member */

enum member_state {
	LISTENING,		/* nothing queued for it: only receive */
	SENDING,		/* lines queued for it: receive and send */
	LEAVING			/* to be closed by the next sweep */
};

static const char *const state_names[] = { "LISTENING", "SENDING",
	"LEAVING" };
/* What the loop watches a member's socket for, in each state. */
static const int state_events[] = { LOOP_READ, LOOP_READ | LOOP_WRITE, 0 };

struct member {
	int fd;
	enum member_state state;
	char who[ADDR_STRLEN];
	char line[CHAT_LINE_MAX];	/* the line being received */
	size_t linelen;
	int cutting;		/* skipping the rest of a line too long */
	char out[CHAT_OUT_MAX];	/* to send to this member: out[off..len) */
	size_t off, len;
	const char *leaving;	/* LEAVING: why */
	struct room *room;	/* the room it is in */
	struct member *next;
};

struct room {
	struct loop *loop;
	const struct options *opt;
	int lfd;
	int count;		/* members */
	struct member *members;
	struct loop_timer sweeper;	/* closes the members LEAVING */
};

/* The one place a member's state changes: narrate it at -v, and watch
 * the socket for what the new state waits for. */
static void
member_set_state(struct room *r, struct member *m, enum member_state to)
{
	if (m->state == to || m->state == LEAVING)
		return;
	trace_transition("member", m->fd, state_names[m->state],
	    state_names[to]);
	m->state = to;
	loop_mod(r->loop, m->fd, state_events[to]);
	if (to == LEAVING)
		loop_timer_after(r->loop, &r->sweeper, 0);
}

/* m is leaving, for the reason why. */
static void
leave(struct room *r, struct member *m, const char *why)
{
	if (m->state != LEAVING)
		m->leaving = why;
	member_set_state(r, m, LEAVING);
}

/* Step 7: send m's queue as far as the socket takes it now. */
static void
flush(struct room *r, struct member *m)
{
	ssize_t n;

	while (m->off < m->len && m->state != LEAVING) {
		n = step_send(m->fd, m->out + m->off, m->len - m->off);
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			leave(r, m, "left (connection lost)");
		if (n < 0)
			break;
		m->off += (size_t)n;
	}
	if (m->off == m->len)
		m->off = m->len = 0;
	member_set_state(r, m, m->len > 0 ? SENDING : LISTENING);
}

/* Queue text for m and start sending it; a member too far behind goes. */
static void
tell(struct room *r, struct member *m, const char *text, size_t len)
{
	if (m->state == LEAVING)
		return;
	if (m->off > 0 && m->len + len > CHAT_OUT_MAX) {
		memmove(m->out, m->out + m->off, m->len - m->off);
		m->len -= m->off;
		m->off = 0;
	}
	if (m->len + len > CHAT_OUT_MAX) {
		leave(r, m, "left (too slow to keep up)");
		return;
	}
	memcpy(m->out + m->len, text, len);
	m->len += len;
	flush(r, m);
}

/* Send len bytes of text to every member except from (NULL: everyone). */
static void
tell_others(struct room *r, const struct member *from, const char *text,
    size_t len)
{
	struct member *m;

	for (m = r->members; m != NULL; m = m->next)
		if (m != from)
			tell(r, m, text, len);
}

/* A complete (or cut) line from m: prefix the sender, pass it on. */
static void
relay_line(struct room *r, struct member *m)
{
	char msg[ADDR_STRLEN + CHAT_LINE_MAX + 8];
	int n = snprintf(msg, sizeof(msg), "[%s] ", m->who);

	/* memcpy, not %s: a line may hold any byte, NUL included. */
	memcpy(msg + n, m->line, m->linelen);
	msg[(size_t)n + m->linelen] = '\n';
	trace_event("chat", "%zu bytes from %s to %d others", m->linelen,
	    m->who, r->count - 1);
	tell_others(r, m, msg, (size_t)n + m->linelen + 1);
	m->linelen = 0;
}

/* Split received bytes into lines; cut a line at CHAT_LINE_MAX. */
static void
take_bytes(struct room *r, struct member *m, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (m->cutting) {
			m->cutting = p[i] != '\n';
			continue;
		}
		if (p[i] == '\n') {
			relay_line(r, m);
			continue;
		}
		m->line[m->linelen++] = p[i];
		/* Room is kept for the newline the receivers get. */
		if (m->linelen == CHAT_LINE_MAX - 1) {
			trace_status("cut a line from %s at %d bytes", m->who,
			    CHAT_LINE_MAX - 1);
			relay_line(r, m);
			m->cutting = 1;
		}
	}
}

/* Step 8: receive what m has sent; at its end, finish its last line. */
static void
hear(struct room *r, struct member *m)
{
	char buf[4096];
	ssize_t n = step_recv(m->fd, buf, sizeof(buf));

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	if (n > 0) {
		take_bytes(r, m, buf, (size_t)n);
		return;
	}
	if (n == 0 && m->linelen > 0 && !m->cutting)
		relay_line(r, m);
	leave(r, m, n == 0 ? "left" : "left (connection lost)");
}

/* The loop says m's socket is ready: send what is queued, then hear. */
static void
on_member(struct loop *l, int fd, int events, void *ctx)
{
	struct member *m = ctx;
	struct room *r = m->room;

	(void)l;
	(void)fd;
	if (m->state == SENDING && (events & (LOOP_WRITE | LOOP_ERROR)))
		flush(r, m);
	if (m->state != LEAVING && (events & (LOOP_READ | LOOP_ERROR)))
		hear(r, m);
}

/* Step 5: the loop says the listener is ready: let a new member in, and
 * tell everybody. */
static void
on_listener(struct loop *l, int lfd, int events, void *ctx)
{
	struct room *r = ctx;
	struct member *m;
	char who[ADDR_STRLEN], msg[ADDR_STRLEN + 64];
	int fd = accept_loop_client(l, lfd, r->count, r->opt, who, sizeof(who));

	(void)events;
	if (fd < 0)
		return;
	m = calloc(1, sizeof(*m));
	if (m == NULL ||
	    loop_add(l, fd, state_events[LISTENING], on_member, m) < 0) {
		drop_client(fd, who);
		free(m);
		return;
	}
	m->room = r;
	m->fd = fd;
	m->state = LISTENING;
	strcpy(m->who, who);
	snprintf(msg, sizeof(msg), "* %s joined\n", who);
	tell_others(r, NULL, msg, strlen(msg));
	m->next = r->members;
	r->members = m;
	r->count++;
	snprintf(msg, sizeof(msg), "* welcome %s, %d here\n", who, r->count);
	tell(r, m, msg, strlen(msg));
	trace_status("%s joined the chat (%d here)", who, r->count);
}

/* Step 9 for the members who are leaving; their leaving is announced,
 * which may make a slow member leave too, hence the outer loop. Without
 * -k the room closes when its last member has left. */
static void
sweep(struct loop *l, struct loop_timer *t, void *ctx)
{
	struct room *r = ctx;
	struct member **pp, *m;
	char msg[ADDR_STRLEN + 64];
	int again = 1;

	(void)t;
	while (again) {
		again = 0;
		for (pp = &r->members; (m = *pp) != NULL;) {
			if (m->state != LEAVING) {
				pp = &m->next;
				continue;
			}
			*pp = m->next;
			r->count--;
			loop_resume(l, r->lfd);
			loop_del(l, m->fd);
			step_close(m->fd);
			trace_status("closed connection from %s: %s the chat "
			    "(%d here)", m->who, m->leaving, r->count);
			snprintf(msg, sizeof(msg), "* %s %s\n", m->who,
			    m->leaving);
			free(m);
			tell_others(r, NULL, msg, strlen(msg));
			again = 1;
		}
	}
	if (!r->opt->keep && r->count == 0)
		loop_stop(l);
}

/* Steps 5 to 9 for a chat room, driven by the event loop. */
int
serve_chat(int lfd, const struct options *opt)
{
	struct room r;

	memset(&r, 0, sizeof(r));
	r.opt = opt;
	r.lfd = lfd;
	if ((r.loop = listener_loop(lfd, on_listener, &r)) == NULL)
		return cli_error(errno, STEP_NONE, NULL, "cannot start the %s "
		    "loop", loop_backend());
	loop_timer_init(&r.sweeper, sweep, &r);
	trace_status("chat: one process relays lines between clients with "
	    "%s, at most %d", loop_backend(), opt->max_clients);
	return run_loop(r.loop);
}
