/*
 * select-server PORT - one process echoes to many clients at once: select()
 * says which sockets are readable, so a recv() on them does not block.
 * A descriptor >= FD_SETSIZE does not fit in an fd_set: that client is refused.
 * lessons/15-io-models.md
 */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

/* Echo what a readable client sent: 0 at its end of stream, -1 on error. */
static ssize_t echo_once(int fd)
{
	char buf[65536];
	ssize_t n = recv(fd, buf, sizeof(buf), 0), sent;

	for (ssize_t off = 0; off < n; off += sent)	/* may block: see the lesson */
		if ((sent = send(fd, buf + off, (size_t)(n - off), 0)) < 0)
			return -1;
	return n;
}

/* Accept a client and watch it, if its descriptor fits in an fd_set. */
static void add_client(int lfd, fd_set *watched, int *maxfd)
{
	int fd = accept(lfd, NULL, NULL);

	if (fd >= FD_SETSIZE) {	/* FD_SET(fd) would write past the set's end */
		fprintf(stderr, "select-server: fd %d >= FD_SETSIZE %d: refused\n", fd, FD_SETSIZE);
		close(fd);
	} else if (fd >= 0) {
		FD_SET(fd, watched);
		*maxfd = fd > *maxfd ? fd : *maxfd;
	}
}

int main(int argc, char *argv[])
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_ANY) };
	char *end = "";
	long port = argc == 2 ? strtol(argv[1], &end, 10) : 0;
	int one = 1, lfd, fd, maxfd;
	fd_set watched, ready;

	if (*end != '\0' || port < 1 || port > 65535) {
		fprintf(stderr, "usage: select-server PORT (1 to 65535)\n");
		return 64;
	}
	signal(SIGPIPE, SIG_IGN);
	addr.sin_port = htons((unsigned short)port);
	if ((lfd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(lfd, 128) < 0) {
		perror("select-server");
		return 71;
	}
	fprintf(stderr, "select-server: listening on 0.0.0.0:%ld\n", port);
	FD_ZERO(&watched);
	FD_SET(lfd, &watched);
	for (maxfd = lfd;;) {
		ready = watched;	/* select() overwrites its sets: pass a copy */
		if (select(maxfd + 1, &ready, NULL, NULL, NULL) < 0) {	/* no timeout */
			if (errno == EINTR)
				continue;	/* a signal came first: ask again */
			perror("select");
			return 71;
		}
		for (fd = 0; fd <= maxfd; fd++) {
			if (!FD_ISSET(fd, &ready))
				continue;
			if (fd == lfd)
				add_client(lfd, &watched, &maxfd);
			else if (echo_once(fd) <= 0) {	/* gone: stop watching it */
				FD_CLR(fd, &watched);
				close(fd);
			}
		}
	}
}
