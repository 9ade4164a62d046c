/*
 * netaddr.h - IP addresses and networks written as text: an address
 * ("192.0.2.7", "2001:db8::1") or a network ("10.0.0.0/8", "fd00::/8"),
 * lists of networks such as the trusted proxies, and the canonical text of
 * an address for records. IPv4 is kept as IPv4-mapped IPv6
 * (::ffff:a.b.c.d), so the "::ffff:127.0.0.1" of a dual-stack socket and
 * "127.0.0.1" are one address. Pure: no I/O, no name resolution.
 */
#ifndef KOUAN_NETADDR_H
#define KOUAN_NETADDR_H

#include <stdbool.h>
#include <stddef.h>

#define NETADDR_LIST_MAX 32
#define NETADDR_TEXT_SIZE 48 /* the longest canonical address, with its NUL */

struct netaddr {
	unsigned char bytes[16];
	unsigned prefix; /* leading bits that must match, 0..128 */
};

struct netaddr_list {
	struct netaddr nets[NETADDR_LIST_MAX];
	size_t count;
};

/* Parse an address (prefix 128) or a network "ADDRESS/BITS" (BITS at most
 * 32 for IPv4, 128 for IPv6). False when it is neither. */
bool netaddr_parse(const char *text, struct netaddr *out);

/* Parse a comma-separated list of addresses and networks (spaces around
 * items allowed; "" is the empty list). False, with the offending item
 * copied into bad (n bytes), when an item does not parse or there are more
 * than NETADDR_LIST_MAX. */
bool netaddr_list_parse(const char *text, struct netaddr_list *out, char *bad, size_t n);

/* Is the address `text` inside one of the list's networks? False for text
 * that is not an address. */
bool netaddr_list_has(const struct netaddr_list *l, const char *text);

/* The canonical text of an address (IPv4 dotted, IPv6 as inet_ntop writes
 * it) into out[NETADDR_TEXT_SIZE]; false when text is not an address (a
 * network, a port suffix, a name). */
bool netaddr_canonical(const char *text, char out[NETADDR_TEXT_SIZE]);

#endif
