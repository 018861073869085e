/*
 * test_trunk_util.c -- the SIP side's pure helpers (daemon/sip/trunk_util.c):
 * who may send calls on a trunk, which hosts a next hop may name, and the
 * number in a URI's user part.
 */
#include "config.h"
#include <arpa/inet.h>
#include <netinet/in.h>

#include "test.h"
#include "trunk.h"

#define X(fn) int fn(void);
#include "tests.def"
#undef X

static struct sockaddr_in v4(const char *ip)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };

	inet_pton(AF_INET, ip, &sin.sin_addr);
	return sin;
}

static struct sockaddr_in6 v6(const char *ip)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };

	inet_pton(AF_INET6, ip, &sin6.sin6_addr);
	return sin6;
}

int test_trunk_sources_match_addresses_and_networks(void)
{
	struct trunk_net n[8];
	struct sockaddr_in a;
	struct sockaddr_in6 b;
	char msg[128];
	size_t cnt = 0;
	int err = 0;

	TEST_ERR(trunk_nets_parse("192.0.2.7, 10.0.0.0/8,2001:db8::/32", n, 8, &cnt, msg, sizeof(msg)));
	TEST_EQ(3, cnt);
	a = v4("192.0.2.7");
	TEST_ASSERT(trunk_net_match(&n[0], (struct sockaddr *)&a));
	a = v4("192.0.2.8");
	TEST_ASSERT(!trunk_net_match(&n[0], (struct sockaddr *)&a));
	a = v4("10.200.3.4");
	TEST_ASSERT(trunk_net_match(&n[1], (struct sockaddr *)&a));
	a = v4("11.0.0.1");
	TEST_ASSERT(!trunk_net_match(&n[1], (struct sockaddr *)&a));
	b = v6("2001:db8:1::5");
	TEST_ASSERT(trunk_net_match(&n[2], (struct sockaddr *)&b));
	b = v6("2001:db9::5");
	TEST_ASSERT(!trunk_net_match(&n[2], (struct sockaddr *)&b));
	/* a dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d */
	b = v6("::ffff:10.1.2.3");
	TEST_ASSERT(trunk_net_match(&n[1], (struct sockaddr *)&b));
	TEST_ERR(trunk_nets_parse("", n, 8, &cnt, msg, sizeof(msg)));
	TEST_EQ(0, cnt);
	TEST_EQ(EINVAL, trunk_nets_parse("10.0.0.0/33", n, 8, &cnt, msg, sizeof(msg)));
	TEST_CONTAINS(msg, "10.0.0.0/33");
	TEST_EQ(EINVAL, trunk_nets_parse("10.0.0.1,", n, 8, &cnt, msg, sizeof(msg)));
	TEST_EQ(EINVAL, trunk_nets_parse("pbx.example.com", n, 8, &cnt, msg, sizeof(msg)));
	TEST_EQ(E2BIG, trunk_nets_parse("1.1.1.1,2.2.2.2,3.3.3.3", n, 2, &cnt, msg, sizeof(msg)));
 out:
	return err;
}

int test_trunk_host_takes_ip_literals_and_hostnames_only(void)
{
	int err = 0;

	TEST_ASSERT(trunk_host_valid("192.0.2.1"));
	TEST_ASSERT(trunk_host_valid("2001:db8::1"));
	TEST_ASSERT(trunk_host_valid("mediation1.corp.example.com"));
	TEST_ASSERT(trunk_host_valid("pool-01"));
	TEST_ASSERT(!trunk_host_valid(""));
	TEST_ASSERT(!trunk_host_valid("bad host"));
	TEST_ASSERT(!trunk_host_valid("-lead.example.com"));
	TEST_ASSERT(!trunk_host_valid("trail-.example.com"));
	TEST_ASSERT(!trunk_host_valid("a..b"));
	TEST_ASSERT(!trunk_host_valid("192.0.2.300"));
	TEST_ASSERT(!trunk_host_valid("10.0.0.0/8"));
 out:
	return err;
}

int test_trunk_number_from_user_keeps_plus_and_drops_separators(void)
{
	char out[33];
	int err = 0;

	TEST_ASSERT(trunk_number_from_user("+49-30-100-2345", out, sizeof(out)));
	TEST_STREQ("+49301002345", out);
	TEST_ASSERT(trunk_number_from_user("4930100234;isub=12", out, sizeof(out)));
	TEST_STREQ("4930100234", out);
	TEST_ASSERT(trunk_number_from_user("(030) 100.2345", out, sizeof(out)));
	TEST_STREQ("0301002345", out);
	TEST_ASSERT(trunk_number_from_user("*21#", out, sizeof(out)));
	TEST_ASSERT(!trunk_number_from_user("anonymous", out, sizeof(out)));
	TEST_ASSERT(!trunk_number_from_user("49+30", out, sizeof(out)));
	TEST_ASSERT(!trunk_number_from_user("+", out, sizeof(out)));
	TEST_ASSERT(!trunk_number_from_user("", out, sizeof(out)));
	TEST_ASSERT(!trunk_number_from_user(NULL, out, sizeof(out)));
	TEST_ASSERT(!trunk_number_from_user("123456789012345678901234567890123", out, sizeof(out)));
 out:
	return err;
}
