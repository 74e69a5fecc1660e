/*
 * socket-watch - what the kernel holds and what crosses the wire, live.
 *
 *   socket-watch states [PORT|PATH]   the kernel's socket table for a
 *       port (TCP and UDP, IPv4 and IPv6) or a Unix socket, read through
 *       NETLINK_SOCK_DIAG like ss(8), unprivileged: a line whenever a
 *       socket appears, changes state or goes away (states.c)
 *   socket-watch packets [PORT]       every TCP/UDP segment on an
 *       interface, from socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)),
 *       headers decoded by hand (packets.c, packet.c); needs CAP_NET_RAW
 *
 * Lines go to stdout, narration to stderr; --trace FILE writes them as
 * JSON for scripts/ladder.
 */
#include <sys/types.h>
#include <ctype.h>
#include <netinet/in.h>
#include <netdb.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "cli.h"
#include "trace.h"
#include "unixaddr.h"
#include "watch.h"

#define OPT(field) offsetof(struct options, field)

/* The command line, declared once: cli.c derives parsing and --help. */
static const struct cli_option options[] = {
	{ .letter = 't', .name = "tcp", .type = CLI_FLAG, .field = OPT(tcp),
	  .help = "TCP only" },
	{ .letter = 'u', .name = "udp", .type = CLI_FLAG, .field = OPT(udp),
	  .help = "UDP only" },
	{ .letter = 'Q', .name = "queues", .type = CLI_FLAG,
	  .field = OPT(queues),
	  .help = "states: a line when a queue's size changes too" },
	{ .name = "interval", .type = CLI_MS, .field = OPT(interval_ms),
	  .arg = "SECS", .min = 1, .max = 60000, .what = "interval",
	  .help = "states: between two looks at the table (default 0.01)" },
	{ .letter = 'i', .name = "interface", .type = CLI_TEXT,
	  .field = OPT(iface), .arg = "IFACE",
	  .help = "packets: the interface to watch (default lo)" },
	{ .name = "preview", .type = CLI_INT, .field = OPT(preview),
	  .arg = "N", .min = 0, .max = 256, .what = "preview length",
	  .help = "packets: payload bytes shown, escaped (default 24)" },
	{ .name = "for", .type = CLI_MS, .field = OPT(for_ms), .arg = "SECS",
	  .min = 1, .max = 86400000, .what = "duration",
	  .help = "stop after SECS seconds (default: at Ctrl-C)" },
	{ 0 }
};

static const struct cli_tool tool = {
	.args = "states|packets [PORT|PATH]", .min_args = 0, .max_args = 2,
	.about = "states: the kernel's socket table for PORT (TCP and UDP, IPv4 "
	    "and IPv6) or the\nUnix socket at PATH (./name, /path or @abstract), "
	    "live: a line when a socket\nappears, changes state or goes away. "
	    "packets: every TCP/UDP segment to or\nfrom PORT on an interface, "
	    "its headers decoded by hand.",
	.options = options, .shared = CLI_FAMILY,
	.notes = "states reads NETLINK_SOCK_DIAG (Linux, no privilege needed); "
	    "a look is a\nsnapshot, so a state that begins and ends between two "
	    "looks is not seen.\npackets needs CAP_NET_RAW: run it with sudo, or "
	    "inside scripts/lab (a network\nnamespace of your own). Lines go to "
	    "stdout; at the end a summary goes to stderr.",
	.steps = "1 socket, 2 setsockopt, 3 bind (packets), 7 send (states), "
	    "8 recv, 9 close",
	.lessons = "lessons/01-socket.md, 04-listen.md, 06-connect.md, "
	    "07-send.md, 08-recv.md,\n         09-close.md",
	.exits = "64 also for an unknown port, interface or a path too long; "
	    "69 no netlink\n  or AF_PACKET on this system; 77 packets without "
	    "CAP_NET_RAW",
};

static int parse_options(int, char *[], struct options *);

int
main(int argc, char *argv[])
{
	struct options opt;
	int rc;

	cli_init(argv[0]);
	if ((rc = parse_options(argc, argv, &opt)) != CLI_RUN)
		return rc;
	if (opt.mode == MODE_STATES)
		return watch_states(&opt);
	return watch_packets(&opt);
}

/* True if text is a Unix socket's address rather than a port: it has a
 * slash, or starts with "@" (an abstract name) or ".". */
static int
looks_like_path(const char *text)
{
	return strchr(text, '/') != NULL || text[0] == '@' || text[0] == '.';
}

/* PORT or PATH into opt; CLI_RUN, or 64 after saying why. */
static int
parse_what(const char *text, struct options *opt)
{
	const struct servent *se;
	const char *p;

	opt->what = text;
	if (looks_like_path(text)) {
		if (opt->mode == MODE_PACKETS)
			return cli_usage("packets watches a port, not a path: "
			    "'%s'", text);
		if (strlen(text) > unixaddr_max_path())
			return cli_usage("path too long: '%.40s...' has %zu "
			    "bytes, a Unix socket's at most %zu", text,
			    strlen(text), unixaddr_max_path());
		opt->path = text;
		return CLI_RUN;
	}
	for (p = text; isdigit((unsigned char)*p); p++)
		continue;
	if (*p == '\0') {
		if (cli_check_port(text, 0) != 0)
			return EX_USAGE;
		opt->port = (unsigned)atoi(text);
		return CLI_RUN;
	}
	/* A service name, as /etc/services has them ("http"). */
	if ((se = getservbyname(text, opt->udp && !opt->tcp ? "udp" : "tcp"))
	    == NULL)
		return cli_usage("unknown port '%s': give a number from 1 to "
		    "65535, a service name, or a path (./name)", text);
	opt->port = ntohs((unsigned short)se->s_port);
	return CLI_RUN;
}

/* The mode named by word, or -1. */
static int
mode_of(const char *word)
{
	if (strcmp(word, "states") == 0)
		return MODE_STATES;
	if (strcmp(word, "packets") == 0)
		return MODE_PACKETS;
	return -1;
}

/* Fill opt from the command line: CLI_RUN, or the status to exit with. */
static int
parse_options(int argc, char *argv[], struct options *opt)
{
	int first, rc, mode = argc > 1 ? mode_of(argv[1]) : -1;

	memset(opt, 0, sizeof(*opt));
	opt->interval_ms = 10;
	opt->for_ms = -1;
	opt->preview = 24;
	opt->iface = "lo";
	/* "socket-watch states -v 7000": the mode comes first. */
	if ((rc = cli_parse(&tool, mode >= 0 ? argc - 1 : argc, mode >= 0 ?
	    argv + 1 : argv, opt, &opt->cli, &first)) != CLI_RUN)
		return rc;
	argv += mode >= 0 ? 1 : 0;
	argc -= mode >= 0 ? 1 : 0;
	if (mode < 0)
		return first < argc ? cli_usage("unknown mode '%s': choose "
		    "states or packets", argv[first]) :
		    cli_usage("missing states or packets");
	opt->mode = (enum watch_mode)mode;
	if (argc - first > 1)
		return cli_usage("too many arguments");
	if (!opt->tcp && !opt->udp)
		opt->tcp = opt->udp = 1;
	if (first < argc && (rc = parse_what(argv[first], opt)) != CLI_RUN)
		return rc;
	if (opt->path != NULL && (opt->tcp != opt->udp || opt->cli.family))
		return cli_usage("-t, -u, -4 and -6 are for ports, not for a "
		    "Unix socket's path");
	return CLI_RUN;
}
