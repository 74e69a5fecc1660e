/*
 * conn.h - one connection's state machine, and the server that owns the
 * connections, the event loop and the buffer pool.
 *
 *   READ  --head parsed-->  SEND  --all sent, keep-alive-->  READ
 *                            |--all sent, close-->  LINGER  --EOF-->  closed
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

enum conn_state {
	C_FREE,			/* the slot is unused */
	C_READ,			/* reading a request head (or a body to drop) */
	C_SEND,			/* sending a response */
	C_LINGER		/* response sent, write side shut: draining */
};

/* The input buffer of a request in progress, taken from a pool. */
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
	int fd;
	unsigned char state;	/* enum conn_state */
	unsigned char watch;	/* LOOP_READ or LOOP_WRITE, as registered */
	unsigned char spare;	/* over --max-conns: answered 503 */
	struct conn *next_free;
	struct iobuf *io;	/* NULL while idle */
	struct scratch *out;	/* NULL unless answering */
	long long deadline;	/* ms on the monotonic clock */
	unsigned long long discard;	/* request body bytes still to drop */
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
	long long now;		/* ms, read once per wake-up */
	int logged;		/* access-log lines waiting for a flush */
};

/* Connection slots kept beyond --max-conns to answer 503 politely. */
#define SPARE_CONNS 32

/* Set up a server for listening socket lfd; 0, or -1 with errno. */
int server_init(struct server *s, const struct httpd_config *cfg, int lfd);
/* Serve until *stop is set (by a signal); 0, or -1 with errno. */
int server_run(struct server *s, volatile sig_atomic_t *stop);
/* Close every connection and free what server_init() took. */
void server_free(struct server *s);

/* Accept a new connection from the listener (server.c calls this). */
void conn_accept(struct server *s, int fd, const struct sockaddr *peer,
    socklen_t len);
/* Handle events on c (LOOP_READ / LOOP_WRITE / LOOP_ERROR). */
void conn_event(struct server *s, struct conn *c, int events);
/* c's deadline has passed: 408, or close. */
void conn_timeout(struct server *s, struct conn *c);
/* Close c and give its slot and buffer back. */
void conn_close(struct server *s, struct conn *c);

/* A free connection slot, or NULL if all are taken. */
struct conn *server_slot(struct server *s);
/* Write the access-log line for c's finished response (server.c). */
void server_log(struct server *s, struct conn *c);
/* An object from the pool (allocated on first use); NULL if out of memory. */
void *pool_get(struct pool *p);
/* Give an object back to its pool. */
void pool_put(struct pool *p, void *obj);

#endif
