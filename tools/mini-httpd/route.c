/*
 * route.c - the requests that are not for a plain file: a body to store
 * in the --upload area (POST, PUT), a file to remove there (DELETE), a
 * CGI script to run. Each needs its path decoded and checked first, so
 * that nothing is written or run outside the directories configured.
 */
#include <stdio.h>
#include <string.h>

#include "cgi.h"
#include "config.h"
#include "files.h"
#include "job.h"
#include "request.h"
#include "response.h"
#include "text.h"
#include "upload.h"

/* A script takes the request: a job that runs it, or a status. */
static void
to_script(const struct http_request *req, struct cgi *g, struct scratch *s,
    struct response *res)
{
	int m = req->method_id;
	struct job *j;

	if (m != HTTP_M_GET && m != HTTP_M_HEAD && m != HTTP_M_POST) {
		cgi_release(NULL, g);
		res->allow = "GET, HEAD, POST";
		request_error_page(405, req, s, res, res->close);
		return;
	}
	if ((j = job_new(JOB_CGI)) == NULL) {
		cgi_release(NULL, g);
		request_error_page(500, req, s, res, res->close);
		return;
	}
	j->cgi = g;
	res->job = j;
}

/* POST or PUT for rel: a job that stores the body, or a status. */
static void
to_upload(const struct httpd_config *cfg, const struct http_request *req,
    const char *rel, struct scratch *s, struct response *res)
{
	struct job *j = job_new(JOB_UPLOAD);
	int status = j == NULL ? 500 : upload_plan(cfg, rel,
	    req->method_id == HTTP_M_PUT, j);

	if (status != 0) {
		job_free(j);
		request_error_page(status, req, s, res, res->close);
		return;
	}
	res->job = j;
}

/* Answer a request for the upload area or a script (see request.h). */
int
route_request(const struct httpd_config *cfg, const struct http_request *req,
    struct scratch *s, struct response *res)
{
	int m = req->method_id, upload = cfg->upload.fd >= 0, dir, status;
	struct http_span path, query;
	char rel[PATH_MAX];
	struct cgi *g = NULL;

	if (!upload && cfg->ncgi == 0 && cfg->cgi_bin.fd < 0)
		return 0;	/* plain files only, as without these options */
	status = files_target(req->target, cfg->dotfiles, rel, sizeof(rel) - 16,
	    &path, &query, &dir);
	if (status == 0 && (status = cgi_find(cfg, rel, &g)) == 1) {
		to_script(req, g, s, res);
		return 1;
	}
	if (status != 0) {
		request_error_page(status, req, s, res, res->close);
		return 1;
	}
	if (!upload)
		return 0;
	if (m == HTTP_M_POST || m == HTTP_M_PUT || m == HTTP_M_DELETE) {
		/* Only files, only inside the area: a directory is not. */
		if (dir || !config_in_area(&cfg->upload, rel))
			request_error_page(403, req, s, res, res->close);
		else if (m == HTTP_M_DELETE)
			request_stored(upload_delete(cfg, rel), rel, req, s, res);
		else
			to_upload(cfg, req, rel, s, res);
		return 1;
	}
	if (config_in_area(&cfg->upload, rel))
		res->allow = "GET, HEAD, POST, PUT, DELETE";
	return 0;
}

/* The response once a stored body is in place (see request.h). */
void
request_stored(int status, const char *rel, const struct http_request *req,
    struct scratch *s, struct response *res)
{
	struct growbuf *b = &s->big;
	struct head h;

	res->close = !req->keep_alive;
	if (status != 201 && status != 204) {
		request_error_page(status, req, s, res, res->close);
		return;
	}
	res->status = status;
	resp_start(&h, s->head, sizeof(s->head), status);
	if (status == 201) {
		/* Where the new file is: its path, percent-encoded again. */
		b->len = 0;
		if (text_put(b, "/", 1) < 0 ||
		    text_url(b, rel, strlen(rel), "/") < 0 ||
		    text_put(b, "", 1) < 0) {
			request_error_page(500, req, s, res, res->close);
			return;
		}
		resp_add(&h, "Location: %s", b->p);
		resp_add(&h, "Content-Length: 0");
	}
	resp_end(&h, res->close, req->minor == 0 && !res->close);
	if (h.overflow) {
		request_error_page(500, req, s, res, res->close);
		return;
	}
	res->head = s->head;
	res->head_len = h.len;
}
