/*
 * udp-sender - the sending half of the datagram procedure, narrated.
 *
 *   resolve -> socket -> (setsockopt) -> (bind) -> (connect) -> sendto
 *           ... -> close
 *
 * No connection, no handshake: each sendto is one datagram, sent at once
 * to the address it names. bind is optional: the kernel gives the socket
 * an ephemeral port at its first sendto. By default each line of stdin
 * becomes one datagram; --count generates numbered ones (several per
 * sendmmsg call); --ping times round trips against udp-receiver --reply.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <netdb.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "cli.h"
#include "dgram.h"
#include "sender.h"
#include "step.h"
#include "trace.h"

#define OPT(field) offsetof(struct options, field)

/* The command line, declared once: cli.c derives parsing and --help. */
static const struct cli_option options[] = {
	{ .letter = 's', .type = CLI_TEXT, .field = OPT(source), .arg = "ADDR",
	  .help = "bind this local address first (default: the\n"
	  "kernel's choice)" },
	{ .letter = 'p', .type = CLI_PORT, .field = OPT(source_port),
	  .arg = "PORT", .min = 1, .help = "bind this local port first "
	  "(default: an ephemeral port,\nchosen at the first sendto)" },
	{ .name = "connect", .type = CLI_FLAG, .field = OPT(connect),
	  .help = "connect() the socket: send without an address, and\n"
	  "hear ICMP errors as ECONNREFUSED on a later send or\n"
	  "recv (exit 69)" },
	{ .name = "broadcast", .type = CLI_FLAG, .field = OPT(broadcast),
	  .help = "SO_BROADCAST: allow a broadcast address" },
	{ .name = "mcast-if", .type = CLI_TEXT, .field = OPT(mcast_if),
	  .arg = "IF", .help = "send multicast by this interface: an IPv4 "
	  "address, or an\nIPv6 interface name" },
	{ .name = "count", .type = CLI_INT, .field = OPT(count), .arg = "N",
	  .min = 1, .max = (long long)DGRAM_SEQ_MAX, .help = "instead of "
	  "stdin, send N generated datagrams (on Linux\nup to 64 per "
	  "sendmmsg call)" },
	{ .name = "size", .type = CLI_INT, .field = OPT(size), .arg = "BYTES",
	  /* Up to 65535, so that EMSGSIZE can be met on purpose. */
	  .min = 0, .max = 65535, .help = "bytes per generated datagram, 0 "
	  "to 65535 (default 64)" },
	{ .name = "seq", .type = CLI_FLAG, .field = OPT(seq),
	  .help = "start each with \"SEQ/TOTAL \" for udp-receiver --stats" },
	{ .name = "rate", .type = CLI_INT, .field = OPT(rate),
	  .arg = "PER_SEC", .min = 1, .max = 100000000,
	  .help = "send at most PER_SEC datagrams per second" },
	{ .name = "one-by-one", .type = CLI_FLAG, .field = OPT(one_by_one),
	  .help = "send each generated datagram with its own sendto\n"
	  "(the call lessons/10 teaches) instead of in batches" },
	{ .name = "ping", .type = CLI_FLAG, .field = OPT(ping),
	  .help = "wait for each datagram to come back (from\n"
	  "udp-receiver --reply) and print its round-trip time,\n"
	  "then min/avg/max; exit 75 if a reply is missing" },
	{ .letter = 'w', .type = CLI_MS, .field = OPT(timeout_ms),
	  .arg = "SECS", .min = 1, .max = 86400000, .what = "timeout",
	  .help = "how long --ping waits for a reply (default 1)" },
	{ 0 }
};

static const struct cli_tool tool = {
	.args = "HOST PORT", .min_args = 2, .max_args = 2,
	.about = "Send datagrams to HOST PORT: each line of stdin, its newline "
	    "included, is one\ndatagram (a line too long for one datagram "
	    "fails with EMSGSIZE, exit 74).",
	.options = options, .shared = CLI_FAMILY,
	.notes = "The same system calls run at every verbosity: on Linux, "
	    "--count sends up to\n64 datagrams per sendmmsg call, and -v "
	    "narrates each call as the batch it is;\n--one-by-one makes it "
	    "one sendto per datagram. Ctrl-C (SIGINT) or SIGTERM\nstops "
	    "sending; the summary (sent, and the --ping report) is printed "
	    "first.",
	.steps = "1 socket, 2 setsockopt, 3 bind (optional), 6 connect "
	    "(optional), 7 send,\n       8 recv (--ping), 9 close",
	.lessons = "lessons/10-datagrams.md (and lessons/01-socket.md ... "
	    "09-close.md)",
	.exits = "69 ECONNREFUSED on a connected socket (--connect),\n"
	    "  75 --ping missed a reply, 77 a broadcast address without "
	    "--broadcast",
};

static int parse_options(int, char *[], struct options *);
static int set_options(int, int, const struct options *);
static int bind_source(struct sender *, int);

int
main(int argc, char *argv[])
{
	struct options opt;
	struct sender s;
	struct addrinfo *res;
	struct sockaddr_storage local;
	socklen_t locallen;
	char me[ADDR_STRLEN];
	int rc, status;

	cli_init(argv[0]);
	trace_set_socktype(SOCK_DGRAM);	/* hints speak of UDP */
	if ((rc = parse_options(argc, argv, &opt)) != CLI_RUN)
		return rc;
	memset(&s, 0, sizeof(s));
	s.opt = &opt;

	/* Resolve the name; with no handshake to fail, the first address
	 * is the one we use (lessons/10-datagrams.md). */
	rc = addr_resolve(opt.host, opt.port, opt.cli.family, SOCK_DGRAM, 0,
	    &res);
	if (rc != 0)
		die(EX_NOHOST, "unknown host '%s': %s", opt.host,
		    gai_strerror(rc));
	memcpy(&s.to, res->ai_addr, res->ai_addrlen);
	s.tolen = res->ai_addrlen;
	addr_format(res->ai_addr, res->ai_addrlen, s.where, sizeof(s.where));

	/* Step 1, socket: a UDP endpoint (lessons/01-socket.md). */
	s.fd = step_socket(res->ai_family, res->ai_socktype, res->ai_protocol);
	freeaddrinfo(res);
	if (s.fd < 0)
		die_errno(errno, STEP_SOCKET, NULL, "cannot create a socket");

	/* Step 2, setsockopt: only what the flags ask (lessons/02-setsockopt.md). */
	if ((rc = set_options(s.fd, s.to.ss_family, &opt)) != 0)
		return rc;

	/* Step 3, bind: optional for a sender (lessons/03-bind.md). */
	if ((opt.source || opt.source_port) &&
	    (rc = bind_source(&s, s.to.ss_family)) != 0)
		return rc;

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
		addr_local(s.fd, &local, &locallen, me, sizeof(me));
		trace_status("%s %s from %s", opt.connect ? "connected to" :
		    "sending to", s.where, me);
	}

	/* Step 7, sendto (and 8, recvfrom, for --ping) (lessons/10-datagrams.md);
	 * Ctrl-C stops it in order, so the summary is still printed. */
	cli_catch_stop();
	if (opt.ping)
		status = ping(&s);
	else if (opt.count > 0)
		status = send_generated(&s);
	else
		status = send_lines(&s);
	trace_status("sent %lu datagram%s, %llu bytes", s.sent,
	    s.sent == 1 ? "" : "s", s.bytes);

	/* Step 9, close: release the socket (lessons/09-close.md). */
	step_close(s.fd);
	if (step_stop)
		cli_exit_stopped();
	return status;
}

/* Step 2 for the sending socket: only what the flags ask for; 0, or the
 * exit status after saying why. */
static int
set_options(int fd, int family, const struct options *opt)
{
	struct sockaddr_storage ifaddr;
	unsigned ifindex;

	/* Without SO_BROADCAST, a send to a broadcast address is EACCES. */
	if (opt->broadcast && step_setsockopt_int(fd, SOL_SOCKET,
	    SO_BROADCAST, 1) < 0)
		return cli_error(errno, STEP_SETSOCKOPT, NULL,
		    "cannot set SO_BROADCAST");
	/* Multicast leaves by the default route unless told otherwise. */
	if (opt->mcast_if) {
		if (addr_parse_iface(opt->mcast_if, family, &ifaddr,
		    &ifindex) < 0)
			return cli_usage("bad --mcast-if '%s': an IPv4 address "
			    "for IPv4, an interface name for IPv6",
			    opt->mcast_if);
		if (step_multicast_if(fd, family, (struct sockaddr *)&ifaddr,
		    ifindex) < 0)
			return cli_error(errno, STEP_SETSOCKOPT, opt->mcast_if,
			    "cannot send multicast by %s", opt->mcast_if);
	}
	/* --ping: a recvfrom that waits longer than -w fails with EAGAIN. */
	if (opt->ping)
		step_setsockopt_timeout(fd, SO_RCVTIMEO, opt->timeout_ms);
	return 0;
}

/* Step 3 for a sender: bind the -s address and/or -p port; 0, or the
 * exit status after saying why. */
static int
bind_source(struct sender *s, int family)
{
	const struct options *opt = s->opt;
	struct addrinfo *res, *ai;
	char where[ADDR_STRLEN] = "";
	int rc, err = 0;

	rc = addr_resolve(opt->source, opt->source_port ? opt->source_port :
	    "0", family, SOCK_DGRAM, 1, &res);
	if (rc != 0) {
		trace_error("unknown source address '%s': %s",
		    opt->source ? opt->source : "", gai_strerror(rc));
		return EX_NOHOST;
	}
	rc = -1;
	for (ai = res; ai != NULL && rc < 0; ai = ai->ai_next) {
		addr_format(ai->ai_addr, ai->ai_addrlen, where, sizeof(where));
		rc = step_bind(s->fd, ai->ai_addr, ai->ai_addrlen);
		err = errno;
	}
	freeaddrinfo(res);
	if (rc < 0)
		return cli_error(err, STEP_BIND, where, "cannot bind %s", where);
	s->bound = 1;
	return 0;
}

/* Check the flags fit together: CLI_RUN, or 64 after saying why. */
static int
check_options(struct options *opt)
{
	unsigned width = dgram_digits((unsigned long)opt->count);

	if (opt->count == 0 && (opt->size >= 0 || opt->seq))
		return cli_usage("--size and --seq need --count");
	if (opt->one_by_one && (opt->count == 0 || opt->ping))
		return cli_usage("--one-by-one is for --count: stdin lines and "
		    "--ping go one sendto per datagram already");
	/* Numbered pings: a late echo is never taken for the next one. */
	if (opt->ping && opt->count > 0)
		opt->seq = 1;
	if (opt->size < 0)
		opt->size = 64;		/* room for any header (22 bytes) */
	if (opt->seq && opt->size < (int)(2 * width + 2))
		return cli_usage("--size %d is too small for --seq: numbers up "
		    "to %d need %u bytes", opt->size, opt->count, 2 * width + 2);
	if (opt->timeout_ms >= 0 && !opt->ping)
		return cli_usage("-w needs --ping");
	if (opt->timeout_ms < 0)
		opt->timeout_ms = 1000;
	return CLI_RUN;
}

/* Fill opt from the command line: CLI_RUN, or the status to exit with. */
static int
parse_options(int argc, char *argv[], struct options *opt)
{
	int first, rc;

	memset(opt, 0, sizeof(*opt));
	opt->timeout_ms = -1;
	opt->size = -1;		/* not given */
	if ((rc = cli_parse(&tool, argc, argv, opt, &opt->cli, &first)) !=
	    CLI_RUN)
		return rc;
	opt->host = argv[first];
	opt->port = argv[first + 1];
	if (cli_check_port(opt->port, 0) != 0)
		return EX_USAGE;
	return check_options(opt);
}
