/*
 * states.c - socket-watch states: the kernel's socket table, live.
 *
 * Every --interval (10 ms) the event loop's timer asks the kernel for a
 * snapshot of its table (diag.c): for a port, one dump per protocol and
 * family, filtered in the kernel; for a Unix path, one dump of all Unix
 * sockets, filtered here. Each snapshot is compared with the last
 * (table.c) and every difference is one line on stdout:
 *
 *   12:00:00.125001  tcp  127.0.0.1:51234  127.0.0.1:7000  new ESTABLISHED ...
 *   12:00:00.135001  tcp  127.0.0.1:51234  127.0.0.1:7000  FIN_WAIT2 -> TIME_WAIT  59.9 s left
 *
 * What a snapshot can and cannot show: a state that begins and ends
 * between two looks (a SYN_SENT on loopback lasts microseconds) is never
 * in any snapshot, so its line never comes; every state that lasts a
 * look or more is seen, and so is the state that ends a connection last:
 * TIME_WAIT, 60 s. A socket that lives and dies between two looks is not
 * seen at all (the kernel's notices of destroyed sockets, multicast group
 * SKNLGRP_INET_TCP_DESTROY, would tell it, but kernels differ in sending
 * them; ss -E shows whether yours does). The summary says how often the
 * looks came and how long the slowest took, so a late one is noticed.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "cli.h"
#include "diag.h"
#include "jtrace.h"
#include "loop.h"
#include "sockstate.h"
#include "step.h"
#include "table.h"
#include "trace.h"
#include "watch.h"

/* Linux's TCP states, as bits for a dump's mask: all of them. */
#define ALL_STATES 0xffffffffu
/* Bit 13 (TCP_BOUND_INACTIVE, newer Linux) asks for TCP sockets that are
 * bound but neither listen nor connect, reported as CLOSED. Like ss
 * without --bound-inactive, we leave them out: a server caught between
 * bind() and listen() would show as "new CLOSED", then "CLOSED -> LISTEN". */
#define TCP_STATES (ALL_STATES & ~(1u << 13))
/* The state Linux gives a socket of TCP's CLOSE, and its TIME_WAIT. */
#define ST_CLOSE 7
#define ST_TIME_WAIT 6
#define ST_LISTEN 10

/* One dump to make at every look: a family and a protocol. */
struct dump {
	int family, proto;
};

struct watch {
	const struct options *opt;
	struct diag *diag;
	struct table *table;
	struct loop *loop;
	struct loop_timer tick, stop;
	struct dump dumps[4];
	int ndumps;
	struct diag_sock *batch;	/* a Unix dump, before filtering */
	size_t nbatch, capbatch;
	unsigned long path_ino;		/* the socket file's inode, or 0 */
	long long look_us;		/* when this look began */
	long long now_us;		/* the time of the line being told */
	unsigned long looks, lines, seen;
	long long slowest_us, first_us;
	int status;			/* the exit status, once failed */
	int said_empty;			/* "no sockets yet" was said */
};

/* "proto" for a line: tcp, udp, or the type of a Unix socket. */
static const char *
proto_name(const struct diag_sock *s)
{
	if (s->family == AF_UNIX)
		return s->proto == SOCK_STREAM ? "unix" : s->proto ==
		    SOCK_DGRAM ? "unix-dgram" : "unix-seqpacket";
	return s->proto == IPPROTO_UDP ? "udp" : "tcp";
}

/* The state's name: TCP's, UNCONN for an unconnected socket (UDP, Unix). */
static const char *
state_name(const struct diag_sock *s)
{
	if (s->state == ST_CLOSE && (s->proto == IPPROTO_UDP ||
	    s->family == AF_UNIX))
		return "UNCONN";
	return sockstate_tcp_name(s->state);
}

/* Both ends of s for a line: "127.0.0.1:7000" and "127.0.0.1:51234" ("*"
 * for no peer); a Unix socket by its name or inode. */
static void
ends(const struct diag_sock *s, char *local, char *peer, size_t size)
{
	if (s->family == AF_UNIX) {
		if (s->name[0] != '\0')
			snprintf(local, size, "%s", s->name);
		else
			snprintf(local, size, "ino %lu", s->inode);
		if (s->peer_inode)
			snprintf(peer, size, "ino %lu", s->peer_inode);
		else
			snprintf(peer, size, "*");
		return;
	}
	addr_format((const struct sockaddr *)&s->local, sizeof(s->local),
	    local, size);
	if (addr_port((const struct sockaddr *)&s->peer) == 0)
		snprintf(peer, size, "*");
	else
		addr_format((const struct sockaddr *)&s->peer,
		    sizeof(s->peer), peer, size);
}

/* The queues of s, as a line ends: "recv-q 12 send-q 0", the accept queue
 * of a listener, or TIME_WAIT's time left. */
static void
queues(const struct diag_sock *s, char *buf, size_t size)
{
	if (s->state == ST_TIME_WAIT)
		snprintf(buf, size, "%lu.%lu s left", s->expires_ms / 1000,
		    s->expires_ms % 1000 / 100);
	else if (s->state == ST_LISTEN)
		snprintf(buf, size, "accept queue %lu of %lu", s->rq, s->wq);
	else
		snprintf(buf, size, "recv-q %lu send-q %lu", s->rq, s->wq);
}

/* One line about s: its old state and its new one (NULL: gone), or,
 * with from NULL, a new socket (fresh) or a queue that changed; on
 * stdout, and in the --trace file. */
static void
say(struct watch *w, const struct diag_sock *s, const char *from,
    const char *to, int fresh)
{
	char clock[32], local[ADDR_STRLEN], peer[ADDR_STRLEN], q[64];
	char change[64], fields[600], jl[ADDR_STRLEN + 8], jp[ADDR_STRLEN + 8];

	/* The time socket-watch learnt of it: a look takes a while, and a
	 * change seen in it happened before this, never after. */
	w->now_us = jtrace_now_us();
	ends(s, local, peer, sizeof(local));
	queues(s, q, sizeof(q));
	if (from == NULL && fresh)
		snprintf(change, sizeof(change), "new %s", to);
	else if (from == NULL)
		snprintf(change, sizeof(change), "%s (queue)", to);
	else if (to == NULL)
		snprintf(change, sizeof(change), "%s -> gone", from);
	else
		snprintf(change, sizeof(change), "%s -> %s", from, to);
	printf("%s  %-4s %-22s %-22s %-26s %s\n", watch_clock(w->now_us,
	    clock, sizeof(clock)), proto_name(s), local, peer, change,
	    to != NULL ? q : "");
	w->lines++;
	if (!jtrace_on())
		return;
	jtrace_string(local, jl, sizeof(jl));
	jtrace_string(peer, jp, sizeof(jp));
	snprintf(fields, sizeof(fields), "\"proto\":\"%s\",\"local\":%s,"
	    "\"peer\":%s,\"from\":%s%s%s,\"to\":%s%s%s,\"rq\":%lu,\"wq\":%lu,"
	    "\"expires_ms\":%lu,\"inode\":%lu,\"cookie\":%llu", proto_name(s),
	    jl, jp, from ? "\"" : "", from ? from : "null", from ? "\"" : "",
	    to ? "\"" : "", to ? to : "null", to ? "\"" : "", s->rq, s->wq,
	    s->expires_ms, s->inode, s->cookie);
	jtrace_fields("socket", w->now_us, fields);
}

/* A socket of this look: new, changed, or as it was. */
static void
on_socket(const struct diag_sock *s, void *ctx)
{
	struct watch *w = ctx;
	struct diag_sock *known;
	int fresh;
	char was[24];

	if ((known = table_see(w->table, s, &fresh)) == NULL) {
		w->status = cli_error(errno, STEP_NONE, NULL, "cannot keep "
		    "the table");
		return;
	}
	if (fresh) {
		w->seen++;
		say(w, s, NULL, state_name(s), 1);
		return;
	}
	snprintf(was, sizeof(was), "%s", state_name(known));
	if (known->state != s->state)
		say(w, s, was, state_name(s), 0);
	else if (w->opt->queues && (known->rq != s->rq || known->wq != s->wq))
		say(w, s, NULL, was, 0);	/* "LISTEN (queue)" */
	*known = *s;
}

/* A socket the last look showed and this one does not. */
static void
on_gone(const struct diag_sock *s, void *ctx)
{
	say(ctx, s, state_name(s), NULL, 0);
}

/* A Unix socket of the dump, kept until the whole dump is in. */
static void
keep_unix(const struct diag_sock *s, void *ctx)
{
	struct watch *w = ctx;
	struct diag_sock *b;

	if (w->nbatch == w->capbatch) {
		size_t cap = w->capbatch ? w->capbatch * 2 : 256;

		if ((b = realloc(w->batch, cap * sizeof(*b))) == NULL)
			return;
		w->batch = b;
		w->capbatch = cap;
	}
	w->batch[w->nbatch++] = *s;
}

/* True if s is the socket at the watched path, or one accepted on it
 * (they share its name), or one connected to those (its peer). */
static int
unix_wanted(const struct watch *w, const struct diag_sock *s)
{
	size_t i;

	if (strcmp(s->name, w->opt->path) == 0 ||
	    (w->path_ino != 0 && s->vfs_inode == w->path_ino))
		return 1;
	if (s->peer_inode == 0)
		return 0;
	for (i = 0; i < w->nbatch; i++)
		if (w->batch[i].inode == s->peer_inode &&
		    (strcmp(w->batch[i].name, w->opt->path) == 0 ||
		    (w->path_ino && w->batch[i].vfs_inode == w->path_ino)))
			return 1;
	return 0;
}

/* One look at the Unix sockets: dump them all, keep those of the path. */
static int
look_unix(struct watch *w)
{
	struct stat st;
	size_t i;

	w->nbatch = 0;
	/* The file may come and go: look it up each time. */
	w->path_ino = w->opt->path[0] != '@' && stat(w->opt->path, &st) == 0 ?
	    (unsigned long)st.st_ino : 0;
	if (diag_dump(w->diag, AF_UNIX, 0, 0, ALL_STATES, keep_unix, w) < 0)
		return -1;
	for (i = 0; i < w->nbatch; i++)
		if (unix_wanted(w, &w->batch[i]))
			on_socket(&w->batch[i], w);
	return 0;
}

/* One look at the table: every dump, then what went away. */
static void
on_tick(struct loop *l, struct loop_timer *t, void *ctx)
{
	struct watch *w = ctx;
	long long took;
	int i, rc = 0;

	(void)t;
	w->look_us = jtrace_now_us();
	table_begin(w->table);
	if (w->opt->path != NULL)
		rc = look_unix(w);
	for (i = 0; i < w->ndumps && rc == 0; i++)
		rc = diag_dump(w->diag, w->dumps[i].family, w->dumps[i].proto,
		    w->opt->port, w->dumps[i].proto == IPPROTO_TCP ?
		    TCP_STATES : ALL_STATES, on_socket, w);
	if (rc < 0) {
		w->status = cli_error(errno, STEP_RECV, NULL, "cannot read the "
		    "socket table");
		loop_stop(l);
		return;
	}
	table_sweep(w->table, on_gone, w);
	took = jtrace_now_us() - w->look_us;
	w->slowest_us = took > w->slowest_us ? took : w->slowest_us;
	w->looks++;
	if (table_count(w->table) == 0 && !w->said_empty)
		trace_status("no sockets on %s%s yet, waiting", w->opt->path ?
		    "" : "port ", w->opt->what ? w->opt->what : "any port");
	w->said_empty = w->said_empty || table_count(w->table) == 0;
	if (fflush(stdout) != 0 || w->status != EX_OK) {
		w->status = w->status != EX_OK ? w->status : cli_flush_stdout();
		loop_stop(l);
	}
}

/* Which dumps each look makes: TCP and/or UDP, IPv4 and/or IPv6. */
static void
plan_dumps(struct watch *w)
{
	const struct options *opt = w->opt;
	int f, p;
	static const int families[] = { AF_INET, AF_INET6 };
	static const int protos[] = { IPPROTO_TCP, IPPROTO_UDP };

	w->ndumps = 0;
	if (opt->path != NULL)
		return;
	for (p = 0; p < 2; p++)
		for (f = 0; f < 2; f++) {
			if ((protos[p] == IPPROTO_TCP && !opt->tcp) ||
			    (protos[p] == IPPROTO_UDP && !opt->udp) ||
			    (opt->cli.family && opt->cli.family != families[f]))
				continue;
			/* TCP of both families: one dump (diag.h). */
			if (protos[p] == IPPROTO_TCP && !opt->cli.family) {
				if (f == 1)
					continue;
				w->dumps[w->ndumps].family = AF_UNSPEC;
			} else {
				w->dumps[w->ndumps].family = families[f];
			}
			w->dumps[w->ndumps++].proto = protos[p];
		}
}

/* Say what is watched, how, and the header of the lines. */
static void
announce(const struct watch *w)
{
	const struct options *opt = w->opt;

	if (opt->path != NULL)
		trace_status("watching the Unix sockets at %s every %d ms "
		    "(netlink sock_diag: a snapshot of the table each time)",
		    opt->path, opt->interval_ms);
	else
		trace_status("watching %s%s%s sockets on %s%s every %d ms "
		    "(netlink sock_diag, filtered in the kernel: a snapshot "
		    "each time)", opt->tcp ? "TCP" : "", opt->tcp && opt->udp ?
		    " and " : "", opt->udp ? "UDP" : "", opt->port ? "port " :
		    "every port", opt->port ? opt->what : "", opt->interval_ms);
	printf("%-15s  %-4s %-22s %-22s %-26s %s\n", "TIME", "PROTO", "LOCAL",
	    "PEER", "STATE", "QUEUES");
}

/* The summary at the end, on stderr. */
static void
summary(const struct watch *w)
{
	double secs = (double)(jtrace_now_us() - w->first_us) / 1e6;

	trace_status("%lu looks in %.1f s (one every %.1f ms, asked for %d; "
	    "the slowest took %.1f ms), %lu sockets seen, %lu lines",
	    w->looks, secs, w->looks ? secs * 1000 / (double)w->looks : 0.0,
	    w->opt->interval_ms, (double)w->slowest_us / 1000, w->seen,
	    w->lines);
}

/* Watch the socket table until stopped; the exit status. */
int
watch_states(const struct options *opt)
{
	struct watch w = { .opt = opt, .status = EX_OK };

	cli_catch_stop();
	/* Step 1, socket: a netlink socket to the kernel (lessons/01). */
	if ((w.diag = diag_open()) == NULL)
		return errno == EAFNOSUPPORT || errno == EPROTONOSUPPORT ?
		    (trace_error("states needs Linux's NETLINK_SOCK_DIAG, "
		    "which this system does not have"), EX_UNAVAILABLE) :
		    cli_error(errno, STEP_SOCKET, NULL, "cannot open a netlink "
		    "socket");
	if ((w.table = table_new()) == NULL || (w.loop = loop_new()) == NULL) {
		diag_close(w.diag);
		table_free(w.table);
		return cli_error(ENOMEM, STEP_NONE, NULL, "cannot start");
	}
	plan_dumps(&w);
	announce(&w);
	w.first_us = jtrace_now_us();
	loop_timer_init(&w.tick, on_tick, &w);
	loop_timer_init(&w.stop, loop_stop_timer, NULL);	/* --for */
	on_tick(w.loop, &w.tick, &w);
	loop_timer_every(w.loop, &w.tick, opt->interval_ms);
	if (opt->for_ms > 0)
		loop_timer_after(w.loop, &w.stop, opt->for_ms);
	if (w.status == EX_OK)
		loop_run(w.loop);
	summary(&w);
	loop_free(w.loop);
	table_free(w.table);
	free(w.batch);
	diag_close(w.diag);
	if (step_stop)
		cli_exit_stopped();
	return w.status != EX_OK ? w.status : cli_flush_stdout();
}
