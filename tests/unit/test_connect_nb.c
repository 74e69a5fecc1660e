/*
 * test_connect_nb.c - step_connect_nb (common/step_fast.c): a connect
 * that starts the handshake and returns, its outcome read from SO_ERROR
 * once the socket is writable; to a listener it succeeds, to a port
 * nobody listens on it ends in ECONNREFUSED. Over 127.0.0.1.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "io.h"
#include "step.h"
#include "trace.h"
#include "unit.h"

/* A listener on 127.0.0.1 with a port the kernel chose, into sin. */
static int
listener(struct sockaddr_in *sin)
{
	socklen_t len = sizeof(*sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)sin, sizeof(*sin)) < 0 ||
	    listen(fd, 4) < 0 ||
	    getsockname(fd, (struct sockaddr *)sin, &len) < 0)
		return -1;
	return fd;
}

/* Start a connect to sin and wait for its outcome: 0 or its errno. */
static int
outcome(const struct sockaddr_in *sin, int *started)
{
	struct pollfd pfd;
	int fd = socket(AF_INET, SOCK_STREAM, 0), err = -1;

	if (fd < 0 || io_nonblock(fd, 1) < 0)
		return -1;
	*started = step_connect_nb(fd, (const struct sockaddr *)sin,
	    sizeof(*sin)) == 0 ? 0 : errno;
	if (*started == 0 || *started == EINPROGRESS) {
		pfd.fd = fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, 5000) == 1)
			step_getsockopt_int(fd, SOL_SOCKET, SO_ERROR, &err);
	} else {
		err = *started;		/* refused at once */
	}
	close(fd);
	return err;
}

int
main(void)
{
	struct sockaddr_in sin;
	int lfd, started;

	unit_quiet();
	trace_init("test_connect_nb");
	trace_set_level(TRACE_QUIET);
	lfd = listener(&sin);
	CHECK(lfd >= 0);
	/* To a listener: under way (or done at once), then no error. */
	CHECK(outcome(&sin, &started) == 0);
	CHECK(started == 0 || started == EINPROGRESS);
	/* To the same port once nobody listens: refused. */
	close(lfd);
	CHECK(outcome(&sin, &started) == ECONNREFUSED);
	CHECK(started == EINPROGRESS || started == ECONNREFUSED);
	return unit_report("test_connect_nb");
}
