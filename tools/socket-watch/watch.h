/*
 * watch.h - what the parts of socket-watch share: its options, and the
 * two modes, one file each:
 *
 *   states.c   the kernel's socket table, dump after dump (diag.c,
 *              table.c): a line when a socket appears, changes state or
 *              goes away
 *   packets.c  every segment on an interface, from an AF_PACKET socket,
 *              decoded by hand (packet.c)
 */
#ifndef SOCKET_WATCH_H
#define SOCKET_WATCH_H

#include "cli.h"

enum watch_mode { MODE_STATES, MODE_PACKETS };

struct options {
	struct cli_common cli;	/* -4 / -6, -q / -v, --step, --trace */
	enum watch_mode mode;	/* the subcommand */
	const char *what;	/* PORT or PATH as given, or NULL: everything */
	unsigned port;		/* the port, 0 for every port (or a path) */
	const char *path;	/* states: a Unix socket's address, or NULL */
	int tcp, udp;		/* -t / -u: only TCP / only UDP (both: both) */
	int interval_ms;	/* states --interval: between two dumps */
	int for_ms;		/* --for: stop after this long, -1 never */
	int queues;		/* states -Q: a line when a queue changes too */
	const char *iface;	/* packets -i: the interface (default lo) */
	int preview;		/* packets --preview: payload bytes shown */
};

/* Watch the socket table until stopped; the exit status. */
int watch_states(const struct options *opt);
/* Watch packets until stopped; the exit status. */
int watch_packets(const struct options *opt);

/* "12:34:56.789012" for t_us (µs since the epoch), local time, into buf. */
char *watch_clock(long long t_us, char *buf, size_t size);

#endif
