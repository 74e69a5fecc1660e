/*
 * conn.c - one connection's steps, shared by the blocking models
 * (iterative, fork, thread): accept it, set its options, serve it, close.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "cli.h"
#include "io.h"
#include "loop.h"
#include "server.h"
#include "step.h"
#include "trace.h"

/* Set while accept() fails for want of descriptors, so that is said once. */
static int out_of_fds;

/* True for the errors that mean "no descriptor left for a new client". */
static int
no_descriptors(int err)
{
	return err == EMFILE || err == ENFILE || err == ENOBUFS ||
	    err == ENOMEM;
}

/* Step 5: accept one client and announce it; the fd, or -1 (reported). */
int
conn_accept(int lfd, char *who, size_t size)
{
	struct sockaddr_storage peer;
	socklen_t peerlen;
	int fd, err;

	/* Step 5, accept: take the next connection off the queue (lessons/05-accept.md). */
	fd = step_accept(lfd, &peer, &peerlen);
	if (fd < 0) {
		err = errno;
		if (no_descriptors(err)) {
			/* The connection stays queued and the listener stays
			 * readable: say so once, and never spin on it. */
			if (!out_of_fds) {
				trace_error("accept failed: %s (%s): clients "
				    "wait in the queue until one leaves",
				    strerror(err), trace_errno_name(err));
				trace_hint(err, STEP_ACCEPT, NULL);
			}
			out_of_fds = 1;
			if (!(fcntl(lfd, F_GETFL) & O_NONBLOCK))
				poll(NULL, 0, 100);	/* blocking models */
		} else if (err != EAGAIN && err != EWOULDBLOCK &&
		    err != EINTR) {
			/* "Not yet" on a non-blocking listener is no error. */
			trace_error("accept failed: %s (%s)", strerror(err),
			    trace_errno_name(err));
			trace_hint(err, STEP_ACCEPT, NULL);
		}
		errno = err;
		return -1;
	}
	if (out_of_fds) {
		out_of_fds = 0;
		trace_status("descriptors are free again: accepting clients");
	}
	addr_format((struct sockaddr *)&peer, peerlen, who, size);
	trace_status("connection from %s", who);
	return fd;
}

/* Step 5 for the event-loop models: like conn_accept, but when no
 * descriptor is left, stop watching the listener (*paused) instead of
 * waking up for it again and again; conn_resume() watches it again. */
int
conn_accept_loop(struct loop *l, int lfd, int *paused, char *who,
    size_t size)
{
	int fd = conn_accept(lfd, who, size);

	if (fd < 0 && no_descriptors(errno) && !*paused &&
	    loop_mod(l, lfd, 0, NULL) == 0)
		*paused = 1;
	return fd;
}

/* A client has left and freed a descriptor: accept again if paused. */
void
conn_resume(struct loop *l, int lfd, int *paused)
{
	if (*paused && loop_mod(l, lfd, LOOP_READ, NULL) == 0)
		*paused = 0;
}

/* Step 2 again, per connection: options for this client only. */
void
conn_options(int fd, const struct options *opt)
{
	if (opt->nodelay)
		step_setsockopt_int(fd, IPPROTO_TCP, TCP_NODELAY, 1);
	if (opt->linger >= 0)
		step_setsockopt_linger(fd, 1, opt->linger);
}

/* Steps 7 to 9 for one client with blocking I/O; its exit status. */
int
conn_serve(int fd, const char *who, const struct options *opt)
{
	int rc, err;
	int relay_flags = IO_HALF_CLOSE;

	/* At a terminal, nobody is left to answer once the client has gone. */
	if (isatty(STDIN_FILENO))
		relay_flags |= IO_END_ON_PEER_EOF;

	conn_options(fd, opt);

	/* Steps 7 and 8, send and recv (lessons/07-send.md, 08-recv.md). */
	if (opt->echo)
		rc = io_echo(fd);
	else
		rc = io_relay(fd, STDIN_FILENO, STDOUT_FILENO, -1, relay_flags);
	err = errno;

	/* Step 9, close: release this connection (lessons/09-close.md). */
	step_close(fd);
	if (rc < 0) {
		trace_error("connection from %s failed: %s (%s)", who,
		    strerror(err), trace_errno_name(err));
		trace_hint(err, STEP_RECV, who);
		return cli_exit_code(err, STEP_RECV);
	}
	trace_status("closed connection from %s", who);
	return EX_OK;
}

/* Over --max-clients: tell the client, close, and narrate the refusal. */
void
conn_refuse(int fd, const char *who, int max_clients)
{
	/* The notice is short enough for any send buffer: this never waits. */
	step_send(fd, SERVER_BUSY_NOTICE, sizeof(SERVER_BUSY_NOTICE) - 1);
	step_close(fd);
	trace_status("refused %s: --max-clients %d reached", who, max_clients);
}
