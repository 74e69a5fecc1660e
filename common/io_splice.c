/*
 * io_splice.c - the relay's --splice path: splice(2) moves bytes between
 * a pipe and a socket inside the kernel, so a bulk copy never passes
 * through the program's buffers (zero-copy). Linux only; chosen by a flag,
 * never by the verbosity, and narrated as the splice calls it makes, so
 * -q and -v run the same calls. The price: -vv cannot preview bytes that
 * never reach our hands (lessons/12-many-clients.md).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "io.h"
#include "io_internal.h"
#include "step.h"

#ifdef __linux__
#include <sys/sysmacros.h>

/* Bytes per splice, at most: the size we ask for our pipe. */
#define SPLICE_CHUNK (1024 * 1024)

/* True if fd is a pipe (or FIFO). */
static int
is_pipe(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode);
}

/* True if fd takes spliced bytes just as it takes write(2)s: a regular
 * file not opened for appending, or /dev/null. */
static int
splice_file(int fd)
{
	struct stat st;
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || (fl & O_APPEND) || fstat(fd, &st) < 0)
		return 0;
	return S_ISREG(st.st_mode) ||
	    (S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3));
}

int
relay_splice_setup(struct relay *r)
{
	r->splice_in = r->in_fd >= 0 && is_pipe(r->in_fd);
	if (r->out_fd < 0)
		return 0;
	if (is_pipe(r->out_fd)) {
		r->splice_out = 1;
	} else if (splice_file(r->out_fd)) {
		if (pipe2(r->pipe, O_CLOEXEC) < 0)
			return -1;
		/* A bigger pipe means fewer calls; the default is 64 KiB. */
		(void)fcntl(r->pipe[1], F_SETPIPE_SZ, SPLICE_CHUNK);
		r->splice_out = 1;
	}
	return 0;
}

int
relay_splice_in(struct relay *r)
{
	ssize_t n = step_splice(STEP_SEND, r->in_fd, r->sock, SPLICE_CHUNK,
	    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		/* The input was readable, so it is the socket that is full:
		 * the bytes stay in the input pipe until it has room. */
		r->sock_full = 1;
		return 0;
	}
	if (n < 0)
		return -1;
	if (n == 0)
		relay_input_ended(r);
	return 0;
}

int
relay_splice_out(struct relay *r)
{
	int to = r->pipe[1] >= 0 ? r->pipe[1] : r->out_fd;
	ssize_t n, m;

	n = step_splice(STEP_RECV, r->sock, to, SPLICE_CHUNK, SPLICE_F_MOVE);
	if (n < 0 && errno == EPIPE)
		r->side = IO_OUTPUT;	/* a socket never says EPIPE to a read */
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	if (n == 0) {
		r->sock_open = 0;
		return 0;
	}
	/* Our own pipe is emptied into the output before the next receive,
	 * waiting for room there as write(2) would. */
	while (r->pipe[0] >= 0 && n > 0) {
		m = splice(r->pipe[0], NULL, r->out_fd, NULL, (size_t)n,
		    SPLICE_F_MOVE);
		if (m < 0 && errno == EINTR && !step_stop)
			continue;
		if (m <= 0) {
			r->side = IO_OUTPUT;
			return -1;
		}
		n -= m;
	}
	return 0;
}

void
relay_splice_done(struct relay *r)
{
	if (r->pipe[0] >= 0)
		close(r->pipe[0]);
	if (r->pipe[1] >= 0)
		close(r->pipe[1]);
}

#else

/* Elsewhere the tools refuse --splice before they get here. */
int
relay_splice_setup(struct relay *r)
{
	(void)r;
	errno = ENOTSUP;
	return -1;
}

int
relay_splice_in(struct relay *r)
{
	(void)r;
	errno = ENOTSUP;
	return -1;
}

int
relay_splice_out(struct relay *r)
{
	(void)r;
	errno = ENOTSUP;
	return -1;
}

void
relay_splice_done(struct relay *r)
{
	(void)r;
}

#endif
