/*
 * loop_epoll.c - the event loop's Linux backend: epoll(7).
 *
 * The kernel keeps the interest list; epoll_wait returns only what is
 * ready, so a wait costs O(ready), not O(watched). Level-triggered:
 * whatever a callback leaves unread is reported again on the next wait.
 */
#include <sys/epoll.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loop.h"
#include "loop_backend.h"

const char backend_name[] = "epoll";
const char backend_call[] = "epoll_wait";

/* Ready descriptors taken from the kernel in one epoll_wait. */
#define EPOLL_BATCH 256

struct backend {
	int epfd;
	struct epoll_event ready[EPOLL_BATCH];
};

/* A new backend, or NULL with errno. */
struct backend *
backend_new(void)
{
	struct backend *b = calloc(1, sizeof(*b));

	if (b == NULL)
		return NULL;
	b->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (b->epfd < 0) {
		int err = errno;

		free(b);
		errno = err;
		return NULL;
	}
	return b;
}

void
backend_free(struct backend *b)
{
	if (b == NULL)
		return;
	close(b->epfd);
	free(b);
}

/* Register, change or forget fd with the kernel. */
int
backend_set(struct backend *b, int fd, int old, int events)
{
	struct epoll_event ev;
	int op = old == 0 ? EPOLL_CTL_ADD : events == 0 ? EPOLL_CTL_DEL :
	    EPOLL_CTL_MOD;

	if (old == events)
		return 0;
	memset(&ev, 0, sizeof(ev));	/* DEL ignores it; old kernels want one */
	ev.events = (events & LOOP_READ ? EPOLLIN : 0u) |
	    (events & LOOP_WRITE ? EPOLLOUT : 0u);
	ev.data.fd = fd;
	return epoll_ctl(b->epfd, op, fd, &ev);
}

/* Wait for ready descriptors. */
int
backend_wait(struct backend *b, struct backend_ready *out, int max,
    int timeout_ms)
{
	int n, i;

	if (max > EPOLL_BATCH)
		max = EPOLL_BATCH;
	n = epoll_wait(b->epfd, b->ready, max, timeout_ms);
	for (i = 0; i < n; i++) {
		unsigned e = b->ready[i].events;

		out[i].fd = b->ready[i].data.fd;
		out[i].events = (e & EPOLLIN ? LOOP_READ : 0) |
		    (e & EPOLLOUT ? LOOP_WRITE : 0) |
		    (e & (EPOLLERR | EPOLLHUP) ? LOOP_ERROR : 0);
	}
	return n;
}
