/*
 * udp-sender - the sending half of the datagram procedure, narrated.
 *
 *   resolve -> socket -> (setsockopt) -> (bind) -> (connect) -> sendto
 *           ... -> close
 *
 * No connection, no handshake: each sendto is one datagram, sent at once
 * to the address it names. bind is optional: the kernel gives the socket
 * an ephemeral port at its first sendto. By default each line of stdin
 * becomes one datagram; --count generates numbered ones; --ping times
 * round trips against udp-receiver --reply.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "cli.h"
#include "dgram.h"
#include "sender.h"
#include "step.h"
#include "trace.h"

static void parse_options(int, char *[], struct options *);
static void set_options(int, int, const struct options *);
static void bind_source(struct sender *, int);
static void usage(void);

int
main(int argc, char *argv[])
{
	struct options opt;
	struct sender s;
	struct addrinfo *res;
	struct sockaddr_storage local;
	socklen_t locallen;
	char me[ADDR_STRLEN];
	int rc, status = EX_OK;

	cli_init(argv[0]);
	parse_options(argc, argv, &opt);
	memset(&s, 0, sizeof(s));
	s.opt = &opt;

	/* Resolve the name; with no handshake to fail, the first address
	 * is the one we use (lessons/10-datagrams.md). */
	rc = addr_resolve(opt.host, opt.port, opt.family, SOCK_DGRAM, 0, &res);
	if (rc != 0)
		die(EX_NOHOST, "unknown host '%s': %s", opt.host,
		    gai_strerror(rc));
	memcpy(&s.to, res->ai_addr, res->ai_addrlen);
	s.tolen = res->ai_addrlen;
	addr_format(res->ai_addr, res->ai_addrlen, s.where, sizeof(s.where));

	/* Step 1, socket: a UDP endpoint (lessons/01-socket.md). */
	s.fd = step_socket(res->ai_family, res->ai_socktype, res->ai_protocol);
	if (s.fd < 0)
		die_errno(errno, STEP_SOCKET, NULL, "cannot create a socket");
	freeaddrinfo(res);

	/* Step 2, setsockopt: only what the flags ask (lessons/02-setsockopt.md). */
	set_options(s.fd, s.to.ss_family, &opt);

	/* Step 3, bind: optional for a sender (lessons/03-bind.md). */
	if (opt.source || opt.source_port)
		bind_source(&s, s.to.ss_family);

	/* Step 6, connect: optional; on UDP it sends nothing, it only fixes
	 * the peer, so that ICMP errors come back (lessons/10-datagrams.md). */
	if (opt.connect) {
		if (step_connect(s.fd, (struct sockaddr *)&s.to, s.tolen,
		    -1) < 0)
			die_errno(errno, STEP_CONNECT, s.where,
			    "cannot connect to %s", s.where);
		s.bound = 1;	/* connect picked the local port too */
	}
	if (s.bound) {
		step_getsockname(s.fd, &local, &locallen, me, sizeof(me));
		trace_status("%s %s from %s", opt.connect ? "connected to" :
		    "sending to", s.where, me);
	}

	/* Step 7, sendto (and 8, recvfrom, for --ping) (lessons/10-datagrams.md). */
	if (opt.ping)
		status = ping(&s);
	else if (opt.count > 0)
		send_generated(&s);
	else
		send_lines(&s);
	trace_status("sent %lu datagram%s, %llu bytes", s.sent,
	    s.sent == 1 ? "" : "s", s.bytes);

	/* Step 9, close: release the socket (lessons/09-close.md). */
	step_close(s.fd);
	return status;
}

/* Step 2 for the sending socket: only what the flags ask for. */
static void
set_options(int fd, int family, const struct options *opt)
{
	struct sockaddr_storage ifaddr;
	unsigned ifindex;

	/* Without SO_BROADCAST, a send to a broadcast address is EACCES. */
	if (opt->broadcast && step_setsockopt_int(fd, SOL_SOCKET,
	    SO_BROADCAST, 1) < 0)
		die_errno(errno, STEP_SETSOCKOPT, NULL, "cannot set SO_BROADCAST");
	/* Multicast leaves by the default route unless told otherwise. */
	if (opt->mcast_if) {
		if (addr_parse_iface(opt->mcast_if, family, &ifaddr,
		    &ifindex) < 0)
			cli_usage_error("bad --mcast-if '%s': an IPv4 address "
			    "for IPv4, an interface name for IPv6",
			    opt->mcast_if);
		if (step_multicast_if(fd, family, (struct sockaddr *)&ifaddr,
		    ifindex) < 0)
			die_errno(errno, STEP_SETSOCKOPT, opt->mcast_if,
			    "cannot send multicast by %s", opt->mcast_if);
	}
	/* --ping: a recvfrom that waits longer than -w fails with EAGAIN. */
	if (opt->ping)
		step_setsockopt_timeout(fd, SO_RCVTIMEO, opt->timeout_ms);
}

/* Step 3 for a sender: bind the -s address and/or -p port, or exit. */
static void
bind_source(struct sender *s, int family)
{
	const struct options *opt = s->opt;
	struct addrinfo *res, *ai;
	char where[ADDR_STRLEN] = "";
	int rc, err = 0;

	rc = addr_resolve(opt->source, opt->source_port ? opt->source_port :
	    "0", family, SOCK_DGRAM, 1, &res);
	if (rc != 0)
		die(EX_NOHOST, "unknown source address '%s': %s",
		    opt->source ? opt->source : "", gai_strerror(rc));
	rc = -1;
	for (ai = res; ai != NULL && rc < 0; ai = ai->ai_next) {
		addr_format(ai->ai_addr, ai->ai_addrlen, where, sizeof(where));
		rc = step_bind(s->fd, ai->ai_addr, ai->ai_addrlen);
		err = errno;
	}
	freeaddrinfo(res);
	if (rc < 0)
		die_errno(err, STEP_BIND, where, "cannot bind %s", where);
	s->bound = 1;
}

/* Check the flags fit together, or exit with a usage error. */
static void
check_options(struct options *opt, int size_given)
{
	unsigned width = dgram_digits(opt->count);

	if (opt->count == 0 && (size_given || opt->seq))
		cli_usage_error("--size and --seq need --count");
	/* Numbered pings: a late echo is never taken for the next one. */
	if (opt->ping && opt->count > 0)
		opt->seq = 1;
	if (!size_given)
		opt->size = 64;		/* room for any header (22 bytes) */
	if (opt->seq && opt->size < (long)(2 * width + 2))
		cli_usage_error("--size %ld is too small for --seq: numbers up "
		    "to %lu need %u bytes", opt->size, opt->count,
		    2 * width + 2);
	if (opt->timeout_ms >= 0 && !opt->ping)
		cli_usage_error("-w needs --ping");
	if (opt->timeout_ms < 0)
		opt->timeout_ms = 1000;
}

/* Fill opt from the command line, or exit with a usage error. */
static void
parse_options(int argc, char *argv[], struct options *opt)
{
	enum { O_COUNT = 256, O_SIZE, O_RATE, O_SEQ, O_BROADCAST, O_CONNECT,
	    O_PING, O_MCASTIF, O_VERSION };
	static const struct option longopts[] = {
		{ "broadcast", no_argument, NULL, O_BROADCAST },
		{ "connect", no_argument, NULL, O_CONNECT },
		{ "count", required_argument, NULL, O_COUNT },
		{ "help", no_argument, NULL, 'h' },
		{ "mcast-if", required_argument, NULL, O_MCASTIF },
		{ "ping", no_argument, NULL, O_PING },
		{ "quiet", no_argument, NULL, 'q' },
		{ "rate", required_argument, NULL, O_RATE },
		{ "seq", no_argument, NULL, O_SEQ },
		{ "size", required_argument, NULL, O_SIZE },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	int c, verbosity = TRACE_STATUS, size_given = 0;

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
		case O_BROADCAST:
			opt->broadcast = 1;
			break;
		case O_CONNECT:
			opt->connect = 1;
			break;
		case O_COUNT:
			opt->count = (unsigned long)cli_number(optarg, 1,
			    (long)DGRAM_SEQ_MAX, "count");
			break;
		case O_MCASTIF:
			opt->mcast_if = optarg;
			break;
		case O_PING:
			opt->ping = 1;
			break;
		case O_RATE:
			opt->rate = cli_number(optarg, 1, 100000000L, "rate");
			break;
		case O_SEQ:
			opt->seq = 1;
			break;
		case O_SIZE:
			/* Up to 65535, so that EMSGSIZE can be met on purpose. */
			opt->size = cli_number(optarg, 0, 65535, "size");
			size_given = 1;
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
	check_options(opt, size_given);
	trace_set_level(verbosity);
}

/* Print the synopsis, the steps this tool performs, and the exit codes. */
static void
usage(void)
{
	printf("usage: udp-sender [-46qv] [-s ADDR] [-p PORT] [--connect] "
	    "[--broadcast] [--mcast-if IF]\n"
	    "                  [--count N [--size BYTES] [--seq]] "
	    "[--rate PER_SEC] [--ping [-w SECS]]\n"
	    "                  HOST PORT\n"
	    "\n"
	    "Send datagrams to HOST PORT: each line of stdin, its newline "
	    "included, is one\n"
	    "datagram (a line too long for one datagram fails with "
	    "EMSGSIZE, exit 74).\n"
	    "\n"
	    "  -4, -6           IPv4 only / IPv6 only (default: the first "
	    "address)\n"
	    "  -s ADDR          bind this local address first (default: "
	    "the kernel's choice)\n"
	    "  -p PORT          bind this local port first (default: an "
	    "ephemeral port,\n"
	    "                   chosen at the first sendto)\n"
	    "  --connect        connect() the socket: send without an "
	    "address, and hear\n"
	    "                   ICMP errors as ECONNREFUSED on a later "
	    "send or recv (exit 69)\n"
	    "  --broadcast      SO_BROADCAST: allow a broadcast address\n"
	    "  --mcast-if IF    send multicast by this interface: an IPv4 "
	    "address, or an\n"
	    "                   IPv6 interface name\n"
	    "  --count N        instead of stdin, send N generated datagrams "
	    "(batched)\n"
	    "  --size BYTES     bytes per generated datagram, 0 to 65535 "
	    "(default 64)\n"
	    "  --seq            start each with \"SEQ/TOTAL \" for "
	    "udp-receiver --stats\n"
	    "  --rate PER_SEC   send at most PER_SEC datagrams per second\n"
	    "  --ping           wait for each datagram to come back "
	    "(udp-receiver --reply)\n"
	    "                   and print its round-trip time, then "
	    "min/avg/max;\n"
	    "                   exit 75 if a reply is missing\n"
	    "  -w SECS          how long --ping waits for a reply "
	    "(default 1)\n"
	    "  -q               errors only  -v  every step  -vv  steps and "
	    "payloads\n"
	    "  -h, --help       this text    --version   the version\n"
	    "\n"
	    "Without -v, Linux sends --count datagrams up to 64 per sendmmsg "
	    "call; -v shows\n"
	    "one sendto per datagram.\n"
	    "\n"
	    "steps: 1 socket, 2 setsockopt, 3 bind (optional), 6 connect "
	    "(optional), 7 send,\n"
	    "       8 recv (--ping), 9 close\n"
	    "lessons: lessons/10-datagrams.md (and lessons/01-socket.md ... "
	    "09-close.md)\n"
	    CLI_EXIT_CODES);
}
