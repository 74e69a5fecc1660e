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

static void bind_own_path(int, const struct options *);
static int read_passed_file(int);

/* The client subcommand; returns the exit status. */
int
us_client(const struct options *opt)
{
	long pid, uid, gid;
	int fd, rc, err, flags = IO_HALF_CLOSE;

	/* Step 1, socket: a local endpoint (lessons/01-socket.md). */
	fd = step_socket(AF_UNIX, opt->type, 0);
	if (fd < 0)
		die_errno(errno, STEP_SOCKET, NULL, "cannot create a socket");

	/* Step 3, bind: a datagram client needs an address for the replies. */
	if (opt->type == SOCK_DGRAM)
		bind_own_path(fd, opt);

	/* Step 6, connect: no handshake on the wire, the kernel looks the
	 * file up and checks its permissions (lessons/11-unix-sockets.md). */
	if (step_connect(fd, (const struct sockaddr *)&opt->sun, opt->sunlen,
	    -1) < 0) {
		if (errno == EPROTOTYPE)
			die(EX_OSERR, "cannot connect to %s: the server uses "
			    "the other socket type (EPROTOTYPE); %s --dgram",
			    opt->where, opt->type == SOCK_DGRAM ? "leave out" :
			    "add");
		die_errno(errno, STEP_CONNECT, opt->where,
		    "cannot connect to %s", opt->where);
	}
	if (opt->type == SOCK_STREAM &&
	    step_peercred(fd, &pid, &uid, &gid) == 0 && pid > 0)
		trace_status("connected to %s (server pid %ld, uid %ld, gid %ld)",
		    opt->where, pid, uid, gid);
	else
		trace_status("connected to %s", opt->where);

	/* Steps 7 and 8, send and recv (lessons/07-send.md, 08-recv.md). */
	if (opt->recv_fd)
		rc = read_passed_file(fd);
	else if (opt->type == SOCK_DGRAM)
		rc = us_dgram_relay(fd);
	else {
		if (isatty(STDIN_FILENO))
			flags |= IO_END_ON_PEER_EOF;
		rc = io_relay(fd, STDIN_FILENO, STDOUT_FILENO, -1, flags);
	}
	err = errno;

	/* Step 9, close: release the socket (lessons/09-close.md). */
	step_close(fd);
	if (rc < 0 && us_signal)
		return EX_OK;
	if (rc < 0 && err == EBADMSG)
		die(EX_IOERR, "no descriptor came from %s: is the server "
		    "running with --send-fd?", opt->where);
	if (rc < 0)
		die_errno(err, STEP_RECV, opt->where, "connection to %s failed",
		    opt->where);
	trace_status("closed");
	return EX_OK;
}

/* Bind PATH.PID (or @NAME.PID), the address the server replies to. */
static void
bind_own_path(int fd, const struct options *opt)
{
	struct sockaddr_un sun;
	socklen_t len;
	char own[sizeof(sun.sun_path) + 32], where[ADDR_STRLEN];

	snprintf(own, sizeof(own), "%s.%ld", opt->path, (long)getpid());
	us_address(own, opt->abstract, &sun, &len, "own datagram path");
	addr_format((struct sockaddr *)&sun, len, where, sizeof(where));
	if (step_bind(fd, (const struct sockaddr *)&sun, len) < 0)
		die_errno(errno, STEP_BIND, where, "cannot bind %s", where);
	if (!opt->abstract)
		us_remove_on_exit(own);
}

/* Receive a descriptor, copy what it reads to stdout; 0 or -1 with errno. */
static int
read_passed_file(int sock)
{
	char label[256], buf[64 * 1024];
	ssize_t n;
	size_t total = 0;
	int fd, err;

	/* Step 8, recvmsg: the descriptor rides in the control data. */
	fd = us_recv_fd(sock, label, sizeof(label));
	if (fd < 0)
		return -1;
	trace_status("received fd %d for '%s' (SCM_RIGHTS): reading the file "
	    "through it", fd, label);
	/* The server opened the file: our permissions never come into it. */
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR && !step_stop)
			continue;
		if (n <= 0)
			break;
		if (io_write_all(STDOUT_FILENO, buf, (size_t)n) < 0) {
			n = -1;
			break;
		}
		total += (size_t)n;
	}
	err = errno;
	trace_event("read", "read %zu bytes through fd %d", total, fd);
	close(fd);
	errno = err;
	return n < 0 ? -1 : 0;
}
