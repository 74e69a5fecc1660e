/*
 * request_dir.c - the two answers for a directory that are not a file:
 * the redirect that adds its '/', and its HTML listing (request.c decides
 * which, or index.html).
 */
#include <string.h>
#include <time.h>

#include "precond.h"
#include "request.h"
#include "response.h"
#include "text.h"

/* 301 to the directory with a '/' added, built from the resolved path rel
 * and percent-encoded again, so that it can only name a path on this
 * server (one leading '/', never "//" or a scheme); the query is kept. */
void
request_redirect_slash(const struct http_request *req, const char *rel,
    struct http_span query, struct scratch *s, struct response *res)
{
	char loc[sizeof(s->head)];
	struct growbuf *b = &s->big;
	struct head h;
	int rc;

	b->len = 0;
	rc = text_put(b, "/", 1);
	if (rel[0] != '\0') {
		rc |= text_url(b, rel, strlen(rel), "/");
		rc |= text_put(b, "/", 1);
	}
	rc |= text_url(b, query.p, query.n, "/?%!$&'()*+,;=:@");
	if (rc != 0 || b->len >= sizeof(loc)) {
		request_error_page(rc != 0 ? 500 : 414, req, s, res, res->close);
		return;
	}
	memcpy(loc, b->p, b->len + 1);
	/* The body reflects the location HTML-escaped, as listings do. */
	b->len = 0;
	rc |= text_puts(b, "<!DOCTYPE html>\n<html><body><a href=\"");
	rc |= text_html(b, loc, strlen(loc));
	rc |= text_puts(b, "\">moved here</a></body></html>\n");
	resp_start(&h, s->head, sizeof(s->head), 301);
	resp_add(&h, "Location: %s", loc);
	resp_add(&h, "Content-Type: text/html; charset=utf-8");
	resp_add(&h, "Content-Length: %zu", b->len);
	resp_end(&h, res->close, req->minor == 0 && !res->close);
	if (rc != 0 || h.overflow) {
		request_error_page(rc != 0 ? 500 : 414, req, s, res, res->close);
		return;
	}
	res->status = 301;
	res->body = b->p;
	res->body_len = b->len;
	res->log_bytes = b->len;
	res->head = s->head;
	res->head_len = h.len;
	if (req->method_id == HTTP_M_HEAD)
		res->body_len = 0;
}

/* 200 with the HTML listing of directory fd (rel below ROOT), or 304 or
 * 412 when the preconditions say so: a listing has no validators, but
 * "If-None-Match: *" and "If-Match" still apply to it. */
void
request_listing(const struct httpd_config *cfg, const struct http_request *req,
    int fd, const char *rel, struct scratch *s, struct response *res)
{
	struct head h;
	int status = precond_check(req, NULL, NULL, time(NULL));

	if (status == 0)
		status = listing_build(cfg, fd, rel, &s->big);
	if (status != 0 && status != 304) {
		request_error_page(status, req, s, res, res->close);
		return;
	}
	res->status = status == 304 ? 304 : 200;
	res->body = s->big.p;
	res->body_len = status == 304 ? 0 : s->big.len;
	res->log_bytes = res->body_len;
	resp_start(&h, s->head, sizeof(s->head), res->status);
	if (res->status == 200) {
		resp_add(&h, "Content-Type: text/html; charset=utf-8");
		resp_add(&h, "Content-Length: %zu", s->big.len);
	}
	resp_add(&h, "Cache-Control: no-cache");
	resp_end(&h, res->close, req->minor == 0 && !res->close);
	res->head = s->head;
	res->head_len = h.len;
	if (req->method_id == HTTP_M_HEAD)
		res->body_len = 0;
}
