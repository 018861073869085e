/*
 * fake_legs.h -- the call core tests' fake legs and routing (fake_legs.c).
 *
 * Groups 10 (carrier), 20 (pbx), 30 (backup); range 4930100xxx -> 20 with
 * failover on 34 and 38 to 30; prefix 555 -> 30 with no failover.
 */
#ifndef TG_TEST_FAKE_LEGS_H
#define TG_TEST_FAKE_LEGS_H

#include <stdbool.h>

#include "call.h"
#include "db.h"
#include "route.h"

struct fake_leg {
	struct leg leg;
	char log[256];                  /* what the core asked of it, in order */
	int released_cause;
	int released_status;            /* the SIP status the core gave with it */
	bool gone;
	struct leg_media media;         /* what f_media reports; all 0: no media */
};

extern const struct leg_ops fake_ops;
/* The placing side: group 20 refuses with `refuse20` (0 = accepts), the
 * others accept; placed legs are outs[0..nouts), "GROUP:CALLED,..." in placed. */
extern struct fake_leg outs[4];
extern unsigned nouts;
extern int refuse20;
extern char placed[128];
extern unsigned backup_max;             /* max_calls of group 30 */
/* CDRs the core built by setup_core handed over (the first 8) */
extern struct db_cdr sunk_cdrs[8];
extern unsigned nsunk_cdrs;

int  fake_place(void *arg, const struct route_target *t, const struct call_setup *s,
		struct leg **legp);
void fake_cdr_sink(void *arg, const struct db_cdr *r);
void fixed_clock(int *weekday, int *minute, long long *wall_ms);
unsigned fixed_random(void);
int  build_table(struct route_table **tp);
/* A core over build_table's routing, with fake_place and fake_cdr_sink. */
int  setup_core(struct call_core **corep, struct route_table **tp);
/* A call from the carrier (group 10, calling 5551234) to `called`. */
void incoming(struct call_core *core, struct fake_leg *in, const char *called);
/* The far end of f hangs up with `cause`: f is gone, the core is told. */
void far_release(struct fake_leg *f, int cause);

#endif
