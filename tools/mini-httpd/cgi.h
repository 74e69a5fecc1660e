/*
 * cgi.h - CGI scripts (RFC 3875): which paths are scripts, the
 * environment they get, running them with fork/exec, and their output
 * read through non-blocking pipes on the server's event loop, so that a
 * slow script never holds up another client.
 *
 * The request body is read whole first (body.c) and the script gets it
 * on stdin as a file: the script never sees half a body, a body over
 * --max-body is refused before anything runs, and no pipe can fill up
 * in both directions at once.
 */
#ifndef MINI_HTTPD_CGI_H
#define MINI_HTTPD_CGI_H

#include <sys/types.h>
#include <sys/socket.h>

#include "cgi_head.h"
#include "http_parse.h"
#include "httpd.h"
#include "loop.h"
#include "text.h"

struct server;
struct conn;

/* Bytes of script output read (and sent on) at a time. */
#define CGI_BUF (16 * 1024)

/* How the script's body reaches the client. */
enum cgi_framing { CGI_CHUNKED, CGI_LENGTH, CGI_CLOSE };

struct cgi {
	struct server *srv;
	struct conn *conn;	/* the client, NULL once it is gone */
	struct cgi *next;	/* the server's list of scripts */
	pid_t pid;		/* the script (and its process group); 0 once reaped */
	int out, err;		/* read ends of its stdout and stderr, or -1 */
	/* What to run: */
	char real[PATH_MAX];	/* the script's real path */
	const char *interp;	/* its --cgi interpreter, or NULL: #! */
	char name[256];		/* its URL path, for SCRIPT_NAME and stderr */
	char path_info[PATH_MAX];	/* decoded, "" if none */
	struct growbuf env;	/* "NAME=value\0" ... */
	/* Its output: */
	char buf[CGI_BUF];	/* read from its stdout */
	size_t len;
	int head_done;		/* its head was read and answered */
	int framing;		/* enum cgi_framing */
	int head_only;		/* HEAD, or a 204/304: no body is sent */
	int minor;		/* the request's HTTP/1.minor */
	int keep_alive;		/* ... and whether it allows another */
	int method_get;		/* GET or HEAD: a local redirect may follow */
	int done;		/* the response's last bytes are queued */
	int eof;		/* its stdout is closed */
	int chunks;		/* chunks sent (CGI_CHUNKED) */
	int status;		/* the response's status */
	unsigned long long left;	/* CGI_LENGTH: bytes still to send */
	unsigned long long sent;	/* body bytes sent, for the log */
	char head[CGI_HEAD_MAX + 1024];	/* the response head, or a chunk line */
};

/* Whether rel (decoded, below ROOT) names a CGI script, or a path below
 * one ("/cgi-bin/env.py/extra"): 0 if not (serve it as a file), 1 with
 * *out a new struct cgi for it, or an error status (403: a script that
 * may not run; 500). */
int cgi_find(const struct httpd_config *cfg, const char *rel,
    struct cgi **out);

/* cgi_env.c: write the RFC 3875 meta-variables of the request into
 * g->env, from its head (head: the buffer req was parsed from, still
 * unchanged), the peer and the socket fd; CONTENT_LENGTH and
 * CONTENT_TYPE come later (cgi_start). 0 or -1. */
int cgi_environment(struct cgi *g, const struct httpd_config *cfg,
    const struct http_request *req, const char *head,
    const struct sockaddr *peer, int fd);

/* Run g for connection c with the body in file body (or -1) of length
 * body_len (-1: no body): fork, exec, pipes on the loop. 0, or -1 with
 * errno (then answer 500). */
int cgi_start(struct server *s, struct conn *c, struct cgi *g, int body,
    long long body_len);

/* The client is done with g (answered, gone, or timed out): kill the
 * script's process group if it still runs; g is freed once reaped. */
void cgi_release(struct server *s, struct cgi *g);

/* Watch for ended scripts (a SIGCHLD self-pipe on the loop): 0 or -1. */
int cgi_init(struct server *s);
/* Kill every script still running and wait for them (at exit). */
void cgi_shutdown(struct server *s);

/* Stop reading fd, one of g's pipes, and close it (fd becomes -1). */
void cgi_close_pipe(struct server *s, int *fd);

/* cgi_io.c: the response sent: watch the script's output again. */
void cgi_resume(struct server *s, struct cgi *g);
/* cgi_io.c: the loop's callbacks on the script's stdout and stderr. */
void cgi_on_out(struct loop *l, int fd, int events, void *ctx);
void cgi_on_err(struct loop *l, int fd, int events, void *ctx);
/* cgi_io.c: the script said nothing for --cgi-timeout: 504 (or close). */
void cgi_timeout(struct server *s, struct cgi *g);

#endif
