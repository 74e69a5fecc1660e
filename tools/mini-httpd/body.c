/*
 * body.c - the STORE_BODY state: a body read to be kept, for an upload
 * or a CGI script (the states are drawn in conn.h).
 *
 * The limit is enforced while reading: a Content-Length over --max-body
 * was refused before the first byte (request.c); a chunked body is
 * refused with 413 the moment its decoded bytes pass the limit. Nothing
 * half-received is ever stored or run: the job keeps it in a temporary
 * file until the last byte, and job_free() removes it otherwise.
 */
#include <sys/types.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/mman.h>
#endif

#include "body.h"
#include "cgi.h"
#include "job.h"
#include "step.h"
#include "trace.h"
#include "upload.h"

/* A file for a script's input, in memory where the system can (Linux:
 * memfd), else an unlinked temporary file: never in the served tree. */
static int
input_file(void)
{
	char path[] = "/tmp/mini-httpd-cgi-XXXXXX";
	int fd;

#ifdef __linux__
	if ((fd = memfd_create("cgi-body", MFD_CLOEXEC)) >= 0)
		return fd;
#endif
	if ((fd = mkstemp(path)) >= 0) {
		unlink(path);
		fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	return fd;
}

/* Write all of buf to the job's file: 0, or -1 with errno. */
static int
write_all(int fd, const char *buf, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Keep n more body bytes: 0, or the status that ends the body (413
 * past --max-body, 500 when the file cannot take them). */
static int
keep(const struct httpd_config *cfg, struct job *j, const char *p, size_t n)
{
	if (n > (unsigned long long)cfg->max_body - j->got)
		return 413;
	if (write_all(j->fd, p, n) < 0) {
		trace_error("cannot store a request body: %s", strerror(errno));
		return 500;
	}
	j->got += n;
	return 0;
}

/* The body will never be whole (see body.h). */
void
body_fail(struct server *s, struct conn *c, int status)
{
	struct job *j = c->job;

	/* Nothing half-received stays; the job itself is freed once the
	 * answer is logged (it holds the request line). */
	if (j->kind == JOB_UPLOAD)
		upload_abort(j);
	if (j->fd >= 0) {
		close(j->fd);
		j->fd = -1;
	}
	request_error(status, c->out, &c->res);
	c->res.linger = 1;	/* the client may still be sending it */
	conn_start_send(s, c);
}

/* The body is whole (or there is none): store it or run the script. */
static void
body_done(struct server *s, struct conn *c, int has_body)
{
	struct job *j = c->job;
	int status;

	if (j->kind == JOB_UPLOAD) {
		status = upload_commit(j);
		request_stored(status, j->rel, &c->io->req, c->out, &c->res);
		conn_start_send(s, c);
		return;
	}
	if (j->fd >= 0 && lseek(j->fd, 0, SEEK_SET) < 0) {
		body_fail(s, c, 500);
		return;
	}
	if (cgi_start(s, c, j->cgi, j->fd, has_body ? (long long)j->got : -1) < 0) {
		trace_error("cannot run %s: %s", j->cgi->name, strerror(errno));
		body_fail(s, c, 500);
		return;
	}
	if (j->fd >= 0) {	/* the script has its own copy */
		close(j->fd);
		j->fd = -1;
	}
	conn_set_state(s, c, CGI_WAIT);
}

/* Use the body bytes in c's buffer (see body.h). */
void
body_feed(struct server *s, struct conn *c)
{
	struct iobuf *io = c->io;
	struct job *j = c->job;
	const char *data;
	size_t used, len;
	int rc, status = 0;

	while (io->in_len > 0 && c->state == STORE_BODY) {
		if (j->chunked) {
			rc = chunked_decode(&j->dec, io->in, io->in_len, &used,
			    &data, &len);
			if (rc == CHUNK_ERROR)
				status = 400;
			else if (rc == CHUNK_DATA)
				status = keep(s->cfg, j, data, len);
		} else {
			used = io->in_len < j->want - j->got ? io->in_len :
			    (size_t)(j->want - j->got);
			status = keep(s->cfg, j, io->in, used);
			rc = j->got == j->want ? CHUNK_DONE : CHUNK_MORE;
		}
		if (status != 0) {
			body_fail(s, c, status);
			return;
		}
		conn_consume(io, used);	/* what follows is the next request */
		if (rc == CHUNK_DONE)
			body_done(s, c, 1);
	}
}

/* Receive and keep the next piece of a Content-Length body (see body.h).
 * One large buffer for all connections: its bytes are written to the
 * job's file before it is used again. No more than the body's rest is
 * asked for, so no byte of a pipelined request is taken. */
ssize_t
body_recv(struct server *s, struct conn *c)
{
	static char buf[64 * 1024];
	struct job *j = c->job;
	unsigned long long rest = j->want - j->got;
	ssize_t n;
	int status;

	/* Step 8, recv: the body, 64 KiB at a time (lessons/08-recv.md). */
	n = step_recv(c->fd, buf, rest < sizeof(buf) ? (size_t)rest :
	    sizeof(buf));
	if (n <= 0)
		return n;
	if ((status = keep(s->cfg, j, buf, (size_t)n)) != 0)
		body_fail(s, c, status);
	else if (j->got == j->want)
		body_done(s, c, 1);
	return n;
}

/* Take from the head what the job needs, then read the body. */
void
body_start(struct server *s, struct conn *c)
{
	struct iobuf *io = c->io;
	struct http_request *req = &io->req;
	struct job *j = c->job;
	size_t n = req->line.n < sizeof(j->line) ? req->line.n : sizeof(j->line);
	int has_body = req->chunked || (req->has_length && req->length > 0);
	static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";

	if (j->kind == JOB_CGI) {
		j->cgi->minor = req->minor;
		j->cgi->keep_alive = req->keep_alive;
		j->cgi->head_only = req->method_id == HTTP_M_HEAD;
		j->cgi->method_get = req->method_id == HTTP_M_GET ||
		    req->method_id == HTTP_M_HEAD;
		if (cgi_environment(j->cgi, s->cfg, req, io->in, &c->peer.sa,
		    c->fd) < 0 || (has_body && (j->fd = input_file()) < 0)) {
			body_fail(s, c, 500);
			return;
		}
	}
	/* The body will overwrite the head: keep the line for the log. */
	memcpy(j->line, req->line.p, n);
	j->chunked = req->chunked;
	j->want = req->has_length ? req->length : 0;
	chunked_init(&j->dec);
	conn_consume(io, req->head_len);
	req->line = (struct http_span){ j->line, n };
	req->head_len = 0;
	req->has_length = 0;
	if (!has_body) {
		body_done(s, c, 0);
		return;
	}
	/* The client waits for our word before it sends the body (RFC 9110
	 * 10.1.1). Nothing else is queued on the socket, so this short
	 * send goes out whole; if not, the connection is beyond use. */
	if (req->expect_continue && req->minor >= 1 &&
	    step_send(c->fd, cont, sizeof(cont) - 1) != (ssize_t)sizeof(cont) - 1) {
		conn_close(s, c);
		return;
	}
	conn_set_state(s, c, STORE_BODY);
	body_feed(s, c);
}
