/*
 * body.h - reading a request body that is kept (the STORE_BODY state):
 * an upload's, or a script's input. It is decoded as it arrives (the
 * chunked coding, or Content-Length bytes), counted against --max-body
 * while it is read, and written to the job's file; once whole it is
 * stored (upload.c) or given to the script (cgi.c).
 */
#ifndef MINI_HTTPD_BODY_H
#define MINI_HTTPD_BODY_H

#include "conn.h"

/* c's request (its head still in the buffer) has a job: take what the
 * job needs from the head, then read the body, or start at once. */
void body_start(struct server *s, struct conn *c);

/* Use the body bytes in c's buffer; leaves what follows the body there. */
void body_feed(struct server *s, struct conn *c);

/* Nothing is buffered and the body has a Content-Length: receive the
 * next piece of it (never past its end) and keep it. recv's result. */
ssize_t body_recv(struct server *s, struct conn *c);

/* The body will never be whole (its deadline passed): undo, answer
 * status, close. */
void body_fail(struct server *s, struct conn *c, int status);

#endif
