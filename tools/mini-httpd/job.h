/*
 * job.h - a request that needs more than a response: a body to store
 * (an upload) or a script to run (CGI). request.c decides that one is
 * needed and fills what it knows; body.c reads the body into job->fd;
 * upload.c stores it, cgi.c runs the script on it.
 */
#ifndef MINI_HTTPD_JOB_H
#define MINI_HTTPD_JOB_H

#include <sys/types.h>

#include "chunked.h"
#include "httpd.h"

enum job_kind { JOB_UPLOAD = 1, JOB_CGI = 2 };

struct cgi;

struct job {
	int kind;		/* enum job_kind */
	/* The request body, as it arrives. */
	int chunked;		/* Transfer-Encoding: chunked ... */
	struct chunked dec;	/* ... decoded by this */
	unsigned long long want;	/* else Content-Length bytes */
	unsigned long long got;	/* body bytes so far (decoded) */
	int fd;			/* where the body goes, or -1 */
	char line[256];		/* the request line, for the access log */
	/* JOB_UPLOAD: the file being written. */
	int put;		/* PUT (may replace) rather than POST */
	int dirfd;		/* the directory it goes in, or -1 */
	char name[256];		/* its name there */
	char tmp[64];		/* the temporary file beside it, or "" */
	char rel[PATH_MAX];	/* its path below ROOT */
	/* JOB_CGI: the script to run (cgi.c). */
	struct cgi *cgi;
};

/* A new job of kind, nothing open; NULL if out of memory. */
struct job *job_new(int kind);
/* Undo what a job holds: remove a temporary file, kill and forget a
 * running script, close what is open, free it. */
void job_free(struct job *j);

#endif
