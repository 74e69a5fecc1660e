/*
 * loop.c - the event loop's two backends behind one API (loop.h).
 *
 * Each backend implements the same static functions over its own state;
 * the public functions at the end only dispatch, so the loop reads the
 * same whichever backend is compiled in.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loop.h"

#ifdef __linux__
#include <sys/epoll.h>

struct loop {
	int epfd;
	void **data;		/* data[fd]: what loop_add() was given */
	int slots;		/* length of data[] */
	struct epoll_event ready[256];	/* filled by one epoll_wait */
};

/* Translate LOOP_* to EPOLL* bits. */
static unsigned
to_epoll(int events)
{
	return (events & LOOP_READ ? EPOLLIN : 0u) |
	    (events & LOOP_WRITE ? EPOLLOUT : 0u);
}

static int
backend_init(struct loop *l)
{
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	return l->epfd < 0 ? -1 : 0;
}

static void
backend_free(struct loop *l)
{
	close(l->epfd);
	free(l->data);
}

/* Register or change fd with the kernel and remember its data. */
static int
backend_ctl(struct loop *l, int op, int fd, int events, void *data)
{
	struct epoll_event ev;

	if (fd >= l->slots) {
		int slots = fd * 2 + 64, i;
		void **d = realloc(l->data, (size_t)slots * sizeof(*d));

		if (d == NULL)
			return -1;
		for (i = l->slots; i < slots; i++)
			d[i] = NULL;
		l->data = d;
		l->slots = slots;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = to_epoll(events);
	ev.data.fd = fd;
	if (epoll_ctl(l->epfd, op, fd, &ev) < 0)
		return -1;
	l->data[fd] = data;
	return 0;
}

static int
backend_add(struct loop *l, int fd, int events, void *data)
{
	return backend_ctl(l, EPOLL_CTL_ADD, fd, events, data);
}

static int
backend_mod(struct loop *l, int fd, int events, void *data)
{
	return backend_ctl(l, EPOLL_CTL_MOD, fd, events, data);
}

static int
backend_del(struct loop *l, int fd)
{
	struct epoll_event ev;	/* ignored, but old kernels want one */

	memset(&ev, 0, sizeof(ev));
	if (epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, &ev) < 0)
		return -1;
	if (fd < l->slots)
		l->data[fd] = NULL;
	return 0;
}

static int
backend_wait(struct loop *l, struct loop_event *out, int max, int timeout_ms)
{
	int n, i;

	if (max > (int)(sizeof(l->ready) / sizeof(l->ready[0])))
		max = (int)(sizeof(l->ready) / sizeof(l->ready[0]));
	n = epoll_wait(l->epfd, l->ready, max, timeout_ms);
	for (i = 0; i < n; i++) {
		unsigned e = l->ready[i].events;
		int fd = l->ready[i].data.fd;

		out[i].fd = fd;
		out[i].data = fd < l->slots ? l->data[fd] : NULL;
		out[i].events = (e & EPOLLIN ? LOOP_READ : 0) |
		    (e & EPOLLOUT ? LOOP_WRITE : 0) |
		    (e & (EPOLLERR | EPOLLHUP) ? LOOP_ERROR : 0);
	}
	return n;
}

static const char backend_name[] = "epoll";

#else /* portable: poll(2) */
#include <poll.h>

struct loop {
	struct pollfd *fds;	/* the watched descriptors, densely packed */
	void **data;		/* data[i] belongs to fds[i] */
	int *slot;		/* slot[fd]: index into fds, or -1 */
	int nfds, cap, slots;
	int next;		/* where the last wait stopped reporting */
};

static int
backend_init(struct loop *l)
{
	memset(l, 0, sizeof(*l));
	return 0;
}

static void
backend_free(struct loop *l)
{
	free(l->fds);
	free(l->data);
	free(l->slot);
}

/* Make room for one more descriptor and for slot[fd]. 0 or -1. */
static int
grow(struct loop *l, int fd)
{
	if (l->nfds == l->cap) {
		int cap = l->cap ? l->cap * 2 : 64;
		struct pollfd *fds = realloc(l->fds, (size_t)cap * sizeof(*fds));
		void **data;

		if (fds == NULL)
			return -1;
		l->fds = fds;
		data = realloc(l->data, (size_t)cap * sizeof(*data));
		if (data == NULL)
			return -1;
		l->data = data;
		l->cap = cap;
	}
	if (fd >= l->slots) {
		int slots = fd * 2 + 64, i;
		int *slot = realloc(l->slot, (size_t)slots * sizeof(*slot));

		if (slot == NULL)
			return -1;
		for (i = l->slots; i < slots; i++)
			slot[i] = -1;
		l->slot = slot;
		l->slots = slots;
	}
	return 0;
}

static short
to_poll(int events)
{
	return (short)((events & LOOP_READ ? POLLIN : 0) |
	    (events & LOOP_WRITE ? POLLOUT : 0));
}

static int
backend_add(struct loop *l, int fd, int events, void *data)
{
	if (fd < 0 || (fd < l->slots && l->slot[fd] >= 0)) {
		errno = fd < 0 ? EBADF : EEXIST;
		return -1;
	}
	if (grow(l, fd) < 0)
		return -1;
	l->slot[fd] = l->nfds;
	l->fds[l->nfds].fd = fd;
	l->fds[l->nfds].events = to_poll(events);
	l->fds[l->nfds].revents = 0;
	l->data[l->nfds] = data;
	l->nfds++;
	return 0;
}

static int
backend_mod(struct loop *l, int fd, int events, void *data)
{
	if (fd < 0 || fd >= l->slots || l->slot[fd] < 0) {
		errno = ENOENT;
		return -1;
	}
	l->fds[l->slot[fd]].events = to_poll(events);
	l->data[l->slot[fd]] = data;
	return 0;
}

/* Remove fd by moving the last entry into its place. */
static int
backend_del(struct loop *l, int fd)
{
	int i, last;

	if (fd < 0 || fd >= l->slots || l->slot[fd] < 0) {
		errno = ENOENT;
		return -1;
	}
	i = l->slot[fd];
	last = --l->nfds;
	if (i != last) {
		l->fds[i] = l->fds[last];
		l->data[i] = l->data[last];
		l->slot[l->fds[i].fd] = i;
	}
	l->slot[fd] = -1;
	return 0;
}

static int
backend_wait(struct loop *l, struct loop_event *out, int max, int timeout_ms)
{
	int rc, i, n = 0;

	rc = poll(l->fds, (nfds_t)l->nfds, timeout_ms);
	if (rc <= 0)
		return rc;
	for (i = 0; i < l->nfds && n < max; i++) {
		short e = l->fds[i].revents;

		if (e == 0)
			continue;
		out[n].fd = l->fds[i].fd;
		out[n].data = l->data[i];
		out[n].events = (e & POLLIN ? LOOP_READ : 0) |
		    (e & POLLOUT ? LOOP_WRITE : 0) |
		    (e & (POLLERR | POLLHUP | POLLNVAL) ? LOOP_ERROR : 0);
		n++;
	}
	return n;
}

static const char backend_name[] = "poll";
#endif

/* A new, empty loop, or NULL with errno set. */
struct loop *
loop_new(void)
{
	struct loop *l = calloc(1, sizeof(*l));

	if (l == NULL)
		return NULL;
	if (backend_init(l) < 0) {
		int err = errno;

		free(l);
		errno = err;
		return NULL;
	}
	return l;
}

/* Free the loop. */
void
loop_free(struct loop *l)
{
	if (l == NULL)
		return;
	backend_free(l);
	free(l);
}

/* Watch fd for events. */
int
loop_add(struct loop *l, int fd, int events, void *data)
{
	return backend_add(l, fd, events, data);
}

/* Change what fd is watched for. */
int
loop_mod(struct loop *l, int fd, int events, void *data)
{
	return backend_mod(l, fd, events, data);
}

/* Stop watching fd. */
int
loop_del(struct loop *l, int fd)
{
	return backend_del(l, fd);
}

/* Wait for events. */
int
loop_wait(struct loop *l, struct loop_event *ev, int max, int timeout_ms)
{
	return backend_wait(l, ev, max, timeout_ms);
}

/* The backend compiled in. */
const char *
loop_backend(void)
{
	return backend_name;
}
