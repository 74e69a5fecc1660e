/*
 * job.c - what a request that is more than a response holds, and its
 * undoing: whatever happens to the connection (answered, reset, timed
 * out, the server stopping), job_free() leaves no temporary file and no
 * running script behind.
 */
#include <stdlib.h>
#include <unistd.h>

#include "cgi.h"
#include "job.h"
#include "upload.h"

/* A new job of kind, nothing open. */
struct job *
job_new(int kind)
{
	struct job *j = calloc(1, sizeof(*j));

	if (j == NULL)
		return NULL;
	j->kind = kind;
	j->fd = -1;
	j->dirfd = -1;
	return j;
}

/* Undo what j holds and free it. */
void
job_free(struct job *j)
{
	if (j == NULL)
		return;
	if (j->kind == JOB_UPLOAD)
		upload_abort(j);	/* a file not renamed into place goes */
	if (j->fd >= 0)
		close(j->fd);
	if (j->dirfd >= 0)
		close(j->dirfd);
	if (j->cgi != NULL)
		cgi_release(j->cgi->srv, j->cgi);
	free(j);
}
