/*
 * contract-peer - the peers the contract tests need and our tools do not
 * play: a client that leaves without reading, a client that reads late,
 * and a server that reads late. Built by tests/contract.bash on demand.
 *
 *   contract-peer leave-unread HOST PORT    send until the server stops
 *       reading, half-close, read slowly, and leave (SO_LINGER 0: an RST)
 *       the moment our FIN has gone: the server, which has the FIN and
 *       is still echoing, gets the RST in CLOSE_WAIT, and its next send
 *       fails with EPIPE (and raises SIGPIPE)
 *   contract-peer leave-queued HOST PORT    the same, for a server busy
 *       with another client: send 16 KiB, half-close, and leave with an
 *       RST while the connection still waits to be accepted; the server's
 *       first send on it, once it accepts it, fails with EPIPE
 *   contract-peer slow-reader HOST PORT MS  send stdin and half-close,
 *       but read nothing for MS milliseconds (with a small receive
 *       buffer), then copy all that comes back to stdout: a server that
 *       ignores partial sends loses data
 *   contract-peer free-port                 print a port that is free now
 *       on every address of both families (a dual-stack bind to port 0)
 *   contract-peer slow-server MS            listen on 127.0.0.1, port 0;
 *       accept one client, read nothing for MS milliseconds, then copy all
 *       it sends to stdout and close: a client that ignores partial sends
 *       loses data
 *
 * HOST is a numeric IPv4 address. What happened goes to stderr, one line.
 * Exit status 0, or 1 with a message.
 */
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/sockios.h>	/* SIOCOUTQNSD */
#endif

#define CHUNK 65536

static char buf[CHUNK];

/* Milliseconds on a clock that never jumps. */
static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Print "contract-peer: why: strerror" and exit 1. */
static void
fail(const char *why)
{
	fprintf(stderr, "contract-peer: %s: %s\n", why, strerror(errno));
	exit(1);
}

/* Write all of buf to fd; exits on error. */
static void
write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			fail("write");
		p += n;
		len -= (size_t)n;
	}
}

/* A socket connected to host:port, with small buffers of our own so that
 * the server's buffers, not ours, decide when things block. */
static int
connect_small(const char *host, const char *port, int rcvbuf)
{
	struct sockaddr_in sin;
	int fd, sndbuf = 65536;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)atoi(port));
	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1) {
		fprintf(stderr, "contract-peer: not an IPv4 address: %s\n", host);
		exit(1);
	}
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		fail("socket");
	if (rcvbuf > 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		fail("connect");
	return fd;
}

/* Send without reading until the socket has taken nothing for 100 ms (the
 * server has stopped reading: it is blocked sending us its echo) or
 * limit bytes went; returns how many went. */
static long long
fill(int fd, long long limit)
{
	long long sent = 0, idle_since = now_ms();
	ssize_t n;

	memset(buf, 'x', sizeof(buf));
	while (sent < limit && now_ms() - idle_since < 100) {
		n = send(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n > 0) {
			sent += n;
			idle_since = now_ms();
		} else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR) {
			fail("send");
		} else {
			usleep(5000);
		}
	}
	return sent;
}

/* Bytes queued on fd that have not left yet, our FIN included. */
static int
unsent(int fd)
{
	int n = 0;

#ifdef SIOCOUTQNSD
	if (ioctl(fd, SIOCOUTQNSD, &n) < 0)
		return 0;
#else
	(void)fd;	/* unknown: take it that everything has left */
#endif
	return n;
}

/* leave-unread: see the top of the file. */
static int
leave_unread(const char *host, const char *port)
{
	int fd = connect_small(host, port, 16384), left = 0;
	struct linger abort_on_close = { 1, 0 };
	long long sent = fill(fd, 32LL * 1024 * 1024), got = 0, t, deadline;
	ssize_t n;

	if (shutdown(fd, SHUT_WR) < 0)
		fail("shutdown");
	/* Read slowly, and watch for the moment our FIN leaves: it reaches
	 * the server while the server still has data to echo (it has just
	 * woken up to receive more). Leave at once, with an RST. */
	deadline = now_ms() + 3000;
	while (!left && now_ms() < deadline) {
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == 0)
			break;	/* the server closed first */
		if (n > 0)
			got += n;
		for (t = now_ms(); now_ms() - t < 10 && !left; )
			left = unsent(fd) == 0;
	}
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_on_close,
	    sizeof(abort_on_close));
	close(fd);
	fprintf(stderr, "contract-peer: sent %lld bytes, half-closed, read "
	    "%lld of the echo, %s\n", sent, got, left ? "and left without "
	    "reading the rest the moment the FIN had gone (an RST)" :
	    "but the FIN never left");
	return 0;
}

/* leave-queued: see the top of the file. */
static int
leave_queued(const char *host, const char *port)
{
	int fd = connect_small(host, port, 16384), gone = 0;
	struct linger abort_on_close = { 1, 0 };
	long long deadline;

	/* Less than the first window, so that it all arrives unread. */
	memset(buf, 'x', 16384);
	if (send(fd, buf, 16384, MSG_NOSIGNAL) != 16384)
		fail("send");
	if (shutdown(fd, SHUT_WR) < 0)
		fail("shutdown");
	for (deadline = now_ms() + 500; !gone && now_ms() < deadline; )
		if (!(gone = unsent(fd) == 0))
			usleep(1000);
	usleep(20000);	/* the server's kernel has our FIN: CLOSE_WAIT */
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_on_close,
	    sizeof(abort_on_close));
	close(fd);
	fprintf(stderr, "contract-peer: sent 16384 bytes, half-closed (%s) "
	    "and left with an RST, before the server accepted us\n",
	    gone ? "the FIN went" : "the FIN did not go");
	return 0;
}

/* Copy what fd receives to stdout until the peer closes. */
static void
drain(int fd)
{
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), 0)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			fail("recv");
		write_all(STDOUT_FILENO, buf, (size_t)n);
	}
}

/* slow-reader: see the top of the file. */
static int
slow_reader(const char *host, const char *port, int ms)
{
	int fd = connect_small(host, port, 16384), in_open = 1;
	long long start = now_ms();
	char up[CHUNK];
	size_t up_len = 0, up_off = 0;
	struct pollfd pfd[2];
	ssize_t n;

	/* Send stdin while not reading, then read while sending the rest. */
	while (in_open || up_off < up_len) {
		pfd[0].fd = fd;
		pfd[0].events = (short)((up_off < up_len ? POLLOUT : 0) |
		    (now_ms() - start >= ms ? POLLIN : 0));
		pfd[1].fd = in_open && up_off == up_len ? STDIN_FILENO : -1;
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, 10) < 0 && errno != EINTR)
			fail("poll");
		if (pfd[0].revents & POLLIN) {
			n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (n > 0)
				write_all(STDOUT_FILENO, buf, (size_t)n);
		}
		if ((pfd[0].revents & POLLOUT) && up_off < up_len) {
			n = send(fd, up + up_off, up_len - up_off,
			    MSG_DONTWAIT | MSG_NOSIGNAL);
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				fail("send");
			if (n > 0)
				up_off += (size_t)n;
		}
		if (pfd[1].revents & (POLLIN | POLLHUP)) {
			n = read(STDIN_FILENO, up, sizeof(up));
			if (n < 0)
				fail("read");
			up_len = (size_t)n;
			up_off = 0;
			in_open = n > 0;
		}
	}
	shutdown(fd, SHUT_WR);
	while (now_ms() - start < ms)
		usleep(10000);
	drain(fd);
	close(fd);
	return 0;
}

/* free-port: see the top of the file. */
static int
free_port(void)
{
	struct sockaddr_in6 sin6;
	socklen_t len = sizeof(sin6);
	int fd = socket(AF_INET6, SOCK_STREAM, 0), off = 0;

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_addr = in6addr_any;
	if (fd < 0 || setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off,
	    sizeof(off)) < 0 ||
	    bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sin6, &len) < 0)
		fail("bind");
	printf("%d\n", ntohs(sin6.sin6_port));
	close(fd);
	return 0;
}

/* slow-server: see the top of the file. */
static int
slow_server(int ms)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int lfd, fd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    listen(lfd, 1) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&sin, &len) < 0)
		fail("listen");
	fprintf(stderr, "contract-peer: listening on 127.0.0.1:%d\n",
	    ntohs(sin.sin_port));
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		fail("accept");
	usleep((useconds_t)ms * 1000);
	drain(fd);
	fprintf(stderr, "contract-peer: the peer closed its side\n");
	close(fd);
	close(lfd);
	return 0;
}

int
main(int argc, char *argv[])
{
	signal(SIGPIPE, SIG_IGN);
	if (argc == 4 && strcmp(argv[1], "leave-unread") == 0)
		return leave_unread(argv[2], argv[3]);
	if (argc == 4 && strcmp(argv[1], "leave-queued") == 0)
		return leave_queued(argv[2], argv[3]);
	if (argc == 5 && strcmp(argv[1], "slow-reader") == 0)
		return slow_reader(argv[2], argv[3], atoi(argv[4]));
	if (argc == 2 && strcmp(argv[1], "free-port") == 0)
		return free_port();
	if (argc == 3 && strcmp(argv[1], "slow-server") == 0)
		return slow_server(atoi(argv[2]));
	fprintf(stderr, "usage: contract-peer leave-unread HOST PORT | "
	    "leave-queued HOST PORT | "
	    "slow-reader HOST PORT MS | free-port | slow-server MS\n");
	return 64;
}
