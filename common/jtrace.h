/*
 * jtrace.h - --trace FILE: one JSON line per event, for machines.
 *
 * Beside the narration on stderr, a tool run with --trace FILE (or with
 * SOCKLAB_TRACE=FILE in its environment) writes every event to FILE as
 * one JSON object per line, at any verbosity (-q included):
 *
 *   {"t_us":1712345678123456,"tool":"tcp-client","pid":4242,
 *    "kind":"step","step":6,"name":"connect","fd":3,
 *    "call":"connect(fd=3, 127.0.0.1:7000)","start_us":1712345678123001,
 *    "result":0,"errno":null}
 *
 * t_us is microseconds since the epoch (CLOCK_REALTIME, the clock the
 * kernel stamps packets with), so the traces of a client, a server and
 * socket-watch merge into one story (scripts/ladder). Kinds: "step" (a
 * numbered call; start_us is when it began), "event" (resolve, poll,
 * fork...), "status", "error", "transition" (a state machine), "state"
 * (--step's look at a socket), and socket-watch's "socket" and "packet".
 * Each line is one write(2) to a file opened with O_APPEND, so forked
 * children and threads may share it. When off, nothing is formatted.
 */
#ifndef SOCKLAB_JTRACE_H
#define SOCKLAB_JTRACE_H

#include <stddef.h>

/* Start tracing into path: truncated first, unless append (the
 * environment variable's way, so every process of a script can share one
 * file). 0, or -1 with errno. */
int jtrace_open(const char *path, int append);
/* Move descriptor fd to 100 or above, so that the tool's sockets keep
 * the numbers they have without --trace and --step; the new number (fd
 * itself if it cannot move). */
int jtrace_out_of_the_way(int fd);
/* True while tracing. */
int jtrace_on(void);
/* Microseconds since the epoch, now. */
long long jtrace_now_us(void);

/* A numbered call: its step, name (NULL: the step's), fd, text, start
 * time, result and errno. */
void jtrace_step(int step, const char *name, int fd, const char *call,
    long long start_us, long ret, int err);
/* A line of narration of kind ("event", "status", "error"); label may
 * be NULL ("resolve" for an event). */
void jtrace_text(const char *kind, const char *label, const char *text);
/* A state machine's transition. */
void jtrace_transition(const char *machine, int fd, const char *from,
    const char *to);
/* A line of kind at time t_us (0: now) whose other fields the caller
 * wrote already as JSON members: "\"state\":\"LISTEN\",\"fd\":3". */
void jtrace_fields(const char *kind, long long t_us, const char *fields);

/* Write text into out as a JSON string, quotes included, cut (and
 * still valid) if out is too small; returns the length written. Control
 * characters and bytes that are not UTF-8 become \u00XX. */
size_t jtrace_string(const char *text, char *out, size_t size);

#endif
