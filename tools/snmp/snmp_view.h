/*
 * snmp_view.h -- trunkgate-snmp's MIB view: the status document (the JSON
 * of the daemon's status socket) turned into a sorted list of OID/value
 * pairs for DS1-MIB (RFC 4805) and TRUNKGATE-MIB (mibs/TRUNKGATE-MIB.txt),
 * answered by GET and GETNEXT.  Pure: no net-snmp, no I/O, so the unit
 * selftest checks it; trunkgate-snmp.c maps the types to ASN.1.
 */
#ifndef TG_SNMP_VIEW_H
#define TG_SNMP_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#define TGSNMP_OID_MAX 24

/* The enterprise number is a placeholder until trunkgate registers its own
 * with IANA (docs/snmp.md): 1.3.6.1.4.1.99999. */
#define TGSNMP_ENTERPRISE 99999

enum tgsnmp_type {
	TGSNMP_INTEGER,         /* INTEGER / Integer32 */
	TGSNMP_GAUGE,           /* Gauge32 / Unsigned32 */
	TGSNMP_COUNTER64,
	TGSNMP_TIMETICKS,
	TGSNMP_STRING,          /* OCTET STRING / DisplayString */
};

struct tgsnmp_var {
	uint32_t oid[TGSNMP_OID_MAX];
	size_t len;
	enum tgsnmp_type type;
	int64_t i;              /* INTEGER, GAUGE, TIMETICKS */
	uint64_t u;             /* COUNTER64 */
	char *s;                /* STRING (owned) */
};

/* A span's alarm state, for the raised/cleared notifications. */
struct tgsnmp_span_alarm {
	long long index;        /* tgSpanIndex = dsx1LineIndex (the span's id) */
	char name[64];
	unsigned alarms;        /* LOS 1, RED 2, BLUE 4, YELLOW 8 */
};

/* A SIP trunk's (hop 0) or next hop's state, for the down/up notifications. */
struct tgsnmp_sip_state {
	long long trunk;        /* tgTrunkIndex (the trunk's id) */
	unsigned hop;           /* tgHopIndex, 0: the trunk itself */
	char name[64];          /* the trunk's name */
	char address[280];      /* the hop's HOST:PORT/TRANSPORT */
	int state;              /* tgTrunkState / tgHopState */
};
#define TGSNMP_TRUNK_UP 1
#define TGSNMP_TRUNK_DOWN 2

struct tgsnmp_view {
	struct tgsnmp_var *v;
	size_t n, cap;
	struct tgsnmp_span_alarm *spans;
	size_t nspans;
	struct tgsnmp_sip_state *sip;   /* trunks and their hops */
	size_t nsip;
};

/* The OID prefixes served: DS1-MIB's ds1 node and TRUNKGATE-MIB's objects. */
extern const uint32_t tgsnmp_ds1_root[8];
extern const uint32_t tgsnmp_tg_root[8];
/* Notification OIDs (trunkgateMIB.0.N). */
extern const uint32_t tgsnmp_notif_alarm_raised[9];
extern const uint32_t tgsnmp_notif_alarm_cleared[9];
/* Column OIDs of tgSpanName and tgSpanAlarms (append the index). */
extern const uint32_t tgsnmp_col_span_name[12];
extern const uint32_t tgsnmp_col_span_alarms[12];
/* tgTrunkDown/Up, tgHopDown/Up, and the columns they carry (append the index). */
extern const uint32_t tgsnmp_notif_trunk_down[9], tgsnmp_notif_trunk_up[9];
extern const uint32_t tgsnmp_notif_hop_down[9], tgsnmp_notif_hop_up[9];
extern const uint32_t tgsnmp_col_trunk_name[12], tgsnmp_col_trunk_state[12];
extern const uint32_t tgsnmp_col_hop_address[12], tgsnmp_col_hop_state[12];

/* Build the view from a status document; ENOMEM or EINVAL (not a status
 * document).  The view is emptied first. */
int tgsnmp_view_build(struct tgsnmp_view *view, json_t *doc);
void tgsnmp_view_clear(struct tgsnmp_view *view);

/* GET: the exact OID, or NULL. */
const struct tgsnmp_var *tgsnmp_view_get(const struct tgsnmp_view *view,
					 const uint32_t *oid, size_t len);
/* GETNEXT: the first OID after oid (or at it, when inclusive); NULL at the end. */
const struct tgsnmp_var *tgsnmp_view_next(const struct tgsnmp_view *view,
					  const uint32_t *oid, size_t len, bool inclusive);

/* Compare OIDs lexicographically (<0, 0, >0). */
int tgsnmp_oid_cmp(const uint32_t *a, size_t alen, const uint32_t *b, size_t blen);
/* "1.3.6.1..." for logs and tests; out holds at least 12 * len bytes. */
void tgsnmp_oid_str(const uint32_t *oid, size_t len, char *out, size_t outlen);

#endif
