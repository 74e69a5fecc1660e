/*
 * client.c - one client's steps, shared by the blocking models (iterative,
 * fork, thread) and main(): accept it, set its options, serve it.
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
int
out_of_descriptors(int err)
{
	return err == EMFILE || err == ENFILE || err == ENOBUFS ||
	    err == ENOMEM;
}

/* Step 5: accept one client and announce it; the fd, or -1 (reported). */
int
accept_client(int lfd, char *who, size_t size)
{
	struct sockaddr_storage peer;
	socklen_t peerlen;
	int fd, err;

	/* Step 5, accept: take the next connection off the queue (lessons/05-accept.md). */
	fd = step_accept(lfd, &peer, &peerlen);
	if (fd < 0) {
		err = errno;
		if (out_of_descriptors(err)) {
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

/* Step 2 again, per connection: options for this client only. */
void
client_options(int fd, const struct options *opt)
{
	if (opt->nodelay)
		step_setsockopt_int(fd, IPPROTO_TCP, TCP_NODELAY, 1);
	if (opt->linger >= 0)
		step_setsockopt_linger(fd, 1, opt->linger);
}

/* Steps 2, 7 and 8 for one client with blocking I/O; its exit status. */
int
serve_client(int fd, const char *who, const struct options *opt)
{
	int rc, err, side = IO_SOCKET;

	client_options(fd, opt);

	/* Steps 7 and 8, send and recv (lessons/07-send.md, 08-recv.md). */
	if (opt->echo)
		rc = io_echo(fd);
	else
		rc = io_relay(fd, STDIN_FILENO, STDOUT_FILENO, -1,
		    IO_HALF_CLOSE | (opt->splice ? IO_SPLICE : 0), &side);
	err = errno;
	return rc < 0 ? io_report(side, err, "from", who) : EX_OK;
}

/* Step 9 for a client of the blocking models: close, and say so. */
void
close_client(int fd, const char *who, int status)
{
	step_close(fd);
	if (status == EX_OK)
		trace_status("closed connection from %s", who);
}

/* Over --max-clients: tell the client, close, and narrate the refusal. */
void
refuse_client(int fd, const char *who, int max_clients)
{
	/* The notice is short enough for any send buffer: this never waits. */
	step_send(fd, SERVER_BUSY_NOTICE, sizeof(SERVER_BUSY_NOTICE) - 1);
	step_close(fd);
	trace_status("refused %s: --max-clients %d reached", who, max_clients);
}

/* For the event-loop models: a loop watching the listener, made
 * non-blocking (a client may vanish between "ready" and accept(), which
 * must then not wait); NULL with errno. */
struct loop *
listener_loop(int lfd, loop_io_fn *on_listener, void *ctx)
{
	struct loop *l = loop_new();
	int err;

	if (l == NULL)
		return NULL;
	if (io_nonblock(lfd, 1) < 0 ||
	    loop_add(l, lfd, LOOP_READ, on_listener, ctx) < 0) {
		err = errno;
		loop_free(l);
		errno = err;
		return NULL;
	}
	return l;
}

/* Step 5 for the event-loop models: one client of the ready listener,
 * refused over --max-clients (serving is how many are served now), made
 * non-blocking, its options set; its descriptor, or -1 when there is none
 * to serve. Out of descriptors, the listener is paused until a client
 * leaves, rather than wake the loop again and again. */
int
accept_loop_client(struct loop *l, int lfd, int serving,
    const struct options *opt, char *who, size_t size)
{
	int fd = accept_client(lfd, who, size);

	if (fd < 0) {
		if (out_of_descriptors(errno))
			loop_pause(l, lfd);
		return -1;
	}
	if (serving >= opt->max_clients) {
		refuse_client(fd, who, opt->max_clients);
		return -1;
	}
	if (io_nonblock(fd, 1) < 0) {
		drop_client(fd, who);
		return -1;
	}
	client_options(fd, opt);
	return fd;
}

/* A client we cannot serve after all (no memory, the loop refused it):
 * say why, close it. */
void
drop_client(int fd, const char *who)
{
	trace_error("cannot serve %s: %s", who, strerror(errno));
	step_close(fd);
}

/* Run the loop until stopped, then free it; the exit status. */
int
run_loop(struct loop *l)
{
	int rc = EX_OK;

	if (loop_run(l) < 0)
		rc = cli_error(errno, STEP_NONE, NULL, "%s failed",
		    loop_backend());
	loop_free(l);
	return rc;
}
