/*
 * isdn_loop.h -- the ISDN tests' harness: two spans in one process, a network
 * side and a user side, whose D channels are joined by an in-memory loop,
 * with a fake clock for libpri's timers and helpers that drive calls the way
 * an owner would.  Only tests/unit/sig uses it.
 */
#ifndef TG_TEST_ISDN_LOOP_H
#define TG_TEST_ISDN_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "isdn.h"
#include "test.h"

/* TEST_ERR evaluates its argument more than once: run the step once. */
#define CHECK(step) do { err = (step); TEST_ERR(err); } while (0)

#define LOOP_QLEN 512
#define LOOP_MAX_RECS 96

struct loop_frame {
	size_t len;
	uint8_t data[HW_DCHAN_MAX];
};

struct loop_side;

/* What one call saw, as the owner would. */
struct loop_rec {
	struct loop_side *side;
	struct isdn_call *c;            /* NULL once released */
	bool used;
	bool incoming;
	struct isdn_setup setup;        /* incoming: as delivered */
	unsigned proceeding, alerting, progress, answered, released;
	bool inband;
	int cause;
};

struct loop_side {
	const char *name;
	struct isdn_span *span;
	struct loop_side *peer;
	struct loop_frame q[LOOP_QLEN];           /* frames on their way to this side */
	unsigned head, tail;
	bool overflow;
	bool link;
	unsigned link_ups, link_downs;
	unsigned restarted;             /* channels the far end restarted */
	struct loop_rec recs[LOOP_MAX_RECS];
	struct loop_rec *last_in;       /* newest incoming call */
	int refuse;                     /* refuse incoming calls with this cause */
};

struct loop_pair {
	struct loop_side *net, *user;
	bool cut;                       /* the line eats every frame; nobody is told */
	struct loop_rec *watch[2];      /* calls loop_watched_released() waits for */
};

struct loop_cfg {
	enum hw_span_type type;
	enum isdn_switch sw;
	bool user_first;                /* create the user side's span first */
	enum isdn_hunting hunt_net, hunt_user;
};

extern const struct isdn_setup loop_plain_setup;       /* 100 -> 5551234 */

/* Both spans, not yet up; loop_up() also waits for layer 2 and idle channels. */
int  loop_open(struct loop_pair *p, const struct loop_cfg *pc);
int  loop_up(struct loop_pair *p, const struct loop_cfg *pc);
void loop_close(struct loop_pair *p);                   /* NULL members are fine */

/* Deliver frames and run due timers until nothing moves (false: overflow). */
bool loop_pump(struct loop_pair *p);
/* loop_pump(), moving the fake clock on to the next timer while pred() is
 * false; at most max_jumps moves. */
bool loop_wait(struct loop_pair *p, bool (*pred)(struct loop_pair *), unsigned max_jumps);
bool loop_links_up(struct loop_pair *p);
bool loop_links_down(struct loop_pair *p);
bool loop_watched_released(struct loop_pair *p);       /* both p->watch[] released */
bool loop_never(struct loop_pair *p);

bool loop_all_channels(struct loop_side *sd, enum isdn_channel_state st);
unsigned loop_channels_in(struct loop_side *sd, enum isdn_channel_state st);

/* Calls, driven as an owner would. */
struct loop_rec *loop_rec_new(struct loop_side *sd);
void loop_number_set(struct isdn_number *n, const char *digits, enum isdn_ton ton,
		     enum isdn_npi npi, enum isdn_pres pres, enum isdn_screen screen);
/* Place a call from `from`; *inp (if asked) is the far end's incoming call. */
int  loop_place(struct loop_pair *p, struct loop_side *from, const struct isdn_setup *st,
		struct loop_rec **outp, struct loop_rec **inp);
/* Proceeding, alerting, connect: the caller sees each step. */
int  loop_answer(struct loop_pair *p, struct loop_rec *out, struct loop_rec *in);
int  loop_connect(struct loop_pair *p, struct loop_side *from, const struct isdn_setup *st,
		  struct loop_rec **outp, struct loop_rec **inp);
/* `by` hangs up with cause; both ends are released once with it. */
int  loop_hang_up(struct loop_pair *p, struct loop_rec *by, struct loop_rec *other, int cause);
/* No calls, every channel idle, at both ends. */
int  loop_all_idle(struct loop_pair *p);

#endif
