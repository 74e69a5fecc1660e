/*
 * tcp-client - the client half of the TCP procedure, narrated.
 *
 *   resolve -> socket -> (setsockopt) -> (bind) -> connect -> send/recv
 *           -> shutdown -> close
 *
 * It relays stdin to the server and the server to stdout, like `nc`;
 * at the end of stdin it half-closes (shutdown SHUT_WR) and keeps
 * reading until the server closes too. Binary-safe both ways.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <netdb.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "cli.h"
#include "io.h"
#include "step.h"
#include "trace.h"

struct options {
	struct cli_common cli;	/* -4 / -6, -q / -v */
	const char *host;	/* HOST: a name or a numeric address */
	const char *port;	/* PORT */
	int timeout_ms;		/* -w: connect and idle timeout, -1 for none */
	const char *source;	/* -s: local address to bind, or NULL */
	const char *source_port; /* -p: local port to bind, or NULL */
	int nodelay;		/* --nodelay: TCP_NODELAY */
	int reset;		/* --reset: abort with RST at the end of stdin */
	int splice;		/* --splice: relay with splice(2) (Linux) */
};

#define OPT(field) offsetof(struct options, field)

/* The command line, declared once: cli.c derives parsing and --help. */
static const struct cli_option options[] = {
	{ .letter = 'w', .type = CLI_MS, .field = OPT(timeout_ms),
	  .arg = "SECS", .min = 1, .max = 86400000, .what = "timeout",
	  .help = "give up connecting, or when idle, after SECS seconds" },
	{ .letter = 's', .type = CLI_TEXT, .field = OPT(source),
	  .arg = "ADDR", .help = "bind this local address before connect" },
	{ .letter = 'p', .type = CLI_PORT, .field = OPT(source_port),
	  .arg = "PORT", .min = 0, .help = "bind this local port before connect" },
	{ .name = "nodelay", .type = CLI_FLAG, .field = OPT(nodelay),
	  .help = "TCP_NODELAY: switch off Nagle's algorithm" },
	{ .name = "reset", .type = CLI_FLAG, .field = OPT(reset),
	  .help = "at the end of stdin, close with SO_LINGER 0: the server\n"
	  "gets a reset (RST) instead of a FIN, and no reply is read" },
	{ .name = "splice", .type = CLI_FLAG, .field = OPT(splice),
	  .help = "relay with splice(2) where stdin/stdout is a pipe, a file\n"
	  "or /dev/null: zero-copy, narrated as splice (Linux)" },
	{ 0 }
};

static const struct cli_tool tool = {
	.args = "HOST PORT", .min_args = 2, .max_args = 2,
	.about = "Connect to HOST PORT, send stdin, write what comes back to "
	    "stdout. At the end\nof stdin, half-close (shutdown SHUT_WR) and "
	    "read until the server closes.",
	.options = options, .shared = CLI_FAMILY,
	.steps = "1 socket, 2 setsockopt, 3 bind (optional), 6 connect, "
	    "7 send, 8 recv, 9 close",
	.lessons = "lessons/01-socket.md ... lessons/09-close.md (see "
	    "lessons/README.md)",
};

static int parse_options(int, char *[], struct options *);
static int bind_source(int, int, const struct addrinfo *, int);
static int send_then_reset(int, int *);

int
main(int argc, char *argv[])
{
	struct options opt;
	struct addrinfo *res, *ai, *src = NULL;
	struct sockaddr_storage local;
	socklen_t locallen;
	char server[ADDR_STRLEN] = "", me[ADDR_STRLEN];
	int fd = -1, err = 0, step = STEP_CONNECT, rc, side;

	cli_init(argv[0]);
	if ((rc = parse_options(argc, argv, &opt)) != CLI_RUN)
		return rc;

	/* Resolve the name into addresses to try (lessons/06-connect.md). */
	rc = addr_resolve(opt.host, opt.port, opt.cli.family, SOCK_STREAM, 0,
	    &res);
	if (rc != 0)
		die(EX_NOHOST, "unknown host '%s': %s", opt.host,
		    gai_strerror(rc));
	/* A local address to bind, if -s or -p asks (lessons/03-bind.md). */
	if ((opt.source || opt.source_port) && (rc = addr_resolve(opt.source,
	    opt.source_port ? opt.source_port : "0", opt.cli.family,
	    SOCK_STREAM, 1, &src)) != 0)
		die(EX_NOHOST, "unknown source address '%s': %s",
		    opt.source ? opt.source : "", gai_strerror(rc));

	/* Try each address in turn until one accepts the connection. */
	for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
		addr_format(ai->ai_addr, ai->ai_addrlen, server, sizeof(server));

		/* Step 1, socket: a TCP endpoint (lessons/01-socket.md). */
		fd = step_socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			step = STEP_SOCKET;
			continue;
		}

		/* Step 2, setsockopt: only if asked (lessons/02-setsockopt.md). */
		if (opt.nodelay)
			step_setsockopt_int(fd, IPPROTO_TCP, TCP_NODELAY, 1);

		/* Step 3, bind: optional for a client (lessons/03-bind.md). */
		if (src != NULL && bind_source(fd, ai->ai_family, src,
		    opt.source_port != NULL) < 0) {
			err = errno;
			step = STEP_BIND;
			step_close(fd);
			fd = -1;
			continue;
		}

		/* Step 6, connect: the three-way handshake (lessons/06-connect.md). */
		if (step_connect(fd, ai->ai_addr, ai->ai_addrlen,
		    opt.timeout_ms) < 0) {
			err = errno;
			step = STEP_CONNECT;
			step_close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (src != NULL)
		freeaddrinfo(src);
	if (fd < 0 && step == STEP_BIND)
		die_errno(err, step, NULL, "cannot bind the local address %s "
		    "port %s", opt.source ? opt.source : "(any)",
		    opt.source_port ? opt.source_port : "(any)");
	if (fd < 0)
		die_errno(err, step, server, "cannot connect to %s port %s",
		    opt.host, opt.port);
	addr_local(fd, &local, &locallen, me, sizeof(me));
	trace_status("connected to %s from %s", server, me);

	if (opt.reset) {
		/* Step 7, then the abortive close of step 9: send stdin, then
		 * SO_LINGER 0 so close() sends RST (lessons/09-close.md). */
		rc = send_then_reset(fd, &side);
		err = errno;
		step_close(fd);
		if (rc < 0)
			return io_report(side, err, "to", server);
		trace_status("reset the connection");
		return EX_OK;
	}

	/* Steps 7 and 8, send and recv (lessons/07-send.md, 08-recv.md):
	 * stdin to the server, the server to stdout; on stdin EOF the relay
	 * half-closes with shutdown(SHUT_WR), step 9 (lessons/09-close.md). */
	rc = io_relay(fd, STDIN_FILENO, STDOUT_FILENO, opt.timeout_ms,
	    IO_HALF_CLOSE | (opt.splice ? IO_SPLICE : 0), &side);
	err = errno;

	/* Step 9, close: release the socket (lessons/09-close.md). */
	step_close(fd);
	if (rc < 0)
		return io_report(side, err, "to", server);
	trace_status("closed");
	return EX_OK;
}

/* Step 3 for a client: bind an address of src of the socket's family
 * (with SO_REUSEADDR first if the port is fixed). 0, or -1 with errno. */
static int
bind_source(int fd, int family, const struct addrinfo *src, int fixed_port)
{
	const struct addrinfo *ai;
	int rc = -1;

	/* Let a fixed source port be reused right after a previous run. */
	if (fixed_port)
		step_setsockopt_int(fd, SOL_SOCKET, SO_REUSEADDR, 1);
	errno = EAFNOSUPPORT;	/* if src has no address of this family */
	for (ai = src; ai != NULL && rc < 0; ai = ai->ai_next)
		if (ai->ai_family == family)
			rc = step_bind(fd, ai->ai_addr, ai->ai_addrlen);
	return rc;
}

/* --reset: send all of stdin, then arm SO_LINGER {on, 0s} for close.
 * 0, or -1 with errno and *side saying which end failed. */
static int
send_then_reset(int fd, int *side)
{
	char buf[IO_BUFSIZE];
	ssize_t n;

	for (;;) {
		*side = IO_INPUT;
		n = read(STDIN_FILENO, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		*side = IO_SOCKET;
		if (io_send_all(fd, buf, (size_t)n) < 0)
			return -1;
	}
	/* No FIN, no TIME_WAIT: close() will discard what is unsent and
	 * unread, and send a reset. */
	*side = IO_SOCKET;
	return step_setsockopt_linger(fd, 1, 0);
}

/* Fill opt from the command line: CLI_RUN, or the status to exit with. */
static int
parse_options(int argc, char *argv[], struct options *opt)
{
	int first, rc;

	memset(opt, 0, sizeof(*opt));
	opt->timeout_ms = -1;
	if ((rc = cli_parse(&tool, argc, argv, opt, &opt->cli, &first)) !=
	    CLI_RUN)
		return rc;
	opt->host = argv[first];
	opt->port = argv[first + 1];
	if (opt->splice && opt->reset)
		return cli_usage("--splice and --reset exclude each other");
#ifndef __linux__
	if (opt->splice)
		return cli_usage("--splice needs Linux's splice(2)");
#endif
	return cli_check_port(opt->port, 0) == 0 ? CLI_RUN : EX_USAGE;
}
