/*
 * conn.h - one connection's state machine, and the server that owns the
 * connections, the event loop and the buffer pool.
 *
 *   IDLE --a byte--> READ_HEAD --head parsed--> SEND --sent--> IDLE
 *                                                |  (keep-alive; READ_HEAD
 *                                                |   if pipelined bytes wait,
 *                                                |   READ_BODY if a body
 *                                                |   is to be dropped first)
 *                                                +--sent, close--> LINGER
 *   READ_BODY --body dropped--> IDLE / READ_HEAD  LINGER --EOF--> CLOSED
 *
 *   READ_HEAD --upload or script--> STORE_BODY --body whole--> SEND (upload)
 *                                        |
 *                                        +--> CGI_WAIT --output--> SEND --+
 *                                                ^                        |
 *                                                +--piece sent------------+
 *
 * The state changes only in conn_set_state() (conn_state.c), which narrates it
 * at -v and arms the state's deadline; what the loop watches the socket
 * for is derived from the state when a handler returns (state_events).
 *
 * A connection holds a buffer (struct iobuf) only while a request is in
 * progress; an idle keep-alive connection costs one struct conn, so ten
 * thousand idle clients fit in a few hundred kilobytes.
 */
#ifndef MINI_HTTPD_CONN_H
#define MINI_HTTPD_CONN_H

#include <sys/types.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <signal.h>

#include "http_parse.h"
#include "httpd.h"
#include "request.h"
#include "loop.h"

enum conn_state {
	CLOSED,			/* the slot is free */
	IDLE,			/* waiting for a request: --timeout */
	READ_HEAD,		/* part of a head is in: --header-timeout */
	READ_BODY,		/* dropping a request body: --header-timeout */
	STORE_BODY,		/* keeping a body (upload, script): --body-timeout */
	CGI_WAIT,		/* waiting for a script's output: --cgi-timeout */
	SEND,			/* sending a response: --timeout without progress */
	LINGER			/* response sent, write side shut: draining */
};

/* The input buffer of a request in progress, taken from a pool. */
struct cgi;
struct job;

struct iobuf {
	struct http_request req;	/* the request being answered */
	size_t in_len;		/* bytes in in[] */
	char in[];		/* received bytes: cfg->max_head of them */
};

/* Objects of one size, reused: a freed object holds the list's link. */
struct pool {
	void *free;		/* the first free object, or NULL */
	size_t size;		/* bytes per object */
};

struct conn {
	struct server *srv;	/* the server it belongs to */
	int fd;
	unsigned char state;	/* enum conn_state: only conn_set_state() */
	unsigned char watch;	/* LOOP_READ or LOOP_WRITE, as registered */
	unsigned char spare;	/* over --max-conns: answered 503 */
	struct conn *next_free;
	struct iobuf *io;	/* NULL while idle */
	struct scratch *out;	/* NULL unless answering */
	struct loop_timer deadline;	/* the state's deadline: conn_timeout */
	unsigned long long discard;	/* request body bytes still to drop */
	struct job *job;	/* a body kept, a script run (job.h), or NULL */
	struct response res;	/* the response being sent */
	size_t sent;		/* bytes of head + body already sent */
	union {
		struct sockaddr sa;
		struct sockaddr_in in4;
		struct sockaddr_in6 in6;
	} peer;
};

struct server {
	const struct httpd_config *cfg;
	struct loop *loop;
	int lfd;		/* the listening socket */
	int accepting;		/* lfd is watched for connections */
	struct conn *conns;	/* max_conns + spare slots */
	int nslots, high;	/* slots; slots ever used */
	int active;		/* connections open */
	struct conn *free_conns;
	struct pool io_pool;	/* struct iobuf + cfg->max_head bytes */
	struct pool out_pool;	/* struct scratch */
	int logged;		/* access-log lines waiting for a flush */
	struct loop_timer retry;	/* out of descriptors: accept again later */
	struct loop_timer flusher;	/* flushes the log once a round is done */
	struct cgi *scripts;	/* scripts started, until reaped (cgi.c) */
	int chld_read;		/* the SIGCHLD self-pipe's read end, or -1 */
};

/* Connection slots kept beyond --max-conns to answer 503 politely. */
#define SPARE_CONNS 32

/* Set up a server for listening socket lfd; 0, or -1 with errno. */
int server_init(struct server *s, const struct httpd_config *cfg, int lfd);
/* Serve until a caught SIGINT/SIGTERM (step_stop); 0, or -1 with errno. */
int server_run(struct server *s);
/* A slot or a descriptor is free again: watch the listener again. */
void server_resume(struct server *s);
/* Close every connection and free what server_init() took. */
void server_free(struct server *s);

/* Accept a new connection from the listener (server.c calls this). */
void conn_accept(struct server *s, int fd, const struct sockaddr *peer,
    socklen_t len);
/* Close c and give its slot and buffer back. */
void conn_close(struct server *s, struct conn *c);
/* conn_state.c: the one place c's state changes (narrated at -v,
 * deadline armed). */
void conn_set_state(struct server *s, struct conn *c, enum conn_state to);
/* Start sending c->res (from any state; the loop interest follows). */
void conn_start_send(struct server *s, struct conn *c);
/* The same from a loop callback that is not the connection's own (a
 * script's output): a pipelined request waiting behind is read too. */
void conn_start_send_from_loop(struct server *s, struct conn *c);
/* Drop the first n received bytes, keeping what follows them. */
void conn_consume(struct iobuf *io, size_t n);
/* conn_state.c: watch c's socket for what its state waits for. */
void conn_watch(struct server *s, struct conn *c);
/* conn_state.c: true in the states that read requests. */
int conn_reading(const struct conn *c);

/* A free connection slot, or NULL if all are taken. */
struct conn *server_slot(struct server *s);
/* Write the access-log line for c's finished response (server.c). */
void server_log(struct server *s, struct conn *c);
/* An object from the pool (allocated on first use); NULL if out of memory. */
void *pool_get(struct pool *p);
/* Give an object back to its pool. */
void pool_put(struct pool *p, void *obj);

#endif
