/*
 * netacl.h -- a list of IP addresses and networks ("127.0.0.1, 10.0.0.0/8,
 * ::1, fd00::/8") and a test whether a peer's address is in it.  Used for
 * the bootstrap option metrics_allow.  Pure; any thread.
 */
#ifndef TG_NETACL_H
#define TG_NETACL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define NETACL_MAX 32

struct netacl {
	unsigned n;
	struct {
		int family;             /* AF_INET or AF_INET6 */
		uint8_t addr[16];
		unsigned prefix;        /* bits */
	} e[NETACL_MAX];
};

/* Parse a comma- or space-separated list; "" is an empty list.  EINVAL with
 * the bad entry named in err. */
int netacl_parse(struct netacl *a, const char *s, char *err, size_t errlen);

/* Whether sa (AF_INET, AF_INET6, v4-mapped v6 too) is in the list. */
bool netacl_match(const struct netacl *a, const struct sockaddr *sa);

#endif
