/*
 * loop_poll.c - the event loop's portable backend: poll(2).
 *
 * We keep the interest list ourselves, densely packed, and hand all of
 * it to the kernel on every wait: simple and everywhere, but each wait
 * costs O(watched) (lessons/12-many-clients.md). Built on Linux too with
 * `make LOOP=poll`, so the suite can run on it.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "loop.h"
#include "loop_backend.h"

const char backend_name[] = "poll";
const char backend_call[] = "poll";

struct backend {
	struct pollfd *fds;	/* the watched descriptors, densely packed */
	int *slot;		/* slot[fd]: index into fds, or -1 */
	int nfds, cap, slots;
};

/* A new backend, or NULL with errno. */
struct backend *
backend_new(void)
{
	return calloc(1, sizeof(struct backend));
}

void
backend_free(struct backend *b)
{
	if (b == NULL)
		return;
	free(b->fds);
	free(b->slot);
	free(b);
}

/* Make room for one more descriptor and for slot[fd]; 0 or -1. */
static int
grow(struct backend *b, int fd)
{
	if (b->nfds == b->cap) {
		int cap = b->cap ? b->cap * 2 : 64;
		struct pollfd *fds = realloc(b->fds, (size_t)cap * sizeof(*fds));

		if (fds == NULL)
			return -1;
		b->fds = fds;
		b->cap = cap;
	}
	if (fd >= b->slots) {
		int slots = fd * 2 + 64, i;
		int *slot = realloc(b->slot, (size_t)slots * sizeof(*slot));

		if (slot == NULL)
			return -1;
		for (i = b->slots; i < slots; i++)
			slot[i] = -1;
		b->slot = slot;
		b->slots = slots;
	}
	return 0;
}

/* Forget fd by moving the last entry into its place. */
static void
forget(struct backend *b, int fd)
{
	int i = b->slot[fd], last = --b->nfds;

	if (i != last) {
		b->fds[i] = b->fds[last];
		b->slot[b->fds[i].fd] = i;
	}
	b->slot[fd] = -1;
}

/* Register, change or forget fd. */
int
backend_set(struct backend *b, int fd, int old, int events)
{
	short want = (short)((events & LOOP_READ ? POLLIN : 0) |
	    (events & LOOP_WRITE ? POLLOUT : 0));

	if (fd < 0) {
		errno = EBADF;
		return -1;
	}
	if (old == events)
		return 0;
	if (old == 0) {
		if (grow(b, fd) < 0)
			return -1;
		b->slot[fd] = b->nfds;
		b->fds[b->nfds].fd = fd;
		b->fds[b->nfds].revents = 0;
		b->fds[b->nfds++].events = want;
		return 0;
	}
	if (fd >= b->slots || b->slot[fd] < 0) {
		errno = ENOENT;
		return -1;
	}
	if (events == 0)
		forget(b, fd);
	else
		b->fds[b->slot[fd]].events = want;
	return 0;
}

/* Wait for ready descriptors. */
int
backend_wait(struct backend *b, struct backend_ready *out, int max,
    int timeout_ms)
{
	int rc, i, n = 0;

	rc = poll(b->fds, (nfds_t)b->nfds, timeout_ms);
	if (rc <= 0)
		return rc;
	for (i = 0; i < b->nfds && n < max; i++) {
		short e = b->fds[i].revents;

		if (e == 0)
			continue;
		out[n].fd = b->fds[i].fd;
		out[n].events = (e & POLLIN ? LOOP_READ : 0) |
		    (e & POLLOUT ? LOOP_WRITE : 0) |
		    (e & (POLLERR | POLLHUP | POLLNVAL) ? LOOP_ERROR : 0);
		n++;
	}
	return n;
}
