/*
 * unix-socket - local sockets (AF_UNIX), narrated: a server and a client
 * on a path or an abstract name, stream or datagram, a socketpair shared
 * with a forked child, descriptor passing and peer credentials.
 *
 *   unix-socket server PATH    socket -> bind -> listen -> accept -> ...
 *   unix-socket client PATH    socket -> connect -> send/recv -> close
 *   unix-socket pair           socketpair -> fork -> send/recv -> close
 *
 * This file reads the command line, runs the subcommand and, however it
 * ends (done, failed, or stopped by SIGINT/SIGTERM), removes the socket
 * files it created before it exits.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "step.h"
#include "trace.h"
#include "unixaddr.h"
#include "unix-socket.h"

#define OPT(field) offsetof(struct options, field)

static int parse_mode(const char *, void *);

/* The command line, declared once: cli.c derives parsing and --help. */
static const struct cli_option options[] = {
	{ .name = "dgram", .type = CLI_SET, .value = SOCK_DGRAM,
	  .field = OPT(type), .help = "SOCK_DGRAM instead of SOCK_STREAM; the "
	  "client binds\nPATH.PID to get replies and sends an empty datagram\n"
	  "at the end of stdin" },
	{ .name = "echo", .type = CLI_FLAG, .field = OPT(echo),
	  .help = "(server) send every byte or datagram back" },
	{ .letter = 'k', .name = "keep", .type = CLI_FLAG, .field = OPT(keep),
	  .help = "(server) serve the next client when one leaves" },
	{ .name = "abstract", .type = CLI_FLAG, .field = OPT(abstract),
	  .help = "PATH is a name in Linux's abstract namespace: no file" },
	{ .name = "mode", .type = CLI_CALL, .parse = parse_mode, .arg = "MODE",
	  .help = "(server) permissions of the socket file (default 0600)" },
	{ .name = "unlink", .type = CLI_FLAG, .field = OPT(unlink_stale),
	  .help = "(server) remove a stale socket file left at PATH" },
	{ .name = "send-fd", .type = CLI_TEXT, .field = OPT(send_fd),
	  .arg = "FILE", .help = "(server) open FILE and pass its descriptor "
	  "to each\nclient" },
	{ .name = "recv-fd", .type = CLI_FLAG, .field = OPT(recv_fd),
	  .help = "(client) receive a descriptor and print the file it\n"
	  "reads" },
	{ 0 }
};

static const struct cli_tool tool = {
	.args = "server|client|pair [PATH]", .min_args = 0, .max_args = 2,
	.about = "Local sockets (AF_UNIX):\n"
	    "  unix-socket server [-k] [--dgram] [--echo] [--abstract] "
	    "[--mode MODE]\n"
	    "                     [--unlink] [--send-fd FILE] PATH\n"
	    "  unix-socket client [--dgram] [--abstract] [--recv-fd] PATH\n"
	    "  unix-socket pair\n"
	    "server and client relay stdin/stdout like tcp-server and "
	    "tcp-client, on a\nsocket file at PATH; pair makes two connected "
	    "sockets with socketpair(), forks,\nand the child echoes what "
	    "the parent sends from stdin.",
	.options = options,
	.notes = "The server prints the client's pid, uid and gid (SO_PEERCRED, "
	    "or getpeereid),\nrefuses to replace a file that is not a socket, "
	    "and removes its socket file\non exit, SIGINT and SIGTERM (then "
	    "it dies of that signal: 130 or 143). A PATH\nthat does not fit "
	    "in sun_path is a usage error (64), found before any system\n"
	    "call.",
	.steps = "1 socket/socketpair, 2 getsockopt, 3 bind, 4 listen, "
	    "5 accept,\n       6 connect, 7 send/sendmsg, 8 recv/recvmsg, "
	    "9 close",
	.lessons = "lessons/11-unix-sockets.md (and lessons/01-socket.md ... "
	    "09-close.md)",
	.exits = "69 no socket file or nobody listening at PATH, 71 PATH is in "
	    "use,\n  stale or not a socket, 77 the socket file or its "
	    "directory denies access",
};

static char cleanup_path[sizeof(((struct sockaddr_un *)0)->sun_path) + 32];
static dev_t cleanup_dev;	/* the file we created, so that we never */
static ino_t cleanup_ino;	/* remove a newer server's socket file */

static int parse_options(int, char *[], struct options *);

int
main(int argc, char *argv[])
{
	struct options opt;
	int status;

	cli_init(argv[0]);
	if ((status = parse_options(argc, argv, &opt)) != CLI_RUN)
		return status;

	/* SIGINT and SIGTERM only set step_stop: blocking steps then return
	 * EINTR, the subcommand returns, and the socket file is removed. */
	cli_catch_stop();
	if (opt.cmd == CMD_SERVER)
		status = us_server(&opt);
	else if (opt.cmd == CMD_CLIENT)
		status = us_client(&opt);
	else
		status = us_pair(&opt);

	us_cleanup();
	if (step_stop)
		cli_exit_stopped();	/* "stopped by ...": the shell sees 130/143 */
	return status;
}

/* Build the address of a path or abstract name: 0, or 64 after saying
 * why in one line (before any system call). */
int
us_address(const char *path, int abstract, struct sockaddr_un *sun,
    socklen_t *len, const char *what)
{
	int rc = abstract ? unixaddr_abstract(sun, len, path) :
	    unixaddr_path(sun, len, path);

	if (rc == 0)
		return 0;
	if (errno == ENAMETOOLONG)
		trace_error("%s '%.24s...' is %zu bytes: a Unix socket %s must "
		    "fit in sun_path: at most %zu bytes; use a shorter or "
		    "relative path", what, path, strlen(path),
		    abstract ? "name" : "path", unixaddr_max_path());
	else if (errno == EAFNOSUPPORT)
		trace_error("--abstract needs Linux: this system has no "
		    "abstract socket namespace; use a path");
	else
		trace_error("%s must not be empty", what);
	return EX_USAGE;
}

/* Remember the socket file at path, to remove it when we exit. */
void
us_remember_file(const char *path)
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

/* --mode: "0600"-style octal permissions; 0, or -1 after saying why. */
static int
parse_mode(const char *text, void *parsed)
{
	struct options *opt = parsed;
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 8);
	if (*text == '\0' || *end != '\0' || errno != 0 || v < 0 || v > 0777) {
		cli_usage("bad mode '%s': must be octal permissions from 0 to "
		    "0777, like 0600", text);
		return -1;
	}
	opt->mode = (int)v;
	opt->mode_set = 1;
	return 0;
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

/* Refuse option combinations that mean nothing: CLI_RUN, or 64. */
static int
check_options(const struct options *opt)
{
	if (opt->cmd != CMD_SERVER && (opt->echo || opt->keep ||
	    opt->unlink_stale || opt->mode_set || opt->send_fd))
		return cli_usage("--echo, -k, --unlink, --mode and --send-fd "
		    "are for the server");
	if (opt->cmd != CMD_CLIENT && opt->recv_fd)
		return cli_usage("--recv-fd is for the client");
	if (opt->cmd == CMD_PAIR && (opt->abstract || opt->type == SOCK_DGRAM))
		return cli_usage("pair takes no --abstract or --dgram");
	if (opt->type == SOCK_DGRAM && (opt->send_fd || opt->recv_fd))
		return cli_usage("--send-fd and --recv-fd work on a stream "
		    "socket: leave out --dgram");
	if (opt->echo && opt->send_fd)
		return cli_usage("--echo and --send-fd do not go together");
	if (opt->abstract && !unixaddr_has_abstract())
		return cli_usage("--abstract needs Linux: this system has no "
		    "abstract socket namespace; use a path");
	if (opt->abstract && (opt->mode_set || opt->unlink_stale))
		return cli_usage("an abstract name has no file: --mode and "
		    "--unlink do not apply");
	return CLI_RUN;
}

/* The operands after the options: the subcommand (unless it came first)
 * and PATH. CLI_RUN, or 64 after saying why. */
static int
take_operands(struct options *opt, int argc, char *argv[], int first)
{
	if (opt->cmd == 0) {
		if (first >= argc)
			return cli_usage("missing subcommand: server, client or "
			    "pair");
		if ((opt->cmd = command(argv[first])) == 0)
			return cli_usage("unknown subcommand '%s': use server, "
			    "client or pair", argv[first]);
		first++;
	}
	if (opt->cmd == CMD_PAIR)
		return first == argc ? CLI_RUN : cli_usage("pair takes no PATH");
	if (first == argc)
		return cli_usage("missing PATH");
	if (argc - first > 1)
		return cli_usage("too many arguments");
	opt->path = argv[first];
	return CLI_RUN;
}

/* Fill opt from the command line: CLI_RUN, or the status to exit with. */
static int
parse_options(int argc, char *argv[], struct options *opt)
{
	int first, rc, skip = 0;

	memset(opt, 0, sizeof(*opt));
	opt->type = SOCK_STREAM;
	opt->mode = 0600;
	/* "unix-socket server -v PATH": the subcommand, when it comes first,
	 * is argv[0] of what cli_parse reads. */
	if (argc > 1 && (opt->cmd = command(argv[1])) != 0)
		skip = 1;
	if ((rc = cli_parse(&tool, argc - skip, argv + skip, opt, &opt->cli,
	    &first)) != CLI_RUN)
		return rc;
	if ((rc = take_operands(opt, argc - skip, argv + skip, first)) !=
	    CLI_RUN || (rc = check_options(opt)) != CLI_RUN)
		return rc;
	if (opt->path == NULL)
		return CLI_RUN;
	if ((rc = us_address(opt->path, opt->abstract, &opt->sun,
	    &opt->sunlen, opt->abstract ? "name" : "path")) != 0)
		return rc;
	addr_format((struct sockaddr *)&opt->sun, opt->sunlen, opt->where,
	    sizeof(opt->where));
	return CLI_RUN;
}
