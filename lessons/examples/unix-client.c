/*
 * unix-client PATH - send stdin to the Unix stream socket at PATH, half-close,
 * and print the reply until the server closes. lessons/11-unix-sockets.md
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* Write all LEN bytes of BUF to FD; -1 with errno on failure. */
static int write_all(int fd, const char *buf, size_t len)
{
	for (ssize_t n; len > 0; buf += n, len -= (size_t)n)
		if ((n = write(fd, buf, len)) < 0)
			return -1;
	return 0;
}

int main(int argc, char *argv[])
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char buf[65536];
	ssize_t n;
	int fd;

	if (argc != 2 || strlen(argv[1]) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "usage: unix-client PATH (at most %zu bytes)\n",
		    sizeof(addr.sun_path) - 1);
		return 64;
	}
	strcpy(addr.sun_path, argv[1]);
	signal(SIGPIPE, SIG_IGN);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0) {	/* step 1 */
		perror("socket");
		return 71;
	}
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {	/* step 6 */
		perror(argv[1]);	/* ENOENT: no file; ECONNREFUSED: nobody listens */
		return 69;
	}
	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) > 0)	/* step 7 */
		if (write_all(fd, buf, (size_t)n) < 0)
			return 74;
	if (n < 0)
		return 74;	/* stdin failed: do not pretend it ended */
	shutdown(fd, SHUT_WR);	/* step 9, half: the server's recv returns 0 */
	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)	/* step 8 */
		if (write_all(STDOUT_FILENO, buf, (size_t)n) < 0)
			return 74;
	close(fd);	/* step 9 */
	return n < 0 ? 74 : 0;
}
