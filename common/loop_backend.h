/*
 * loop_backend.h - what loop.c asks of a backend (loop_epoll.c on Linux,
 * loop_poll.c elsewhere). Exactly one of them is compiled in; each keeps
 * its own state behind struct backend.
 */
#ifndef SOCKLAB_LOOP_BACKEND_H
#define SOCKLAB_LOOP_BACKEND_H

/* One descriptor the kernel reported ready. */
struct backend_ready {
	int fd;
	int events;		/* LOOP_READ | LOOP_WRITE | LOOP_ERROR */
};

struct backend;

/* A new backend, or NULL with errno. */
struct backend *backend_new(void);
void backend_free(struct backend *b);
/* fd waited for old (0: not registered) and now waits for events (0:
 * forget it); 0, or -1 with errno. */
int backend_set(struct backend *b, int fd, int old, int events);
/* Wait up to timeout_ms (-1: forever) for at most max ready descriptors;
 * how many, 0 on timeout, or -1 with errno (EINTR included). */
int backend_wait(struct backend *b, struct backend_ready *out, int max,
    int timeout_ms);
/* The backend's name and its waiting call, for narration. */
extern const char backend_name[];
extern const char backend_call[];

#endif
