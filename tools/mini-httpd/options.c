/*
 * options.c - mini-httpd's options, their defaults and its --help.
 */
#include <sys/socket.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "options.h"
#include "trace.h"

static void usage(void);

/* Fill opt and cfg from the command line, or exit with a usage error. */
void
parse_options(int argc, char *argv[], struct options *opt,
    struct httpd_config *cfg)
{
	enum { O_WORKERS = 256, O_MAXCONNS, O_MAXHEADER, O_MAXBODY,
	    O_TIMEOUT, O_HEADERTIMEOUT, O_FOLLOW, O_DOTFILES, O_NOLISTING,
	    O_VERSION };
	static const struct option longopts[] = {
		{ "dotfiles", no_argument, NULL, O_DOTFILES },
		{ "follow-symlinks", no_argument, NULL, O_FOLLOW },
		{ "header-timeout", required_argument, NULL, O_HEADERTIMEOUT },
		{ "help", no_argument, NULL, 'h' },
		{ "max-body", required_argument, NULL, O_MAXBODY },
		{ "max-conns", required_argument, NULL, O_MAXCONNS },
		{ "max-header", required_argument, NULL, O_MAXHEADER },
		{ "no-listing", no_argument, NULL, O_NOLISTING },
		{ "port", required_argument, NULL, 'p' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, O_VERSION },
		{ "workers", required_argument, NULL, O_WORKERS },
		{ NULL, 0, NULL, 0 }
	};
	int c, verbosity = TRACE_STATUS;

	memset(opt, 0, sizeof(*opt));
	opt->family = AF_UNSPEC;
	opt->port = "8080";
	opt->workers = 1;
	cfg->root = ".";
	cfg->max_head = 8192;
	cfg->max_body = 1024 * 1024;
	cfg->max_conns = 16384;
	cfg->idle_ms = 15000;
	cfg->head_ms = 10000;
	cfg->listing = 1;
	cfg->access_log = 1;
	while ((c = getopt_long(argc, argv, "46b:hp:qv", longopts, NULL)) != -1) {
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
		case 'h':
			usage();
			exit(EX_OK);
		case 'p':
			opt->port = optarg;
			cli_port(optarg, 1);
			break;
		case 'q':
			verbosity = TRACE_QUIET;
			cfg->access_log = 0;
			break;
		case 'v':
			verbosity++;
			break;
		case O_DOTFILES:
			cfg->dotfiles = 1;
			break;
		case O_FOLLOW:
			cfg->follow_symlinks = 1;
			break;
		case O_HEADERTIMEOUT:
			cfg->head_ms = cli_seconds(optarg, "header timeout");
			break;
		case O_MAXBODY:
			cfg->max_body = (unsigned long long)cli_number(optarg, 0,
			    1L << 40, "body size");
			break;
		case O_MAXCONNS:
			cfg->max_conns = (int)cli_number(optarg, 1, 1000000,
			    "connection limit");
			break;
		case O_MAXHEADER:
			cfg->max_head = (size_t)cli_number(optarg, 256,
			    1024 * 1024, "header size");
			break;
		case O_NOLISTING:
			cfg->listing = 0;
			break;
		case O_TIMEOUT:
			cfg->idle_ms = cli_seconds(optarg, "timeout");
			break;
		case O_VERSION:
			cli_version();
		case O_WORKERS:
			opt->workers = (int)cli_number(optarg, 1, MAX_WORKERS,
			    "number of workers");
			break;
		default:
			cli_bad_option(argv);
		}
	}
	if (argc - optind > 1)
		cli_usage_error("too many arguments (one ROOT at most)");
	if (argc - optind == 1)
		cfg->root = argv[optind];
	trace_set_level(verbosity);
#ifndef SO_REUSEPORT
	if (opt->workers > 1) {
		trace_status("note: --workers needs SO_REUSEPORT; serving with "
		    "one process");
		opt->workers = 1;
	}
#endif
}

/* Print the synopsis, the steps this tool performs, and the exit codes. */
static void
usage(void)
{
	printf("usage: mini-httpd [-46qv] [-b ADDR] [-p PORT] [--workers N] "
	    "[--max-conns N]\n"
	    "                  [--max-header BYTES] [--max-body BYTES] "
	    "[--timeout SECS]\n"
	    "                  [--header-timeout SECS] [--follow-symlinks] "
	    "[--dotfiles]\n"
	    "                  [--no-listing] [ROOT]\n"
	    "\n"
	    "Serve the files under ROOT (default: the current directory) over "
	    "HTTP/1.1\n"
	    "on PORT (default 8080; 0: the kernel picks one and it is printed)."
	    "\n"
	    "GET and HEAD, keep-alive and pipelining, ranges, 304, listings.\n"
	    "The access log (Common Log Format) goes to stdout.\n"
	    "\n"
	    "  -4, -6             IPv4 only / IPv6 only (default: both)\n"
	    "  -b ADDR            bind this local address (default: all)\n"
	    "  -p, --port PORT    the port to listen on (default 8080)\n"
	    "  --workers N        N processes sharing the port with "
	    "SO_REUSEPORT (Linux)\n"
	    "  --max-conns N      open connections (default 16384); beyond: "
	    "503\n"
	    "  --max-header BYTES largest request head (default 8192); "
	    "beyond: 431\n"
	    "  --max-body BYTES   largest request body read and dropped "
	    "(default 1048576);\n"
	    "                     beyond: 413\n"
	    "  --timeout SECS     idle keep-alive and stalled-send timeout "
	    "(default 15)\n"
	    "  --header-timeout SECS  deadline for a whole request head, "
	    "however slowly\n"
	    "                     it trickles in (default 10); then 408\n"
	    "  --follow-symlinks  follow symlinks even when they lead out of "
	    "ROOT\n"
	    "  --dotfiles         serve and list names that start with '.'\n"
	    "  --no-listing       403 instead of a listing for directories "
	    "without index.html\n"
	    "  -q                 errors only, and no access log\n"
	    "  -v                 every step  -vv  steps and payloads\n"
	    "  -h, --help         this text    --version        the version\n"
	    "\n"
	    "steps: 1 socket, 2 setsockopt, 3 bind, 4 listen, 5 accept, "
	    "7 send, 8 recv, 9 close\n"
	    "lessons: lessons/13-http.md (and lessons/12-many-clients.md, "
	    "lessons/07-send.md)\n"
	    CLI_EXIT_CODES);
}
