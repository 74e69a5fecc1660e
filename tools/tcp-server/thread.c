/*
 * thread.c - the thread model: a thread per client.
 *
 * The main thread only accepts; each client gets a detached thread that
 * serves it with blocking I/O and ends. Threads share the process's
 * memory, so the one shared number, how many are running, is guarded by
 * a mutex; --max-clients caps it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "server.h"
#include "step.h"
#include "trace.h"

/* What a client's thread needs, owned (and freed) by that thread. */
struct job {
	int fd;
	char who[ADDR_STRLEN];
	const struct options *opt;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int running;		/* client threads alive, guarded by lock */

/* A client's thread: serve it, then count itself out. */
static void *
worker(void *arg)
{
	struct job *job = arg;

	close_client(job->fd, job->who, serve_client(job->fd, job->who,
	    job->opt));
	free(job);
	pthread_mutex_lock(&lock);
	running--;
	pthread_mutex_unlock(&lock);
	return NULL;
}

/* Take a place for one more thread; 0, or -1 if --max-clients are running. */
static int
claim(int max)
{
	int ok;

	pthread_mutex_lock(&lock);
	ok = running < max;
	if (ok)
		running++;
	pthread_mutex_unlock(&lock);
	return ok ? 0 : -1;
}

/* Start a detached thread for the client on fd; 0, or an error number. */
static int
start_worker(int fd, const char *who, const struct options *opt)
{
	pthread_attr_t attr;
	pthread_t tid;
	struct job *job = malloc(sizeof(*job));
	int rc;

	if (job == NULL)
		return ENOMEM;
	job->fd = fd;
	job->opt = opt;
	strcpy(job->who, who);
	pthread_attr_init(&attr);
	/* Detached: nobody joins it; its resources go when it returns. */
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&tid, &attr, worker, job);
	pthread_attr_destroy(&attr);
	if (rc != 0)
		free(job);
	return rc;
}

/* Steps 5 to 9: accept in the main thread, serve each client in its own. */
int
serve_thread(int lfd, const struct options *opt)
{
	char who[ADDR_STRLEN];
	int fd, rc;

	trace_status("thread model: a thread per client, at most %d",
	    opt->max_clients);
	for (;;) {
		fd = accept_client(lfd, who, sizeof(who));
		if (fd < 0)
			continue;
		if (claim(opt->max_clients) < 0) {
			refuse_client(fd, who, opt->max_clients);
			continue;
		}
		rc = start_worker(fd, who, opt);
		if (rc != 0) {
			trace_error("cannot start a thread for %s: %s", who,
			    strerror(rc));
			step_close(fd);
			pthread_mutex_lock(&lock);
			running--;
			pthread_mutex_unlock(&lock);
			continue;
		}
		trace_event("thread", "pthread_create() = 0: a thread serves %s",
		    who);
	}
}
