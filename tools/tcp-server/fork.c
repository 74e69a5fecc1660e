/*
 * fork.c - the fork model: a child process per client.
 *
 * The parent only accepts; each child serves one client with plain
 * blocking I/O and exits. A child that has exited stays a zombie (its
 * exit status kept for its parent) until the parent waits for it, so the
 * parent reaps children whenever SIGCHLD says one has ended.
 */
#include <sys/types.h>
#include <sys/wait.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "cli.h"
#include "server.h"
#include "step.h"
#include "trace.h"

/* Children reaped so far; only the handler writes it, so the parent's
 * live count (forked - reaped) needs no locking. */
static volatile sig_atomic_t reaped;

/* SIGCHLD: reap every child that has ended, so no zombie remains. */
static void
on_sigchld(int sig)
{
	int saved = errno;

	(void)sig;
	/* One signal may stand for several children: loop until none. */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		reaped++;
	errno = saved;
}

/* In the child: serve the client, then exit with its status. */
static void
child(int lfd, int fd, const char *who, const struct options *opt)
{
	int status;

	/* The listener belongs to the parent; the child needs only fd. */
	step_close(lfd);
	status = serve_client(fd, who, opt);
	close_client(fd, who, status);
	exit(status);
}

/* Steps 5 to 9: accept in the parent, serve each client in a child. */
int
serve_fork(int lfd, const struct options *opt)
{
	struct sigaction sa;
	char who[ADDR_STRLEN];
	long forked = 0;
	pid_t pid;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigchld;
	sigemptyset(&sa.sa_mask);
	/* SA_RESTART: a child's end must not make accept() fail. */
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);
	trace_status("fork model: a child process per client, at most %d",
	    opt->max_clients);

	for (;;) {
		fd = accept_client(lfd, who, sizeof(who));
		if (fd < 0)
			continue;
		if (forked - reaped >= opt->max_clients) {
			refuse_client(fd, who, opt->max_clients);
			continue;
		}
		pid = fork();
		if (pid < 0) {
			trace_error("fork failed for %s: %s", who,
			    strerror(errno));
			step_close(fd);
			continue;
		}
		if (pid == 0)
			child(lfd, fd, who, opt);
		forked++;
		trace_event("fork", "fork() = %ld: child %ld serves %s",
		    (long)pid, (long)pid, who);
		trace_status("child %ld serves %s (%ld running)", (long)pid,
		    who, forked - reaped);
		/* The child has its own copy of fd; the parent's must go, or
		 * the client would never see the connection close. */
		step_close(fd);
	}
}
