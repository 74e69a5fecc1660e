/*
 * unix-socket.h - what the parts of unix-socket share: the options, the
 * address being served or reached, and the clean-up of socket files.
 */
#ifndef UNIX_SOCKET_H
#define UNIX_SOCKET_H

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "addr.h"
#include "cli.h"

/* The largest datagram the tool sends (and expects) on SOCK_DGRAM. */
#define US_DGRAM_MAX (64 * 1024)

enum { CMD_SERVER = 1, CMD_CLIENT, CMD_PAIR };

struct options {
	struct cli_common cli;	/* -q / -v */
	int cmd;		/* server, client or pair */
	const char *path;	/* PATH, or the name with --abstract */
	int type;		/* SOCK_STREAM, or SOCK_DGRAM with --dgram */
	int abstract;		/* --abstract: a name with no file (Linux) */
	int echo;		/* --echo: the server sends every byte back */
	int keep;		/* -k: serve the next client when one leaves */
	int unlink_stale;	/* --unlink: remove a stale socket file */
	int mode;		/* --mode: permissions of the socket file */
	int mode_set;		/* --mode was given */
	const char *send_fd;	/* --send-fd FILE: pass FILE's descriptor */
	int recv_fd;		/* --recv-fd: read a file passed to us */
	struct sockaddr_un sun;	/* the address of PATH */
	socklen_t sunlen;
	char where[ADDR_STRLEN];	/* PATH as narrated ("@name" if abstract) */
};

/* Build the address of path (or abstract name) into sun/len: 0, or 64
 * after saying in one line why it cannot be (before any system call). */
int us_address(const char *path, int abstract, struct sockaddr_un *sun,
    socklen_t *len, const char *what);

/* Remember a socket file we created, to remove it when we exit. */
void us_remember_file(const char *path);
/* Remove the remembered socket file, if it is still the one we made. */
void us_cleanup(void);

/* The subcommands; each returns the exit status, after saying why when
 * it is not 0. A caught SIGINT/SIGTERM (step_stop) ends them quietly:
 * main removes the socket files and dies of the signal. */
int us_server(const struct options *opt);
int us_server_dgram(const struct options *opt, int fd);
int us_client(const struct options *opt);
int us_pair(const struct options *opt);
/* Client side of --dgram: stdin out as datagrams, replies to stdout,
 * until the server answers the empty end datagram; 0, or -1 with errno
 * and *side saying which end failed (io.h). */
int us_dgram_relay(int sock, int *side);

/* Pass descriptor fd over sock with SCM_RIGHTS, with label as the
 * message; 0, or -1 with errno. */
int us_send_fd(int sock, int fd, const char *label);
/* Receive one descriptor passed over sock; the message goes into label.
 * The descriptor, or -1 with errno (EBADMSG: none came). */
int us_recv_fd(int sock, char *label, size_t size);

#endif
