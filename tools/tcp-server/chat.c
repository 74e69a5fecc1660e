/*
 * chat.c - chat mode: every line a client sends goes to all the others.
 *
 * The poll model again (one process, non-blocking sockets, loop.h), with
 * two bounded buffers per member: the line being received (a longer line
 * is cut at CHAT_LINE_MAX) and what still has to go out to that member
 * (a member who falls CHAT_OUT_MAX behind is dropped as too slow). So no
 * client, however fast or slow, can make the server's memory grow.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "cli.h"
#include "loop.h"
#include "server.h"
#include "step.h"
#include "trace.h"

#define CHAT_LINE_MAX 512		/* bytes of one line, newline included */
#define CHAT_OUT_MAX (32 * 1024)	/* bytes queued for one member */

struct member {
	int fd;
	char who[ADDR_STRLEN];
	char line[CHAT_LINE_MAX];	/* the line being received */
	size_t linelen;
	int cutting;		/* skipping the rest of a line too long */
	char out[CHAT_OUT_MAX];	/* to send to this member: out[off..len) */
	size_t off, len;
	int watch;		/* what the loop watches fd for */
	const char *leaving;	/* set: leave after this round, and why */
	struct member *next;
};

struct room {
	struct loop *loop;
	const struct options *opt;
	int lfd;
	int count;		/* members */
	int paused;		/* out of descriptors: listener not watched */
	int joined;		/* anyone ever joined (ends the room without -k) */
	struct member *members;
};

/* Step 7: send m's queue as far as the socket takes it now. */
static void
flush(struct room *r, struct member *m)
{
	ssize_t n;
	int want;

	while (m->off < m->len && m->leaving == NULL) {
		n = step_send(m->fd, m->out + m->off, m->len - m->off);
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			m->leaving = "left (connection lost)";
		if (n < 0)
			break;
		m->off += (size_t)n;
	}
	if (m->off == m->len)
		m->off = m->len = 0;
	want = LOOP_READ | (m->len > 0 ? LOOP_WRITE : 0);
	if (m->leaving == NULL && want != m->watch &&
	    loop_mod(r->loop, m->fd, want, m) == 0)
		m->watch = want;
}

/* Queue text for m and start sending it; a member too far behind goes. */
static void
tell(struct room *r, struct member *m, const char *text, size_t len)
{
	if (m->leaving != NULL)
		return;
	if (m->off > 0 && m->len + len > CHAT_OUT_MAX) {
		memmove(m->out, m->out + m->off, m->len - m->off);
		m->len -= m->off;
		m->off = 0;
	}
	if (m->len + len > CHAT_OUT_MAX) {
		m->leaving = "left (too slow to keep up)";
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
	m->leaving = n == 0 ? "left" : "left (connection lost)";
}

/* Step 5: let a new member in, and tell everybody. */
static void
join(struct room *r)
{
	struct member *m;
	char who[ADDR_STRLEN], msg[ADDR_STRLEN + 64];
	int fd = conn_accept_loop(r->loop, r->lfd, &r->paused, who,
	    sizeof(who));

	if (fd < 0)
		return;
	if (r->count >= r->opt->max_clients) {
		conn_refuse(fd, who, r->opt->max_clients);
		return;
	}
	m = calloc(1, sizeof(*m));
	if (m == NULL || step_nonblock(fd, 1) < 0 ||
	    loop_add(r->loop, fd, LOOP_READ, m) < 0) {
		trace_error("cannot serve %s: %s", who, strerror(errno));
		step_close(fd);
		free(m);
		return;
	}
	conn_options(fd, r->opt);
	m->fd = fd;
	m->watch = LOOP_READ;
	strcpy(m->who, who);
	snprintf(msg, sizeof(msg), "* %s joined\n", who);
	tell_others(r, NULL, msg, strlen(msg));
	m->next = r->members;
	r->members = m;
	r->count++;
	r->joined = 1;
	snprintf(msg, sizeof(msg), "* welcome %s, %d here\n", who, r->count);
	tell(r, m, msg, strlen(msg));
	trace_status("%s joined the chat (%d here)", who, r->count);
}

/* Step 9 for the members who are leaving; their leaving is announced,
 * which may make a slow member leave too, hence the outer loop. */
static void
sweep(struct room *r)
{
	struct member **pp, *m;
	char msg[ADDR_STRLEN + 64];
	int again = 1;

	while (again) {
		again = 0;
		for (pp = &r->members; (m = *pp) != NULL;) {
			if (m->leaving == NULL) {
				pp = &m->next;
				continue;
			}
			*pp = m->next;
			r->count--;
			conn_resume(r->loop, r->lfd, &r->paused);
			loop_del(r->loop, m->fd);
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
}

/* Steps 5 to 9 for a chat room, driven by the event loop. */
int
serve_chat(int lfd, const struct options *opt)
{
	struct loop_event ev[64];
	struct room r;
	int n, i;

	memset(&r, 0, sizeof(r));
	r.opt = opt;
	r.lfd = lfd;
	r.loop = loop_new();
	if (r.loop == NULL || step_nonblock(lfd, 1) < 0 ||
	    loop_add(r.loop, lfd, LOOP_READ, NULL) < 0)
		die_errno(errno, STEP_NONE, NULL, "cannot start the %s loop",
		    loop_backend());
	trace_status("chat: one process relays lines between clients with "
	    "%s, at most %d", loop_backend(), opt->max_clients);
	/* Without -k the room closes when its last member has left. */
	while (opt->keep || !r.joined || r.count > 0) {
		n = loop_wait(r.loop, ev, (int)(sizeof(ev) / sizeof(ev[0])), -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die_errno(errno, STEP_NONE, NULL, "%s failed",
			    loop_backend());
		for (i = 0; i < n; i++) {
			struct member *m = ev[i].data;

			if (m == NULL)
				join(&r);
			else if (m->leaving != NULL)
				continue;
			else if (ev[i].events & LOOP_WRITE)
				flush(&r, m);
			if (m != NULL && m->leaving == NULL &&
			    (ev[i].events & (LOOP_READ | LOOP_ERROR)))
				hear(&r, m);
		}
		/* Members are freed only here, after the round: an event
		 * later in ev[] may still point at one who left. */
		sweep(&r);
	}
	loop_free(r.loop);
	return EX_OK;
}
