/*
 * unix-socket - local sockets (AF_UNIX), narrated: a server and a client
 * on a path or an abstract name, stream or datagram, a socketpair shared
 * with a forked child, descriptor passing and peer credentials.
 *
 *   unix-socket server PATH    socket -> bind -> listen -> accept -> ...
 *   unix-socket client PATH    socket -> connect -> send/recv -> close
 *   unix-socket pair           socketpair -> fork -> send/recv -> close
 *
 * This file reads the command line, installs the signal handlers that
 * let a server remove its socket file, and runs the subcommand.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "step.h"
#include "trace.h"
#include "unixaddr.h"
#include "unix-socket.h"

volatile sig_atomic_t us_signal;

static char cleanup_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
static dev_t cleanup_dev;	/* the file we created, so that we never */
static ino_t cleanup_ino;	/* remove a newer server's socket file */

static void parse_options(int, char *[], struct options *);
static void on_signal(int);
static void usage(void);

int
main(int argc, char *argv[])
{
	struct options opt;
	struct sigaction sa;
	int status;

	cli_init(argv[0]);
	parse_options(argc, argv, &opt);

	/* SIGINT and SIGTERM only set a flag: blocking steps then return
	 * EINTR, and main removes the socket file on the way out. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;		/* no SA_RESTART: interrupt accept/poll */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	atexit(us_cleanup);

	if (opt.cmd == CMD_SERVER)
		status = us_server(&opt);
	else if (opt.cmd == CMD_CLIENT)
		status = us_client(&opt);
	else
		status = us_pair(&opt);

	us_cleanup();
	if (us_signal) {
		/* Die of the same signal, so whoever waits for us sees it. */
		trace_status("stopped by %s", us_signal == SIGINT ? "SIGINT" :
		    "SIGTERM");
		signal(us_signal, SIG_DFL);
		raise(us_signal);
	}
	return status;
}

/* SIGINT/SIGTERM: remember the signal and stop blocking steps. */
static void
on_signal(int sig)
{
	us_signal = sig;
	step_stop = 1;
}

/* Build the address of a path or abstract name, or exit 64. */
void
us_address(const char *path, int abstract, struct sockaddr_un *sun,
    socklen_t *len, const char *what)
{
	int rc = abstract ? unixaddr_abstract(sun, len, path) :
	    unixaddr_path(sun, len, path);

	if (rc == 0)
		return;
	if (errno == ENAMETOOLONG)
		die(EX_USAGE, "%s '%.24s...' is %zu bytes: a Unix socket %s "
		    "must fit in sun_path: at most %zu bytes; use a shorter or "
		    "relative path", what, path, strlen(path),
		    abstract ? "name" : "path", unixaddr_max_path());
	if (errno == EAFNOSUPPORT)
		die(EX_USAGE, "--abstract needs Linux: this system has no "
		    "abstract socket namespace; use a path");
	die(EX_USAGE, "%s must not be empty", what);
}

/* Remember the socket file at path, to remove it when we exit. */
void
us_remove_on_exit(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return;
	snprintf(cleanup_path, sizeof(cleanup_path), "%s", path);
	cleanup_dev = st.st_dev;
	cleanup_ino = st.st_ino;
}

/* Remove the remembered socket file if it is still the one we made:
 * closing a socket never removes its file (lessons/11-unix-sockets.md). */
void
us_cleanup(void)
{
	struct stat st;
	int rc;

	if (cleanup_path[0] == '\0')
		return;
	if (lstat(cleanup_path, &st) == 0 && st.st_dev == cleanup_dev &&
	    st.st_ino == cleanup_ino) {
		rc = unlink(cleanup_path);
		trace_event("unlink", "unlink(%s) = %d", cleanup_path, rc);
	}
	cleanup_path[0] = '\0';
}

/* Parse "0600"-style octal permissions, or exit 64. */
static int
parse_mode(const char *text)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 8);
	if (*text == '\0' || *end != '\0' || errno != 0 || v < 0 || v > 0777)
		cli_usage_error("bad mode '%s': must be octal permissions "
		    "from 0 to 0777, like 0600", text);
	return (int)v;
}

/* Which subcommand a word names, or 0. */
static int
command(const char *word)
{
	if (strcmp(word, "server") == 0)
		return CMD_SERVER;
	if (strcmp(word, "client") == 0)
		return CMD_CLIENT;
	if (strcmp(word, "pair") == 0)
		return CMD_PAIR;
	return 0;
}

/* Refuse option combinations that mean nothing, with a usage error. */
static void
check_options(const struct options *opt, int mode_set)
{
	if (opt->cmd != CMD_SERVER && (opt->echo || opt->keep ||
	    opt->unlink_stale || mode_set || opt->send_fd))
		cli_usage_error("--echo, -k, --unlink, --mode and --send-fd "
		    "are for the server");
	if (opt->cmd != CMD_CLIENT && opt->recv_fd)
		cli_usage_error("--recv-fd is for the client");
	if (opt->cmd == CMD_PAIR && (opt->abstract || opt->type == SOCK_DGRAM))
		cli_usage_error("pair takes no --abstract or --dgram");
	if (opt->type == SOCK_DGRAM && (opt->send_fd || opt->recv_fd))
		cli_usage_error("--send-fd and --recv-fd work on a stream "
		    "socket: leave out --dgram");
	if (opt->echo && opt->send_fd)
		cli_usage_error("--echo and --send-fd do not go together");
	if (opt->abstract && (mode_set || opt->unlink_stale))
		cli_usage_error("an abstract name has no file: --mode and "
		    "--unlink do not apply");
}

/* Fill opt from the command line, or exit with a usage error. */
static void
parse_options(int argc, char *argv[], struct options *opt)
{
	enum { O_ABSTRACT = 256, O_DGRAM, O_ECHO, O_MODE, O_RECVFD, O_SENDFD,
	    O_UNLINK, O_VERSION };
	static const struct option longopts[] = {
		{ "abstract", no_argument, NULL, O_ABSTRACT },
		{ "dgram", no_argument, NULL, O_DGRAM },
		{ "echo", no_argument, NULL, O_ECHO },
		{ "help", no_argument, NULL, 'h' },
		{ "keep", no_argument, NULL, 'k' },
		{ "mode", required_argument, NULL, O_MODE },
		{ "quiet", no_argument, NULL, 'q' },
		{ "recv-fd", no_argument, NULL, O_RECVFD },
		{ "send-fd", required_argument, NULL, O_SENDFD },
		{ "unlink", no_argument, NULL, O_UNLINK },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	int c, verbosity = TRACE_STATUS, mode_set = 0, first = 1;

	memset(opt, 0, sizeof(*opt));
	opt->type = SOCK_STREAM;
	opt->mode = 0600;
	/* "unix-socket server -v PATH": the subcommand comes first, so skip
	 * it; getopt then works the same with or without argument reordering. */
	if (argc > 1 && argv[1][0] != '-' && command(argv[1]) != 0) {
		opt->cmd = command(argv[1]);
		first = 2;
	}
	optind = first;
	while ((c = getopt_long(argc, argv, "hkqv", longopts, NULL)) != -1) {
		switch (c) {
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
		case O_ABSTRACT:
#ifndef __linux__
			cli_usage_error("--abstract needs Linux: this system "
			    "has no abstract socket namespace; use a path");
#endif
			opt->abstract = 1;
			break;
		case O_DGRAM:
			opt->type = SOCK_DGRAM;
			break;
		case O_ECHO:
			opt->echo = 1;
			break;
		case O_MODE:
			opt->mode = parse_mode(optarg);
			mode_set = 1;
			break;
		case O_RECVFD:
			opt->recv_fd = 1;
			break;
		case O_SENDFD:
			opt->send_fd = optarg;
			break;
		case O_UNLINK:
			opt->unlink_stale = 1;
			break;
		case O_VERSION:
			cli_version();
		default:
			cli_usage_error("unknown or incomplete option");
		}
	}
	if (opt->cmd == 0) {
		if (optind >= argc)
			cli_usage_error("missing subcommand: server, client or "
			    "pair");
		opt->cmd = command(argv[optind]);
		if (opt->cmd == 0)
			cli_usage_error("unknown subcommand '%s': use server, "
			    "client or pair", argv[optind]);
		optind++;
	}
	if (opt->cmd == CMD_PAIR) {
		if (optind != argc)
			cli_usage_error("pair takes no PATH");
	} else {
		if (argc - optind != 1)
			cli_usage_error(argc - optind < 1 ? "missing PATH" :
			    "too many arguments");
		opt->path = argv[optind];
	}
	check_options(opt, mode_set);
	trace_set_level(verbosity);
	if (opt->path != NULL) {
		us_address(opt->path, opt->abstract, &opt->sun, &opt->sunlen,
		    opt->abstract ? "name" : "path");
		addr_format((struct sockaddr *)&opt->sun, opt->sunlen,
		    opt->where, sizeof(opt->where));
	}
}

/* Print the synopsis, the steps this tool performs, and the exit codes. */
static void
usage(void)
{
	printf("usage: unix-socket server [-kqv] [--dgram] [--echo] "
	    "[--abstract] [--mode MODE]\n"
	    "                          [--unlink] [--send-fd FILE] PATH\n"
	    "       unix-socket client [-qv] [--dgram] [--abstract] "
	    "[--recv-fd] PATH\n"
	    "       unix-socket pair [-qv]\n"
	    "\n"
	    "Local sockets (AF_UNIX). server and client relay stdin/stdout "
	    "like tcp-server\n"
	    "and tcp-client, on a socket file at PATH; pair makes two "
	    "connected sockets\n"
	    "with socketpair(), forks, and the child echoes what the parent "
	    "sends from stdin.\n"
	    "\n"
	    "  --dgram          SOCK_DGRAM instead of SOCK_STREAM; the client "
	    "binds PATH.PID\n"
	    "                   to get replies and sends an empty datagram at "
	    "the end of stdin\n"
	    "  --echo           (server) send every byte or datagram back\n"
	    "  -k, --keep       (server) serve the next client when one "
	    "leaves\n"
	    "  --abstract       PATH is a name in Linux's abstract namespace: "
	    "no file\n"
	    "  --mode MODE      (server) permissions of the socket file "
	    "(default 0600)\n"
	    "  --unlink         (server) remove a stale socket file left at "
	    "PATH\n"
	    "  --send-fd FILE   (server) open FILE and pass its descriptor to "
	    "each client\n"
	    "  --recv-fd        (client) receive a descriptor and print the "
	    "file it reads\n"
	    "  -q               errors only  -v  every step  -vv  steps and "
	    "payloads\n"
	    "  -h, --help       this text    --version        the version\n"
	    "\n"
	    "The server prints the client's pid, uid and gid (SO_PEERCRED, or "
	    "getpeereid),\n"
	    "refuses to replace a file that is not a socket, and removes its "
	    "socket file\n"
	    "on exit, SIGINT and SIGTERM. A PATH over %zu bytes does not fit "
	    "in sun_path:\n"
	    "a usage error (64), found before any system call.\n"
	    "\n"
	    "steps: 1 socket/socketpair, 2 getsockopt, 3 bind, 4 listen, "
	    "5 accept, 6 connect,\n"
	    "       7 send/sendmsg, 8 recv/recvmsg, 9 close\n"
	    "lessons: lessons/11-unix-sockets.md (and lessons/01-socket.md ... "
	    "lessons/09-close.md)\n"
	    CLI_EXIT_CODES
	    "  here: 69 no socket file or nobody listening at PATH, 71 PATH is "
	    "in use,\n"
	    "  stale or not a socket, 77 the socket file or its directory "
	    "denies access\n",
	    unixaddr_max_path());
}
