/*
 * io.c - moving bytes: complete sends, an echo loop, and the relay.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/sysmacros.h>
#endif

#include "io.h"
#include "step.h"
#include "trace.h"

/* Wait until fd is writable; 0, or -1 with errno set. */
static int
wait_writable(int fd)
{
	struct pollfd pfd;
	int rc;

	pfd.fd = fd;
	pfd.events = POLLOUT;
	do {
		rc = poll(&pfd, 1, -1);
	} while (rc < 0 && errno == EINTR && !step_stop);
	return rc < 0 ? -1 : 0;
}

/* Send all len bytes; 0, or -1 with errno set. */
int
io_send_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = step_send(fd, p, len);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (wait_writable(fd) < 0)
				return -1;
			continue;
		}
		if (n < 0)
			return -1;
		/* A partial send is normal: the rest goes in the next call. */
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Write all len bytes to a plain descriptor; 0 or -1. */
int
io_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR && !step_stop)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Echo every byte back until the peer closes; 0, or -1 with errno set. */
int
io_echo(int fd)
{
	char buf[64 * 1024];
	ssize_t n;

	for (;;) {
		n = step_recv(fd, buf, sizeof(buf));
		if (n == 0)
			return 0;
		if (n < 0)
			return -1;
		if (io_send_all(fd, buf, (size_t)n) < 0)
			return -1;
	}
}

struct relay {
	int sock, in_fd, out_fd;
	int flags;
	int in_open;		/* stdin not yet at EOF */
	int sock_open;		/* peer has not yet closed its side */
	char *up;		/* stdin -> socket bytes not yet sent */
	size_t up_off, up_len;
	char *down;		/* socket -> stdout buffer */
	int sock_full;		/* splice: the socket took nothing; await room */
	int splice_in;		/* splice: in_fd is a pipe, spliced to sock */
	int splice_out;		/* splice: sock -> (pipe ->) out_fd */
	int pipe[2];		/* splice: pipe before a non-pipe out_fd, or -1 */
};

#ifdef __linux__
/*
 * The Linux fast path: splice(2) moves bytes between a pipe and a socket
 * inside the kernel, so a bulk copy never passes through our buffers.
 * It is used only where it behaves exactly like read/write: stdin a pipe;
 * stdout a pipe, a regular file (not O_APPEND) or /dev/null; and only
 * with -q, for bulk copies in scripts: whenever the narrator may show a
 * step (a failed one at default verbosity, every one with -v), it shows
 * the recv and send the lessons teach, and -vv can preview payloads,
 * which splice never brings into our hands.
 */
#define RELAY_PIPE_SIZE (1024 * 1024)	/* bytes per splice, at most */

/* True if fd is a pipe (or FIFO). */
static int
is_pipe(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode);
}

/* True if fd can take spliced bytes just as it takes write(2)s. */
static int
splice_target(int fd)
{
	struct stat st;
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || (fl & O_APPEND) || fstat(fd, &st) < 0)
		return 0;
	return S_ISFIFO(st.st_mode) || S_ISREG(st.st_mode) ||
	    (S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3));
}

/* Decide which directions go through splice(2). */
static void
relay_splice_setup(struct relay *r)
{
	int type = 0;
	socklen_t len = sizeof(type);

	if (trace_enabled(TRACE_STATUS) ||
	    getsockopt(r->sock, SOL_SOCKET, SO_TYPE, &type, &len) < 0 ||
	    type != SOCK_STREAM)
		return;
	r->splice_in = r->in_fd >= 0 && is_pipe(r->in_fd);
	if (r->out_fd < 0 || !splice_target(r->out_fd))
		return;
	if (is_pipe(r->out_fd)) {
		r->splice_out = 1;
	} else if (pipe2(r->pipe, O_CLOEXEC) == 0) {
		/* A bigger pipe means fewer calls; the default is 64 KiB. */
		(void)fcntl(r->pipe[1], F_SETPIPE_SZ, RELAY_PIPE_SIZE);
		r->splice_out = 1;
	}
}

/* Splice stdin (a pipe) to the socket; half-close at EOF. 0 or -1. */
static int
relay_splice_in(struct relay *r)
{
	ssize_t n = step_splice(STEP_SEND, r->in_fd, r->sock, RELAY_PIPE_SIZE,
	    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		/* stdin was readable, so it is the socket that is full. */
		r->sock_full = 1;
		return 0;
	}
	if (n < 0)
		return -1;
	if (n == 0) {
		r->in_open = 0;
		if (r->flags & IO_HALF_CLOSE)
			step_shutdown(r->sock, SHUT_WR);
	}
	return 0;
}

/* Splice what the socket has to stdout, through our pipe unless stdout
 * is one; 0 or -1. Waits for room in stdout, as write(2) would. */
static int
relay_splice_out(struct relay *r)
{
	int to = r->pipe[1] >= 0 ? r->pipe[1] : r->out_fd;
	ssize_t n = step_splice(STEP_RECV, r->sock, to, RELAY_PIPE_SIZE,
	    SPLICE_F_MOVE), m;

	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	if (n == 0) {
		r->sock_open = 0;
		return 0;
	}
	/* Our own pipe is emptied into stdout before the next receive. */
	while (r->pipe[0] >= 0 && n > 0) {
		m = splice(r->pipe[0], NULL, r->out_fd, NULL, (size_t)n,
		    SPLICE_F_MOVE);
		if (m < 0 && errno == EINTR && !step_stop)
			continue;
		if (m <= 0)
			return -1;
		n -= m;
	}
	return 0;
}
#endif

/* Read stdin into the (empty) up buffer; half-close at EOF. 0 or -1. */
static int
relay_read_input(struct relay *r)
{
	ssize_t n;

#ifdef __linux__
	if (r->splice_in)
		return relay_splice_in(r);
#endif
	do {
		n = read(r->in_fd, r->up, IO_BUFSIZE);
	} while (n < 0 && errno == EINTR && !step_stop);
	if (n < 0)
		return -1;
	if (n == 0) {
		r->in_open = 0;
		if (r->flags & IO_HALF_CLOSE)
			step_shutdown(r->sock, SHUT_WR);
		return 0;
	}
	r->up_off = 0;
	r->up_len = (size_t)n;
	return 0;
}

/* Send as much of the up buffer as the socket takes now. 0 or -1. */
static int
relay_send(struct relay *r)
{
	ssize_t n = step_send(r->sock, r->up + r->up_off, r->up_len - r->up_off);

	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	r->up_off += (size_t)n;
	if (r->up_off == r->up_len)
		r->up_off = r->up_len = 0;
	return 0;
}

/* Receive once from the socket and write it all to the output. 0 or -1. */
static int
relay_recv(struct relay *r)
{
	ssize_t n;

#ifdef __linux__
	if (r->splice_out)
		return relay_splice_out(r);
#endif
	n = step_recv(r->sock, r->down, IO_BUFSIZE);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	if (n == 0) {
		r->sock_open = 0;
		return 0;
	}
	return io_write_all(r->out_fd, r->down, (size_t)n);
}

/* True while the relay still has something to do. */
static int
relay_busy(const struct relay *r)
{
	if (!r->sock_open && (r->flags & IO_END_ON_PEER_EOF))
		return 0;
	return r->sock_open || r->in_open || r->up_len > 0;
}

/* One poll round: wait, then move what is ready. 0, or -1 with errno. */
static int
relay_round(struct relay *r, int idle_ms)
{
	struct pollfd pfd[2];
	int rc;

	pfd[0].events = (short)((r->sock_open ? POLLIN : 0) |
	    (r->up_len > 0 || r->sock_full ? POLLOUT : 0));
	/* Nothing to wait for on the socket: leave it out, or a socket whose
	 * peer has gone (POLLHUP, reported even when not asked for, as on
	 * AF_UNIX) would wake poll at once, forever. */
	pfd[0].fd = pfd[0].events != 0 ? r->sock : -1;
	/* Read more input only when the last piece has gone out. */
	pfd[1].fd = r->in_open && r->up_len == 0 && !r->sock_full ?
	    r->in_fd : -1;
	pfd[1].events = POLLIN;
	pfd[0].revents = pfd[1].revents = 0;
	rc = poll(pfd, 2, idle_ms);
	if (rc < 0)
		return errno == EINTR && !step_stop ? 0 : -1;
	if (rc == 0) {
		errno = ETIMEDOUT;
		return -1;
	}
	if ((pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) && r->sock_open &&
	    relay_recv(r) < 0)
		return -1;
	if (pfd[0].revents & (POLLOUT | POLLERR))
		r->sock_full = 0;
	if ((pfd[0].revents & (POLLOUT | POLLERR)) && r->up_len > 0 &&
	    relay_send(r) < 0)
		return -1;
	if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR)) {
		if (relay_read_input(r) < 0)
			return -1;
		if (r->up_len > 0 && relay_send(r) < 0)
			return -1;
	}
	return 0;
}

/* Relay in_fd -> sock and sock -> out_fd until done; 0 or -1 with errno. */
int
io_relay(int sock, int in_fd, int out_fd, int idle_ms, int flags)
{
	struct relay r = { 0 };
	int rc = 0, err = 0;

	r.sock = sock;
	r.in_fd = in_fd;
	r.out_fd = out_fd;
	r.flags = flags;
	r.in_open = in_fd >= 0;
	r.sock_open = 1;
	r.pipe[0] = r.pipe[1] = -1;
#ifdef __linux__
	relay_splice_setup(&r);
#endif
	r.up = malloc(IO_BUFSIZE);
	r.down = malloc(IO_BUFSIZE);
	if (r.up == NULL || r.down == NULL) {
		free(r.up);
		free(r.down);
		errno = ENOMEM;
		return -1;
	}
	/* Non-blocking, so a full send buffer never stops us from reading:
	 * two peers that both send before they read would deadlock. */
	step_nonblock(sock, 1);
	while (relay_busy(&r)) {
		if (relay_round(&r, idle_ms) < 0) {
			rc = -1;
			err = errno;
			break;
		}
	}
	step_nonblock(sock, 0);
	if (r.pipe[0] >= 0) {
		close(r.pipe[0]);
		close(r.pipe[1]);
	}
	free(r.up);
	free(r.down);
	errno = err;
	return rc;
}
