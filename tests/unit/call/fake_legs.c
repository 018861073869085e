/*
 * fake_legs.c -- the call core tests' fake legs (they log what the core asks
 * of them and report a release at once, as an ISDN span does), the placing
 * callback, a fixed clock, and a core over a small routing table
 * (fake_legs.h).  Shared by test_call.c and test_transfer.c.
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "call.h"
#include "db.h"
#include "fake_legs.h"
#include "route.h"

/* ---- fake legs ---- */

static void note(struct leg *l, const char *what)
{
	struct fake_leg *f = (struct fake_leg *)l;
	size_t n = strlen(f->log);

	snprintf(f->log + n, sizeof(f->log) - n, "%s%s", n ? "," : "", what);
}

static int f_proceeding(struct leg *l) { note(l, "proceeding"); return 0; }
static int f_alerting(struct leg *l, bool inband) { note(l, inband ? "alerting+inband" : "alerting"); return 0; }
static int f_progress(struct leg *l, bool inband) { note(l, "progress"); return 0; }
static int f_answer(struct leg *l) { note(l, "answer"); return 0; }

static int f_release(struct leg *l, const struct call_end *why)
{
	struct fake_leg *f = (struct fake_leg *)l;
	char buf[32];

	snprintf(buf, sizeof(buf), "release:%d", why->cause);
	note(l, buf);
	f->released_cause = why->cause;
	f->released_status = why->sip_status;
	/* like an ISDN span: the released event comes back at once */
	if (!f->gone) {
		f->gone = true;
		call_leg_released(l, why);
	}
	return 0;
}

static int f_media(struct leg *l, struct leg_media *m)
{
	struct fake_leg *f = (struct fake_leg *)l;

	*m = f->media;  /* bypass is reported also without a session */
	return !f->media.rtp && !f->media.timeslot ? ENOENT : 0;
}

const struct leg_ops fake_ops = {
	.proceeding = f_proceeding, .alerting = f_alerting, .progress = f_progress,
	.answer = f_answer, .release = f_release, .media = f_media,
};

/* The placing side: group 20 refuses with `refuse20` (0 = accepts), group 30 accepts. */
struct fake_leg outs[4];
unsigned nouts;
int refuse20;
char placed[128];

int fake_place(void *arg, const struct route_target *t, const struct call_setup *s,
		      struct leg **legp)
{
	size_t n = strlen(placed);

	snprintf(placed + n, sizeof(placed) - n, "%s%lld:%s", n ? "," : "", t->group_id, s->called.digits);
	if (t->group_id == 20 && refuse20)
		return refuse20;
	if (nouts == 4)
		return 34;
	memset(&outs[nouts], 0, sizeof(outs[nouts]));
	outs[nouts].leg.ops = &fake_ops;
	outs[nouts].leg.kind = LEG_PRI;
	snprintf(outs[nouts].leg.trunk, sizeof(outs[nouts].leg.trunk), "span%lld", t->group_id);
	*legp = &outs[nouts++].leg;
	return 0;
}

struct db_cdr sunk_cdrs[8];
unsigned nsunk_cdrs;

void fake_cdr_sink(void *arg, const struct db_cdr *r)
{
	if (nsunk_cdrs < 8)
		sunk_cdrs[nsunk_cdrs++] = *r;
}

void fixed_clock(int *weekday, int *minute, long long *wall_ms)
{
	*weekday = 1;
	*minute = 600;
	*wall_ms = 1800000000000LL;
}

unsigned fixed_random(void)
{
	return 12345;
}

/* Groups 10 (carrier), 20 (pbx), 30 (backup); range 4930100xxx -> 20 with
 * failover on 34 and 38 to 30; prefix 555 -> 30 with no failover. */
unsigned backup_max;             /* max_calls of group 30 */

int build_table(struct route_table **tp)
{
	const struct route_group groups[] = {
		{ 10, "carrier", ROUTE_GROUP_SPAN, 0 }, { 20, "pbx", ROUTE_GROUP_SPAN, 0 },
		{ 30, "backup", ROUTE_GROUP_SPAN, backup_max },
	};
	static const struct route_range ranges[] = {
		{ .id = 1, .name = "pbx-users", .first = "4930100000", .last = "4930100999", .prefix = "",
		  .group_id = 20 },
	};
	static struct route_route routes[2];
	struct route_config cfg = { groups, 3, ranges, 1, NULL, 0, routes, 2 };
	char err[ROUTE_ERR_LEN];
	int rc;

	memset(routes, 0, sizeof(routes));
	routes[0] = (struct route_route){ .id = 1, .name = "to-pbx", .enabled = true, .source_group_id = 10,
		.range_id = 1, .called_prefix = "", .calling_prefix = "", .time_from = -1, .time_to = -1,
		.survivability_forward = "", .ndests = 2 };
	routes[0].dests[0] = (struct route_dest){ .group_id = 20, .position = 0, .nfailover = 2,
		.failover = { 34, 38 } };
	routes[0].dests[1] = (struct route_dest){ .group_id = 30, .position = 1 };
	routes[1] = (struct route_route){ .id = 2, .name = "to-backup", .enabled = true, .source_group_id = 0,
		.range_id = 0, .called_prefix = "555", .calling_prefix = "", .time_from = -1, .time_to = -1,
		.survivability_forward = "", .ndests = 1 };
	routes[1].dests[0] = (struct route_dest){ .group_id = 30, .position = 0 };
	rc = route_table_build(tp, &cfg, err, sizeof(err));
	if (rc)
		printf("# %s\n", err);
	return rc;
}

int setup_core(struct call_core **corep, struct route_table **tp)
{
	int rc = build_table(tp);

	if (!rc)
		rc = call_core_create(corep, &(struct call_core_cfg){ .place = fake_place,
			.clock = fixed_clock, .random = fixed_random, .cdr = fake_cdr_sink });
	if (!rc)
		call_core_set_table(*corep, *tp);
	nouts = 0;
	nsunk_cdrs = 0;
	refuse20 = 0;
	placed[0] = '\0';
	return rc;
}

void incoming(struct call_core *core, struct fake_leg *in, const char *called)
{
	struct call_setup s = { .source_group_id = 10 };

	memset(in, 0, sizeof(*in));
	in->leg.ops = &fake_ops;
	in->leg.kind = LEG_PRI;
	snprintf(in->leg.trunk, sizeof(in->leg.trunk), "carrier");
	snprintf(s.called.digits, sizeof(s.called.digits), "%s", called);
	snprintf(s.calling.digits, sizeof(s.calling.digits), "5551234");
	s.called.ton = s.called.npi = s.calling.ton = s.calling.npi = -1;
	s.called.presentation = s.calling.presentation = -1;
	call_incoming(core, &in->leg, &s);
}

void far_release(struct fake_leg *f, int cause)
{
	f->gone = true;
	call_leg_released(&f->leg, &(struct call_end){ .cause = cause });
}
