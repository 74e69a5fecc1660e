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
#include <getopt.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "cli.h"
#include "io.h"
#include "step.h"
#include "trace.h"

struct options {
	const char *host;	/* HOST: a name or a numeric address */
	const char *port;	/* PORT */
	int family;		/* -4 / -6, else AF_UNSPEC */
	int timeout_ms;		/* -w: connect and idle timeout, -1 for none */
	const char *source;	/* -s: local address to bind, or NULL */
	const char *source_port; /* -p: local port to bind, or NULL */
	int nodelay;		/* --nodelay: TCP_NODELAY */
	int reset;		/* --reset: abort with RST at the end of stdin */
};

static void parse_options(int, char *[], struct options *);
static int bind_source(int, int, const struct options *);
static int send_then_reset(int);
static void usage(void);

int
main(int argc, char *argv[])
{
	struct options opt;
	struct addrinfo *res, *ai;
	struct sockaddr_storage local;
	socklen_t locallen;
	char server[ADDR_STRLEN] = "", me[ADDR_STRLEN];
	int fd = -1, err = 0, step = STEP_CONNECT, rc, flags;

	cli_init(argv[0]);
	parse_options(argc, argv, &opt);

	/* Resolve the name into addresses to try (lessons/06-connect.md). */
	rc = addr_resolve(opt.host, opt.port, opt.family, SOCK_STREAM, 0, &res);
	if (rc != 0)
		die(EX_NOHOST, "unknown host '%s': %s", opt.host,
		    gai_strerror(rc));

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
		if ((opt.source || opt.source_port) &&
		    bind_source(fd, ai->ai_family, &opt) < 0) {
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
	if (fd < 0)
		die_errno(err, step, server, "cannot connect to %s port %s",
		    opt.host, opt.port);
	step_getsockname(fd, &local, &locallen, me, sizeof(me));
	trace_status("connected to %s from %s", server, me);

	if (opt.reset) {
		/* Step 7, then the abortive close of step 9: send stdin, then
		 * SO_LINGER 0 so close() sends RST (lessons/09-close.md). */
		rc = send_then_reset(fd);
		err = errno;
		step_close(fd);
		if (rc < 0)
			die_errno(err, STEP_SEND, server, "connection to %s "
			    "failed", server);
		trace_status("reset the connection");
		return EX_OK;
	}

	/* Steps 7 and 8, send and recv (lessons/07-send.md, 08-recv.md):
	 * stdin to the server, the server to stdout; on stdin EOF the relay
	 * half-closes with shutdown(SHUT_WR), step 9 (lessons/09-close.md). */
	flags = IO_HALF_CLOSE;
	if (isatty(STDIN_FILENO))
		flags |= IO_END_ON_PEER_EOF;	/* nobody is left to answer */
	rc = io_relay(fd, STDIN_FILENO, STDOUT_FILENO, opt.timeout_ms, flags);
	err = errno;

	/* Step 9, close: release the socket (lessons/09-close.md). */
	step_close(fd);
	if (rc < 0)
		die_errno(err, STEP_RECV, server, "connection to %s failed",
		    server);
	trace_status("closed");
	return EX_OK;
}

/* Step 3 for a client: bind the -s address and/or -p port. 0 or -1. */
static int
bind_source(int fd, int family, const struct options *opt)
{
	struct addrinfo *res, *ai;
	int rc;

	rc = addr_resolve(opt->source, opt->source_port ? opt->source_port :
	    "0", family, SOCK_STREAM, 1, &res);
	if (rc != 0)
		die(EX_NOHOST, "unknown source address '%s': %s",
		    opt->source ? opt->source : "", gai_strerror(rc));
	/* Let a fixed source port be reused right after a previous run. */
	if (opt->source_port)
		step_setsockopt_int(fd, SOL_SOCKET, SO_REUSEADDR, 1);
	rc = -1;
	for (ai = res; ai != NULL && rc < 0; ai = ai->ai_next)
		rc = step_bind(fd, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(res);
	return rc;
}

/* --reset: send all of stdin, then arm SO_LINGER {on, 0s} for close. 0 or -1. */
static int
send_then_reset(int fd)
{
	char buf[IO_BUFSIZE];
	ssize_t n;

	for (;;) {
		n = read(STDIN_FILENO, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		if (io_send_all(fd, buf, (size_t)n) < 0)
			return -1;
	}
	/* No FIN, no TIME_WAIT: close() will discard what is unsent and
	 * unread, and send a reset. */
	return step_setsockopt_linger(fd, 1, 0);
}

/* Fill opt from the command line, or exit with a usage error. */
static void
parse_options(int argc, char *argv[], struct options *opt)
{
	enum { O_NODELAY = 256, O_RESET, O_VERSION };
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "nodelay", no_argument, NULL, O_NODELAY },
		{ "quiet", no_argument, NULL, 'q' },
		{ "reset", no_argument, NULL, O_RESET },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	int c, verbosity = TRACE_STATUS;

	memset(opt, 0, sizeof(*opt));
	opt->family = AF_UNSPEC;
	opt->timeout_ms = -1;
	while ((c = getopt_long(argc, argv, "46hp:qs:vw:", longopts,
	    NULL)) != -1) {
		switch (c) {
		case '4':
			opt->family = AF_INET;
			break;
		case '6':
			opt->family = AF_INET6;
			break;
		case 'h':
			usage();
			exit(EX_OK);
		case 'p':
			cli_port(optarg, 0);
			opt->source_port = optarg;
			break;
		case 'q':
			verbosity = TRACE_QUIET;
			break;
		case 's':
			opt->source = optarg;
			break;
		case 'v':
			verbosity++;
			break;
		case 'w':
			opt->timeout_ms = cli_seconds(optarg, "timeout");
			break;
		case O_NODELAY:
			opt->nodelay = 1;
			break;
		case O_RESET:
			opt->reset = 1;
			break;
		case O_VERSION:
			cli_version();
		default:
			cli_usage_error("unknown or incomplete option");
		}
	}
	if (argc - optind != 2)
		cli_usage_error(argc - optind < 2 ? "missing HOST or PORT" :
		    "too many arguments");
	opt->host = argv[optind];
	opt->port = argv[optind + 1];
	cli_port(opt->port, 0);
	trace_set_level(verbosity);
}

/* Print the synopsis, the steps this tool performs, and the exit codes. */
static void
usage(void)
{
	printf("usage: tcp-client [-46qv] [-w SECS] [-s ADDR] [-p PORT] "
	    "[--nodelay] [--reset]\n"
	    "                  HOST PORT\n"
	    "\n"
	    "Connect to HOST PORT, send stdin, write what comes back to "
	    "stdout. At the end\n"
	    "of stdin, half-close (shutdown SHUT_WR) and read until the "
	    "server closes.\n"
	    "\n"
	    "  -4, -6       IPv4 only / IPv6 only (default: try every "
	    "address)\n"
	    "  -w SECS      give up connecting, or when idle, after SECS "
	    "seconds\n"
	    "  -s ADDR      bind this local address before connect\n"
	    "  -p PORT      bind this local port before connect\n"
	    "  --nodelay    TCP_NODELAY: switch off Nagle's algorithm\n"
	    "  --reset      at the end of stdin, close with SO_LINGER 0: the "
	    "server gets\n"
	    "               a reset (RST) instead of a FIN, and no reply is "
	    "read\n"
	    "  -q           errors only  -v  every step  -vv  steps and "
	    "payloads\n"
	    "  -h, --help   this text    --version   the version\n"
	    "\n"
	    "steps: 1 socket, 2 setsockopt, 3 bind (optional), 6 connect, "
	    "7 send, 8 recv, 9 close\n"
	    "lessons: lessons/01-socket.md ... lessons/09-close.md "
	    "(see lessons/README.md)\n"
	    CLI_EXIT_CODES);
}
