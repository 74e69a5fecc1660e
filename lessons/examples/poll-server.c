/*
 * poll-server PORT - one process echoes to many clients at once: poll()
 * takes an array of {fd, events} and fills in each one's revents. No
 * FD_SETSIZE limit; this one watches up to MAX_CLIENTS clients.
 * lessons/15-io-models.md
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CLIENTS 4096

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

int main(int argc, char *argv[])
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_ANY) };
	static struct pollfd fds[1 + MAX_CLIENTS];	/* [0] the listener, then clients */
	char *end = "";
	long port = argc == 2 ? strtol(argv[1], &end, 10) : 0;
	int one = 1, nfds = 1, i, fd;

	if (*end != '\0' || port < 1 || port > 65535) {
		fprintf(stderr, "usage: poll-server PORT (1 to 65535)\n");
		return 64;
	}
	signal(SIGPIPE, SIG_IGN);
	addr.sin_port = htons((unsigned short)port);
	if ((fds[0].fd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    setsockopt(fds[0].fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fds[0].fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    listen(fds[0].fd, 128) < 0) {
		perror("poll-server");
		return 71;
	}
	fprintf(stderr, "poll-server: listening on 0.0.0.0:%ld\n", port);
	fds[0].events = POLLIN;	/* readable listener: a connection to accept */
	for (;;) {
		if (poll(fds, (nfds_t)nfds, -1) < 0) {	/* -1: no timeout */
			if (errno == EINTR)
				continue;
			perror("poll");
			return 71;
		}
		for (i = 1; i < nfds; i++) {	/* POLLHUP, POLLERR: recv tells */
			if (fds[i].fd >= 0 && fds[i].revents != 0 && echo_once(fds[i].fd) <= 0) {
				close(fds[i].fd);
				fds[i].fd = -1;	/* poll() skips negative fds: a free slot */
			}
		}
		if ((fds[0].revents & POLLIN) && (fd = accept(fds[0].fd, NULL, NULL)) >= 0) {
			for (i = 1; i < nfds && fds[i].fd >= 0; i++)
				;	/* the first free slot, or a new one at the end */
			if (i == 1 + MAX_CLIENTS) {
				fprintf(stderr, "poll-server: %d clients already: refused\n", MAX_CLIENTS);
				close(fd);
				continue;
			}
			fds[i] = (struct pollfd){ .fd = fd, .events = POLLIN };
			nfds = i == nfds ? nfds + 1 : nfds;
		}
	}
}
