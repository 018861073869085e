/*
 * ds1_interval.c -- see ds1_interval.h.  The main thread samples each span's
 * cumulative counters about twice a second and hands them here; the
 * difference to the previous sample goes into the current 15-minute
 * interval.  At a boundary the current interval joins a ring of 96.
 *
 * Placement: a sample's difference belongs to the interval of the previous
 * sample, so counts of the last half second of an interval may land in it
 * rather than the next one (the hardware's one-second evaluation is no finer).
 * Validity (dsx1IntervalValidData) is false for an interval we did not watch
 * whole: the first one after start-up, one during which the span was closed,
 * and around a stall (samples more than DS1_STALL_S apart across a boundary):
 * the stalled-over counts go to the interval of the last sample before the
 * stall (they are real counts, so totals keep them), the skipped intervals
 * are recorded empty, and all of them are marked invalid, as is the new
 * current one unless the stall ended exactly at its start.  A wall clock stepped back closes the current interval as
 * invalid and starts over at the new time.
 */
#include "config.h"
#include <string.h>

#include "ds1_interval.h"

void ds1_perf_init(struct ds1_perf *p)
{
	memset(p, 0, sizeof(*p));
	p->head = DS1_INTERVALS - 1;    /* the first push lands at 0 */
}

static int64_t interval_of(int64_t t)
{
	/* floor division, also for times before 1970 (test clocks start anywhere) */
	return t >= 0 ? t / DS1_INTERVAL_S : -((-t + DS1_INTERVAL_S - 1) / DS1_INTERVAL_S);
}

static bool went_back(const struct hw_counters *c, const struct hw_counters *l)
{
	return c->line_code_violations < l->line_code_violations || c->crc_errors < l->crc_errors ||
	       c->frame_slips < l->frame_slips || c->errored_seconds < l->errored_seconds ||
	       c->severely_errored_seconds < l->severely_errored_seconds ||
	       c->unavailable_seconds < l->unavailable_seconds || c->rx_periods < l->rx_periods ||
	       c->tx_periods < l->tx_periods || c->dchan_rx < l->dchan_rx || c->dchan_tx < l->dchan_tx;
}

static void add(uint32_t *to, uint64_t now, uint64_t before)
{
	uint64_t v = (uint64_t)*to + (now - before);

	*to = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;       /* saturate, as Gauge32 does */
}

static void push(struct ds1_perf *p, const struct ds1_stats *s, bool valid)
{
	p->head = (p->head + 1) % DS1_INTERVALS;
	p->ring[p->head].s = *s;
	p->ring[p->head].valid = valid;
	if (p->nintervals < DS1_INTERVALS)
		p->nintervals++;
}

bool ds1_perf_update(struct ds1_perf *p, const struct hw_counters *c, bool open, int64_t now_s)
{
	static const struct hw_counters zero;
	const struct hw_counters *base = &p->last;
	int64_t icur, inow;
	bool stall, rolled = false;

	if (!p->started) {
		/* Counters start when the span opens: count from zero, but the
		 * interval began before we were there. */
		p->started = true;
		p->start_s = interval_of(now_s) * DS1_INTERVAL_S;
		p->last_s = now_s;
		p->cur_valid = open && now_s == p->start_s;
		memset(&p->cur, 0, sizeof(p->cur));
		memset(&p->last, 0, sizeof(p->last));
	}
	if (went_back(c, &p->last))
		base = &zero;           /* re-opened: the driver counts from zero again */
	add(&p->cur.es, c->errored_seconds, base->errored_seconds);
	add(&p->cur.ses, c->severely_errored_seconds, base->severely_errored_seconds);
	add(&p->cur.uas, c->unavailable_seconds, base->unavailable_seconds);
	add(&p->cur.css, c->frame_slips, base->frame_slips);
	add(&p->cur.pcv, c->crc_errors, base->crc_errors);
	add(&p->cur.lcv, c->line_code_violations, base->line_code_violations);
	p->last = *c;
	if (!open)
		p->cur_valid = false;

	icur = interval_of(p->start_s);
	inow = interval_of(now_s);
	stall = now_s - p->last_s > DS1_STALL_S;
	if (inow > icur) {
		static const struct ds1_stats none;
		int64_t skipped = inow - icur - 1;

		push(p, &p->cur, p->cur_valid && !stall);
		if (skipped > DS1_INTERVALS)
			skipped = DS1_INTERVALS;        /* older ones fall off the ring anyway */
		while (skipped-- > 0)
			push(p, &none, false);
		rolled = true;
	} else if (inow < icur) {
		push(p, &p->cur, false);        /* the clock was stepped back */
		stall = true;
		rolled = true;
	}
	if (rolled) {
		memset(&p->cur, 0, sizeof(p->cur));
		p->start_s = inow * DS1_INTERVAL_S;
		/* after a stall the new interval misses what came before now,
		 * unless it begins right now */
		p->cur_valid = open && (!stall || now_s == p->start_s);
	}
	p->last_s = now_s;
	return rolled;
}

unsigned ds1_perf_elapsed(const struct ds1_perf *p, int64_t now_s)
{
	int64_t e = now_s - p->start_s;

	if (!p->started || e < 0)
		return 0;
	return e >= DS1_INTERVAL_S ? DS1_INTERVAL_S - 1 : (unsigned)e;
}

const struct ds1_interval *ds1_perf_interval(const struct ds1_perf *p, unsigned n)
{
	if (n < 1 || n > p->nintervals)
		return NULL;
	return &p->ring[(p->head + DS1_INTERVALS - (n - 1)) % DS1_INTERVALS];
}

unsigned ds1_perf_invalid(const struct ds1_perf *p)
{
	unsigned n = 0;

	for (unsigned i = 1; i <= p->nintervals; i++)
		if (!ds1_perf_interval(p, i)->valid)
			n++;
	return n;
}

void ds1_perf_total(const struct ds1_perf *p, struct ds1_stats *t)
{
	uint64_t sum[6] = { 0 };

	for (unsigned i = 1; i <= p->nintervals; i++) {
		const struct ds1_stats *s = &ds1_perf_interval(p, i)->s;

		sum[0] += s->es;
		sum[1] += s->ses;
		sum[2] += s->uas;
		sum[3] += s->css;
		sum[4] += s->pcv;
		sum[5] += s->lcv;
	}
	for (unsigned i = 0; i < 6; i++)
		if (sum[i] > UINT32_MAX)
			sum[i] = UINT32_MAX;
	*t = (struct ds1_stats){ (uint32_t)sum[0], (uint32_t)sum[1], (uint32_t)sum[2],
				 (uint32_t)sum[3], (uint32_t)sum[4], (uint32_t)sum[5] };
}
