/*
 * iterative.c - the iterative model: one client at a time.
 *
 * While one client is served, the kernel still completes the handshake
 * of the next ones and keeps them in the accept queue (listen's backlog);
 * they are connected but get no answer until the server calls accept
 * again, after the first client has left. Simple, and the right model
 * for relaying stdin/stdout, which only one client can own.
 */
#include "addr.h"
#include "cli.h"
#include "server.h"
#include "trace.h"

/* Steps 5 to 9 for one client after another, until killed. */
int
serve_iterative(int lfd, const struct options *opt)
{
	char who[ADDR_STRLEN];
	int fd;

	trace_status("iterative model: one client at a time; the next ones "
	    "wait in the accept queue");
	for (;;) {
		fd = accept_client(lfd, who, sizeof(who));
		if (fd >= 0)
			close_client(fd, who, serve_client(fd, who, opt));
	}
}
