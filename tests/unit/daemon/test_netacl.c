/*
 * test_netacl.c -- address lists for metrics_allow (daemon/netacl.c).
 */
#include "config.h"
#include <arpa/inet.h>
#include <netinet/in.h>

#include "netacl.h"
#include "test.h"

int test_netacl_matches_addresses_and_networks(void);
int test_netacl_refuses_bad_entries_naming_them(void);

static bool match4(const struct netacl *a, const char *ip)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };

	inet_pton(AF_INET, ip, &sin.sin_addr);
	return netacl_match(a, (struct sockaddr *)&sin);
}

static bool match6(const struct netacl *a, const char *ip)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };

	inet_pton(AF_INET6, ip, &sin6.sin6_addr);
	return netacl_match(a, (struct sockaddr *)&sin6);
}

int test_netacl_matches_addresses_and_networks(void)
{
	char msg[128];
	struct netacl a;
	int err;

	err = netacl_parse(&a, "127.0.0.1, 10.0.0.0/8,192.168.4.0/22 fd00::/8", msg, sizeof(msg));
	TEST_ERR(err);
	TEST_EQ(4, a.n);
	TEST_ASSERT(match4(&a, "127.0.0.1"));
	TEST_ASSERT(!match4(&a, "127.0.0.2"));
	TEST_ASSERT(match4(&a, "10.255.1.2"));
	TEST_ASSERT(!match4(&a, "11.0.0.1"));
	TEST_ASSERT(match4(&a, "192.168.7.255"));
	TEST_ASSERT(!match4(&a, "192.168.8.0"));
	TEST_ASSERT(match6(&a, "fd12::1"));
	TEST_ASSERT(!match6(&a, "fe80::1"));
	TEST_ASSERT(match6(&a, "::ffff:10.1.2.3"));     /* IPv4 via an IPv6 listener */
	TEST_ASSERT(!match6(&a, "::ffff:11.1.2.3"));
	TEST_ASSERT(!netacl_match(&a, NULL));
	err = netacl_parse(&a, "", msg, sizeof(msg));
	TEST_ERR(err);
	TEST_EQ(0, a.n);
	TEST_ASSERT(!match4(&a, "127.0.0.1"));
 out:
	return err;
}

int test_netacl_refuses_bad_entries_naming_them(void)
{
	char msg[128] = "";
	struct netacl a;
	int err = 0;

	TEST_EQ(EINVAL, netacl_parse(&a, "127.0.0.1,localhost", msg, sizeof(msg)));
	TEST_CONTAINS(msg, "\"localhost\": not an IPv4 or IPv6 address");
	TEST_EQ(EINVAL, netacl_parse(&a, "10.0.0.0/33", msg, sizeof(msg)));
	TEST_CONTAINS(msg, "prefix length must be 0 to 32");
	TEST_EQ(EINVAL, netacl_parse(&a, "10.1.0.0/8", msg, sizeof(msg)));
	TEST_CONTAINS(msg, "bits set beyond /8");
 out:
	return err;
}
