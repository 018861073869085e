/*
 * status.h -- the read-only status snapshot.  The main thread fills a struct
 * status and publishes it; HTTP threads (and later the SNMP status socket)
 * take a copy.  Nobody outside the main thread ever reads live objects.
 */
#ifndef TG_STATUS_H
#define TG_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw.h"
#include "status/callstats.h"
#include "status/ds1_interval.h"

#define STATUS_MAX_SPANS 64
#define STATUS_MAX_GROUPS 64
#define STATUS_MAX_BYPASS 32
#define STATUS_MAX_SIP_TRUNKS 64
#define STATUS_MAX_SIP_HOPS 8           /* DB_SIP_MAX_HOPS */

/* DS1-MIB performance figures of a span (status_perf_update fills them). */
struct status_ds1 {
	struct ds1_stats current;               /* the current 15-minute interval */
	struct ds1_stats total;                 /* the recorded intervals (24 hours) */
	unsigned elapsed_s;                     /* dsx1TimeElapsed */
	unsigned valid_intervals;               /* dsx1ValidIntervals */
	unsigned invalid_intervals;             /* dsx1InvalidIntervals */
};

/* One span as status shows it. */
struct status_span {
	long long id;
	char name[33];
	char type[4];                           /* T1, E1 */
	char driver[8];
	char switch_type[12], side[12];
	char framing[8], line_code[8], clock[12];       /* hw_framing_name ... */
	bool crc4;
	bool enabled;
	bool open;                              /* the driver opened it */
	char error[128];                        /* why it could not be opened */
	unsigned alarms;                        /* enum hw_alarm bits */
	bool link_up;                           /* ISDN layer 2 */
	bool busy_out;                          /* taken out of service (survivability) */
	unsigned active_calls;
	unsigned long long total_calls;
	struct callstats_fig call_stats;        /* calls per minute, ASR, ACD (callstats.h) */
	struct hw_counters counters;
	struct status_ds1 ds1;
	unsigned nchannels;
	uint8_t channel[HW_MAX_TIMESLOTS];      /* B channel numbers */
	uint8_t channel_state[HW_MAX_TIMESLOTS];        /* enum isdn_channel_state */
};

/* A trunk group's health (survivability): down, and why (enum surv_reason bits). */
struct status_group {
	long long id;
	char name[33];
	char kind[8];                           /* span, sip, analog */
	bool down;
	unsigned reasons;
};

/* A bypass relay pair and its relay as last set. */
struct status_bypass {
	char name[33], span_a[33], span_b[33];
	char mode[12];                          /* auto, engaged, released */
	bool engaged;
	char error[96];                         /* the relay could not be set: why */
};

/* A SIP trunk's next hop and its OPTIONS health (daemon/sip/trunk_health.c). */
struct status_sip_hop {
	char host[254];
	unsigned port;
	char transport[4];
	char state[8];                          /* up, down, unknown, off (not probed) */
	double rtt_ms;                          /* last answered probe; < 0: none yet */
	int last_status;                        /* last probe's status (408: no answer); 0 none */
	long long changed_at_ms;                /* wall clock of the last up/down change; 0 never */
	struct callstats_fig call_stats;        /* INVITEs sent to this hop (callstats.h) */
};

/* A SIP trunk: health, calls, registration (daemon/sip/). */
struct status_sip_trunk {
	long long id;
	char name[33];
	bool enabled;
	char state[10];                         /* up, down, unknown, unprobed, disabled */
	unsigned active_calls;
	struct callstats_fig call_stats;        /* legs on the trunk, in and out (callstats.h) */
	unsigned nhops;
	struct status_sip_hop hops[STATUS_MAX_SIP_HOPS];
	char reg_state[14];                     /* "" = not registering; registered, failed, registering */
	int reg_status;                         /* last REGISTER status */
	long long reg_expires_at_ms;            /* wall clock; 0 = not registered */
};

struct status {
	char version[32];
	long long started_at_ms;                /* wall clock */
	unsigned long long started_mono_ms;     /* monotonic, for uptime */
	unsigned long long config_generation;   /* applied by the main thread */
	long long config_changed_at_ms;
	char config_error[256];                 /* last generation that failed to apply */
	char system_name[128];
	char location[128];
	char contact[128];
	unsigned active_calls;
	unsigned long long total_calls;
	double cpu_seconds;                     /* user + system, since start */
	double cpu_percent;                     /* of one core, over the last few seconds */
	unsigned long long rss_bytes;           /* resident memory */
	/* the CDR writer (db_cdr_stats) */
	unsigned long long cdr_written, cdr_batches, cdr_failed, cdr_dropped;
	size_t cdr_pending, cdr_queue_high_water, cdr_queue_capacity;
	/* SIP protection (trunk_guard.c): the per-source rate limit in force
	 * (0 = off), sources limited now and known, requests refused, times a
	 * source started being limited, INVITEs refused by a trunk's max_calls */
	unsigned sip_rate_limit, sip_limited_sources, sip_sources_tracked;
	unsigned long long sip_rate_limited, sip_rate_limit_episodes, sip_max_calls_refused;
	bool demo;
	bool stopping;
	unsigned nspans;
	struct status_span spans[STATUS_MAX_SPANS];
	unsigned ngroups;
	struct status_group groups[STATUS_MAX_GROUPS];
	unsigned nbypass;
	struct status_bypass bypass[STATUS_MAX_BYPASS];
	unsigned nsip_trunks;
	struct status_sip_trunk sip_trunks[STATUS_MAX_SIP_TRUNKS];
};

/* Main thread */
void status_publish(const struct status *s);
/* Any thread: a copy of the latest snapshot. */
void status_get(struct status *s);

/* Main thread (perf.c): fold each span's cumulative counters into its
 * DS1 intervals at now_s (wall clock seconds), fill spans[].ds1, and
 * publish the interval histories. */
void status_perf_update(struct status *s, int64_t now_s);
/* Any thread: the interval history of a span by id; false if unknown. */
bool status_perf_history(long long span_id, struct ds1_perf *p);
/* Main thread (callstats.c): count a finished call's legs (its CDR) for
 * its span or SIP trunk, and fill the call figures of spans, SIP trunks and
 * next hops into s. */
struct db_cdr;
void status_calls_record(const struct db_cdr *r, unsigned long long now_ms);
void status_calls_fill(struct status *s, unsigned long long now_ms);
/* Main thread (sysinfo.c): CPU and memory figures of this process. */
void status_sys_sample(struct status *s, unsigned long long now_ms);

/* The live calls as a JSON document {"active":N,"calls":[...]}, built only
 * when someone reads it: an HTTP thread asks the main thread
 * (MAINQ_CALLS_LIST), which publishes a new text unless the one it has is
 * still the answer (status_calls_stale), then the reader takes a copy.  The
 * main thread publishes (taking ownership; NULL drops the text: idle, out of
 * memory, exit); any thread gets a malloc'd copy, NULL when there is none. */
void status_calls_publish(char *json);
char *status_calls_get(void);
/* Main thread: the document for the calls up now (calls_json.c). */
struct call_core;
char *status_calls_build(struct call_core *core);

/* The list last published and the call core's counts when it was built. */
struct status_calls_mark {
	unsigned long long built_ms;            /* monotonic; 0: no text kept */
	unsigned long long total;               /* call_core_total then */
	unsigned active;                        /* call_core_active then */
};
/* A list is reused for a reader within STATUS_CALLS_FRESH_MS of being built
 * while no call started or ended (media figures and states may lag that
 * much); one not read for STATUS_CALLS_KEEP_MS is dropped. */
#define STATUS_CALLS_FRESH_MS 250
#define STATUS_CALLS_KEEP_MS 5000
/* Must a reader get a list built now (true), or is m's still the answer?
 * total and active: the call core's counts now.  Pure. */
bool status_calls_stale(const struct status_calls_mark *m, unsigned long long now_ms,
			unsigned long long total, unsigned active);

#endif
