/*
 * client.c - unix-socket client: connect to a socket file (or abstract
 * name), relay stdin/stdout, or receive a descriptor and read through it.
 *
 *   socket -> (bind PATH.PID for datagrams) -> connect -> send/recv -> close
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "io.h"
#include "step.h"
#include "trace.h"
#include "unix-socket.h"

static int bind_own_path(int, const struct options *);
static int read_passed_file(int, const struct options *);

/* Say why connect failed, and what to change; the exit status. */
static int
connect_failed(const struct options *opt, int err)
{
	if (err == EPROTOTYPE) {
		trace_error("cannot connect to %s: the server uses the other "
		    "socket type (EPROTOTYPE); %s --dgram", opt->where,
		    opt->type == SOCK_DGRAM ? "leave out" : "add");
		return EX_OSERR;
	}
	return cli_error(err, STEP_CONNECT, opt->where, "cannot connect to %s",
	    opt->where);
}

/* Steps 7 and 8: stdin to the server, the server to stdout (datagrams
 * with --dgram); the exit status, after saying why when it is not 0. */
static int
relay(int fd, const struct options *opt)
{
	int rc, side = IO_SOCKET;

	if (opt->type == SOCK_DGRAM)
		rc = us_dgram_relay(fd, &side);
	else
		rc = io_relay(fd, STDIN_FILENO, STDOUT_FILENO, -1,
		    IO_HALF_CLOSE, &side);
	if (rc == 0 || step_stop)
		return EX_OK;
	/* A full or closed stdout is ours to report, not the server's. */
	return io_report(side, errno, "to", opt->where);
}

/* The client subcommand; returns the exit status. */
int
us_client(const struct options *opt)
{
	long pid, uid, gid;
	int fd, rc, status;

	/* Step 1, socket: a local endpoint (lessons/01-socket.md). */
	fd = step_socket(AF_UNIX, opt->type, 0);
	if (fd < 0)
		return cli_error(errno, STEP_SOCKET, NULL,
		    "cannot create a socket");

	/* Step 3, bind: a datagram client needs an address for the replies. */
	if (opt->type == SOCK_DGRAM && (rc = bind_own_path(fd, opt)) != 0)
		return rc;

	/* Step 6, connect: no handshake on the wire, the kernel looks the
	 * file up and checks its permissions (lessons/11-unix-sockets.md). */
	if (step_connect(fd, (const struct sockaddr *)&opt->sun, opt->sunlen,
	    -1) < 0)
		return step_stop ? EX_OK : connect_failed(opt, errno);
	if (opt->type == SOCK_STREAM &&
	    step_peercred(fd, &pid, &uid, &gid) == 0 && pid > 0)
		trace_status("connected to %s (server pid %ld, uid %ld, gid %ld)",
		    opt->where, pid, uid, gid);
	else
		trace_status("connected to %s", opt->where);

	/* Steps 7 and 8, send and recv (lessons/07-send.md, 08-recv.md). */
	status = opt->recv_fd ? read_passed_file(fd, opt) : relay(fd, opt);

	/* Step 9, close: release the socket (lessons/09-close.md). */
	step_close(fd);
	if (status == EX_OK && !step_stop)
		trace_status("closed");
	return status;
}

/* Bind PATH.PID (or @NAME.PID), the address the server replies to;
 * 0, or the exit status after saying why. */
static int
bind_own_path(int fd, const struct options *opt)
{
	struct sockaddr_un sun;
	socklen_t len;
	char own[sizeof(sun.sun_path) + 32], where[ADDR_STRLEN];
	int rc;

	snprintf(own, sizeof(own), "%s.%ld", opt->path, (long)getpid());
	if ((rc = us_address(own, opt->abstract, &sun, &len,
	    "own datagram path")) != 0)
		return rc;
	addr_format((struct sockaddr *)&sun, len, where, sizeof(where));
	if (step_bind(fd, (const struct sockaddr *)&sun, len) < 0)
		return cli_error(errno, STEP_BIND, where, "cannot bind %s",
		    where);
	if (!opt->abstract)
		us_remember_file(own);
	return 0;
}

/* Copy what fd reads to stdout; 0, or -1 with errno and *side saying
 * which end failed (IO_INPUT: the file). */
static int
copy_out(int fd, size_t *total, int *side)
{
	char buf[64 * 1024];
	ssize_t n;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR && !step_stop)
			continue;
		if (n <= 0) {
			*side = IO_INPUT;
			return n < 0 ? -1 : 0;
		}
		if (io_write_all(STDOUT_FILENO, buf, (size_t)n) < 0) {
			*side = IO_OUTPUT;
			return -1;
		}
		*total += (size_t)n;
	}
}

/* --recv-fd: receive a descriptor, copy what it reads to stdout; the
 * exit status, after saying why when it is not 0. */
static int
read_passed_file(int sock, const struct options *opt)
{
	char label[256];
	size_t total = 0;
	int fd, rc, err, side;

	/* Step 8, recvmsg: the descriptor rides in the control data. */
	fd = us_recv_fd(sock, label, sizeof(label));
	if (fd < 0 && errno == EBADMSG) {
		trace_error("no descriptor came from %s: is the server running "
		    "with --send-fd?", opt->where);
		return EX_IOERR;
	}
	if (fd < 0)
		return step_stop ? EX_OK : io_report(IO_SOCKET, errno, "to",
		    opt->where);
	trace_status("received fd %d for '%s' (SCM_RIGHTS): reading the file "
	    "through it", fd, label);
	/* The server opened the file: our permissions never come into it. */
	rc = copy_out(fd, &total, &side);
	err = errno;
	trace_event("read", "read %zu bytes through fd %d", total, fd);
	close(fd);
	if (rc == 0 || step_stop)
		return EX_OK;
	if (side == IO_OUTPUT)
		return io_report(side, err, "to", opt->where);
	return cli_error(err, STEP_NONE, NULL, "cannot read the file passed as "
	    "'%s'", label);
}
