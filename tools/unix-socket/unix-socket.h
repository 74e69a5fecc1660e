/*
 * unix-socket.h - what the parts of unix-socket share: the options, the
 * address being served or reached, and the clean-up of socket files.
 */
#ifndef UNIX_SOCKET_H
#define UNIX_SOCKET_H

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <signal.h>

#include "addr.h"

/* The largest datagram the tool sends (and expects) on SOCK_DGRAM. */
#define US_DGRAM_MAX (64 * 1024)

enum { CMD_SERVER = 1, CMD_CLIENT, CMD_PAIR };

struct options {
	int cmd;		/* server, client or pair */
	const char *path;	/* PATH, or the name with --abstract */
	int type;		/* SOCK_STREAM, or SOCK_DGRAM with --dgram */
	int abstract;		/* --abstract: a name with no file (Linux) */
	int echo;		/* --echo: the server sends every byte back */
	int keep;		/* -k: serve the next client when one leaves */
	int unlink_stale;	/* --unlink: remove a stale socket file */
	int mode;		/* --mode: permissions of the socket file */
	const char *send_fd;	/* --send-fd FILE: pass FILE's descriptor */
	int recv_fd;		/* --recv-fd: read a file passed to us */
	struct sockaddr_un sun;	/* the address of PATH */
	socklen_t sunlen;
	char where[ADDR_STRLEN];	/* PATH as narrated ("@name" if abstract) */
};

/* The signal (SIGINT, SIGTERM) that asked us to stop; 0 if none. */
extern volatile sig_atomic_t us_signal;

/* Build the address of path (or abstract name) into sun/len, or exit 64
 * with one line if it cannot fit, before any system call. */
void us_address(const char *path, int abstract, struct sockaddr_un *sun,
    socklen_t *len, const char *what);

/* Remember a socket file we created, to remove it when we exit. */
void us_remove_on_exit(const char *path);
/* Remove the remembered socket file, if it is still the one we made. */
void us_cleanup(void);

/* The subcommands; each returns the exit status. */
int us_server(const struct options *opt);
int us_server_dgram(const struct options *opt, int fd);
int us_client(const struct options *opt);
int us_pair(const struct options *opt);
/* Client side of --dgram: stdin out as datagrams, replies to stdout,
 * until the server answers the empty end datagram; 0 or -1 with errno. */
int us_dgram_relay(int sock);

/* Pass descriptor fd over sock with SCM_RIGHTS, with label as the
 * message; 0, or -1 with errno. */
int us_send_fd(int sock, int fd, const char *label);
/* Receive one descriptor passed over sock; the message goes into label.
 * The descriptor, or -1 with errno (EBADMSG: none came). */
int us_recv_fd(int sock, char *label, size_t size);

#endif
