/*
 * server.h - what the parts of tcp-server share: its options, one
 * client's steps (client.c), and the ways to serve many clients, one
 * file each (lessons/12-many-clients.md):
 *
 *   iterative.c  one client at a time; the others wait in the accept queue
 *   fork.c       a child process per client, reaped on SIGCHLD
 *   thread.c     a thread per client, detached, at most --max-clients
 *   poll.c       one process, non-blocking sockets, the event loop (loop.h)
 *   chat.c       the event loop again, relaying lines between clients
 */
#ifndef TCP_SERVER_H
#define TCP_SERVER_H

#include <stddef.h>

#include "cli.h"
#include "loop.h"

struct options {
	struct cli_common cli;	/* -4 / -6, -q / -v */
	const char *bind_addr;	/* -b: local address, NULL for all */
	const char *port;	/* PORT as given (0: the kernel picks) */
	int keep;		/* -k: serve clients until killed */
	int echo;		/* --echo: send every byte back */
	int chat;		/* --chat: relay lines between clients */
	int model;		/* --model: enum model_index */
	int max_clients;	/* --max-clients: connected at once */
	int reuseaddr;		/* SO_REUSEADDR (off with --no-reuseaddr) */
	int backlog;		/* --backlog: length of the accept queue */
	int nodelay;		/* --nodelay: TCP_NODELAY on each client */
	int linger;		/* --linger: SO_LINGER seconds, -1 for off */
	int rcvbuf, sndbuf;	/* --rcvbuf / --sndbuf, 0 for the default */
	int splice;		/* --splice: relay with splice(2) (Linux) */
};

/* The models --model names, in the order of model_names (tcp-server.c).
 * Without --model: poll for --echo -k, iterative otherwise. */
enum model_index {
	MODEL_UNSET = -1,
	MODEL_ITERATIVE, MODEL_FORK, MODEL_THREAD, MODEL_POLL
};

/* What a client over --max-clients reads before the server closes it. */
#define SERVER_BUSY_NOTICE "server busy: too many clients, try again later\n"

/* Step 5 for the blocking models: accept one client, announce it, put its
 * address in who; the new descriptor, or -1 with errno (reported). */
int accept_client(int lfd, char *who, size_t size);
/* True for the accept errors that mean "no descriptor left". */
int out_of_descriptors(int err);
/* Step 2 for an accepted client: the per-connection options. */
void client_options(int fd, const struct options *opt);
/* Steps 2, 7 and 8 for one client with blocking I/O: its options, then
 * echo or relay until it is done; reports a failure and returns the exit
 * status the connection deserves. The caller closes fd (step 9). */
int serve_client(int fd, const char *who, const struct options *opt);
/* Step 9 for a client served with status: close, and say so. */
void close_client(int fd, const char *who, int status);
/* Over --max-clients: send the busy notice, close, and say so. */
void refuse_client(int fd, const char *who, int max_clients);

/* For the event-loop models (poll, chat): a loop that calls
 * on_listener(ctx) when the (now non-blocking) listener has a client;
 * NULL with errno. run_loop() runs it until stopped, then frees it, and
 * returns the exit status. */
struct loop *listener_loop(int lfd, loop_io_fn *on_listener, void *ctx);
int run_loop(struct loop *l);
/* Step 5 for the event-loop models: accept a client of the ready
 * listener, refuse it when serving already reaches --max-clients, make it
 * non-blocking with its options; its fd, or -1 (none to serve now). */
int accept_loop_client(struct loop *l, int lfd, int serving,
    const struct options *opt, char *who, size_t size);
/* A client that cannot be served after all: say why (errno), close it. */
void drop_client(int fd, const char *who);

/* Each model runs steps 5 to 9 for every client; its exit status. */
int serve_iterative(int lfd, const struct options *opt);
int serve_fork(int lfd, const struct options *opt);
int serve_thread(int lfd, const struct options *opt);
int serve_poll(int lfd, const struct options *opt);
int serve_chat(int lfd, const struct options *opt);

#endif
