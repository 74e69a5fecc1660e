/*
 * net-relay - an unreliable network on loopback: a relay that cuts,
 * delays, slows, stalls and resets TCP connections, and drops,
 * duplicates, reorders, delays and truncates UDP datagrams, as asked.
 *
 *   resolve the target -> socket -> setsockopt -> bind -> listen, then the
 *   loop: accept -> socket/connect to the target -> recv/send both ways,
 *   impaired -> shutdown (a FIN passed on) -> close
 *
 * It is a server and a client at once: the proxy of the course. main()
 * reads as the procedure; the connections are relayed by tcp.c and
 * flow.c, the datagrams by udp.c, all on one event loop (loop.h).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "cli.h"
#include "loop.h"
#include "relay.h"
#include "step.h"
#include "trace.h"

static int bind_listener(const struct options *, int, const struct addrinfo *,
    struct addr_failure *);
static void set_listener_options(int, int, const struct options *);
static void announce(const struct relay *);
static void summary(const struct relay *);
static unsigned long long choose_seed(const struct options *);

int
main(int argc, char *argv[])
{
	struct options opt;
	struct relay r;
	struct addrinfo *res;
	struct sockaddr_storage local;
	socklen_t locallen;
	char where[ADDR_STRLEN] = "";
	struct addr_failure failed = { 0, "" };
	int socktype, rc, status = EX_OK;

	cli_init(argv[0]);
	if ((rc = parse_options(argc, argv, &opt)) != CLI_RUN)
		return rc;
	memset(&r, 0, sizeof(r));
	r.opt = &opt;
	r.lfd = -1;
	socktype = opt.udp ? SOCK_DGRAM : SOCK_STREAM;

	/* Where every client goes: resolved once, at start (lessons/06). */
	rc = addr_resolve(opt.target_host, opt.target_port, opt.cli.family,
	    socktype, 0, &r.target);
	if (rc != 0)
		die(EX_NOHOST, "unknown host '%s': %s", opt.target_host,
		    gai_strerror(rc));
	addr_format(r.target->ai_addr, r.target->ai_addrlen, r.target_text,
	    sizeof(r.target_text));

	/* Which local addresses may we listen on? (lessons/03-bind.md) */
	rc = addr_resolve(opt.bind_addr, opt.listen_port, opt.cli.family,
	    socktype, 1, &res);
	if (rc != 0)
		die(EX_NOHOST, "cannot resolve local address '%s': %s",
		    opt.bind_addr, gai_strerror(rc));
	/* Steps 1 to 3: socket, setsockopt, bind, address after address. */
	r.lfd = bind_listener(&opt, socktype, res, &failed);
	freeaddrinfo(res);
	if (r.lfd < 0)
		die_errno(failed.err, STEP_BIND, failed.where, "cannot bind %s",
		    failed.where);
	addr_local(r.lfd, &local, &locallen, where, sizeof(where));

	/* Step 4, listen: TCP only; datagrams need none (lessons/04). */
	if (!opt.udp && step_listen(r.lfd, 128) < 0)
		die_errno(errno, STEP_LISTEN, where, "cannot listen on %s", where);
	r.seed = choose_seed(&opt);
	announce(&r);
	trace_status("listening on %s", where);

	/* Steps 5 to 9 for every client, as the loop reports them ready;
	 * SIGINT and SIGTERM stop the loop, so the summary gets printed. */
	cli_catch_stop();
	if ((r.loop = loop_new()) == NULL ||
	    (opt.udp ? udp_start(&r) : tcp_start(&r)) < 0)
		die_errno(errno, STEP_NONE, NULL, "cannot start the %s loop",
		    loop_backend());
	if (loop_run(r.loop) < 0)
		status = cli_error(errno, STEP_NONE, NULL, "%s failed",
		    loop_backend());

	/* Step 9, close: every client, then the listener. */
	if (opt.udp)
		udp_stop(&r);
	else
		tcp_stop(&r);
	summary(&r);
	step_close(r.lfd);
	loop_free(r.loop);
	freeaddrinfo(r.target);
	if (step_stop)
		cli_exit_stopped();
	return status;
}

/* True for "not yet" on a non-blocking socket (EINPROGRESS is not one
 * here: connects have their own path). */
int
relay_not_yet(int err)
{
	return err == EAGAIN || err == EWOULDBLOCK;
}

/* The direction's name. */
const char *
relay_dir_name(int dir)
{
	return dir == TO_SERVER ? "to-server" : "to-client";
}

/* Steps 1 to 3 for the listening socket: try each local address in turn
 * until one binds; the socket, or -1 with what failed, and where, in
 * *failed (an address in use is never hidden by a later error). */
static int
bind_listener(const struct options *opt, int socktype,
    const struct addrinfo *res, struct addr_failure *failed)
{
	const struct addrinfo *ai;
	char where[ADDR_STRLEN];
	int fd = -1;

	for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
		addr_format(ai->ai_addr, ai->ai_addrlen, where, ADDR_STRLEN);

		/* Step 1, socket (lessons/01-socket.md). */
		if ((fd = step_socket(ai->ai_family, socktype, 0)) < 0) {
			addr_failure_note(failed, errno, where);
			continue;
		}
		/* Step 2, setsockopt: before bind (lessons/02-setsockopt.md). */
		set_listener_options(fd, ai->ai_family, opt);

		/* Step 3, bind: claim the port (lessons/03-bind.md). */
		if (step_bind(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
			addr_failure_note(failed, errno, where);
			step_close(fd);
			fd = -1;
		}
	}
	return fd;
}

/* Step 2 for the listening socket. */
static void
set_listener_options(int fd, int family, const struct options *opt)
{
	/* Restart at once, despite old connections in TIME_WAIT. (Not for
	 * UDP: there it would let two sockets share the port.) */
	if (!opt->udp)
		step_setsockopt_int(fd, SOL_SOCKET, SO_REUSEADDR, 1);
	/* Room for bursts of datagrams, so that we lose none of our own
	 * accord (the kernel caps it at net.core.rmem_max). */
	if (opt->udp)
		step_setsockopt_int(fd, SOL_SOCKET, SO_RCVBUF, UDP_RCVBUF);
	/* One IPv6 socket on the wildcard serves IPv4 too, unless -6. */
	if (family == AF_INET6 && opt->bind_addr == NULL)
		step_setsockopt_int(fd, IPPROTO_IPV6, IPV6_V6ONLY,
		    opt->cli.family == AF_INET6);
}

/* True if imp makes random choices. */
static int
is_random(const struct impair *imp)
{
	return imp->jitter_ms > 0 || imp->loss > 0 || imp->duplicate > 0 ||
	    imp->reorder > 0;
}

/* --seed, or one from the clock and the pid (printed, to repeat it). */
static unsigned long long
choose_seed(const struct options *opt)
{
	struct timespec ts;

	if (opt->seed >= 0)
		return (unsigned long long)opt->seed;
	clock_gettime(CLOCK_REALTIME, &ts);
	return ((unsigned long long)ts.tv_nsec ^ (unsigned long long)ts.tv_sec
	    << 20 ^ (unsigned long long)getpid() << 40) & 0x3fffffffffffffffULL;
}

/* Say where the relay goes and what it does on the way. */
static void
announce(const struct relay *r)
{
	char up[256], down[256];

	impair_describe(&r->opt->imp[TO_SERVER], r->opt->udp, up, sizeof(up));
	impair_describe(&r->opt->imp[TO_CLIENT], r->opt->udp, down,
	    sizeof(down));
	trace_status("relaying %s to %s; to-server: %s; to-client: %s",
	    r->opt->udp ? "UDP" : "TCP", r->target_text, up, down);
	if (is_random(&r->opt->imp[TO_SERVER]) ||
	    is_random(&r->opt->imp[TO_CLIENT]))
		trace_status("seed %llu (--seed %llu makes the same choices)",
		    r->seed, r->seed);
}

/* One line per direction: what came in, went out, and what happened. */
static void
summary(const struct relay *r)
{
	const struct dir_stats *st;
	int d;

	for (d = 0; d < 2; d++) {
		st = &r->stats[d];
		if (r->opt->udp)
			trace_status("%s: %lld datagrams in, %lld out, %lld "
			    "dropped, %lld duplicated, %lld reordered, %lld "
			    "truncated", relay_dir_name(d), st->in, st->out,
			    st->dropped, st->duplicated, st->reordered,
			    st->truncated);
		else
			trace_status("%s: %lld bytes in, %lld out, %lld dropped, "
			    "%lld pieces sent", relay_dir_name(d), st->in,
			    st->out, st->dropped, st->pieces);
	}
	if (!r->opt->udp)
		trace_status("connections: %lld accepted, %lld closed because "
		    "the target could not be reached", r->accepted, r->refused);
	else
		trace_status("clients: %lld seen", r->accepted);
}
