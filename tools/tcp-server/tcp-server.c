/*
 * tcp-server - the server half of the TCP procedure, narrated.
 *
 *   socket -> setsockopt -> bind -> listen -> accept -> recv/send -> close
 *
 * By default it relays stdin/stdout with its client (like `nc -l`);
 * --echo sends every byte back, --chat relays lines between clients.
 * With -k it serves many clients, in one of the ways --model names
 * (server.h lists the files, one per model). Read main() top to bottom:
 * each step is one call, under a comment naming its lesson.
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
#include "server.h"
#include "step.h"
#include "trace.h"

/* The ways to serve many clients, by --model name. */
const struct model server_models[] = {
	{ "iterative", serve_iterative },
	{ "fork", serve_fork },
	{ "thread", serve_thread },
	{ "poll", serve_poll },
	{ NULL, NULL }
};

static void parse_options(int, char *[], struct options *);
static int find_model(const char *);
static void set_listener_options(int, int, const struct options *);
static void usage(void);

int
main(int argc, char *argv[])
{
	struct options opt;
	struct addrinfo *res, *ai;
	struct sockaddr_storage local;
	socklen_t locallen;
	char where[ADDR_STRLEN] = "";
	int lfd = -1, err = 0, rc, status;

	cli_init(argv[0]);
	parse_options(argc, argv, &opt);

	/* Which local addresses may we bind? (lessons/03-bind.md) */
	rc = addr_resolve(opt.bind_addr, opt.port, opt.family, SOCK_STREAM, 1,
	    &res);
	if (rc != 0)
		die(EX_NOHOST, "cannot resolve local address '%s': %s",
		    opt.bind_addr, gai_strerror(rc));

	for (ai = res; ai != NULL && lfd < 0; ai = ai->ai_next) {
		addr_format(ai->ai_addr, ai->ai_addrlen, where, sizeof(where));

		/* Step 1, socket: a TCP endpoint (lessons/01-socket.md). */
		lfd = step_socket(ai->ai_family, ai->ai_socktype,
		    ai->ai_protocol);
		if (lfd < 0) {
			err = errno;
			continue;
		}

		/* Step 2, setsockopt: before bind (lessons/02-setsockopt.md). */
		set_listener_options(lfd, ai->ai_family, &opt);

		/* Step 3, bind: claim the address and port (lessons/03-bind.md). */
		if (step_bind(lfd, ai->ai_addr, ai->ai_addrlen) < 0) {
			err = errno;
			step_close(lfd);
			lfd = -1;
		}
	}
	freeaddrinfo(res);
	if (lfd < 0)
		die_errno(err, STEP_BIND, where, "cannot bind %s", where);

	/* Step 4, listen: let the kernel queue connections (lessons/04-listen.md). */
	if (step_listen(lfd, opt.backlog) < 0)
		die_errno(errno, STEP_LISTEN, where, "cannot listen on %s", where);
	step_getsockname(lfd, &local, &locallen, where, sizeof(where));
	trace_status("listening on %s", where);

	/* Steps 5 to 9, accept, recv/send and close, for each client: one
	 * client without -k, else every client that comes, served the way
	 * the model says (lessons/05-accept.md, lessons/12-many-clients.md). */
	if (opt.chat)
		status = serve_chat(lfd, &opt);
	else
		status = server_models[opt.model].serve(lfd, &opt);

	/* Step 9, close: stop listening (lessons/09-close.md). */
	step_close(lfd);
	return status;
}

/* Step 2 for the listening socket: the options that matter before bind. */
static void
set_listener_options(int fd, int family, const struct options *opt)
{
	int got;

	/* Rebind at once after a restart, despite old connections in TIME_WAIT. */
	if (opt->reuseaddr)
		step_setsockopt_int(fd, SOL_SOCKET, SO_REUSEADDR, 1);
	/* One IPv6 socket on the wildcard serves IPv4 too, unless -6. */
	if (family == AF_INET6 && opt->bind_addr == NULL)
		step_setsockopt_int(fd, IPPROTO_IPV6, IPV6_V6ONLY,
		    opt->family == AF_INET6);
	/* Buffer sizes are inherited by accepted sockets; set them before
	 * listen so the TCP window scale is chosen to match. */
	if (opt->rcvbuf > 0)
		step_setsockopt_int(fd, SOL_SOCKET, SO_RCVBUF, opt->rcvbuf);
	if (opt->sndbuf > 0)
		step_setsockopt_int(fd, SOL_SOCKET, SO_SNDBUF, opt->sndbuf);
	/* Read the sizes back: the kernel adjusts them (Linux doubles them). */
	if (opt->rcvbuf > 0)
		step_getsockopt_int(fd, SOL_SOCKET, SO_RCVBUF, &got);
	if (opt->sndbuf > 0)
		step_getsockopt_int(fd, SOL_SOCKET, SO_SNDBUF, &got);
}

/* The index of the model called name, or a usage error listing them. */
static int
find_model(const char *name)
{
	int i;

	for (i = 0; server_models[i].name != NULL; i++)
		if (strcmp(server_models[i].name, name) == 0)
			return i;
	cli_usage_error("unknown model '%s': choose iterative, fork, thread "
	    "or poll", name);
}

/* Fill opt from the command line, or exit with a usage error. */
static void
parse_options(int argc, char *argv[], struct options *opt)
{
	enum { O_ECHO = 256, O_CHAT, O_MODEL, O_MAXCLIENTS, O_NOREUSE,
	    O_BACKLOG, O_NODELAY, O_LINGER, O_RCVBUF, O_SNDBUF, O_VERSION };
	static const struct option longopts[] = {
		{ "backlog", required_argument, NULL, O_BACKLOG },
		{ "chat", no_argument, NULL, O_CHAT },
		{ "echo", no_argument, NULL, O_ECHO },
		{ "help", no_argument, NULL, 'h' },
		{ "keep", no_argument, NULL, 'k' },
		{ "linger", required_argument, NULL, O_LINGER },
		{ "max-clients", required_argument, NULL, O_MAXCLIENTS },
		{ "model", required_argument, NULL, O_MODEL },
		{ "no-reuseaddr", no_argument, NULL, O_NOREUSE },
		{ "nodelay", no_argument, NULL, O_NODELAY },
		{ "quiet", no_argument, NULL, 'q' },
		{ "rcvbuf", required_argument, NULL, O_RCVBUF },
		{ "sndbuf", required_argument, NULL, O_SNDBUF },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	const char *model = NULL;
	int c, verbosity = TRACE_STATUS;

	memset(opt, 0, sizeof(*opt));
	opt->family = AF_UNSPEC;
	opt->reuseaddr = 1;
	opt->backlog = 128;
	opt->linger = -1;
	opt->max_clients = 1000;
	while ((c = getopt_long(argc, argv, "46b:hkqv", longopts, NULL)) != -1) {
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
		case 'k':
			opt->keep = 1;
			break;
		case 'q':
			verbosity = TRACE_QUIET;
			break;
		case 'v':
			verbosity++;
			break;
		case O_BACKLOG:
			opt->backlog = (int)cli_number(optarg, 0, 65535,
			    "backlog");
			break;
		case O_CHAT:
			opt->chat = 1;
			break;
		case O_ECHO:
			opt->echo = 1;
			break;
		case O_LINGER:
			opt->linger = (int)cli_number(optarg, 0, 3600,
			    "linger time");
			break;
		case O_MAXCLIENTS:
			opt->max_clients = (int)cli_number(optarg, 1, 100000,
			    "maximum number of clients");
			break;
		case O_MODEL:
			model = optarg;
			opt->model = find_model(model);
			break;
		case O_NODELAY:
			opt->nodelay = 1;
			break;
		case O_NOREUSE:
			opt->reuseaddr = 0;
			break;
		case O_RCVBUF:
			opt->rcvbuf = (int)cli_number(optarg, 1, 1 << 30,
			    "receive buffer size");
			break;
		case O_SNDBUF:
			opt->sndbuf = (int)cli_number(optarg, 1, 1 << 30,
			    "send buffer size");
			break;
		case O_VERSION:
			cli_version();
		default:
			cli_bad_option(argv);
		}
	}
	if (argc - optind != 1)
		cli_usage_error(argc - optind < 1 ? "missing PORT" :
		    "too many arguments");
	opt->port = argv[optind];
	cli_port(opt->port, 1);
	if (opt->echo && opt->chat)
		cli_usage_error("--echo and --chat exclude each other");
	/* stdin and stdout are one conversation: only one client can own it. */
	if (!opt->echo && !opt->chat && opt->keep && model != NULL &&
	    strcmp(model, "iterative") != 0)
		cli_usage_error("--model %s needs --echo or --chat: relaying "
		    "stdin/stdout serves one client at a time", model);
	if (opt->chat && model != NULL && strcmp(model, "poll") != 0)
		cli_usage_error("--chat always uses the poll model, not %s",
		    model);
	/* Many clients at once only with -k; one client is one client. */
	if (model == NULL)
		opt->model = find_model(opt->echo && opt->keep ?
		    SERVER_DEFAULT_MODEL : "iterative");
	if (!opt->keep)
		opt->model = find_model("iterative");
	trace_set_level(verbosity);
}

/* Print the synopsis, the steps this tool performs, and the exit codes. */
static void
usage(void)
{
	printf("usage: tcp-server [-46kqv] [-b ADDR] [--echo | --chat] "
	    "[--model MODEL] [--max-clients N]\n"
	    "                  [--backlog N] [--no-reuseaddr] [--nodelay] "
	    "[--linger SECS]\n"
	    "                  [--rcvbuf BYTES] [--sndbuf BYTES] PORT\n"
	    "\n"
	    "Listen on PORT (0: the kernel picks one and it is printed), "
	    "accept a client,\n"
	    "and relay stdin/stdout with it (like `nc -l`), or echo with "
	    "--echo.\n"
	    "\n"
	    "  -4, -6           IPv4 only / IPv6 only (default: both, "
	    "dual-stack)\n"
	    "  -b ADDR          bind this local address (default: all)\n"
	    "  -k, --keep       serve client after client until killed\n"
	    "  --echo           send every byte back instead of relaying\n"
	    "  --chat           send each line to all other clients "
	    "(implies the poll model)\n"
	    "  --model MODEL    how -k serves many clients: iterative, fork, "
	    "thread, poll\n"
	    "                   (default: " SERVER_DEFAULT_MODEL
	    " with --echo, else iterative)\n"
	    "  --max-clients N  clients served at once; more are told "
	    "\"busy\" (default 1000)\n"
	    "  --backlog N      accept-queue length for listen() (default "
	    "128)\n"
	    "  --no-reuseaddr   leave SO_REUSEADDR off (shows EADDRINUSE "
	    "after TIME_WAIT)\n"
	    "  --nodelay        TCP_NODELAY: switch off Nagle's algorithm\n"
	    "  --linger SECS    SO_LINGER; 0 resets the connection on close\n"
	    "  --rcvbuf BYTES   SO_RCVBUF    --sndbuf BYTES   SO_SNDBUF\n"
	    "  -q               errors only  -v  every step  -vv  steps and "
	    "payloads\n"
	    "  -h, --help       this text    --version        the version\n"
	    "\n"
	    "Without -k one client is served and the server exits (with "
	    "--chat: when the\n"
	    "last client has left). Relaying stdin/stdout is always "
	    "iterative.\n"
	    "\n"
	    "steps: 1 socket, 2 setsockopt, 3 bind, 4 listen, 5 accept, "
	    "7 send, 8 recv, 9 close\n"
	    "lessons: lessons/01-socket.md ... lessons/09-close.md, "
	    "lessons/12-many-clients.md\n"
	    "         (see lessons/README.md)\n"
	    CLI_EXIT_CODES);
}
