/*
 * request.c - from a parsed request to a response: method and framing
 * checks, the file (or index.html, or a listing, or a redirect: those two
 * are built in request_dir.c), then conditional requests and ranges
 * (precond.c).
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "cgi.h"
#include "config.h"
#include "files.h"
#include "job.h"
#include "precond.h"
#include "request.h"
#include "response.h"
#include "text.h"
#include "upload.h"

/* What request_answer() found out about the file, for its headers. */
struct entity {
	int fd;
	unsigned long long size;
	const char *type;
	char etag[FILES_ETAG_LEN];
	char modified[HTTP_DATE_LEN];
	time_t mtime;
	const char *bytes;	/* the whole file, from the cache, or NULL */
	const char *fields;	/* a 200's header fields, from the cache */
	size_t fields_len;
};

/* Reset res to "nothing to send yet". */
static void
clear(struct response *res)
{
	memset(res, 0, sizeof(*res));
	res->fd = -1;
}

/* An error page response: the --error-page for status if there is one,
 * else a small page of our own; keep-alive is left to the caller. */
static void
error_page(int status, const struct http_request *req, struct scratch *s,
    struct response *res, int close)
{
	const char *type = "text/html; charset=utf-8", *page;
	struct head h;
	size_t len;

	res->status = status;
	res->close = close;
	if ((page = config_error_page(status, &len, &type)) != NULL) {
		res->body = page;	/* read at start-up, kept until exit */
		res->body_len = len;
	} else {
		res->body = s->page;
		res->body_len = resp_error_page(s->page, sizeof(s->page), status);
	}
	res->log_bytes = req && req->method_id == HTTP_M_HEAD ? 0 :
	    res->body_len;
	resp_start(&h, s->head, sizeof(s->head), status);
	if (status == 405)
		resp_add(&h, "Allow: %s", res->allow ? res->allow : "GET, HEAD");
	resp_add(&h, "Content-Type: %s", type);
	resp_add(&h, "Content-Length: %zu", res->body_len);
	resp_end(&h, close, req && req->minor == 0 && !close);
	res->head = s->head;
	res->head_len = h.len;
	if (req != NULL && req->method_id == HTTP_M_HEAD)
		res->body_len = 0;
}

/* An error status with its page (see request.h). */
void
request_error_page(int status, const struct http_request *req,
    struct scratch *s, struct response *res, int close)
{
	error_page(status, req, s, res, close);
}

/* An error response with its small page, then close. */
void
request_error(int status, struct scratch *s, struct response *res)
{
	clear(res);
	res->linger = 1;
	error_page(status, NULL, s, res, 1);
}

/* Where count bytes of e from offset from come from: a small body travels
 * in the same writev as the head; a large one goes out with sendfile. */
static void
place_body(struct entity *e, unsigned long long from, unsigned long long count,
    struct scratch *s, struct response *res)
{
	if (e->bytes != NULL) {
		res->body = e->bytes + from;
		res->body_len = count;
		res->body_cached = 1;
	} else if (count <= sizeof(s->page) &&
	    pread(e->fd, s->page, count, (off_t)from) == (ssize_t)count) {
		res->body = s->page;
		res->body_len = count;
	} else {
		res->fd = e->fd;
		res->off = (off_t)from;
		res->len = count;
		e->fd = -1;	/* now res's to close */
	}
}

/* The response for a regular file: 200, 206, 304, 412 or 416. */
static void
send_file(const struct http_request *req, struct entity *e,
    struct scratch *s, struct response *res)
{
	unsigned long long from = 0, count = e->size;
	int range = 0, head = req->method_id == HTTP_M_HEAD, cond;
	struct head h;

	cond = precond_check(req, e->etag, &e->mtime, time(NULL));
	if (cond == 412) {
		error_page(412, req, s, res, res->close);
		return;
	}
	res->status = cond == 304 ? 304 : 200;
	if (res->status == 200 && precond_range_applies(req, e->etag))
		range = precond_range(req->range.v[0], e->size, &from, &count);
	if (range == 416)
		res->status = 416;
	else if (range == 1)
		res->status = 206;

	resp_start(&h, s->head, sizeof(s->head), res->status);
	if (res->status == 416) {
		res->body = s->page;
		res->body_len = resp_error_page(s->page, sizeof(s->page), 416);
		resp_add(&h, "Content-Range: bytes */%llu", e->size);
		resp_add(&h, "Content-Type: text/html; charset=utf-8");
		resp_add(&h, "Content-Length: %zu", res->body_len);
		res->log_bytes = res->body_len;
		if (head)
			res->body_len = 0;
	} else {
		if (res->status == 200 && e->fields_len > 0) {
			resp_raw(&h, e->fields, e->fields_len);
		} else {
			if (res->status != 304) {
				resp_add(&h, "Content-Type: %s", e->type);
				resp_add(&h, "Content-Length: %llu", count);
			}
			if (res->status == 206)
				resp_add(&h, "Content-Range: bytes %llu-%llu/%llu",
				    from, from + count - 1, e->size);
			resp_add(&h, "Last-Modified: %s", e->modified);
			resp_add(&h, "ETag: %s", e->etag);
			resp_add(&h, "Accept-Ranges: bytes");
		}
	}
	resp_end(&h, res->close, req->minor == 0 && !res->close);
	res->head = s->head;
	res->head_len = h.len;
	if (res->status == 200 || res->status == 206) {
		res->log_bytes = head ? 0 : count;
		if (!head)
			place_body(e, from, count, s, res);
	}
}

/* Fill e from the open file fd named rel; 0, or an error status. */
static int
describe(int fd, const char *rel, struct entity *e)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return 500;
	memset(e, 0, sizeof(*e));
	e->fd = fd;
	e->size = (unsigned long long)st.st_size;
	e->type = files_mime(rel);
	files_validators(&st, time(NULL), e->etag, &e->mtime);
	resp_date(e->mtime, e->modified);
	return S_ISDIR(st.st_mode) ? 1 : S_ISREG(st.st_mode) ? 0 : 403;
}

/* Answer from the cache if rel is a small file there; 1 if answered. */
static int
from_cache(const struct httpd_config *cfg, const struct http_request *req,
    const char *rel, struct scratch *s, struct response *res)
{
	const struct cache_entry *ce = cache_get(cfg, rel, sizeof(s->page));
	struct entity e;

	if (ce == NULL || !ce->small)
		return 0;
	memset(&e, 0, sizeof(e));
	e.fd = -1;
	e.size = ce->size;
	e.mtime = ce->mtime;
	e.type = ce->type;
	memcpy(e.etag, ce->etag, sizeof(e.etag));
	memcpy(e.modified, ce->modified, sizeof(e.modified));
	e.bytes = ce->bytes;
	e.fields = ce->fields;
	e.fields_len = ce->fields_len;
	send_file(req, &e, s, res);
	return 1;
}

/* A directory, open on fd, named rel (with room for "/index.html"): its
 * index.html, else a listing (or 403 with --no-listing). */
static void
answer_dir(const struct httpd_config *cfg, const struct http_request *req,
    int fd, char *rel, size_t size, struct scratch *s, struct response *res)
{
	size_t n = strlen(rel);
	struct entity e;

	snprintf(rel + n, size - n, "%sindex.html", n ? "/" : "");
	if (from_cache(cfg, req, rel, s, res)) {
		close(fd);
		return;
	}
	if (files_open(cfg, rel, &e.fd) == 0) {
		if (describe(e.fd, rel, &e) == 0) {
			close(fd);
			send_file(req, &e, s, res);
			if (e.fd >= 0)
				close(e.fd);
			return;
		}
		close(e.fd);
	}
	rel[n] = '\0';
	if (cfg->listing)
		request_listing(cfg, req, fd, rel, s, res);
	else
		error_page(403, req, s, res, res->close);
	close(fd);
}

/* Find what the path names and answer with it. */
static void
answer_path(const struct httpd_config *cfg, const struct http_request *req,
    struct scratch *s, struct response *res)
{
	char rel[PATH_MAX];
	struct http_span path, query;
	struct entity e;
	int dir, fd, status, kind;

	status = files_target(req->target, cfg->dotfiles, rel,
	    sizeof(rel) - 16, &path, &query, &dir);
	/* The cache holds files; a path ending in '/' names a directory. */
	if (status == 0 && !dir && from_cache(cfg, req, rel, s, res))
		return;
	if (status == 0)
		status = files_open(cfg, rel, &fd);
	if (status != 0) {
		error_page(status, req, s, res, res->close);
		return;
	}
	kind = describe(fd, rel, &e);
	if (kind == 0 && dir)
		kind = 404;	/* "/file.txt/": a file is not a directory */
	if (kind == 1 && path.p[path.n - 1] != '/') {
		/* "/dir" or "/dir/.": send the client to "/dir/", so that
		 * the relative links of a listing resolve below it. */
		close(fd);
		request_redirect_slash(req, rel, query, s, res);
		return;
	}
	if (kind == 1) {
		answer_dir(cfg, req, fd, rel, sizeof(rel), s, res);
		return;
	}
	if (kind != 0) {
		close(fd);
		error_page(kind, req, s, res, res->close);
		return;
	}
	e.fd = fd;
	send_file(req, &e, s, res);
	if (e.fd >= 0)
		close(e.fd);
}

/* Decide the response to a request that http_parse() returned rc for. */
void
request_answer(const struct httpd_config *cfg, const struct http_request *req,
    int rc, struct scratch *s, struct response *res)
{
	clear(res);
	/* Malformed: answer, then close (the framing cannot be trusted). */
	if (rc == HTTP_ERROR) {
		res->linger = 1;
		error_page(req->status, req, s, res, 1);
		return;
	}
	if (req->method_id == HTTP_M_UNKNOWN) {
		res->linger = 1;
		error_page(501, req, s, res, 1);
		return;
	}
	if (req->has_length && req->length > (unsigned long long)cfg->max_body) {
		res->linger = 1;
		error_page(413, req, s, res, 1);
		return;
	}
	/* A chunked body is read only for an upload or a script (route.c):
	 * elsewhere refuse it and close afterwards. A
	 * body behind "Expect: 100-continue" may never be sent, since we
	 * answer at once: its end is unknown, so close after it too. */
	res->close = !req->keep_alive || req->chunked ||
	    (req->expect_continue && req->has_length && req->length > 0);
	/* Closing while the client may still send: drain, then close. */
	res->linger = req->chunked || (res->close && req->has_length &&
	    req->length > 0);
	/* Uploads and scripts, where configured. */
	if (route_request(cfg, req, s, res))
		return;
	if (req->method_id != HTTP_M_GET && req->method_id != HTTP_M_HEAD) {
		error_page(405, req, s, res, res->close);
		return;
	}
	answer_path(cfg, req, s, res);
}

/* Answer req with the file it names (see request.h). */
int
request_file(const struct httpd_config *cfg, const struct http_request *req,
    struct scratch *s, struct response *res)
{
	char rel[PATH_MAX];
	struct http_span path, query;
	struct cgi *g = NULL;
	int dir;

	clear(res);
	res->close = !req->keep_alive;
	if (files_target(req->target, cfg->dotfiles, rel, sizeof(rel), &path,
	    &query, &dir) == 0 && cgi_find(cfg, rel, &g) == 1) {
		cgi_release(NULL, g);
		return 0;
	}
	answer_path(cfg, req, s, res);
	return 1;
}
