/*
 * trunk_util.c -- pure helpers of the SIP side: addresses and networks (who
 * may send calls on a trunk), hostnames, numbers in URI user parts.  No
 * state; any thread (the REST API validates with the same functions the
 * daemon matches with, so what is accepted is what works).
 */
#include "config.h"
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trunk.h"

bool trunk_net_parse(const char *s, struct trunk_net *n)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t len = slash ? (size_t)(slash - s) : strlen(s);
	unsigned max;

	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	memset(n, 0, sizeof(*n));
	if (inet_pton(AF_INET, buf, n->addr) == 1) {
		n->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, n->addr) == 1) {
		n->family = AF_INET6;
		max = 128;
	} else {
		return false;
	}
	n->bits = max;
	if (slash) {
		char *end;
		long b;

		if (!isdigit((unsigned char)slash[1]))
			return false;
		b = strtol(slash + 1, &end, 10);
		if (*end || b < 0 || b > (long)max)
			return false;
		n->bits = (unsigned)b;
	}
	return true;
}

static bool prefix_eq(const uint8_t *a, const uint8_t *b, unsigned bits)
{
	unsigned bytes = bits / 8, rest = bits % 8;

	if (memcmp(a, b, bytes))
		return false;
	if (!rest)
		return true;
	return ((a[bytes] ^ b[bytes]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

bool trunk_net_match(const struct trunk_net *n, const struct sockaddr *sa)
{
	const uint8_t *a;

	if (sa->sa_family == AF_INET && n->family == AF_INET) {
		a = (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr;
	} else if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a6 = &((const struct sockaddr_in6 *)sa)->sin6_addr;

		if (n->family == AF_INET6)
			a = a6->s6_addr;
		else if (IN6_IS_ADDR_V4MAPPED(a6))
			a = a6->s6_addr + 12;       /* ::ffff:192.0.2.1 on a dual-stack socket */
		else
			return false;
	} else {
		return false;
	}
	return prefix_eq(a, n->addr, n->bits);
}

int trunk_nets_parse(const char *list, struct trunk_net *v, size_t max, size_t *np, char *err,
		     size_t errlen)
{
	size_t n = 0;
	const char *p = list;

	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char item[64];

		while (len && isspace((unsigned char)*p)) {
			p++;
			len--;
		}
		while (len && isspace((unsigned char)p[len - 1]))
			len--;
		if (len == 0 || len >= sizeof(item)) {
			snprintf(err, errlen, "an empty or overlong item in \"%s\"", list);
			return EINVAL;
		}
		memcpy(item, p, len);
		item[len] = '\0';
		if (n == max) {
			snprintf(err, errlen, "more than %zu addresses", max);
			return E2BIG;
		}
		if (!trunk_net_parse(item, &v[n])) {
			snprintf(err, errlen, "\"%s\" is not an IP address or network (192.0.2.0/24, "
				 "2001:db8::/32)", item);
			return EINVAL;
		}
		n++;
		if (!end)
			break;
		p = end + 1;
		if (!*p) {
			snprintf(err, errlen, "\"%s\" ends with a comma", list);
			return EINVAL;
		}
	}
	*np = n;
	return 0;
}

bool trunk_host_valid(const char *host)
{
	struct trunk_net n;
	size_t len = strlen(host), label = 0;
	bool all_digits = true;

	if (strchr(host, '/') == NULL && trunk_net_parse(host, &n))
		return true;
	if (len == 0 || len > 253 || host[len - 1] == '.')
		return false;
	for (size_t i = 0; i <= len; i++) {
		char c = host[i];

		if (c == '.' || c == '\0') {
			if (label == 0 || label > 63 || host[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)c) && c != '-')
			return false;
		if (c == '-' && label == 0)
			return false;
		if (!isdigit((unsigned char)c) && c != '.')
			all_digits = false;
		label++;
	}
	return !all_digits;     /* 192.0.2.300 is a bad address, not a name */
}

bool trunk_number_from_user(const char *user, char *out, size_t len)
{
	size_t n = 0;

	if (!user)
		return false;
	for (const char *p = user; *p && *p != ';'; p++) {
		if (strchr("-.() ", *p))
			continue;       /* RFC 3966 visual separators */
		if (!(isdigit((unsigned char)*p) || *p == '*' || *p == '#' || (*p == '+' && n == 0)))
			return false;
		if (n + 1 >= len || n >= 32)
			return false;
		out[n++] = *p;
	}
	out[n] = '\0';
	return n > 0 && !(n == 1 && out[0] == '+');
}
