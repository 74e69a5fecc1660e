/*
 * tcp-server - the server half of the TCP procedure, narrated.
 *
 *   socket -> setsockopt -> bind -> listen -> accept -> recv/send -> close
 *
 * By default it relays stdin/stdout with its client (like `nc -l`);
 * --echo sends every byte back, --chat relays lines between clients.
 * Read main() top to bottom: each step is one call, under a comment
 * naming its lesson; one client is served right there. With -k it serves
 * client after client, in one of the ways --model names (server.h lists
 * the files, one per model).
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
#include "server.h"
#include "step.h"
#include "trace.h"

/* The ways to serve many clients, by --model name (enum model_index). */
static const char *const model_names[] = {
	"iterative", "fork", "thread", "poll", NULL
};
static int (*const serve_model[])(int, const struct options *) = {
	serve_iterative, serve_fork, serve_thread, serve_poll
};

#define OPT(field) offsetof(struct options, field)

/* The command line, declared once: cli.c derives parsing and --help. */
static const struct cli_option options[] = {
	{ .letter = 'b', .type = CLI_TEXT, .field = OPT(bind_addr),
	  .arg = "ADDR", .help = "bind this local address (default: all)" },
	{ .letter = 'k', .name = "keep", .type = CLI_FLAG, .field = OPT(keep),
	  .help = "serve client after client until killed" },
	{ .name = "echo", .type = CLI_FLAG, .field = OPT(echo),
	  .help = "send every byte back instead of relaying" },
	{ .name = "chat", .type = CLI_FLAG, .field = OPT(chat),
	  .help = "send each line to all other clients (an event loop)" },
	{ .name = "model", .type = CLI_CHOICE, .field = OPT(model),
	  .arg = "MODEL", .choices = model_names, .what = "model",
	  .help = "how -k serves many clients: iterative, fork, thread,\n"
	  "poll (default: poll with --echo, else iterative)" },
	{ .name = "max-clients", .type = CLI_INT, .field = OPT(max_clients),
	  .arg = "N", .min = 1, .max = 100000,
	  .what = "maximum number of clients",
	  .help = "clients served at once; more are told \"busy\" "
	  "(default 1000)" },
	{ .name = "backlog", .type = CLI_INT, .field = OPT(backlog),
	  .arg = "N", .min = 0, .max = 65535,
	  .help = "accept-queue length for listen() (default 128)" },
	{ .name = "no-reuseaddr", .type = CLI_SET, .field = OPT(reuseaddr),
	  .value = 0,
	  .help = "leave SO_REUSEADDR off (shows EADDRINUSE after TIME_WAIT)" },
	{ .name = "nodelay", .type = CLI_FLAG, .field = OPT(nodelay),
	  .help = "TCP_NODELAY: switch off Nagle's algorithm" },
	{ .name = "linger", .type = CLI_INT, .field = OPT(linger),
	  .arg = "SECS", .min = 0, .max = 3600, .what = "linger time",
	  .help = "SO_LINGER; 0 resets the connection on close" },
	{ .name = "rcvbuf", .type = CLI_INT, .field = OPT(rcvbuf),
	  .arg = "BYTES", .min = 1, .max = 1 << 30,
	  .what = "receive buffer size", .help = "SO_RCVBUF" },
	{ .name = "sndbuf", .type = CLI_INT, .field = OPT(sndbuf),
	  .arg = "BYTES", .min = 1, .max = 1 << 30,
	  .what = "send buffer size", .help = "SO_SNDBUF" },
	{ .name = "splice", .type = CLI_FLAG, .field = OPT(splice),
	  .help = "relay with splice(2) where stdin/stdout is a pipe, a file\n"
	  "or /dev/null: zero-copy, narrated as splice (Linux)" },
	{ 0 }
};

static const struct cli_tool tool = {
	.args = "PORT", .min_args = 1, .max_args = 1,
	.about = "Listen on PORT (0: the kernel picks one and it is printed), "
	    "accept a client,\nand relay stdin/stdout with it (like `nc -l`), "
	    "or echo with --echo.",
	.options = options, .shared = CLI_FAMILY,
	.notes = "Without -k one client is served and the server exits (with "
	    "--chat: when the\nlast client has left). Relaying stdin/stdout is "
	    "always iterative.",
	.steps = "1 socket, 2 setsockopt, 3 bind, 4 listen, 5 accept, 7 send, "
	    "8 recv, 9 close",
	.lessons = "lessons/01-socket.md ... lessons/09-close.md, "
	    "lessons/12-many-clients.md\n         (see lessons/README.md)",
};

static int parse_options(int, char *[], struct options *);
static void set_listener_options(int, int, const struct options *);

int
main(int argc, char *argv[])
{
	struct options opt;
	struct addrinfo *res, *ai;
	struct sockaddr_storage local, peer;
	socklen_t locallen, peerlen;
	struct addr_failure failed = { 0, "" };
	char where[ADDR_STRLEN] = "";
	char who[ADDR_STRLEN];
	int lfd = -1, cfd, rc, status;

	cli_init(argv[0]);
	if ((rc = parse_options(argc, argv, &opt)) != CLI_RUN)
		return rc;

	/* Which local addresses may we bind? (lessons/03-bind.md) */
	rc = addr_resolve(opt.bind_addr, opt.port, opt.cli.family,
	    SOCK_STREAM, 1, &res);
	if (rc != 0)
		die(EX_NOHOST, "cannot resolve local address '%s': %s",
		    opt.bind_addr, gai_strerror(rc));

	for (ai = res; ai != NULL && lfd < 0; ai = ai->ai_next) {
		addr_format(ai->ai_addr, ai->ai_addrlen, where, sizeof(where));

		/* Step 1, socket: a TCP endpoint (lessons/01-socket.md). */
		lfd = step_socket(ai->ai_family, ai->ai_socktype,
		    ai->ai_protocol);
		if (lfd < 0) {
			addr_failure_note(&failed, errno, where);
			continue;
		}

		/* Step 2, setsockopt: before bind (lessons/02-setsockopt.md). */
		set_listener_options(lfd, ai->ai_family, &opt);

		/* Step 3, bind: claim the address and port (lessons/03-bind.md). */
		if (step_bind(lfd, ai->ai_addr, ai->ai_addrlen) < 0) {
			addr_failure_note(&failed, errno, where);
			step_close(lfd);
			lfd = -1;
		}
	}
	freeaddrinfo(res);
	if (lfd < 0)
		die_errno(failed.err, STEP_BIND, failed.where, "cannot bind %s",
		    failed.where);

	/* Step 4, listen: let the kernel queue connections (lessons/04-listen.md). */
	if (step_listen(lfd, opt.backlog) < 0)
		die_errno(errno, STEP_LISTEN, where, "cannot listen on %s", where);
	addr_local(lfd, &local, &locallen, where, sizeof(where));
	trace_status("listening on %s", where);

	if (opt.keep || opt.chat) {
		/* Steps 5 to 9 for every client that comes, served the way
		 * the model says (lessons/12-many-clients.md). */
		status = opt.chat ? serve_chat(lfd, &opt) :
		    serve_model[opt.model](lfd, &opt);
	} else {
		/* Step 5, accept: take the next connection off the queue (lessons/05-accept.md). */
		cfd = step_accept(lfd, &peer, &peerlen);
		if (cfd < 0)
			die_errno(errno, STEP_ACCEPT, where, "cannot accept on %s",
			    where);
		addr_format((struct sockaddr *)&peer, peerlen, who, sizeof(who));
		trace_status("connection from %s", who);

		/* Steps 7 and 8, send and recv: echo or relay (lessons/07-send.md, 08-recv.md). */
		status = serve_client(cfd, who, &opt);

		/* Step 9, close: this client is done (lessons/09-close.md). */
		step_close(cfd);
		if (status == EX_OK)
			trace_status("closed connection from %s", who);
	}

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
		    opt->cli.family == AF_INET6);
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

/* Fill opt from the command line: CLI_RUN, or the status to exit with. */
static int
parse_options(int argc, char *argv[], struct options *opt)
{
	int first, rc, model_given;

	memset(opt, 0, sizeof(*opt));
	opt->reuseaddr = 1;
	opt->backlog = 128;
	opt->linger = -1;
	opt->max_clients = 1000;
	opt->model = MODEL_UNSET;
	if ((rc = cli_parse(&tool, argc, argv, opt, &opt->cli, &first)) !=
	    CLI_RUN)
		return rc;
	opt->port = argv[first];
	if (cli_check_port(opt->port, 1) != 0)
		return EX_USAGE;
	model_given = opt->model != MODEL_UNSET;
	if (opt->echo && opt->chat)
		return cli_usage("--echo and --chat exclude each other");
	if (opt->splice && (opt->echo || opt->chat))
		return cli_usage("--splice relays stdin/stdout: not with --%s",
		    opt->echo ? "echo" : "chat");
#ifndef __linux__
	if (opt->splice)
		return cli_usage("--splice needs Linux's splice(2)");
#endif
	/* stdin and stdout are one conversation: only one client can own it. */
	if (!opt->echo && !opt->chat && opt->keep && model_given &&
	    opt->model != MODEL_ITERATIVE)
		return cli_usage("--model %s needs --echo or --chat: relaying "
		    "stdin/stdout serves one client at a time",
		    model_names[opt->model]);
	if (opt->chat && model_given && opt->model != MODEL_POLL)
		return cli_usage("--chat always uses the poll model, not %s",
		    model_names[opt->model]);
	if (!model_given)
		opt->model = opt->echo && opt->keep ? MODEL_POLL :
		    MODEL_ITERATIVE;
	return CLI_RUN;
}
