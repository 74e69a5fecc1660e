/*
 * mini-httpd - a static-file HTTP/1.1 server: the whole procedure at work.
 *
 *   socket -> setsockopt -> bind -> listen -> (fork workers) -> event loop:
 *   accept -> recv head -> parse -> writev head+body / sendfile -> close
 *
 * main() reads top to bottom as the steps; the parts live beside it:
 * http_parse.c (the request parser), request.c (which response),
 * files.c (paths that stay inside ROOT), listing.c, response.c (heads),
 * conn.c (a connection's state machine) and server.c (the event loop).
 */
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "addr.h"
#include "cache.h"
#include "cli.h"
#include "config.h"
#include "conn.h"
#include "httpd.h"
#include "io.h"
#include "loop.h"
#include "options.h"
#include "step.h"
#include "trace.h"

static void open_root(struct httpd_config *);
static int open_listener(const struct options *, int, char *, size_t,
    unsigned *);
static void raise_fd_limit(const struct httpd_config *);

int
main(int argc, char *argv[])
{
	static struct options opt;	/* static: cfg holds a PATH_MAX buffer */
	struct httpd_config *cfg = &opt.cfg;
	struct server srv;
	char where[ADDR_STRLEN], port[16];
	unsigned portnum;
	pid_t kids[MAX_WORKERS];
	int lfd, i, rc, nkids = 0;

	cli_init(argv[0]);
	if ((rc = parse_options(argc, argv, &opt)) != CLI_RUN)
		return rc;

	/* The document root, opened once: every file is opened relative to it. */
	open_root(cfg);
	/* --upload, --cgi-bin, --error-page: below ROOT, checked once. */
	if ((rc = config_check(cfg)) != CLI_RUN)
		return rc;
	raise_fd_limit(cfg);

	/* Steps 1 to 4: socket, setsockopt, bind, listen (lessons/01-04). */
	lfd = open_listener(&opt, opt.workers > 1, where, sizeof(where),
	    &portnum);
	trace_status("listening on %s", where);
	trace_status("serving %s: open http://%s%s%s:%u/ (%s, %d worker%s)",
	    cfg->root_real, opt.bind_addr && strchr(opt.bind_addr, ':') ?
	    "[" : "", opt.bind_addr ? opt.bind_addr : "localhost",
	    opt.bind_addr && strchr(opt.bind_addr, ':') ? "]" : "", portnum,
	    loop_backend(), opt.workers, opt.workers > 1 ? "s" : "");

	/* SIGINT and SIGTERM end the loop, so connections close cleanly. */
	cli_catch_stop();

	/* --workers: more processes, each with its own listening socket on
	 * the same port (SO_REUSEPORT); the kernel spreads connections. */
	for (i = 1; i < opt.workers; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die_errno(errno, STEP_NONE, NULL, "cannot fork worker");
		if (pid == 0) {
#ifdef __linux__
			prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
			step_close(lfd);
			snprintf(port, sizeof(port), "%u", portnum);
			opt.port = port;
			lfd = open_listener(&opt, 1, where, sizeof(where),
			    &portnum);
			nkids = 0;
			break;
		}
		kids[nkids++] = pid;
		trace_event("fork", "fork() = %d (worker %d)", (int)pid, i + 1);
	}

	/* Steps 5 to 9 for every connection, in one event loop. */
	if (server_init(&srv, cfg, lfd) < 0)
		die_errno(errno, STEP_NONE, NULL, "cannot start the event loop");
	if (server_run(&srv) < 0)
		trace_error("event loop failed: %s", strerror(errno));
	server_free(&srv);
	cache_free();
	config_free();
	fflush(stdout);

	/* Step 9, close: stop listening, and stop the workers. */
	step_close(lfd);
	for (i = 0; i < nkids; i++)
		kill(kids[i], SIGTERM);
	for (i = 0; i < nkids; i++)
		waitpid(kids[i], NULL, 0);
	if (step_stop)
		cli_exit_stopped();	/* 130 or 143, as for every tool */
	return EX_OK;
}

/* Open ROOT as a directory and resolve its real path: exit 77 if we may
 * not read and search it, 64 if it is missing or no directory. */
static void
open_root(struct httpd_config *cfg)
{
	int err = 0;

	cfg->root_fd = open(cfg->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	/* Opening needs read permission; serving needs search (x) too. */
	if (cfg->root_fd < 0 || access(cfg->root, R_OK | X_OK) < 0 ||
	    realpath(cfg->root, cfg->root_real) == NULL)
		err = errno;
	if (err == EACCES || err == EPERM)
		die_errno(err, STEP_NONE, cfg->root, "cannot serve '%s'",
		    cfg->root);
	if (err != 0)
		die(EX_USAGE, "cannot serve '%s': %s", cfg->root,
		    strerror(err));
}

/* Allow enough descriptors for --max-conns (up to the hard limit). */
static void
raise_fd_limit(const struct httpd_config *cfg)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)cfg->max_conns + SPARE_CONNS + 64;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want ?
	    rl.rlim_max : want;
	if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
		trace_event("setrlimit", "setrlimit(RLIMIT_NOFILE, %llu) = 0",
		    (unsigned long long)rl.rlim_cur);
	if ((unsigned long long)rl.rlim_cur < want)
		trace_status("warning: only %llu descriptors allowed (ulimit -n);"
		    " fewer than --max-conns %d", (unsigned long long)rl.rlim_cur,
		    cfg->max_conns);
}

/* Steps 1 to 4 for the listening socket; its address goes to where. */
static int
open_listener(const struct options *opt, int reuseport, char *where,
    size_t size, unsigned *port)
{
	struct addrinfo *res, *ai;
	struct sockaddr_storage local;
	struct addr_failure failed = { 0, "" };
	socklen_t len;
	int fd = -1, rc;

	/* Which local addresses may we bind? (lessons/03-bind.md) */
	rc = addr_resolve(opt->bind_addr, opt->port, opt->cli.family, SOCK_STREAM,
	    1, &res);
	if (rc != 0)
		die(EX_NOHOST, "cannot resolve local address '%s': %s",
		    opt->bind_addr, gai_strerror(rc));
	for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
		addr_format(ai->ai_addr, ai->ai_addrlen, where, size);
		/* Step 1, socket (lessons/01-socket.md). */
		if ((fd = step_socket(ai->ai_family, ai->ai_socktype,
		    ai->ai_protocol)) < 0) {
			addr_failure_note(&failed, errno, where);
			continue;
		}
		/* Step 2, setsockopt: before bind (lessons/02-setsockopt.md). */
		step_setsockopt_int(fd, SOL_SOCKET, SO_REUSEADDR, 1);
#ifdef SO_REUSEPORT
		if (reuseport)
			step_setsockopt_int(fd, SOL_SOCKET, SO_REUSEPORT, 1);
#endif
		if (ai->ai_family == AF_INET6 && opt->bind_addr == NULL)
			step_setsockopt_int(fd, IPPROTO_IPV6, IPV6_V6ONLY,
			    opt->cli.family == AF_INET6);
		/* Inherited by accepted sockets: small responses leave at once. */
		step_setsockopt_int(fd, IPPROTO_TCP, TCP_NODELAY, 1);
		/* Step 3, bind (lessons/03-bind.md). */
		if (step_bind(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
			addr_failure_note(&failed, errno, where);
			step_close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd < 0)
		die_errno(failed.err, STEP_BIND, failed.where, "cannot bind %s",
		    failed.where);
	/* Step 4, listen: a long queue for bursts (lessons/04-listen.md). */
	if (step_listen(fd, 4096) < 0)
		die_errno(errno, STEP_LISTEN, where, "cannot listen on %s", where);
	/* The loop must never block in accept(). */
	io_nonblock(fd, 1);
	len = sizeof(local);
	addr_local(fd, &local, &len, where, size);
	*port = addr_port((struct sockaddr *)&local);
	return fd;
}
