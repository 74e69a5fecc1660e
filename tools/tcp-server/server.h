/*
 * server.h - what the parts of tcp-server share: its options, one
 * connection's steps (conn.c), and the ways to serve many clients, one
 * file each (lessons/12-many-clients.md):
 *
 *   iterative.c  one client at a time; the others wait in the accept queue
 *   fork.c       a child process per client, reaped on SIGCHLD
 *   thread.c     a thread per client, detached, at most --max-clients
 *   poll.c       one process, non-blocking sockets, the event loop (loop.h)
 *   chat.c       the poll model again, relaying lines between clients
 */
#ifndef TCP_SERVER_H
#define TCP_SERVER_H

#include <stddef.h>

struct options {
	const char *bind_addr;	/* -b: local address, NULL for all */
	const char *port;	/* PORT as given (0: the kernel picks) */
	int family;		/* -4 / -6, else AF_UNSPEC */
	int keep;		/* -k: serve clients until killed */
	int echo;		/* --echo: send every byte back */
	int chat;		/* --chat: relay lines between clients */
	int model;		/* --model: index into server_models[] */
	int max_clients;	/* --max-clients: connected at once */
	int reuseaddr;		/* SO_REUSEADDR (off with --no-reuseaddr) */
	int backlog;		/* --backlog: length of the accept queue */
	int nodelay;		/* --nodelay: TCP_NODELAY on each client */
	int linger;		/* --linger: SO_LINGER seconds, -1 for off */
	int rcvbuf, sndbuf;	/* --rcvbuf / --sndbuf, 0 for the default */
};

/* One way of serving clients: runs steps 5 to 9 until done (without -k,
 * after one client), and returns the exit status. */
struct model {
	const char *name;
	int (*serve)(int lfd, const struct options *opt);
};

/* The models --model accepts, ended by a NULL name (tcp-server.c). */
extern const struct model server_models[];

/* The default model for --echo -k and --chat; iterative otherwise. */
#define SERVER_DEFAULT_MODEL "poll"

/* What a client over --max-clients reads before the server closes it. */
#define SERVER_BUSY_NOTICE "server busy: too many clients, try again later\n"

/* Step 5: accept one client, narrate it, put its address in who;
 * the new descriptor, or -1 with errno set (reported). */
int conn_accept(int lfd, char *who, size_t size);
/* Step 5 for poll and chat: as conn_accept, but out of descriptors it
 * stops watching the listener (sets *paused) until conn_resume(). */
struct loop;
int conn_accept_loop(struct loop *l, int lfd, int *paused, char *who,
    size_t size);
/* After a client has left: watch the listener again if it was paused. */
void conn_resume(struct loop *l, int lfd, int *paused);
/* Step 2 for an accepted client: the per-connection options. */
void conn_options(int fd, const struct options *opt);
/* Steps 7 to 9 for one client with blocking I/O: echo or relay, then
 * close; returns the exit status the connection deserves. */
int conn_serve(int fd, const char *who, const struct options *opt);
/* Over --max-clients: send the busy notice, close, and say so. */
void conn_refuse(int fd, const char *who, int max_clients);

int serve_iterative(int lfd, const struct options *opt);
int serve_fork(int lfd, const struct options *opt);
int serve_thread(int lfd, const struct options *opt);
int serve_poll(int lfd, const struct options *opt);
int serve_chat(int lfd, const struct options *opt);

#endif
