/*
 * dahdi_int.h -- what the DAHDI driver keeps to itself: the parts that need
 * no kernel, as pure functions (dahdi_map.c), so the unit tests can check
 * them on a machine without DAHDI hardware (tests/unit/hw/test_dahdi.c).
 *
 * Any thread; no function here does I/O or keeps state outside its arguments.
 */
#ifndef TG_HW_DAHDI_INT_H
#define TG_HW_DAHDI_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <dahdi/user.h>

#include "hw.h"

/* DAHDI's HDLC layer in HDLCFCS mode hands frames up with the 2 FCS bytes
 * still attached and computes the FCS into the last 2 bytes of each write
 * (dahdi-base.c: __putbuf_chunk() keeps them in readn, calc_fcs() fills them
 * on write), so we strip 2 on read and append 2 placeholder bytes on write. */
#define DAHDI_FCS_LEN 2

/* D-channel buffers, as Asterisk's chan_dahdi sets them for a PRI D channel:
 * whole frames, no waiting for a buffer to fill. */
#define DAHDI_DCHAN_NUMBUFS 32
#define DAHDI_DCHAN_BUFSIZE 1024

/* Span facts.  Private copies of what hw/hal.c offers as hw_span_timeslots()
 * and friends, so this driver builds and tests on its own. */
unsigned dahdi_timeslots(enum hw_span_type type);       /* 24 / 31 */
unsigned dahdi_dchan_pos(enum hw_span_type type);       /* 24 / 16 */
uint8_t  dahdi_idle_code(enum hw_span_type type);       /* 0xFF / 0xD5 */
int      dahdi_law(enum hw_span_type type);             /* DAHDI_LAW_MULAW / _ALAW */

/* hw_span_cfg -> DAHDI_SPANCONFIG.  span = cfg->position, lbo 0 (0 dB),
 * lineconfig = framing | line code [| CRC4], sync 1 when we take the clock
 * from the line, 0 when we run on our own clock.  EINVAL (message in err
 * naming the field) for a combination the span type does not have,
 * ENOTSUP for CAS. */
int dahdi_cfg_lineconfig(const struct hw_span_cfg *cfg, struct dahdi_lineconfig *lc,
			 char *err, size_t errlen);

/* hw_span_cfg -> one DAHDI_CHANCONFIG per timeslot, channel numbers from
 * basechan (the span's first channel): B channels DAHDI_SIG_CLEAR, the D
 * channel DAHDI_SIG_HDLCFCS, default law mu (T1) or A (E1).  cc must hold
 * HW_MAX_TIMESLOTS; *np gets the count.  EINVAL for a bad type or basechan. */
int dahdi_cfg_chanconfig(const struct hw_span_cfg *cfg, int basechan,
			 struct dahdi_chanconfig *cc, unsigned *np);

/* Does the span DAHDI_SPANSTAT described fit the configuration?  The type
 * ("T1"/"E1"; J1 counts as T1), the channel count, and every lineconfig bit
 * must be in the span's linecompat (DAHDI_SPANCONFIG refuses others with a
 * bare EINVAL).  0, or EINVAL with a message. */
int dahdi_span_fits(const struct dahdi_spaninfo *si, const struct hw_span_cfg *cfg,
		    const struct dahdi_lineconfig *lc, char *err, size_t errlen);

/* DAHDI alarm bits -> enum hw_alarm.  DAHDI_ALARM_LOS, _LFA and _LMFA are
 * details a driver adds to RED, so each of them also means RED here;
 * RECOVER, LOOPBACK and NOTOPEN are not line alarms and are dropped. */
unsigned dahdi_alarms_to_hw(int dahdi_alarms);

/* The "Timing slips: N" line of /proc/dahdi/<span> (DAHDI_SPANSTAT does not
 * carry the kernel's timingslips counter; the line is printed only when N is
 * not 0).  true with *slips set if present. */
bool dahdi_proc_timing_slips(const char *text, uint32_t *slips);

/* Raw counts as DAHDI keeps them: 32 bits, since the driver loaded or the
 * last DAHDI_RESET_COUNTERS, some reset by the card driver (wct4xxp zeroes
 * timingslips while in alarm).  A count lower than last time is taken as
 * "reset, then counted up to this". */
struct dahdi_raw {
	uint32_t bpv;           /* bipolar violations (older cards: tor2) */
	uint32_t cv;            /* code violations (wct4xxp, wcte13xp, wcte43x) */
	uint32_t crc;           /* CRC-6 (T1 ESF) or CRC-4 (E1) errors */
	uint32_t fe;            /* framing errors (wct4xxp ...) */
	uint32_t fas;           /* FAS errors (tor2) */
	uint32_t slips;         /* timing slips, from /proc/dahdi/<span> */
};
void dahdi_raw_from_spaninfo(struct dahdi_raw *r, const struct dahdi_spaninfo *si, uint32_t slips);

/* DS1-MIB (RFC 4805) performance counting, once a second, from count deltas
 * and the alarms seen in that second.  The path code violation is a CRC
 * error on ESF and E1-CRC, a framing error on D4 and E1-noCRC.
 *   ES:  >= 1 PCV, OOF (RED/LOS), controlled slip or AIS (BLUE);
 *        on D4 and E1-noCRC also >= 1 line code violation.
 *   SES: ESF >= 320 PCV, OOF or AIS; E1-CRC >= 832 PCV or OOF;
 *        E1-noCRC >= 2048 LCV; D4 >= 1 framing error, OOF or >= 1544 LCV.
 *   UAS: from the onset of 10 contiguous SES, or of a failure (RED, LOS or
 *        BLUE as DAHDI reports it, already debounced by the card driver)
 *        together with the SES just before it; available again at the onset
 *        of 10 contiguous seconds without SES and failure.  ES and SES do not
 *        count while unavailable; as the MIB allows, the counts are adjusted
 *        back when a 10-second run decides a change of state. */
enum dahdi_perf_mode { DAHDI_PERF_ESF, DAHDI_PERF_D4, DAHDI_PERF_E1_CRC, DAHDI_PERF_E1_NOCRC };

struct dahdi_perf {
	enum dahdi_perf_mode mode;
	struct dahdi_raw last;
	uint64_t lcv, crc, slips;               /* since init */
	uint64_t es, ses, uas;
	bool unavailable;
	unsigned ses_run;       /* available: contiguous SES, counted as ES+SES for now */
	unsigned clear_run;     /* unavailable: contiguous seconds without SES, counted as UAS for now */
	unsigned clear_run_es;  /* ... how many of them were errored */
};
enum dahdi_perf_mode dahdi_perf_mode(const struct hw_span_cfg *cfg);
void dahdi_perf_init(struct dahdi_perf *p, enum dahdi_perf_mode mode, const struct dahdi_raw *base);
/* One second passed: now are the raw counts at its end, seen the hw alarm
 * bits present at any time in it, alarms those present at its end. */
void dahdi_perf_second(struct dahdi_perf *p, const struct dahdi_raw *now, unsigned seen, unsigned alarms);
/* Fills the line part of hw_counters (LCV, CRC, slips, ES, SES, UAS). */
void dahdi_perf_counters(const struct dahdi_perf *p, struct hw_counters *c);

/* Audio periods are channel-major (hw.h): timeslot pos's samples are at
 * period[(pos - 1) * samples].  Gather: chan[i] is timeslot i+1's block, or
 * NULL (no block came, or the D channel) for idle code.  Scatter: copies each
 * timeslot's part into chan[i] when that is not NULL. */
void dahdi_period_gather(uint8_t *period, const uint8_t *const *chan, unsigned nts,
			 unsigned samples, uint8_t idle);
void dahdi_period_scatter(const uint8_t *period, uint8_t *const *chan, unsigned nts,
			  unsigned samples);

#endif
