/*
 * cgi_io.c - a running script's output, on the event loop: its head is
 * read and turned into the response head (RFC 3875, 6), its body is sent
 * on as it comes, chunked on HTTP/1.1 (unless the script gave a
 * Content-Length), or delimited by closing the connection on HTTP/1.0.
 *
 * One buffer per script: while its bytes are being sent the script's
 * stdout is not watched, so a slow client slows the script (its pipe
 * fills and its write blocks) instead of filling our memory.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgi.h"
#include "conn.h"
#include "job.h"
#include "request.h"
#include "response.h"
#include "trace.h"

/* Answer c with an error status instead of the script's response. */
static void
fail(struct server *s, struct conn *c, struct cgi *g, int status)
{
	trace_status("%s: %s", g->name, status == 504 ? "no output in time:"
	    " killed" : "no valid CGI response");
	g->done = 1;
	cgi_close_pipe(s, &g->out);
	request_error(status, c->out, &c->res);
	conn_start_send_from_loop(s, c);
}

/* Copy the script's own header fields (all but those the server
 * writes itself, and the three it has read). */
static void
copy_fields(struct head *h, const char *p, size_t len)
{
	struct http_span name;
	const char *lf, *colon;
	size_t n;

	while (len > 0 && (lf = memchr(p, '\n', len)) != NULL) {
		n = (size_t)(lf - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		colon = memchr(p, ':', n);
		if (colon != NULL) {
			name = (struct http_span){ p, (size_t)(colon - p) };
			if (!cgi_own_field(name) && !http_span_is(name,
			    "content-type") && !http_span_is(name, "location"))
				resp_add(h, "%.*s", (int)n, p);
		}
		len -= (size_t)(lf - p) + 1;
		p = lf + 1;
	}
}

/* The response head from the script's head ch; how its body is framed.
 * 0, or -1 if it does not fit. */
static int
build_head(struct cgi *g, struct conn *c, const struct cgi_head *ch)
{
	struct head h;
	int close = !g->keep_alive;

	g->status = ch->status;
	/* No body goes with HEAD, 1xx, 204 or 304 (RFC 9110 6.4.1). */
	g->head_only |= ch->status < 200 || ch->status == 204 ||
	    ch->status == 304;
	resp_start(&h, g->head, sizeof(g->head), ch->status);
	if (ch->type.p != NULL)
		resp_add(&h, "Content-Type: %.*s", (int)ch->type.n, ch->type.p);
	if (ch->location.p != NULL)
		resp_add(&h, "Location: %.*s", (int)ch->location.n,
		    ch->location.p);
	copy_fields(&h, g->buf, ch->head_len);
	if (ch->has_length) {
		g->framing = CGI_LENGTH;
		g->left = ch->length;
		if (ch->status >= 200 && ch->status != 204 && ch->status != 304)
			resp_add(&h, "Content-Length: %llu", ch->length);
	} else if (g->head_only || g->minor >= 1) {
		g->framing = CGI_CHUNKED;	/* (no body at all: nothing) */
		if (!g->head_only)
			resp_add(&h, "Transfer-Encoding: chunked");
	} else {
		g->framing = CGI_CLOSE;
		close = 1;	/* HTTP/1.0: the body ends with the connection */
	}
	resp_end(&h, close, g->minor == 0 && !close);
	c->res.close = close;
	c->res.status = ch->status;
	c->res.head_len = h.len;
	return h.overflow ? -1 : 0;
}

/* Queue the next piece: the head (first time), the g->len bytes read
 * (framed), and at the end the last chunk; then send it. */
static void
send_piece(struct server *s, struct conn *c, struct cgi *g, int first)
{
	struct response *r = &c->res;
	size_t hl = first ? r->head_len : 0, n = g->len;

	if (g->head_only)
		n = 0;		/* read and dropped */
	if (g->framing == CGI_LENGTH) {
		if (n > g->left)
			n = (size_t)g->left;	/* more than it promised */
		g->left -= n;
		if (g->left == 0 && !g->head_only)
			g->eof = 1;
	}
	if (g->framing == CGI_CHUNKED && n > 0 && !g->head_only)
		hl += (size_t)snprintf(g->head + hl, sizeof(g->head) - hl,
		    "%s%zx\r\n", g->chunks++ ? "\r\n" : "", n);
	/* The last chunk goes after the data, so data read together with
	 * the end goes first: the end comes back as a readable EOF. */
	if (g->eof && (n == 0 || g->framing != CGI_CHUNKED)) {
		g->done = 1;
		/* Fewer bytes than its Content-Length: only closing tells the
		 * client the rest will not come. */
		if (g->framing == CGI_LENGTH && g->left > 0 && !g->head_only)
			r->close = 1;
		if (g->framing == CGI_CHUNKED && !g->head_only)
			hl += (size_t)snprintf(g->head + hl, sizeof(g->head) - hl,
			    "%s0\r\n\r\n", g->chunks ? "\r\n" : "");
		cgi_close_pipe(s, &g->out);
	} else {
		loop_mod(s->loop, g->out, 0);	/* until this is sent */
	}
	r->head = g->head;
	r->head_len = hl;
	r->body = g->buf;
	r->body_len = n;
	g->sent += n;
	r->log_bytes = g->sent;
	conn_start_send_from_loop(s, c);
}

/* A "Location: /path" alone: serve that path instead, as a GET (RFC
 * 3875 6.2.2); only a file, never another script. */
static void
local_redirect(struct server *s, struct conn *c, struct cgi *g,
    const struct cgi_head *ch)
{
	struct http_request req;

	memset(&req, 0, sizeof(req));
	req.method = (struct http_span){ "GET", 3 };
	req.method_id = HTTP_M_GET;
	req.target = ch->location;
	req.minor = g->minor;
	req.keep_alive = g->keep_alive;
	req.has_host = 1;
	g->done = 1;
	cgi_close_pipe(s, &g->out);
	if (!request_file(s->cfg, &req, c->out, &c->res))
		request_error(500, c->out, &c->res);
	conn_start_send_from_loop(s, c);
}

/* The script's head is complete, or will never be. */
static void
head_read(struct server *s, struct conn *c, struct cgi *g, int rc,
    const struct cgi_head *ch)
{
	if (rc != CGI_COMPLETE) {
		fail(s, c, g, 502);
		return;
	}
	if (ch->local_redirect && g->method_get) {
		local_redirect(s, c, g, ch);
		return;
	}
	if (build_head(g, c, ch) < 0) {
		fail(s, c, g, 502);
		return;
	}
	g->head_done = 1;
	g->len -= ch->head_len;
	memmove(g->buf, g->buf + ch->head_len, g->len);
	send_piece(s, c, g, 1);
}

/* The script's stdout is readable: read what there is, then answer. */
void
cgi_on_out(struct loop *l, int fd, int events, void *ctx)
{
	struct cgi *g = ctx;
	struct server *s = g->srv;
	struct conn *c = g->conn;
	struct cgi_head ch;
	ssize_t n;
	int rc = CGI_INCOMPLETE;

	(void)l;
	(void)events;
	if (c == NULL)
		return;
	do {
		n = read(fd, g->buf + g->len, sizeof(g->buf) - g->len);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0)
			g->eof = 1;	/* the script closed it (or it failed) */
		else
			g->len += (size_t)n;
		if (!g->head_done)
			rc = cgi_parse_head(g->buf, g->len, &ch);
	} while (!g->eof && g->len < sizeof(g->buf) &&
	    (g->head_done || rc == CGI_INCOMPLETE));
	if (!g->head_done) {
		if (rc == CGI_INCOMPLETE && !g->eof && g->len < sizeof(g->buf))
			return;		/* more of the head to come */
		head_read(s, c, g, rc == CGI_INCOMPLETE ? CGI_BAD : rc, &ch);
		return;
	}
	if (g->len > 0 || g->eof)
		send_piece(s, c, g, 0);
}

/* The piece was sent: watch the script's output again. */
void
cgi_resume(struct server *s, struct cgi *g)
{
	g->len = 0;
	if (g->out >= 0)
		loop_mod(s->loop, g->out, LOOP_READ);
}

/* The script said nothing for --cgi-timeout (see cgi.h). */
void
cgi_timeout(struct server *s, struct cgi *g)
{
	struct conn *c = g->conn;

	if (g->head_done) {
		/* Part of the response is out: only closing tells the
		 * client that the rest will not come. */
		trace_status("%s: no output in time: killed", g->name);
		conn_close(s, c);
		return;
	}
	fail(s, c, g, 504);
}

/* The script's stderr is readable: pass its lines on, prefixed. */
void
cgi_on_err(struct loop *l, int fd, int events, void *ctx)
{
	struct cgi *g = ctx;
	char buf[2048];
	const char *p, *lf;
	ssize_t n;
	size_t len;

	(void)l;
	(void)events;
	n = read(fd, buf, sizeof(buf));
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	if (n <= 0) {
		cgi_close_pipe(g->srv, &g->err);
		return;
	}
	for (p = buf, len = (size_t)n; len > 0; len -= (size_t)(lf - p) + 1,
	    p = lf + 1) {
		lf = memchr(p, '\n', len);
		if (lf == NULL)
			lf = p + len - 1;
		trace_error("%s: %.*s", g->name, (int)(lf - p + (*lf != '\n')), p);
	}
}
