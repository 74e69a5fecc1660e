/*
 * server.c - unix-socket server: a socket file as the address, its
 * permissions as access control, and the stale file a crash leaves.
 *
 *   (check PATH) -> socket -> bind (umask) -> listen -> accept
 *       -> peer credentials -> relay / echo / pass a descriptor -> close
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "io.h"
#include "step.h"
#include "trace.h"
#include "unix-socket.h"

static int check_existing(const struct options *);
static int bind_path(int, const struct options *);
static int serve_client(int, const struct options *);
static int send_file(int, const char *);

/* The server subcommand; returns the exit status. */
int
us_server(const struct options *opt)
{
	int lfd, fd, status;

	/* A file at PATH: a stale socket, a live server, or not a socket. */
	if (!opt->abstract && (status = check_existing(opt)) != 0)
		return status;
	/* Fail now, not at the first client, if FILE cannot be opened. */
	if (opt->send_fd != NULL) {
		fd = open(opt->send_fd, O_RDONLY);
		if (fd < 0)
			return cli_error(errno, STEP_NONE, opt->send_fd,
			    "cannot open %s", opt->send_fd);
		close(fd);
	}

	/* Step 1, socket: a local endpoint (lessons/01-socket.md). */
	lfd = step_socket(AF_UNIX, opt->type, 0);
	if (lfd < 0)
		return cli_error(errno, STEP_SOCKET, NULL,
		    "cannot create a socket");

	/* Step 3, bind: create the socket file (lessons/11-unix-sockets.md). */
	if ((status = bind_path(lfd, opt)) != 0)
		return status;

	if (opt->type == SOCK_DGRAM) {
		status = us_server_dgram(opt, lfd);
		step_close(lfd);
		return status;
	}

	/* Step 4, listen: let the kernel queue connections (lessons/04-listen.md). */
	if (step_listen(lfd, 16) < 0)
		return cli_error(errno, STEP_LISTEN, opt->where,
		    "cannot listen on %s", opt->where);
	if (opt->abstract)
		trace_status("listening on %s (abstract name: no file; it "
		    "vanishes with the socket)", opt->where);
	else
		trace_status("listening on %s", opt->where);

	/* Steps 5 to 9 for each client in turn. A signal caught before
	 * accept() starts makes step_accept return EINTR at once (step.h). */
	do {
		status = serve_client(lfd, opt);
	} while (opt->keep && !step_stop);

	/* Step 9, close: the file stays until unlink (us_cleanup). */
	step_close(lfd);
	return status;
}

/* Knock on the socket file at PATH: a live server answers, a stale file
 * refuses. 0 if it is stale (or gone), or the exit status after saying
 * why we must not go on. */
static int
knock(const struct options *opt, int *gone)
{
	int fd, rc, err;

	trace_event("stale?", "%s is a socket file: is a server behind it?",
	    opt->where);
	fd = step_socket(AF_UNIX, opt->type, 0);
	if (fd < 0)
		return cli_error(errno, STEP_SOCKET, NULL,
		    "cannot create a socket");
	rc = step_connect(fd, (const struct sockaddr *)&opt->sun, opt->sunlen,
	    1000);
	err = errno;
	step_close(fd);
	if (rc == 0 || (err != ECONNREFUSED && err != ENOENT)) {
		if (err == EACCES)
			return cli_error(err, STEP_CONNECT, opt->where,
			    "cannot check %s", opt->where);
		trace_error("another server is listening on %s (EADDRINUSE)",
		    opt->where);
		return EX_OSERR;
	}
	*gone = err == ENOENT;		/* removed meanwhile */
	return 0;
}

/* Decide what to do about a file already at PATH: 0 to go on, or the
 * exit status after saying why not. */
static int
check_existing(const struct options *opt)
{
	struct stat st;
	int rc, gone = 0;

	if (lstat(opt->path, &st) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;	/* bind reports a missing directory */
		return cli_error(errno, STEP_NONE, opt->where,
		    "cannot check %s", opt->where);
	}
	if (!S_ISSOCK(st.st_mode)) {
		trace_error("%s exists and is not a socket: refusing to delete "
		    "it; choose another path", opt->where);
		return EX_OSERR;
	}
	if ((rc = knock(opt, &gone)) != 0 || gone)
		return rc;
	if (!opt->unlink_stale) {
		trace_error("%s is a stale socket file: nothing accepts on it "
		    "(connect: ECONNREFUSED); a server that crashed or was "
		    "killed left it behind", opt->where);
		trace_error("hint: remove it with --unlink (or rm %s) and "
		    "start again (lessons/11-unix-sockets.md)", opt->where);
		return EX_OSERR;
	}
	rc = unlink(opt->path);
	trace_event("unlink", "unlink(%s) = %d", opt->where, rc);
	if (rc < 0)
		return cli_error(errno, STEP_NONE, opt->where,
		    "cannot remove %s", opt->where);
	trace_status("removed stale socket file %s", opt->where);
	return 0;
}

/* Say why bind failed, in the words a learner needs; the exit status. */
static int
bind_failed(const struct options *opt, int err)
{
	switch (err) {
	case EADDRINUSE:
		trace_error("cannot bind %s: %s", opt->where, opt->abstract ?
		    "another server holds this abstract name (EADDRINUSE)" :
		    "the file already exists (EADDRINUSE)");
		return EX_OSERR;
	case ENOENT:
	case ENOTDIR:
		trace_error("cannot bind %s: its directory does not exist (%s)",
		    opt->where, trace_errno_name(err));
		return EX_OSERR;
	case EACCES:
	case EPERM:
	case EROFS:
		trace_error("cannot bind %s: %s (%s): the directory does not "
		    "let you create files", opt->where, strerror(err),
		    trace_errno_name(err));
		return EX_NOPERM;
	default:
		return cli_error(err, STEP_BIND, opt->where, "cannot bind %s",
		    opt->where);
	}
}

/* Step 3 with the file's permissions set by umask, so that no other user
 * can connect in the moment between bind and a chmod; 0, or the exit
 * status after saying why. */
static int
bind_path(int fd, const struct options *opt)
{
	mode_t old = 0;
	int rc, err;

	if (!opt->abstract) {
		old = umask((mode_t)(~opt->mode & 0777));
		trace_event("umask", "umask(%04o) = %04o: the socket file gets "
		    "mode %04o", (unsigned)(~opt->mode & 0777), (unsigned)old,
		    (unsigned)opt->mode);
	}
	rc = step_bind(fd, (const struct sockaddr *)&opt->sun, opt->sunlen);
	err = errno;
	if (!opt->abstract)
		umask(old);
	if (rc < 0)
		return bind_failed(opt, err);
	if (!opt->abstract)
		us_remember_file(opt->path);
	return 0;
}

/* Steps 5 to 9 for one client; returns the exit status it deserves. */
static int
serve_client(int lfd, const struct options *opt)
{
	char who[64];
	long pid, uid, gid;
	int fd, rc, err, side = IO_SOCKET;

	/* Step 5, accept (lessons/05-accept.md); a client's address is
	 * usually unnamed: who it is comes from its credentials. */
	fd = step_accept(lfd, NULL, NULL);
	if (fd < 0 && step_stop)
		return EX_OK;
	if (fd < 0)
		return cli_error(errno, STEP_ACCEPT, NULL, "accept failed");

	/* Step 2, getsockopt: the kernel vouches for the peer's identity. */
	if (step_peercred(fd, &pid, &uid, &gid) == 0 && pid > 0)
		snprintf(who, sizeof(who), "pid %ld", pid);
	else
		snprintf(who, sizeof(who), "a client");
	trace_status("connection from %s (uid %ld, gid %ld)", who, uid, gid);

	/* Steps 7 and 8 (lessons/07-send.md, 08-recv.md). */
	if (opt->send_fd != NULL)
		rc = send_file(fd, opt->send_fd);
	else if (opt->echo)
		rc = io_echo(fd);
	else
		rc = io_relay(fd, STDIN_FILENO, STDOUT_FILENO, -1,
		    IO_HALF_CLOSE, &side);
	err = errno;

	/* Step 9, close: release this connection (lessons/09-close.md). */
	step_close(fd);
	if (rc < 0 && step_stop)
		return EX_OK;
	/* A full or closed stdout is ours to report, not the client's. */
	if (rc < 0)
		return io_report(side, err, "from", who);
	trace_status("closed connection from %s", who);
	return EX_OK;
}

/* Open path and pass the descriptor to the client; 0, or -1 with errno. */
static int
send_file(int sock, const char *path)
{
	int fd, rc, err;

	fd = open(path, O_RDONLY);
	err = errno;
	trace_event("open", "open(%s, O_RDONLY) = %d", path, fd);
	if (fd < 0) {
		errno = err;
		return -1;
	}
	rc = us_send_fd(sock, fd, path);
	err = errno;
	if (rc == 0)
		trace_status("passed fd %d (%s) to the client with SCM_RIGHTS",
		    fd, path);
	/* The client has its own descriptor now: ours can go. */
	close(fd);
	trace_event("close", "close(fd=%d): the client's copy stays open", fd);
	errno = err;
	return rc;
}
