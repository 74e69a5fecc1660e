/*
 * unix-server PATH - an echo server on a Unix stream socket (a file at PATH).
 * The same steps as TCP, with a path for an address. It refuses to start
 * over an existing file, and removes its own on SIGINT or SIGTERM.
 * lessons/11-unix-sockets.md
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static volatile sig_atomic_t stop;	/* set by the signal handler */

/* SIGINT, SIGTERM: make the blocked accept() return EINTR, and stop. */
static void on_signal(int sig) { (void)sig; stop = 1; }

/* Send all LEN bytes of BUF to FD; -1 with errno on failure. */
static int send_all(int fd, const char *buf, size_t len)
{
	for (ssize_t n; len > 0; buf += n, len -= (size_t)n)
		if ((n = send(fd, buf, len, 0)) < 0)	/* a signal may cut it short */
			return -1;
	return 0;
}

int main(int argc, char *argv[])
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct sigaction sa = { .sa_handler = on_signal };	/* no SA_RESTART */
	char buf[65536];
	ssize_t n;
	int lfd, fd;

	if (argc != 2 || strlen(argv[1]) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "usage: unix-server PATH (at most %zu bytes)\n",
		    sizeof(addr.sun_path) - 1);
		return 64;
	}
	strcpy(addr.sun_path, argv[1]);	/* fits: checked above */
	signal(SIGPIPE, SIG_IGN);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if ((lfd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 ||	/* step 1 */
	    bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||	/* 3: makes the file */
	    listen(lfd, 128) < 0) {	/* step 4 */
		if (errno == EADDRINUSE)	/* never unlink blindly: it may be in use */
			fprintf(stderr, "unix-server: %s exists: a server runs there, or "
			    "a stale file is left: remove it\n", argv[1]);
		else
			perror(argv[1]);
		return 71;
	}
	fprintf(stderr, "unix-server: listening on %s\n", argv[1]);
	while (!stop) {
		if ((fd = accept(lfd, NULL, NULL)) < 0)	/* step 5; EINTR on a signal */
			continue;
		while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)	/* step 8 */
			if (send_all(fd, buf, (size_t)n) < 0)	/* step 7 */
				break;
		close(fd);	/* step 9 */
	}
	close(lfd);
	unlink(addr.sun_path);	/* the file outlives the socket: remove it */
	fprintf(stderr, "unix-server: stopped, %s removed\n", argv[1]);
	return 0;
}
