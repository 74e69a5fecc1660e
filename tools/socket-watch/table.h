/*
 * table.h - the sockets socket-watch has seen, so each dump (a snapshot)
 * can be compared with the one before: what is new, what changed state,
 * what went away.
 *
 * A TCP or UDP socket is known by its protocol and both addresses (the
 * kernel allows one connection per four-tuple; when a SYN_RECV request
 * becomes a full socket, or a socket moves to TIME_WAIT, the kernel's
 * object changes but the connection is the same); one without a peer
 * (a listener, an unconnected UDP socket) also by its cookie, as several
 * may share an address (SO_REUSEPORT). A Unix socket by its inode.
 */
#ifndef SOCKET_WATCH_TABLE_H
#define SOCKET_WATCH_TABLE_H

#include <stddef.h>

#include "diag.h"

struct table;

/* A new, empty table, or NULL (ENOMEM). */
struct table *table_new(void);
void table_free(struct table *t);

/* Start comparing a new dump with what the table holds. */
void table_begin(struct table *t);
/* s is in the new dump: the entry that knew it (its old state still in
 * it, for the caller to compare and then overwrite), a new one with
 * *fresh set, or NULL (ENOMEM). */
struct diag_sock *table_see(struct table *t, const struct diag_sock *s,
    int *fresh);
/* After a dump: call gone(s, ctx) for each socket it no longer showed,
 * and forget it. */
void table_sweep(struct table *t, void (*gone)(const struct diag_sock *,
    void *), void *ctx);
/* How many sockets the table holds. */
size_t table_count(const struct table *t);

#endif
