/*
 * request.h - deciding the response to one parsed request: which file,
 * which status (conditional requests, ranges, errors), which headers.
 */
#ifndef MINI_HTTPD_REQUEST_H
#define MINI_HTTPD_REQUEST_H

#include <sys/types.h>
#include <stddef.h>

#include "http_parse.h"
#include "httpd.h"
#include "listing.h"

/* Files up to this size are read into memory and sent with the head in
 * one writev; larger ones go out with sendfile. */
#define SMALL_FILE (16 * 1024)

/* Per-request scratch space; pooled, so a request costs no malloc. */
struct scratch {
	char head[1024];	/* the response head */
	char page[SMALL_FILE];	/* an error page or a small file's bytes */
	struct growbuf big;	/* a directory listing (kept, reused) */
};

/* What to send: head, then body bytes, then a file range. */
struct response {
	int status;
	int close;		/* close the connection after this response */
	int linger;		/* the client may still be sending: drain first */
	const char *head;
	size_t head_len;
	const char *body;	/* bytes after the head (not for HEAD) */
	size_t body_len;
	int body_cached;	/* body points into the file cache */
	int fd;			/* a file to send after them, or -1 */
	off_t off;		/* where in the file to start */
	unsigned long long len;	/* how many file bytes to send */
	unsigned long long log_bytes;	/* body bytes, for the access log */
	const char *allow;	/* a 405's Allow, if not "GET, HEAD" */
	struct job *job;	/* a body to read, a script to run (job.h) */
};

/* Decide the response to a request that http_parse() returned rc for. */
void request_answer(const struct httpd_config *cfg,
    const struct http_request *req, int rc, struct scratch *s,
    struct response *res);

/* An error response with its small page (408, 503 ...), then close. */
void request_error(int status, struct scratch *s, struct response *res);

/* An error status with its page (the --error-page, or our own); close
 * says whether the connection closes after it. */
void request_error_page(int status, const struct http_request *req,
    struct scratch *s, struct response *res, int close);

/* request_dir.c: 301 to the directory rel with a '/' added (built from
 * the resolved path, so it can only name a path on this server), the
 * query kept. */
void request_redirect_slash(const struct http_request *req, const char *rel,
    struct http_span query, struct scratch *s, struct response *res);

/* request_dir.c: 200 with the listing of directory fd (rel below ROOT),
 * or 304/412 as the preconditions say. */
void request_listing(const struct httpd_config *cfg,
    const struct http_request *req, int fd, const char *rel,
    struct scratch *s, struct response *res);

/* route.c: answer a request that the upload area or a CGI script
 * takes (a job in res->job, or a status); 0 if it is a plain file's. */
int route_request(const struct httpd_config *cfg,
    const struct http_request *req, struct scratch *s, struct response *res);

/* route.c: the response once a stored body is in place: 201 with the Location of
 * rel, 204, or an error (409, 500 ...). */
void request_stored(int status, const char *rel, const struct http_request *req,
    struct scratch *s, struct response *res);

/* Answer req (a GET, or a CGI local redirect) with the file it names;
 * 0 if it names a script (not run from here). */
int request_file(const struct httpd_config *cfg, const struct http_request *req,
    struct scratch *s, struct response *res);

#endif
