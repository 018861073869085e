/*
 * test_snmp_view.c -- trunkgate-snmp's MIB view (tools/snmp/snmp_view.c):
 * a status document becomes DS1-MIB and TRUNKGATE-MIB rows under the right
 * OIDs, sorted for GETNEXT, with alarms mapped to dsx1LineStatus bits.
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>

#include "snmp_view.h"
#include "test.h"

int test_snmp_view_maps_a_span_to_ds1_mib_rows(void);
int test_snmp_view_getnext_walks_in_oid_order(void);
int test_snmp_view_refuses_a_document_without_spans(void);
int test_snmp_view_maps_sip_trunks_and_next_hops(void);

static const char doc_text[] =
	"{\"system\":{\"version\":\"9.9.9\",\"uptime_seconds\":12,\"cpu_percent\":1.5,"
	"\"memory_rss_bytes\":2048000,\"db_size_bytes\":4096},"
	"\"config\":{\"generation\":7,\"changed_at\":1700000000000},"
	"\"calls\":{\"active\":2,\"total\":5000000000},"
	"\"spans\":[{\"id\":3,\"name\":\"carrier\",\"type\":\"E1\",\"state\":\"alarm\",\"alarm_bits\":3,"
	"\"link_up\":false,\"active_calls\":0,\"total_calls\":4,\"switch_type\":\"euroisdn\","
	"\"pri_side\":\"user\",\"line\":{\"framing\":\"CCS\",\"line_code\":\"HDB3\",\"crc4\":true,"
	"\"clock\":\"line\"},\"counters\":{\"crc_errors\":77},"
	"\"channels\":[{\"channel\":1,\"state\":\"idle\"},{\"channel\":2,\"state\":\"busy\"}],"
	"\"ds1\":{\"time_elapsed\":42,\"valid_intervals\":2,\"invalid_intervals\":1,"
	"\"current\":{\"errored_seconds\":6,\"path_code_violations\":77},"
	"\"total\":{\"errored_seconds\":9,\"unavailable_seconds\":8}},"
	"\"intervals\":[{\"number\":1,\"valid\":true,\"errored_seconds\":4},"
	"{\"number\":2,\"valid\":false,\"errored_seconds\":5}]}],"
	"\"sip_trunks\":[]}";

static int build(struct tgsnmp_view *v)
{
	json_t *doc = json_loads(doc_text, 0, NULL);
	int err = doc ? tgsnmp_view_build(v, doc) : EINVAL;

	json_decref(doc);
	return err;
}

/* The value at an OID given as a string, or a marker when absent. */
static long long at(const struct tgsnmp_view *v, const char *oid_text)
{
	uint32_t oid[TGSNMP_OID_MAX];
	const struct tgsnmp_var *var;
	size_t n = 0;

	for (const char *p = oid_text; *p && n < TGSNMP_OID_MAX; p++) {
		oid[n++] = (uint32_t)strtoul(p, (char **)&p, 10);
		if (!*p)
			break;
	}
	var = tgsnmp_view_get(v, oid, n);
	if (!var)
		return -999;
	return var->type == TGSNMP_COUNTER64 ? (long long)var->u : var->i;
}

int test_snmp_view_maps_a_span_to_ds1_mib_rows(void)
{
	struct tgsnmp_view v = { 0 };
	int err;

	err = build(&v);
	TEST_ERR(err);
	/* dsx1ConfigTable */
	TEST_EQ(3, at(&v, "1.3.6.1.2.1.10.18.6.1.1.3"));
	TEST_EQ(42, at(&v, "1.3.6.1.2.1.10.18.6.1.3.3"));       /* TimeElapsed */
	TEST_EQ(2, at(&v, "1.3.6.1.2.1.10.18.6.1.4.3"));        /* ValidIntervals */
	TEST_EQ(5, at(&v, "1.3.6.1.2.1.10.18.6.1.5.3"));        /* dsx1E1CRC */
	TEST_EQ(3, at(&v, "1.3.6.1.2.1.10.18.6.1.6.3"));        /* dsx1HDB3 */
	TEST_EQ(64 + 32, at(&v, "1.3.6.1.2.1.10.18.6.1.10.3")); /* LOS + LOF */
	TEST_EQ(1, at(&v, "1.3.6.1.2.1.10.18.6.1.12.3"));       /* loopTiming */
	TEST_EQ(1, at(&v, "1.3.6.1.2.1.10.18.6.1.14.3"));       /* InvalidIntervals */
	/* current, interval, total */
	TEST_EQ(6, at(&v, "1.3.6.1.2.1.10.18.7.1.2.3"));
	TEST_EQ(77, at(&v, "1.3.6.1.2.1.10.18.7.1.7.3"));
	TEST_EQ(-999, at(&v, "1.3.6.1.2.1.10.18.7.1.4.3"));     /* SEFSs: not measured */
	TEST_EQ(4, at(&v, "1.3.6.1.2.1.10.18.8.1.3.3.1"));
	TEST_EQ(5, at(&v, "1.3.6.1.2.1.10.18.8.1.3.3.2"));
	TEST_EQ(1, at(&v, "1.3.6.1.2.1.10.18.8.1.13.3.1"));     /* ValidData true */
	TEST_EQ(2, at(&v, "1.3.6.1.2.1.10.18.8.1.13.3.2"));     /* false */
	TEST_EQ(9, at(&v, "1.3.6.1.2.1.10.18.9.1.2.3"));
	TEST_EQ(8, at(&v, "1.3.6.1.2.1.10.18.9.1.5.3"));
	/* TRUNKGATE-MIB */
	TEST_EQ(1200, at(&v, "1.3.6.1.4.1.99999.1.1.2.0"));     /* TimeTicks */
	TEST_EQ(150, at(&v, "1.3.6.1.4.1.99999.1.1.3.0"));
	TEST_EQ(2000, at(&v, "1.3.6.1.4.1.99999.1.1.4.0"));
	TEST_EQ(5000000000LL, at(&v, "1.3.6.1.4.1.99999.1.2.2.0"));
	TEST_EQ(3, at(&v, "1.3.6.1.4.1.99999.1.3.1.1.4.3"));    /* alarm(3) */
	TEST_EQ(3, at(&v, "1.3.6.1.4.1.99999.1.3.1.1.5.3"));
	TEST_EQ(77, at(&v, "1.3.6.1.4.1.99999.1.3.1.1.11.3"));
	TEST_EQ(1, at(&v, "1.3.6.1.4.1.99999.1.3.1.1.17.3"));
	TEST_EQ(1, at(&v, "1.3.6.1.4.1.99999.1.3.1.1.18.3"));
	TEST_EQ(2, at(&v, "1.3.6.1.4.1.99999.1.3.2.1.2.3.2")); /* channel 2 busy */
	TEST_EQ(1, v.nspans);
	TEST_EQ(3, v.spans[0].alarms);
	TEST_STREQ("carrier", v.spans[0].name);
 out:
	tgsnmp_view_clear(&v);
	return err;
}

int test_snmp_view_getnext_walks_in_oid_order(void)
{
	static const uint32_t ds1[] = { 1, 3, 6, 1, 2, 1, 10, 18 };
	struct tgsnmp_view v = { 0 };
	const struct tgsnmp_var *a, *b;
	char text[256];
	size_t steps = 0;
	int err;

	err = build(&v);
	TEST_ERR(err);
	a = tgsnmp_view_next(&v, ds1, 8, false);
	TEST_ASSERT(a != NULL);
	tgsnmp_oid_str(a->oid, a->len, text, sizeof(text));
	TEST_STREQ("1.3.6.1.2.1.10.18.6.1.1.3", text);
	/* inclusive: the same OID again; exclusive: the next one */
	TEST_ASSERT(tgsnmp_view_next(&v, a->oid, a->len, true) == a);
	for (; (b = tgsnmp_view_next(&v, a->oid, a->len, false)); a = b, steps++)
		TEST_ASSERT(tgsnmp_oid_cmp(a->oid, a->len, b->oid, b->len) < 0);
	TEST_EQ(v.n - 1, steps);
	tgsnmp_oid_str(a->oid, a->len, text, sizeof(text));
	TEST_STREQ("1.3.6.1.4.1.99999.1.3.2.1.2.3.2", text);    /* the last: a channel */
 out:
	tgsnmp_view_clear(&v);
	return err;
}

int test_snmp_view_refuses_a_document_without_spans(void)
{
	struct tgsnmp_view v = { 0 };
	json_t *doc = json_loads("{\"system\":{}}", 0, NULL);
	int err = 0;

	TEST_EQ(EINVAL, tgsnmp_view_build(&v, doc));
	TEST_EQ(0, v.n);
 out:
	json_decref(doc);
	tgsnmp_view_clear(&v);
	return err;
}

int test_snmp_view_maps_sip_trunks_and_next_hops(void)
{
	static const char text[] =
		"{\"system\":{},\"spans\":[],\"sip_trunks\":[{\"id\":4,\"name\":\"itsp\",\"state\":\"down\","
		"\"active_calls\":2,\"call_stats\":{\"calls_per_minute\":6,"
		"\"last_15m\":{\"attempts\":6,\"answered\":4,\"asr\":0.6667,\"acd_seconds\":2.104},"
		"\"since_start\":{\"attempts\":9,\"answered\":4,\"asr\":0.4444,\"acd_seconds\":2.104}},"
		"\"next_hops\":[{\"host\":\"127.0.0.1\",\"port\":5070,\"transport\":\"udp\",\"state\":\"down\","
		"\"rtt_ms\":0.25,\"call_stats\":{\"calls_per_minute\":0,"
		"\"last_15m\":{\"attempts\":0,\"answered\":0,\"asr\":null,\"acd_seconds\":null},"
		"\"since_start\":{\"attempts\":1,\"answered\":0,\"asr\":0,\"acd_seconds\":null}}},"
		"{\"host\":\"::1\",\"port\":0,\"transport\":\"tcp\",\"state\":\"off\",\"rtt_ms\":null}]}]}";
	struct tgsnmp_view v = { 0 };
	json_t *doc = json_loads(text, 0, NULL);
	const struct tgsnmp_var *var;
	int err;

	err = doc ? tgsnmp_view_build(&v, doc) : EINVAL;
	TEST_ERR(err);
	TEST_EQ(2, at(&v, "1.3.6.1.4.1.99999.1.4.1.1.3.4"));           /* tgTrunkState down */
	TEST_EQ(2, at(&v, "1.3.6.1.4.1.99999.1.4.1.1.4.4"));           /* ActiveCalls */
	TEST_EQ(6, at(&v, "1.3.6.1.4.1.99999.1.4.1.1.5.4"));           /* CallsPerMinute */
	TEST_EQ(9, at(&v, "1.3.6.1.4.1.99999.1.4.1.1.6.4"));           /* Attempts */
	TEST_EQ(6, at(&v, "1.3.6.1.4.1.99999.1.4.1.1.8.4"));           /* Attempts15m */
	TEST_EQ(6667, at(&v, "1.3.6.1.4.1.99999.1.4.1.1.10.4"));       /* Asr 66.67 % */
	TEST_EQ(2104, at(&v, "1.3.6.1.4.1.99999.1.4.1.1.11.4"));       /* Acd ms */
	TEST_EQ(4444, at(&v, "1.3.6.1.4.1.99999.1.4.1.1.12.4"));       /* AsrTotal */
	TEST_EQ(2104, at(&v, "1.3.6.1.4.1.99999.1.4.1.1.13.4"));       /* AcdTotal */
	var = tgsnmp_view_get(&v, (const uint32_t[]){ 1, 3, 6, 1, 4, 1, 99999, 1, 4, 2, 1, 2, 4, 1 }, 14);
	TEST_ASSERT(var && var->type == TGSNMP_STRING);
	TEST_STREQ("127.0.0.1:5070/udp", var->s);
	TEST_EQ(2, at(&v, "1.3.6.1.4.1.99999.1.4.2.1.3.4.1"));         /* tgHopState down */
	TEST_EQ(250, at(&v, "1.3.6.1.4.1.99999.1.4.2.1.4.4.1"));       /* Rtt us */
	TEST_EQ(0, at(&v, "1.3.6.1.4.1.99999.1.4.2.1.10.4.1"));        /* no attempt: 0 */
	TEST_EQ(4, at(&v, "1.3.6.1.4.1.99999.1.4.2.1.3.4.2"));         /* off */
	TEST_EQ(0, at(&v, "1.3.6.1.4.1.99999.1.4.2.1.4.4.2"));
	/* the states the notifications compare */
	TEST_EQ(3, v.nsip);
	TEST_EQ(0, v.sip[0].hop);
	TEST_EQ(2, v.sip[0].state);
	TEST_EQ(1, v.sip[1].hop);
	TEST_STREQ("127.0.0.1:5070/udp", v.sip[1].address);
	TEST_STREQ("itsp", v.sip[2].name);
 out:
	json_decref(doc);
	tgsnmp_view_clear(&v);
	return err;
}
