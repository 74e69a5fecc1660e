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

/* The nine steps of the socket procedure (see lessons/README.md). */
enum trace_step {
	STEP_NONE = 0,		/* an event outside the nine: resolve, poll, ... */
	STEP_SOCKET = 1,
	STEP_SETSOCKOPT = 2,
	STEP_BIND = 3,
	STEP_LISTEN = 4,
	STEP_ACCEPT = 5,
	STEP_CONNECT = 6,
	STEP_SEND = 7,
	STEP_RECV = 8,
	STEP_CLOSE = 9
};

/* Set the program name that prefixes every line, and decide on colour. */
void trace_init(const char *progname);
/* The program name given to trace_init(). */
const char *trace_progname(void);
/* Set / read the verbosity (enum trace_level). */
void trace_set_level(int level);
int trace_level(void);
/* True when lines of this level would be printed. */
int trace_enabled(int level);

/* A status line at default verbosity: "tcp-server: listening on ...". */
void trace_status(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
/* A step line "[N name] call = result" at -v (or at default when failed). */
void trace_step(int step, int failed, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* An unnumbered event line "[label] ..." at -v: resolve, poll, fork... */
void trace_event(const char *label, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* An error line, printed at every verbosity. */
void trace_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
/* A "hint:" line for errno err met at step (prints nothing if none known). */
void trace_hint(int err, int step, const char *where);
/* At -vv, an escaped preview of a payload that was sent or received. */
void trace_payload(const void *buf, size_t len);

/* "ECONNREFUSED" for ECONNREFUSED; "E?" for numbers not in the table. */
const char *trace_errno_name(int err);
/* The lesson file that explains a step: "lessons/03-bind.md". */
const char *trace_step_lesson(int step);
/* The step's name: "bind". */
const char *trace_step_name(int step);

/* Escape up to max bytes of buf into out (quoted, \n \t \xNN, " ..." if
 * cut), as trace_payload shows them, for a tool's own output; returns out. */
char *trace_escape(const void *buf, size_t len, size_t max, char *out,
    size_t size);

#endif
