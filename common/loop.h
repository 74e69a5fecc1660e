/*
 * loop.h - the event loop every many-client tool runs on: "call me when
 * this socket is ready, or when this much time has passed".
 *
 * A descriptor is registered with what it waits for (LOOP_READ,
 * LOOP_WRITE) and a callback; a timer is a struct the caller owns (inside
 * its connection, say), armed to fire after some milliseconds. loop_run()
 * waits, calls what is ready, fires what is due, and again, until
 * loop_stop() or a caught SIGINT/SIGTERM (step_stop, cli.h). One API, two
 * backends chosen at build time, each in its own file: epoll on Linux
 * (loop_epoll.c), poll() everywhere else (loop_poll.c); poll() costs
 * O(watched) per wait inside the kernel, epoll O(ready) (lessons/12).
 *
 *   struct loop *l = loop_new();
 *   loop_add(l, lfd, LOOP_READ, on_listener, server);
 *   loop_timer_init(&c->idle, on_idle, c);
 *   loop_timer_after(l, &c->idle, 15000);
 *   loop_run(l);
 */
#ifndef SOCKLAB_LOOP_H
#define SOCKLAB_LOOP_H

enum {
	LOOP_READ = 1,		/* readable, or a listener has a connection */
	LOOP_WRITE = 2,		/* writable: the send buffer has room */
	LOOP_ERROR = 4		/* error or hang-up (reported, never asked for) */
};

struct loop;
struct loop_timer;

/* fd is ready: events is LOOP_READ | LOOP_WRITE | LOOP_ERROR. */
typedef void loop_io_fn(struct loop *l, int fd, int events, void *ctx);
/* t is due. It may be armed again, or stopped, from here. */
typedef void loop_timer_fn(struct loop *l, struct loop_timer *t, void *ctx);

/* A timer: the caller owns the memory, the loop only links it. */
struct loop_timer {
	long long due;		/* when it fires, ms on the loop's clock */
	long long key;		/* where it sits in the heap (<= due) */
	long long period;	/* > 0: fires again every period ms */
	int slot;		/* its index in the heap, -1 when not armed */
	loop_timer_fn *fn;
	void *ctx;
};

/* A new, empty loop, or NULL with errno set. */
struct loop *loop_new(void);
/* Free the loop (the descriptors it watched are left open). */
void loop_free(struct loop *l);

/* Watch fd for events (LOOP_READ, LOOP_WRITE or both) and call fn(ctx)
 * when it is ready; 0, or -1 with errno. */
int loop_add(struct loop *l, int fd, int events, loop_io_fn *fn, void *ctx);
/* Change what fd waits for; 0, or -1 with errno. */
int loop_mod(struct loop *l, int fd, int events);
/* Stop watching fd (call before close); events already reported for it
 * and not yet handled are dropped. 0, or -1 with errno. */
int loop_del(struct loop *l, int fd);
/* Stop watching fd for a while (a listener out of descriptors or at
 * --max-conns) / watch it again for what it waited for; 0 or -1. */
int loop_pause(struct loop *l, int fd);
int loop_resume(struct loop *l, int fd);
/* True while fd is paused. */
int loop_paused(const struct loop *l, int fd);

/* Set a timer up, not armed, to call fn(ctx) when due. */
void loop_timer_init(struct loop_timer *t, loop_timer_fn *fn, void *ctx);
/* (Re)arm t to fire once, ms from now; 0, or -1 (ENOMEM). Pushing a
 * deadline later costs nothing: the heap catches up when it comes due. */
int loop_timer_after(struct loop *l, struct loop_timer *t, long long ms);
/* Arm t to fire every ms; 0, or -1 (ENOMEM). */
int loop_timer_every(struct loop *l, struct loop_timer *t, long long ms);
/* Disarm t (nothing happens if it is not armed). */
void loop_timer_stop(struct loop *l, struct loop_timer *t);
/* True while t is armed. */
int loop_timer_armed(const struct loop_timer *t);

/* Milliseconds on the monotonic clock, read once per wake-up. */
long long loop_now(const struct loop *l);
/* Descriptors watched now (paused ones included). */
int loop_count(const struct loop *l);

/* Wait and dispatch until loop_stop() or step_stop (a caught signal);
 * 0, or -1 with errno if waiting itself failed. Each wait is narrated
 * at -v: "[epoll] epoll_wait(3 watched, 1000 ms) = 1 ready". */
int loop_run(struct loop *l);
/* Make loop_run() return after the callback that calls this. */
void loop_stop(struct loop *l);

/* A timer callback that stops the loop: a deadline for the whole run. */
void loop_stop_timer(struct loop *l, struct loop_timer *t, void *ctx);
/* "epoll" or "poll": the backend compiled in, for narration. */
const char *loop_backend(void);

#endif
