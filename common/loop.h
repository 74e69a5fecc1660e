/*
 * loop.h - a small event loop: "tell me which of these sockets are ready".
 *
 * One API, two backends chosen at compile time: epoll on Linux, poll()
 * everywhere else. Both are O(ready) to use from the caller's side; poll()
 * costs O(watched) per wait inside the kernel, epoll does not (see
 * lessons/12-many-clients.md). Used by tcp-server's poll model, its chat
 * mode, and mini-httpd.
 *
 *   struct loop *l = loop_new();
 *   loop_add(l, fd, LOOP_READ, conn);
 *   n = loop_wait(l, events, 64, timeout_ms);
 *   for (i = 0; i < n; i++) handle(events[i].data, events[i].events);
 */
#ifndef SOCKLAB_LOOP_H
#define SOCKLAB_LOOP_H

enum {
	LOOP_READ = 1,		/* readable, or a listener has a connection */
	LOOP_WRITE = 2,		/* writable: the send buffer has room */
	LOOP_ERROR = 4		/* error or hang-up (reported, never asked for) */
};

struct loop_event {
	int fd;
	int events;		/* LOOP_READ | LOOP_WRITE | LOOP_ERROR */
	void *data;		/* what loop_add() was given for fd */
};

struct loop;

/* A new, empty loop, or NULL with errno set. */
struct loop *loop_new(void);
/* Free the loop (the descriptors it watched are left open). */
void loop_free(struct loop *l);
/* Watch fd for events (LOOP_READ / LOOP_WRITE); 0, or -1 with errno. */
int loop_add(struct loop *l, int fd, int events, void *data);
/* Change what fd is watched for; 0, or -1 with errno. */
int loop_mod(struct loop *l, int fd, int events, void *data);
/* Stop watching fd (call before close); 0, or -1 with errno. */
int loop_del(struct loop *l, int fd);
/* Wait up to timeout_ms (-1: forever) and fill at most max events;
 * returns how many (0 on timeout), or -1 with errno (EINTR included). */
int loop_wait(struct loop *l, struct loop_event *ev, int max, int timeout_ms);
/* "epoll" or "poll": the backend compiled in, for narration. */
const char *loop_backend(void);

#endif
