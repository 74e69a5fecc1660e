/*
 * request.c - from a parsed request to a response: method and framing
 * checks, the file (or index.html, or a listing, or a redirect), then
 * conditional requests and ranges (precond.c).
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cache.h"
#include "files.h"
#include "precond.h"
#include "request.h"
#include "response.h"

/* What request_answer() found out about the file, for its headers. */
struct entity {
	int fd;
	unsigned long long size;
	const char *type;
	char etag[48];
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

/* An error page response; keep-alive is left to the caller. */
static void
error_page(int status, const struct http_request *req, struct scratch *s,
    struct response *res, int close)
{
	struct head h;

	res->status = status;
	res->close = close;
	res->body = s->page;
	res->body_len = resp_error_page(s->page, sizeof(s->page), status);
	res->log_bytes = req && req->method_id == HTTP_M_HEAD ? 0 :
	    res->body_len;
	resp_start(&h, s->head, sizeof(s->head), status);
	if (status == 405)
		resp_add(&h, "Allow: GET, HEAD");
	resp_add(&h, "Content-Type: text/html; charset=utf-8");
	resp_add(&h, "Content-Length: %zu", res->body_len);
	resp_end(&h, close, req && req->minor == 0 && !close);
	res->head = s->head;
	res->head_len = h.len;
	if (req != NULL && req->method_id == HTTP_M_HEAD)
		res->body_len = 0;
}

/* An error response with its small page, then close. */
void
request_error(int status, struct scratch *s, struct response *res)
{
	clear(res);
	res->linger = 1;
	error_page(status, NULL, s, res, 1);
}

/* The response for a regular file: 200, 206, 304 or 416. */
static void
send_file(const struct http_request *req, struct entity *e,
    struct scratch *s, struct response *res)
{
	unsigned long long from = 0, count = e->size;
	int range = 0, head = req->method_id == HTTP_M_HEAD;
	struct head h;

	res->status = 200;
	if (precond_not_modified(req, e->etag, e->mtime))
		res->status = 304;
	else if (precond_range_applies(req, e->etag, e->modified))
		range = precond_range(req->range, e->size, &from, &count);
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
		/* A small body travels in the same writev as the head. */
		if (!head && e->bytes != NULL) {
			res->body = e->bytes + from;
			res->body_len = count;
			res->body_cached = 1;
		} else if (!head && count <= sizeof(s->page) &&
		    pread(e->fd, s->page, count, (off_t)from) == (ssize_t)count) {
			res->body = s->page;
			res->body_len = count;
		} else if (!head) {
			res->fd = e->fd;
			res->off = (off_t)from;
			res->len = count;
			e->fd = -1;	/* now res's to close */
		}
	}
}

/* 301 to the same path with a '/' added (and the query kept). */
static void
redirect_slash(const struct http_request *req, struct http_span path,
    struct scratch *s, struct response *res)
{
	struct http_span rest = { path.p + path.n,
	    req->target.n - (size_t)(path.p + path.n - req->target.p) };
	struct head h;

	res->status = 301;
	res->body = s->page;
	res->body_len = (size_t)snprintf(s->page, sizeof(s->page),
	    "<!DOCTYPE html>\n<html><body><a href=\"%.*s/\">moved here</a>"
	    "</body></html>\n", (int)path.n, path.p);
	res->log_bytes = res->body_len;
	resp_start(&h, s->head, sizeof(s->head), 301);
	resp_add(&h, "Location: %.*s/%.*s", (int)path.n, path.p,
	    (int)rest.n, rest.p);
	resp_add(&h, "Content-Type: text/html; charset=utf-8");
	resp_add(&h, "Content-Length: %zu", res->body_len);
	resp_end(&h, res->close, req->minor == 0 && !res->close);
	if (h.overflow) {
		error_page(414, req, s, res, res->close);
		return;
	}
	res->head = s->head;
	res->head_len = h.len;
	if (req->method_id == HTTP_M_HEAD)
		res->body_len = 0;
}

/* 200 with the HTML listing of directory fd. */
static void
send_listing(const struct httpd_config *cfg, const struct http_request *req,
    int fd, struct http_span path, struct scratch *s, struct response *res)
{
	struct head h;
	int status = listing_build(fd, path, cfg->dotfiles, &s->big);

	if (status != 0) {
		error_page(status, req, s, res, res->close);
		return;
	}
	res->status = 200;
	res->body = s->big.p;
	res->body_len = s->big.len;
	res->log_bytes = s->big.len;
	resp_start(&h, s->head, sizeof(s->head), 200);
	resp_add(&h, "Content-Type: text/html; charset=utf-8");
	resp_add(&h, "Content-Length: %zu", s->big.len);
	resp_add(&h, "Cache-Control: no-cache");
	resp_end(&h, res->close, req->minor == 0 && !res->close);
	res->head = s->head;
	res->head_len = h.len;
	if (req->method_id == HTTP_M_HEAD)
		res->body_len = 0;
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
	e->mtime = st.st_mtime;
	e->type = files_mime(rel);
	resp_date(st.st_mtime, e->modified);
	snprintf(e->etag, sizeof(e->etag), "\"%llx-%llx\"", e->size,
	    (unsigned long long)st.st_mtime);
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

/* Find what the path names and answer with it. */
static void
answer_path(const struct httpd_config *cfg, const struct http_request *req,
    struct scratch *s, struct response *res)
{
	char rel[PATH_MAX];
	struct http_span path;
	struct entity e;
	int slash, fd, status, kind;
	size_t n;

	status = files_target(req->target, cfg->dotfiles, rel,
	    sizeof(rel) - 16, &path, &slash);
	if (status == 0 && from_cache(cfg, req, rel, s, res))
		return;
	if (status == 0)
		status = files_open(cfg, rel, &fd);
	if (status != 0) {
		error_page(status, req, s, res, res->close);
		return;
	}
	kind = describe(fd, rel, &e);
	if (kind == 1 && !slash) {
		close(fd); {
		redirect_slash(req, path, s, res);
		return;
	}
	}
	if (kind == 1) {
		/* A directory: its index.html, else a listing. */
		n = strlen(rel);
		snprintf(rel + n, sizeof(rel) - n, "%sindex.html", n ? "/" : "");
		if (from_cache(cfg, req, rel, s, res)) {
			close(fd);
			return;
		}
		if (files_open(cfg, rel, &e.fd) == 0) {
			kind = describe(e.fd, rel, &e);
			if (kind == 0) {
				close(fd);
				fd = e.fd;
			} else {
				close(e.fd);
				kind = 1;
			}
		}
		if (kind == 1) {
			if (cfg->listing)
				send_listing(cfg, req, fd, path, s, res);
			else
				error_page(403, req, s, res, res->close);
			close(fd);
			return;
		}
	}
	if (kind != 0) {
		close(fd); {
		error_page(kind, req, s, res, res->close);
		return;
	}
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
		res->linger = 1; {
		error_page(req->status, req, s, res, 1);
		return;
	}
	}
	if (req->method_id == HTTP_M_UNKNOWN) {
		res->linger = 1; {
		error_page(501, req, s, res, 1);
		return;
	}
	}
	if (req->has_length && req->length > cfg->max_body) {
		res->linger = 1; {
		error_page(413, req, s, res, 1);
		return;
	}
	}
	/* A chunked body is not read: refuse it and close afterwards. */
	res->close = !req->keep_alive || req->chunked;
	res->linger = req->chunked;
	if (req->method_id != HTTP_M_GET && req->method_id != HTTP_M_HEAD) {
		error_page(405, req, s, res, res->close);
		return;
	}
	answer_path(cfg, req, s, res);
}
