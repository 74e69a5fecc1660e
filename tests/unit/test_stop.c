/*
 * test_stop.c - step_stopped (common/step.c): once SIGINT or SIGTERM has
 * set step_stop, a step that would block returns -1 with EINTR at once,
 * without making its call: accept on a listener nobody connects to, recv
 * and recvmsg on a socket with nothing to read, recvfrom on a quiet UDP
 * socket. Before, a signal caught just before such a call left the tool
 * blocked in it. An alarm turns a step that blocks into a failure.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "step.h"
#include "trace.h"
#include "unit.h"

/* A step blocked: the test has failed; say so and end. */
static void
on_alarm(int sig)
{
	static const char msg[] = "FAIL test_stop: a step blocked with "
	    "step_stop set\n0 passed, 1 failed\n";

	(void)sig;
	(void)!write(STDOUT_FILENO, msg, sizeof(msg) - 1);
	_exit(1);
}

/* A listener on 127.0.0.1, port chosen by the kernel. */
static int
listener(void)
{
	struct sockaddr_in sin;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    listen(fd, 4) < 0)
		return -1;
	return fd;
}

int
main(void)
{
	struct sockaddr_storage from;
	socklen_t fromlen = sizeof(from);
	struct msghdr msg;
	struct iovec iov;
	char buf[16];
	int pair[2], lfd, ufd;

	unit_quiet();
	trace_init("test_stop");
	trace_set_level(TRACE_QUIET);
	signal(SIGALRM, on_alarm);
	lfd = listener();
	ufd = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK(lfd >= 0 && ufd >= 0);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, pair) == 0);

	/* No stop: step_stopped says so and leaves errno alone. */
	errno = 0;
	CHECK(step_stopped() == 0 && errno == 0);

	/* A stop caught (as the handler of cli_catch_stop sets it). */
	step_stop = SIGTERM;
	alarm(5);
	errno = 0;
	CHECK(step_stopped() == 1 && errno == EINTR);
	errno = 0;
	CHECK(step_accept(lfd, NULL, NULL) == -1 && errno == EINTR);
	errno = 0;
	CHECK(step_recv(pair[0], buf, sizeof(buf)) == -1 && errno == EINTR);
	errno = 0;
	CHECK(step_recvfrom(ufd, buf, sizeof(buf), &from, &fromlen) == -1 &&
	    errno == EINTR);
	memset(&msg, 0, sizeof(msg));
	iov.iov_base = buf;
	iov.iov_len = sizeof(buf);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	errno = 0;
	CHECK(step_recvmsg(pair[0], &msg, 0) == -1 && errno == EINTR);
	alarm(0);

	/* The call was not made: the byte waiting is still there. */
	step_stop = 0;
	CHECK(write(pair[1], "x", 1) == 1);
	CHECK(step_recv(pair[0], buf, sizeof(buf)) == 1 && buf[0] == 'x');
	close(pair[0]);
	close(pair[1]);
	close(lfd);
	close(ufd);
	return unit_report("test_stop");
}
