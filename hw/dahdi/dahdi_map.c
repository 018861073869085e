/*
 * dahdi_map.c -- the DAHDI driver's kernel-free half: configuration to
 * DAHDI_SPANCONFIG / DAHDI_CHANCONFIG, DAHDI alarm bits to hw alarms,
 * DAHDI's raw error counts to DS1-MIB (RFC 4805) counters, and the
 * channel-major audio period gather/scatter.
 *
 * Pure functions, any thread; dahdi.c does the ioctls and calls these, the
 * unit tests call them directly.  See dahdi_int.h for the contracts.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dahdi_int.h"

unsigned dahdi_timeslots(enum hw_span_type type)
{
	return type == HW_SPAN_E1 ? 31 : 24;
}

unsigned dahdi_dchan_pos(enum hw_span_type type)
{
	return type == HW_SPAN_E1 ? 16 : 24;
}

uint8_t dahdi_idle_code(enum hw_span_type type)
{
	return type == HW_SPAN_E1 ? 0xD5 : 0xFF;
}

int dahdi_law(enum hw_span_type type)
{
	return type == HW_SPAN_E1 ? DAHDI_LAW_ALAW : DAHDI_LAW_MULAW;
}

int dahdi_cfg_lineconfig(const struct hw_span_cfg *cfg, struct dahdi_lineconfig *lc,
			 char *err, size_t errlen)
{
	struct dahdi_lineconfig l;
	const char *name = cfg->name ? cfg->name : "span";

	memset(&l, 0, sizeof(l));
	if (cfg->signalling == HW_SIG_CAS || cfg->framing == HW_FRAMING_CAS) {
		snprintf(err, errlen, "%s: signalling CAS is not implemented in the dahdi driver", name);
		return ENOTSUP;
	}
	if (cfg->signalling != HW_SIG_PRI) {
		snprintf(err, errlen, "%s: signalling %d: unknown", name, (int)cfg->signalling);
		return EINVAL;
	}
	if (cfg->position < 1 || cfg->position > DAHDI_MAX_SPANS) {
		snprintf(err, errlen, "%s: position %u: DAHDI spans are numbered 1..%d",
			 name, cfg->position, DAHDI_MAX_SPANS);
		return EINVAL;
	}
	switch (cfg->type) {
	case HW_SPAN_T1:
		if (cfg->framing == HW_FRAMING_ESF)
			l.lineconfig |= DAHDI_CONFIG_ESF;
		else if (cfg->framing == HW_FRAMING_D4)
			l.lineconfig |= DAHDI_CONFIG_D4;
		else {
			snprintf(err, errlen, "%s: framing %d: a T1 span has ESF or D4", name, (int)cfg->framing);
			return EINVAL;
		}
		if (cfg->line_code == HW_LINE_B8ZS)
			l.lineconfig |= DAHDI_CONFIG_B8ZS;
		else if (cfg->line_code == HW_LINE_AMI)
			l.lineconfig |= DAHDI_CONFIG_AMI;
		else {
			snprintf(err, errlen, "%s: line code %d: a T1 span has B8ZS or AMI", name, (int)cfg->line_code);
			return EINVAL;
		}
		if (cfg->crc4) {
			snprintf(err, errlen, "%s: crc4: only an E1 span has CRC-4", name);
			return EINVAL;
		}
		break;
	case HW_SPAN_E1:
		/* PRI on E1 is CCS: TS16 carries the D channel. */
		if (cfg->framing != HW_FRAMING_CCS) {
			snprintf(err, errlen, "%s: framing %d: an E1 PRI span has CCS", name, (int)cfg->framing);
			return EINVAL;
		}
		l.lineconfig |= DAHDI_CONFIG_CCS;
		if (cfg->line_code == HW_LINE_HDB3)
			l.lineconfig |= DAHDI_CONFIG_HDB3;
		else if (cfg->line_code == HW_LINE_AMI)
			l.lineconfig |= DAHDI_CONFIG_AMI;
		else {
			snprintf(err, errlen, "%s: line code %d: an E1 span has HDB3 or AMI", name, (int)cfg->line_code);
			return EINVAL;
		}
		if (cfg->crc4)
			l.lineconfig |= DAHDI_CONFIG_CRC4;
		break;
	default:
		snprintf(err, errlen, "%s: type %d: unknown", name, (int)cfg->type);
		return EINVAL;
	}
	switch (cfg->clock) {
	case HW_CLOCK_LINE:
		l.sync = 1;     /* first choice of timing source */
		break;
	case HW_CLOCK_INTERNAL:
		l.sync = 0;     /* never a timing source: we run on our own clock */
		break;
	default:
		snprintf(err, errlen, "%s: clock %d: unknown", name, (int)cfg->clock);
		return EINVAL;
	}
	l.span = (int)cfg->position;
	l.lbo = 0;              /* 0 dB (CSU) / 0-133 ft (DSX-1): the usual short haul */
	*lc = l;
	return 0;
}

int dahdi_cfg_chanconfig(const struct hw_span_cfg *cfg, int basechan,
			 struct dahdi_chanconfig *cc, unsigned *np)
{
	unsigned nts, dpos;

	if (cfg->type != HW_SPAN_T1 && cfg->type != HW_SPAN_E1)
		return EINVAL;
	nts = dahdi_timeslots(cfg->type);
	dpos = dahdi_dchan_pos(cfg->type);
	if (basechan < 1 || basechan + (int)nts - 1 > DAHDI_MAX_CHANNELS)
		return EINVAL;
	for (unsigned pos = 1; pos <= nts; pos++) {
		struct dahdi_chanconfig *c = &cc[pos - 1];

		memset(c, 0, sizeof(*c));
		c->chan = basechan + (int)pos - 1;
		c->sigtype = pos == dpos ? DAHDI_SIG_HDLCFCS : DAHDI_SIG_CLEAR;
		c->deflaw = dahdi_law(cfg->type);
	}
	*np = nts;
	return 0;
}

int dahdi_span_fits(const struct dahdi_spaninfo *si, const struct hw_span_cfg *cfg,
		    const struct dahdi_lineconfig *lc, char *err, size_t errlen)
{
	char type[sizeof(si->spantype) + 1];
	const char *want = cfg->type == HW_SPAN_E1 ? "E1" : "T1";
	const char *name = cfg->name ? cfg->name : "span";
	unsigned nts = dahdi_timeslots(cfg->type);
	/* Only bits 4..12 are checked by DAHDI_SPANCONFIG (mask 0x1ff0). */
	int bits = lc->lineconfig & 0x1ff0;

	memcpy(type, si->spantype, sizeof(si->spantype));
	type[sizeof(si->spantype)] = '\0';
	/* Older card drivers leave spantype empty: then go by channel count. */
	if (type[0] && strcmp(type, want) != 0 &&
	    !(cfg->type == HW_SPAN_T1 && strcmp(type, "J1") == 0)) {
		snprintf(err, errlen, "%s: type %s: DAHDI span %d is %s", name, want, lc->span, type);
		return EINVAL;
	}
	if (si->totalchans != (int)nts) {
		snprintf(err, errlen, "%s: type %s: DAHDI span %d has %d channels, not %u",
			 name, want, lc->span, si->totalchans, nts);
		return EINVAL;
	}
	if (si->linecompat && (bits & si->linecompat) != bits) {
		snprintf(err, errlen, "%s: framing/line code: DAHDI span %d cannot do lineconfig 0x%x (it offers 0x%x)",
			 name, lc->span, bits, si->linecompat & 0x1ff0);
		return EINVAL;
	}
	return 0;
}

unsigned dahdi_alarms_to_hw(int a)
{
	unsigned hw = 0;

	if (a & DAHDI_ALARM_LOS)
		hw |= HW_ALARM_LOS | HW_ALARM_RED;
	if (a & (DAHDI_ALARM_RED | DAHDI_ALARM_LFA | DAHDI_ALARM_LMFA))
		hw |= HW_ALARM_RED;
	if (a & DAHDI_ALARM_BLUE)
		hw |= HW_ALARM_BLUE;
	if (a & DAHDI_ALARM_YELLOW)
		hw |= HW_ALARM_YELLOW;
	return hw;
}

bool dahdi_proc_timing_slips(const char *text, uint32_t *slips)
{
	static const char key[] = "Timing slips:";
	const char *p = strstr(text, key);
	char *end;
	unsigned long v;

	if (!p)
		return false;
	p += sizeof(key) - 1;
	v = strtoul(p, &end, 10);
	if (end == p)
		return false;
	*slips = (uint32_t)v;
	return true;
}

void dahdi_raw_from_spaninfo(struct dahdi_raw *r, const struct dahdi_spaninfo *si, uint32_t slips)
{
	/* Copy out of the packed struct field by field (no pointers into it). */
	r->bpv = (uint32_t)si->bpvcount;
	r->cv = si->cvcount;
	r->crc = (uint32_t)si->crc4count;
	r->fe = si->fecount;
	r->fas = (uint32_t)si->fascount;
	r->slips = slips;
}

enum dahdi_perf_mode dahdi_perf_mode(const struct hw_span_cfg *cfg)
{
	if (cfg->type == HW_SPAN_E1)
		return cfg->crc4 ? DAHDI_PERF_E1_CRC : DAHDI_PERF_E1_NOCRC;
	return cfg->framing == HW_FRAMING_D4 ? DAHDI_PERF_D4 : DAHDI_PERF_ESF;
}

void dahdi_perf_init(struct dahdi_perf *p, enum dahdi_perf_mode mode, const struct dahdi_raw *base)
{
	memset(p, 0, sizeof(*p));
	p->mode = mode;
	p->last = *base;
}

static uint32_t delta(uint32_t now, uint32_t last)
{
	return now >= last ? now - last : now;  /* lower: reset, then counted up */
}

void dahdi_perf_second(struct dahdi_perf *p, const struct dahdi_raw *now, unsigned seen, unsigned alarms)
{
	uint32_t lcv = delta(now->bpv, p->last.bpv) + delta(now->cv, p->last.cv);
	uint32_t crc = delta(now->crc, p->last.crc);
	uint32_t framing = delta(now->fe, p->last.fe) + delta(now->fas, p->last.fas);
	uint32_t slips = delta(now->slips, p->last.slips);
	bool oof = seen & (HW_ALARM_RED | HW_ALARM_LOS);
	bool ais = seen & HW_ALARM_BLUE;
	bool failure = alarms & (HW_ALARM_RED | HW_ALARM_LOS | HW_ALARM_BLUE);
	bool crc_mode = p->mode == DAHDI_PERF_ESF || p->mode == DAHDI_PERF_E1_CRC;
	uint32_t pcv = crc_mode ? crc : framing;
	bool es, ses;

	p->last = *now;
	p->lcv += lcv;
	p->crc += crc;
	p->slips += slips;

	es = pcv || oof || slips || ais || (!crc_mode && lcv);
	switch (p->mode) {
	case DAHDI_PERF_ESF:
		ses = pcv >= 320 || oof || ais;
		break;
	case DAHDI_PERF_E1_CRC:
		ses = pcv >= 832 || oof;
		break;
	case DAHDI_PERF_E1_NOCRC:
		ses = lcv >= 2048;
		break;
	case DAHDI_PERF_D4:
	default:
		ses = pcv >= 1 || oof || lcv >= 1544;
		break;
	}
	es = es || ses;         /* an SES is always an ES too */

	if (!p->unavailable) {
		if (failure) {
			/* Unavailable from the onset of the failure, or of the
			 * SES run right before it. */
			p->es -= p->ses_run;
			p->ses -= p->ses_run;
			p->uas += p->ses_run + 1;
			p->unavailable = true;
			p->ses_run = p->clear_run = p->clear_run_es = 0;
			return;
		}
		if (!ses) {
			p->ses_run = 0;
			p->es += es;
			return;
		}
		p->es++;
		p->ses++;
		if (++p->ses_run == 10) {
			p->es -= 10;
			p->ses -= 10;
			p->uas += 10;
			p->unavailable = true;
			p->ses_run = p->clear_run = p->clear_run_es = 0;
		}
		return;
	}
	p->uas++;
	if (ses || failure) {
		p->clear_run = p->clear_run_es = 0;
		return;
	}
	p->clear_run_es += es;
	if (++p->clear_run == 10) {
		/* Available from the onset of these 10 seconds. */
		p->uas -= 10;
		p->es += p->clear_run_es;
		p->unavailable = false;
		p->clear_run = p->clear_run_es = 0;
	}
}

void dahdi_perf_counters(const struct dahdi_perf *p, struct hw_counters *c)
{
	c->line_code_violations = p->lcv;
	c->crc_errors = p->crc;
	c->frame_slips = p->slips;
	c->errored_seconds = p->es;
	c->severely_errored_seconds = p->ses;
	c->unavailable_seconds = p->uas;
}

void dahdi_period_gather(uint8_t *period, const uint8_t *const *chan, unsigned nts,
			 unsigned samples, uint8_t idle)
{
	for (unsigned i = 0; i < nts; i++) {
		uint8_t *dst = period + (size_t)i * samples;

		if (chan[i])
			memcpy(dst, chan[i], samples);
		else
			memset(dst, idle, samples);
	}
}

void dahdi_period_scatter(const uint8_t *period, uint8_t *const *chan, unsigned nts,
			  unsigned samples)
{
	for (unsigned i = 0; i < nts; i++)
		if (chan[i])
			memcpy(chan[i], period + (size_t)i * samples, samples);
}
