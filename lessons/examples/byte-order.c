/*
 * byte-order [ADDRESS PORT] - print a socket address's bytes as they sit in
 * memory (default 127.0.0.1 8080; an IPv6 address works too).
 * The port and the address are stored in network byte order, big-endian:
 * the most significant byte first, whatever the machine. sin_family is a
 * plain integer in the machine's own order. lessons/00-addresses.md
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* Print LABEL, then the LEN bytes at P in hex, in memory order. */
static void dump(const char *label, const void *p, size_t len)
{
	printf("%-28s", label);
	for (size_t i = 0; i < len; i++)
		printf(" %02x", ((const unsigned char *)p)[i]);
	printf("\n");
}

int main(int argc, char *argv[])
{
	struct sockaddr_storage ss = { 0 };	/* room for any family */
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;	/* the same bytes, */
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;	/* seen two ways */
	const char *addr = argc == 3 ? argv[1] : "127.0.0.1";
	char *end = "", host[NI_MAXHOST], serv[NI_MAXSERV];
	long port = argc == 3 ? strtol(argv[2], &end, 10) : 8080;
	uint16_t hport = (uint16_t)port, one = 1;
	socklen_t len;

	if ((argc != 1 && argc != 3) || *end != '\0' || port < 0 || port > 65535) {
		fprintf(stderr, "usage: byte-order [ADDRESS PORT]\n");
		return 64;
	}
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {	/* text -> 4 bytes */
		sin->sin_family = AF_INET;
		sin->sin_port = htons(hport);	/* host to network, short */
		len = sizeof(*sin);
	} else if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {	/* 16 bytes */
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(hport);	/* at the same offset as sin_port */
		len = sizeof(*sin6);
	} else {
		fprintf(stderr, "byte-order: '%s' is not an IPv4 or IPv6 address\n", addr);
		return 64;
	}
	printf("this machine is %s-endian\n", *(unsigned char *)&one == 1 ? "little" : "big");
	printf("port %u is 0x%04x\n", hport, hport);
	dump("  as a uint16_t here:", &hport, sizeof(hport));
	dump("  htons(port), on the wire:", &sin->sin_port, sizeof(sin->sin_port));
	if (ss.ss_family == AF_INET) {
		uint32_t haddr = ntohl(sin->sin_addr.s_addr);	/* network to host, long */

		printf("address %s is 0x%08lx\n", addr, (unsigned long)haddr);
		dump("  as a uint32_t here:", &haddr, sizeof(haddr));
		dump("  sin_addr, on the wire:", &sin->sin_addr, sizeof(sin->sin_addr));
	} else
		dump("sin6_addr:", &sin6->sin6_addr, sizeof(sin6->sin6_addr));
	dump(ss.ss_family == AF_INET ? "struct sockaddr_in:" : "struct sockaddr_in6:", &ss, len);
	getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host), serv, sizeof(serv),
	    NI_NUMERICHOST | NI_NUMERICSERV);	/* and back to text */
	printf("getnameinfo: %s port %s; ntohs(sin_port) = %u\n", host, serv, ntohs(sin->sin_port));
	return 0;
}
