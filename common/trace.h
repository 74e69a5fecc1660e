/*
 * trace.h - the narrator: every line socklab prints about what it does.
 *
 * Verbosity (the same on every tool):
 *   TRACE_QUIET   (-q)   errors only
 *   TRACE_STATUS  (default) one status line per connection event
 *   TRACE_STEPS   (-v)   every step of the procedure, one line each
 *   TRACE_PAYLOAD (-vv)  plus a preview of each payload sent or received
 *
 * All narration goes to stderr, so stdout carries only the data.
 * A step line looks like this (tests and exercises grep it):
 *   tcp-server: [3 bind] bind(fd=3, 0.0.0.0:7000) = 0
 */
#ifndef SOCKLAB_TRACE_H
#define SOCKLAB_TRACE_H

#include <stddef.h>

enum trace_level {
	TRACE_QUIET = 0,
	TRACE_STATUS = 1,
	TRACE_STEPS = 2,
	TRACE_PAYLOAD = 3
};

/* Set the program name that prefixes every line, and decide on colour. */
void trace_init(const char *progname);
/* The kind of socket the tool's hints are about: SOCK_STREAM (the
 * default) or SOCK_DGRAM, for the tools that use UDP only. */
void trace_set_socktype(int type);
/* The program name given to trace_init(). */
const char *trace_progname(void);
/* Set the verbosity (enum trace_level). */
void trace_set_level(int level);
/* True when lines of this level would be printed. */
int trace_enabled(int level);
/* True when lines carry colours (stderr is a TTY, NO_COLOR unset). */
int trace_colour(void);

/* A status line at default verbosity: "tcp-server: listening on ...". */
void trace_status(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
/* A step line "[N name] call = result" at -v (or at default when failed);
 * label replaces the step's name when not NULL ("[2 getsockopt]"). The
 * steps are numbered in step.h. */
void trace_step(int step, const char *label, int failed, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* An unnumbered event line "[label] ..." at -v: resolve, poll, fork... */
void trace_event(const char *label, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A state machine's transition at -v: "[conn fd=7] READ_HEAD -> SEND".
 * Every machine has one setter that calls this (lessons/12). */
void trace_transition(const char *machine, int fd, const char *from,
    const char *to);
/* A connection failed with err at step: the one line "connection from
 * WHO failed: message (ENAME)" (dir "from" on a server, "to" on a client)
 * and its hint. */
void trace_peer_failed(const char *dir, const char *who, int err, int step);
/* An error line, printed at every verbosity. */
void trace_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
/* A "hint:" line for errno err met at step (prints nothing if none known);
 * the hints live in trace_hint.c. */
void trace_hint(int err, int step, const char *where);
/* At -vv, an escaped preview of a payload that was sent or received. */
void trace_payload(const void *buf, size_t len);

/* "ECONNREFUSED" for ECONNREFUSED; "E?" for numbers not in the table. */
const char *trace_errno_name(int err);
/* The step's name: "bind". */
const char *trace_step_name(int step);

/* Escape up to max bytes of buf into out (quoted, \n \t \xNN, " ..." if
 * cut), as trace_payload shows them, for a tool's own output; returns out. */
char *trace_escape(const void *buf, size_t len, size_t max, char *out,
    size_t size);

#endif
