/*
 * netacl.c -- see netacl.h.  Entries are ADDRESS or ADDRESS/PREFIX;
 * a plain address is a /32 (/128).  Bits beyond the prefix must be zero
 * ("10.1.0.0/8" is refused: it is almost always a typo).  IPv4 peers that
 * reach an IPv6 listener arrive as ::ffff:a.b.c.d and are matched as IPv4.
 * O(entries) per match: the list is short.
 */
#include "config.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netacl.h"

static int parse_one(struct netacl *a, const char *tok, char *err, size_t errlen)
{
	char buf[64], *slash;
	unsigned maxbits, prefix;
	int family;

	if (strlen(tok) >= sizeof(buf) || a->n >= NETACL_MAX) {
		snprintf(err, errlen, "\"%s\": %s", tok, a->n >= NETACL_MAX ?
			 "too many entries (at most 32)" : "not an address");
		return EINVAL;
	}
	strcpy(buf, tok);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	family = strchr(buf, ':') ? AF_INET6 : AF_INET;
	maxbits = family == AF_INET6 ? 128 : 32;
	if (inet_pton(family, buf, a->e[a->n].addr) != 1) {
		snprintf(err, errlen, "\"%s\": not an IPv4 or IPv6 address", tok);
		return EINVAL;
	}
	prefix = maxbits;
	if (slash) {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(slash, &end, 10);
		if (errno || *end || !*slash || v > maxbits) {
			snprintf(err, errlen, "\"%s\": prefix length must be 0 to %u", tok, maxbits);
			return EINVAL;
		}
		prefix = (unsigned)v;
	}
	for (unsigned bit = prefix; bit < maxbits; bit++) {
		if (a->e[a->n].addr[bit / 8] & (0x80 >> (bit % 8))) {
			snprintf(err, errlen, "\"%s\": address has bits set beyond /%u", tok, prefix);
			return EINVAL;
		}
	}
	a->e[a->n].family = family;
	a->e[a->n].prefix = prefix;
	a->n++;
	return 0;
}

int netacl_parse(struct netacl *a, const char *s, char *err, size_t errlen)
{
	char tok[128];

	memset(a, 0, sizeof(*a));
	while (*s) {
		size_t len;

		s += strspn(s, ", \t");
		len = strcspn(s, ", \t");
		if (!len)
			break;
		if (len >= sizeof(tok))
			len = sizeof(tok) - 1;
		memcpy(tok, s, len);
		tok[len] = '\0';
		s += strcspn(s, ", \t");
		if (parse_one(a, tok, err, errlen))
			return EINVAL;
	}
	return 0;
}

static bool prefix_equal(const uint8_t *x, const uint8_t *y, unsigned bits)
{
	unsigned bytes = bits / 8, rest = bits % 8;

	if (memcmp(x, y, bytes) != 0)
		return false;
	return !rest || ((x[bytes] ^ y[bytes]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

bool netacl_match(const struct netacl *a, const struct sockaddr *sa)
{
	static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	const uint8_t *addr;
	int family;

	if (!sa)
		return false;
	if (sa->sa_family == AF_INET) {
		family = AF_INET;
		addr = (const uint8_t *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	} else if (sa->sa_family == AF_INET6) {
		addr = ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr;
		family = AF_INET6;
		if (memcmp(addr, v4mapped, sizeof(v4mapped)) == 0) {
			family = AF_INET;
			addr += 12;
		}
	} else {
		return false;
	}
	for (unsigned i = 0; i < a->n; i++)
		if (a->e[i].family == family && prefix_equal(a->e[i].addr, addr, a->e[i].prefix))
			return true;
	return false;
}
