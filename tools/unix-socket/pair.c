/*
 * pair.c - socketpair() and fork(): two sockets born connected, one for
 * the parent and one for the child. No path, no bind, no listen, no
 * accept: the bridge from pipes to sockets, and how a server talks to
 * the workers it forks.
 *
 *   socketpair -> fork -> each closes the other's end -> send/recv -> close
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "io.h"
#include "step.h"
#include "trace.h"
#include "unix-socket.h"

static int run_child(int[2]);
static int wait_child(pid_t);

/* The pair subcommand; returns the exit status. */
int
us_pair(const struct options *opt)
{
	int sv[2], rc, err, side, status = EX_OK;
	pid_t pid;

	(void)opt;
	/* Step 1, socketpair: two connected sockets (lessons/11-unix-sockets.md). */
	if (step_socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return cli_error(errno, STEP_SOCKET, NULL,
		    "cannot create a pair");

	/* fork: the child inherits both descriptors. */
	pid = fork();
	if (pid < 0)
		return cli_error(errno, STEP_NONE, NULL, "cannot fork");
	if (pid == 0)
		_exit(run_child(sv));
	trace_init("unix-socket (parent)");
	trace_event("fork", "fork() = %ld (the child)", (long)pid);

	/* Step 9, close: the child's end, or we would never see EOF on ours. */
	step_close(sv[1]);
	trace_status("pid %ld: talking to child %ld over fd %d", (long)getpid(),
	    (long)pid, sv[0]);

	/* Steps 7 and 8: stdin to the child, its answers to stdout. */
	rc = io_relay(sv[0], STDIN_FILENO, STDOUT_FILENO, -1, IO_HALF_CLOSE,
	    &side);
	err = errno;
	step_close(sv[0]);
	/* A full or closed stdout is ours to report, not the child's. */
	if (rc < 0 && !step_stop)
		status = io_report(side, err, "to", "the child");
	if (wait_child(pid) != 0 && status == EX_OK)
		status = EX_IOERR;
	return step_stop ? EX_OK : status;
}

/* The child's top: echo what the parent sends on sv[1]; its exit status
 * (a caught SIGINT/SIGTERM: it dies of that signal, as the parent does). */
static int
run_child(int sv[2])
{
	int rc;

	trace_init("unix-socket (child)");
	step_close(sv[0]);
	trace_status("pid %ld: echoing what the parent sends on fd %d",
	    (long)getpid(), sv[1]);
	rc = io_echo(sv[1]);
	step_close(sv[1]);
	if (step_stop)
		cli_exit_stopped();
	return rc < 0 ? EX_IOERR : EX_OK;
}

/* Wait for the child to end and narrate how; its exit code (or -1). */
static int
wait_child(pid_t pid)
{
	int status;
	pid_t r;

	do {
		r = waitpid(pid, &status, 0);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return -1;
	if (WIFEXITED(status)) {
		trace_status("child %ld exited with status %d", (long)pid,
		    WEXITSTATUS(status));
		return WEXITSTATUS(status);
	}
	trace_status("child %ld was killed by signal %d", (long)pid,
	    WTERMSIG(status));
	return -1;
}
