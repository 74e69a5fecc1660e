/*
 * udp-receiver - the receiving half of the datagram procedure, narrated.
 *
 *   socket -> (setsockopt) -> bind -> recvfrom ... (-> sendto with --reply)
 *
 * No listen, no accept: a bound UDP socket takes datagrams from anyone.
 * Each recvfrom returns exactly one datagram, with its sender's address;
 * by default its payload goes to stdout as it came. Read main() top to
 * bottom: each step is one call, under a comment naming its lesson.
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
#include "receiver.h"
#include "step.h"
#include "trace.h"

static void parse_options(int, char *[], struct options *);
static int resolve_group(const struct options *, struct sockaddr_storage *);
static void set_options(int, int, const struct options *,
    const struct sockaddr_storage *);
static void usage(void);

int
main(int argc, char *argv[])
{
	struct options opt;
	struct addrinfo *res, *ai;
	struct sockaddr_storage local, group;
	struct seqstats st;
	socklen_t locallen;
	char where[ADDR_STRLEN] = "";
	int fd = -1, err = 0, rc, status, family;

	cli_init(argv[0]);
	parse_options(argc, argv, &opt);

	/* A multicast group decides the family: IPv4 and IPv6 groups differ. */
	family = opt.group ? resolve_group(&opt, &group) : opt.family;

	/* Which local addresses may we bind? (lessons/03-bind.md) */
	rc = addr_resolve(opt.bind_addr, opt.port, family, SOCK_DGRAM, 1, &res);
	if (rc != 0)
		die(EX_NOHOST, "cannot resolve local address '%s': %s",
		    opt.bind_addr, gai_strerror(rc));

	for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
		addr_format(ai->ai_addr, ai->ai_addrlen, where, sizeof(where));

		/* Step 1, socket: a UDP endpoint (lessons/01-socket.md). */
		fd = step_socket(ai->ai_family, ai->ai_socktype,
		    ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}

		/* Step 2, setsockopt: before bind (lessons/02-setsockopt.md). */
		set_options(fd, ai->ai_family, &opt, opt.group ? &group : NULL);

		/* Step 3, bind: claim the port; a receiver must (lessons/03-bind.md). */
		if (step_bind(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
			err = errno;
			step_close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd < 0)
		die_errno(err, STEP_BIND, where, "cannot bind %s", where);

	/* No step 4 or 5: datagrams need no listen and no accept. */
	step_getsockname(fd, &local, &locallen, where, sizeof(where));
	trace_status("listening on %s", where);

	/* Step 8, recvfrom, and step 7 for --reply (lessons/10-datagrams.md). */
	stats_init(&st);
	status = receive_loop(fd, &opt, &st);
	if (opt.stats && stats_report(&st) < 0 && status == EX_OK)
		status = EX_IOERR;
	stats_free(&st);

	/* Step 9, close: release the port (lessons/09-close.md). */
	step_close(fd);
	return status;
}

/* The --group address, checked to be multicast; returns its family. */
static int
resolve_group(const struct options *opt, struct sockaddr_storage *group)
{
	struct addrinfo *res;
	int rc;

	rc = addr_resolve(opt->group, "0", opt->family, SOCK_DGRAM, 0, &res);
	if (rc != 0)
		die(EX_NOHOST, "unknown multicast group '%s': %s", opt->group,
		    gai_strerror(rc));
	memcpy(group, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	if (!addr_is_multicast((struct sockaddr *)group))
		cli_usage_error("'%s' is not a multicast address (IPv4 "
		    "224.0.0.0/4, IPv6 ff00::/8)", opt->group);
	return group->ss_family;
}

/* Step 2 for the receiving socket: everything that must precede bind. */
static void
set_options(int fd, int family, const struct options *opt,
    const struct sockaddr_storage *group)
{
	struct sockaddr_storage ifaddr;
	unsigned ifindex = 0;
	int granted;

	/* One IPv6 socket on the wildcard takes IPv4 datagrams too, unless -6. */
	if (family == AF_INET6 && opt->bind_addr == NULL)
		step_setsockopt_int(fd, IPPROTO_IPV6, IPV6_V6ONLY,
		    opt->family == AF_INET6);
	/* A small queue overflows under a fast sender: the kernel drops
	 * what does not fit, and nobody is told. It doubles the number
	 * for its own bookkeeping; getsockopt shows what it granted. */
	if (opt->rcvbuf > 0) {
		step_setsockopt_int(fd, SOL_SOCKET, SO_RCVBUF, opt->rcvbuf);
		step_getsockopt_int(fd, SOL_SOCKET, SO_RCVBUF, &granted);
	}
	/* -w: a recvfrom that waits longer fails with EAGAIN. */
	if (opt->idle_ms > 0)
		step_setsockopt_timeout(fd, SO_RCVTIMEO, opt->idle_ms);
	if (group == NULL)
		return;
	/* Several receivers of one group may share the port. */
	step_setsockopt_int(fd, SOL_SOCKET, SO_REUSEADDR, 1);
	if (opt->mcast_if && addr_parse_iface(opt->mcast_if, family, &ifaddr,
	    &ifindex) < 0)
		cli_usage_error("bad --mcast-if '%s': an IPv4 address for an "
		    "IPv4 group, an interface name for IPv6", opt->mcast_if);
	/* Tell the kernel (and the network, by IGMP/MLD) we want the group. */
	if (step_join_group(fd, (const struct sockaddr *)group,
	    opt->mcast_if && family == AF_INET ?
	    (const struct sockaddr *)&ifaddr : NULL, ifindex) < 0)
		die_errno(errno, STEP_SETSOCKOPT, opt->group,
		    "cannot join group %s", opt->group);
}

/* Fill opt from the command line, or exit with a usage error. */
static void
parse_options(int argc, char *argv[], struct options *opt)
{
	enum { O_SHOW = 256, O_REPLY, O_STATS, O_RCVBUF, O_GROUP, O_MCASTIF,
	    O_VERSION };
	static const struct option longopts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "group", required_argument, NULL, O_GROUP },
		{ "help", no_argument, NULL, 'h' },
		{ "mcast-if", required_argument, NULL, O_MCASTIF },
		{ "quiet", no_argument, NULL, 'q' },
		{ "rcvbuf", required_argument, NULL, O_RCVBUF },
		{ "reply", no_argument, NULL, O_REPLY },
		{ "show", no_argument, NULL, O_SHOW },
		{ "stats", no_argument, NULL, O_STATS },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	int c, verbosity = TRACE_STATUS;

	memset(opt, 0, sizeof(*opt));
	opt->family = AF_UNSPEC;
	opt->idle_ms = -1;
	while ((c = getopt_long(argc, argv, "46b:c:hqvw:", longopts,
	    NULL)) != -1) {
		switch (c) {
		case '4':
			opt->family = AF_INET;
			break;
		case '6':
			opt->family = AF_INET6;
			break;
		case 'b':
			opt->bind_addr = optarg;
			break;
		case 'c':
			opt->count = (unsigned long)cli_number(optarg, 1,
			    1000000000L, "count");
			break;
		case 'h':
			usage();
			exit(EX_OK);
		case 'q':
			verbosity = TRACE_QUIET;
			break;
		case 'v':
			verbosity++;
			break;
		case 'w':
			opt->idle_ms = cli_seconds(optarg, "timeout");
			break;
		case O_GROUP:
			opt->group = optarg;
			break;
		case O_MCASTIF:
			opt->mcast_if = optarg;
			break;
		case O_RCVBUF:
			opt->rcvbuf = (int)cli_number(optarg, 1, 1 << 30,
			    "receive buffer size");
			break;
		case O_REPLY:
			opt->reply = 1;
			break;
		case O_SHOW:
			opt->show = 1;
			break;
		case O_STATS:
			opt->stats = 1;
			break;
		case O_VERSION:
			cli_version();
		default:
			cli_usage_error("unknown or incomplete option");
		}
	}
	if (argc - optind != 1)
		cli_usage_error(argc - optind < 1 ? "missing PORT" :
		    "too many arguments");
	opt->port = argv[optind];
	cli_port(opt->port, 1);
	if (opt->mcast_if && !opt->group)
		cli_usage_error("--mcast-if needs --group");
	trace_set_level(verbosity);
}

/* Print the synopsis, the steps this tool performs, and the exit codes. */
static void
usage(void)
{
	printf("usage: udp-receiver [-46qv] [-b ADDR] [-c N] [-w SECS] [--show] "
	    "[--reply] [--stats]\n"
	    "                    [--rcvbuf BYTES] [--group ADDR [--mcast-if "
	    "IF]] PORT\n"
	    "\n"
	    "Bind PORT (0: the kernel picks one and it is printed) and receive "
	    "datagrams:\n"
	    "each payload goes to stdout exactly as it came, until -c, -w or "
	    "Ctrl-C.\n"
	    "\n"
	    "  -4, -6          IPv4 only / IPv6 only (default: both, "
	    "dual-stack)\n"
	    "  -b ADDR         bind this local address (default: all)\n"
	    "  -c N            stop after N datagrams\n"
	    "  -w SECS         stop after SECS without a datagram "
	    "(SO_RCVTIMEO); exit 75\n"
	    "                  if none came at all\n"
	    "  --show          one line per datagram instead of the payload:\n"
	    "                  sender, size and an escaped preview\n"
	    "  --reply         send each datagram back to its sender (for "
	    "udp-sender --ping)\n"
	    "  --stats         count the numbers udp-sender --seq writes; at "
	    "the end (and on\n"
	    "                  Ctrl-C) print received, lost, duplicated, "
	    "reordered and the\n"
	    "                  rate instead of the payloads\n"
	    "  --rcvbuf BYTES  SO_RCVBUF: a small queue shows real loss\n"
	    "  --group ADDR    join this multicast group (IP_ADD_MEMBERSHIP / "
	    "IPV6_JOIN_GROUP)\n"
	    "  --mcast-if IF   join on this interface: an IPv4 address, or an "
	    "IPv6 interface name\n"
	    "  -q              errors only  -v  every step  -vv  steps and "
	    "payloads\n"
	    "  -h, --help      this text    --version        the version\n"
	    "\n"
	    "Without -v, Linux takes up to 64 queued datagrams per recvmmsg "
	    "call; -v shows\n"
	    "one recvfrom per datagram.\n"
	    "\n"
	    "steps: 1 socket, 2 setsockopt, 3 bind, 8 recv, 7 send (--reply), "
	    "9 close\n"
	    "lessons: lessons/10-datagrams.md (and lessons/01-socket.md ... "
	    "09-close.md)\n"
	    CLI_EXIT_CODES);
}
