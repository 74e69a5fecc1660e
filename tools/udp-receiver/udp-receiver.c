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
#include <netdb.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "cli.h"
#include "io.h"
#include "receiver.h"
#include "step.h"
#include "trace.h"

#define OPT(field) offsetof(struct options, field)

/* The command line, declared once: cli.c derives parsing and --help. */
static const struct cli_option options[] = {
	{ .letter = 'b', .type = CLI_TEXT, .field = OPT(bind_addr),
	  .arg = "ADDR", .help = "bind this local address (default: all)" },
	{ .letter = 'c', .name = "count", .type = CLI_INT, .field = OPT(count),
	  .arg = "N", .min = 1, .max = 1000000000,
	  .help = "stop after N datagrams" },
	{ .letter = 'w', .type = CLI_MS, .field = OPT(idle_ms), .arg = "SECS",
	  .min = 1, .max = 86400000, .what = "timeout",
	  .help = "stop after SECS without a datagram (SO_RCVTIMEO);\n"
	  "exit 75 if none came at all" },
	{ .name = "show", .type = CLI_FLAG, .field = OPT(show),
	  .help = "one line per datagram instead of the payload:\n"
	  "sender, size and an escaped preview" },
	{ .name = "reply", .type = CLI_FLAG, .field = OPT(reply),
	  .help = "send each datagram back to its sender\n"
	  "(for udp-sender --ping)" },
	{ .name = "stats", .type = CLI_FLAG, .field = OPT(stats),
	  .help = "count the numbers udp-sender --seq writes; at the\n"
	  "end (and on Ctrl-C) print received, lost, duplicated,\n"
	  "reordered and the rate instead of the payloads" },
	{ .name = "one-by-one", .type = CLI_FLAG, .field = OPT(one_by_one),
	  .help = "take each datagram with its own recvfrom (the call\n"
	  "lessons/10 teaches) instead of up to 64 per recvmmsg" },
	{ .name = "rcvbuf", .type = CLI_INT, .field = OPT(rcvbuf),
	  .arg = "BYTES", .min = 1, .max = 1 << 30,
	  .what = "receive buffer size",
	  .help = "SO_RCVBUF: a small queue shows real loss" },
	{ .name = "group", .type = CLI_TEXT, .field = OPT(group),
	  .arg = "ADDR", .help = "join this multicast group (IP_ADD_MEMBERSHIP "
	  "/\nIPV6_JOIN_GROUP)" },
	{ .name = "mcast-if", .type = CLI_TEXT, .field = OPT(mcast_if),
	  .arg = "IF", .help = "join on this interface: an IPv4 address, or "
	  "an IPv6\ninterface name" },
	{ 0 }
};

static const struct cli_tool tool = {
	.args = "PORT", .min_args = 1, .max_args = 1,
	.about = "Bind PORT (0: the kernel picks one and it is printed) and "
	    "receive datagrams:\neach payload goes to stdout exactly as it "
	    "came, until -c, -w or Ctrl-C.",
	.options = options, .shared = CLI_FAMILY,
	.notes = "The same system calls run at every verbosity: on Linux one "
	    "recvmmsg takes up\nto 64 queued datagrams (one recvfrom when "
	    "only one is wanted: -c 1,\n--one-by-one), and -v narrates each "
	    "call as the batch it is. Ctrl-C (SIGINT)\nor SIGTERM stops "
	    "receiving; what came is written out (and --stats reported)\n"
	    "first.",
	.steps = "1 socket, 2 setsockopt, 3 bind, 8 recv, 7 send (--reply), "
	    "9 close",
	.lessons = "lessons/10-datagrams.md (and lessons/01-socket.md ... "
	    "09-close.md)",
	.exits = "75 -w ran out before any datagram came",
};

static int parse_options(int, char *[], struct options *);
static int resolve_group(const struct options *, struct sockaddr_storage *,
    int *);
static int set_options(int, int, const struct options *,
    const struct sockaddr_storage *);

int
main(int argc, char *argv[])
{
	struct options opt;
	struct addrinfo *res, *ai;
	struct sockaddr_storage local, group;
	struct seqstats st;
	socklen_t locallen;
	struct addr_failure failed = { 0, "" };
	char where[ADDR_STRLEN] = "";
	int fd = -1, rc, status, family = AF_UNSPEC;

	cli_init(argv[0]);
	trace_set_socktype(SOCK_DGRAM);	/* hints speak of UDP */
	if ((rc = parse_options(argc, argv, &opt)) != CLI_RUN)
		return rc;

	/* A multicast group decides the family: IPv4 and IPv6 groups differ. */
	family = opt.cli.family;
	if (opt.group && (rc = resolve_group(&opt, &group, &family)) != 0)
		return rc;

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
			addr_failure_note(&failed, errno, where);
			continue;
		}

		/* Step 2, setsockopt: before bind (lessons/02-setsockopt.md). */
		rc = set_options(fd, ai->ai_family, &opt, opt.group ? &group :
		    NULL);
		if (rc != 0) {
			freeaddrinfo(res);
			return rc;
		}

		/* Step 3, bind: claim the port; a receiver must (lessons/03-bind.md). */
		if (step_bind(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
			addr_failure_note(&failed, errno, where);
			step_close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd < 0)
		die_errno(failed.err, STEP_BIND, failed.where, "cannot bind %s",
		    failed.where);

	/* No step 4 or 5: datagrams need no listen and no accept. */
	addr_local(fd, &local, &locallen, where, sizeof(where));
	trace_status("listening on %s", where);

	/* Step 8, recvfrom, and step 7 for --reply (lessons/10-datagrams.md);
	 * Ctrl-C ends it in order: what came is written and counted. */
	cli_catch_stop();
	stats_init(&st);
	status = receive_loop(fd, &opt, &st);
	if (opt.stats && status != EX_IOERR && stats_report(&st) < 0)
		status = io_report(IO_OUTPUT, errno, "from", NULL);
	stats_free(&st);

	/* Step 9, close: release the port (lessons/09-close.md). */
	step_close(fd);
	if (step_stop)
		cli_exit_stopped();
	return status;
}

/* The --group address, checked to be multicast, and its family into
 * *family; 0, or the exit status after saying why. */
static int
resolve_group(const struct options *opt, struct sockaddr_storage *group,
    int *family)
{
	struct addrinfo *res;
	int rc;

	rc = addr_resolve(opt->group, "0", opt->cli.family, SOCK_DGRAM, 0, &res);
	if (rc != 0) {
		trace_error("unknown multicast group '%s': %s", opt->group,
		    gai_strerror(rc));
		return EX_NOHOST;
	}
	memcpy(group, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	if (!addr_is_multicast((struct sockaddr *)group))
		return cli_usage("'%s' is not a multicast address (IPv4 "
		    "224.0.0.0/4, IPv6 ff00::/8)", opt->group);
	*family = group->ss_family;
	return 0;
}

/* Step 2 for the receiving socket: everything that must precede bind;
 * 0, or the exit status after saying why. */
static int
set_options(int fd, int family, const struct options *opt,
    const struct sockaddr_storage *group)
{
	struct sockaddr_storage ifaddr;
	unsigned ifindex = 0;
	int granted;

	/* One IPv6 socket on the wildcard takes IPv4 datagrams too, unless -6. */
	if (family == AF_INET6 && opt->bind_addr == NULL)
		step_setsockopt_int(fd, IPPROTO_IPV6, IPV6_V6ONLY,
		    opt->cli.family == AF_INET6);
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
		return 0;
	/* Several receivers of one group may share the port. */
	step_setsockopt_int(fd, SOL_SOCKET, SO_REUSEADDR, 1);
	if (opt->mcast_if && addr_parse_iface(opt->mcast_if, family, &ifaddr,
	    &ifindex) < 0)
		return cli_usage("bad --mcast-if '%s': an IPv4 address for an "
		    "IPv4 group, an interface name for IPv6", opt->mcast_if);
	/* Tell the kernel (and the network, by IGMP/MLD) we want the group. */
	if (step_join_group(fd, (const struct sockaddr *)group,
	    opt->mcast_if && family == AF_INET ?
	    (const struct sockaddr *)&ifaddr : NULL, ifindex) < 0)
		return cli_error(errno, STEP_SETSOCKOPT, opt->group,
		    "cannot join group %s", opt->group);
	return 0;
}

/* Fill opt from the command line: CLI_RUN, or the status to exit with. */
static int
parse_options(int argc, char *argv[], struct options *opt)
{
	int first, rc;

	memset(opt, 0, sizeof(*opt));
	opt->idle_ms = -1;
	if ((rc = cli_parse(&tool, argc, argv, opt, &opt->cli, &first)) !=
	    CLI_RUN)
		return rc;
	opt->port = argv[first];
	if (cli_check_port(opt->port, 1) != 0)
		return EX_USAGE;
	if (opt->mcast_if && !opt->group)
		return cli_usage("--mcast-if needs --group");
	return CLI_RUN;
}
