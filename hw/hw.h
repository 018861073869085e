/*
 * hw.h -- the hardware abstraction layer: T1/E1 spans behind one ops table.
 *
 * A driver (hw/sim, hw/dahdi) is a `const struct hw_driver`; a span it opens
 * starts with the HAL's `struct hw_span`.  Callers use the hw_span_* wrappers,
 * which check the driver's caps; an op a driver lacks is NULL with its cap
 * bit clear.  Drivers report upward only through the hw_span_events they were
 * given, never by including daemon/ headers.
 *
 * Timeslots are numbered as on the wire: T1 1..24, E1 1..31 (TS0 carries the
 * framing and is never a channel).  For PRI the D channel is TS24 on T1 and
 * TS16 on E1; hw_dchan_timeslot() says which.
 *
 * Audio: 8 kHz companded bytes as on the wire (mu-law on T1, A-law on E1),
 * moved a whole span at a time, once per period (frame_ms, 20 ms by default):
 * one period is `hw_span_timeslots(type) * samples` bytes, channel-major
 * (all samples of timeslot 1, then of timeslot 2, ...), so the cost grows
 * with spans, not channels.  D-channel frames are whole HDLC frames without
 * the FCS, as an HDLC controller delivers them.
 *
 * Threads: a driver runs its own I/O thread(s).  The event callbacks are
 * called on that thread; they must copy what they need and return quickly
 * (the daemon posts a copy to the main thread's queue).  hw_dchan_send,
 * hw_span_alarms, hw_span_counters, hw_bypass_set and hw_bypass_watchdog may
 * be called from any one owner thread (the daemon's main thread); open/close
 * from that thread.
 *
 * Bypass relay (HW_CAP_BYPASS): engaged, it cross-connects the span with its
 * partner (power-fail transfer); a relay without drive is engaged.  Like a
 * real bypass card's, the relay has a watchdog: once armed with
 * hw_bypass_watchdog(span, ms), a released relay falls back to engaged unless
 * its owner calls hw_bypass_set(span, false) again within ms, so a host that
 * hangs (not only one that dies) hands the line over.  The watchdog runs on
 * the card (hw/sim: on both ends of the span, so a stopped owner process is
 * seen too), never on the owner's thread.
 */
#ifndef TG_HW_H
#define TG_HW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HW_FRAME_MS_DEFAULT 20
#define HW_MAX_TIMESLOTS    31          /* E1: TS1..TS31 */
#define HW_DCHAN_MAX        288         /* longest D-channel frame carried (Q.921 N201 260 + header) */

enum hw_span_type { HW_SPAN_T1, HW_SPAN_E1 };
enum hw_framing { HW_FRAMING_ESF, HW_FRAMING_D4, HW_FRAMING_CCS, HW_FRAMING_CAS };   /* T1: ESF/D4; E1: CCS/CAS */
enum hw_line_code { HW_LINE_B8ZS, HW_LINE_AMI, HW_LINE_HDB3 };
enum hw_clock { HW_CLOCK_LINE, HW_CLOCK_INTERNAL };
/* Signalling on the span.  CAS (robbed bit / E1 CAS) is not implemented yet:
 * the model keeps room for it (per-timeslot ABCD bits would travel with the
 * audio period), and drivers refuse it today with ENOTSUP. */
enum hw_signalling { HW_SIG_PRI, HW_SIG_CAS };

/* Alarms, as a bit set; raised and cleared through hw_span_events.alarm. */
enum hw_alarm {
	HW_ALARM_LOS = 1 << 0,          /* loss of signal: no cable, or no peer */
	HW_ALARM_RED = 1 << 1,          /* loss of frame (LOF) */
	HW_ALARM_BLUE = 1 << 2,         /* AIS: all ones from the far end */
	HW_ALARM_YELLOW = 1 << 3,       /* RAI: the far end is in red alarm */
};

/* Error counters shaped after DS1-MIB (RFC 4805), since the span was opened. */
struct hw_counters {
	uint64_t line_code_violations;  /* BPV/LCV (dsx1LCVs) */
	uint64_t crc_errors;            /* CRC-6 (ESF) / CRC-4 errors (dsx1PCVs) */
	uint64_t frame_slips;           /* controlled slips (dsx1CSSs) */
	uint64_t errored_seconds;       /* ES: a second with a CRC error, slip or defect */
	uint64_t severely_errored_seconds;  /* SES: >= 320 CRC errors in a second, or LOF/LOS */
	uint64_t unavailable_seconds;   /* UAS: seconds in LOS/LOF */
	uint64_t rx_periods, tx_periods;        /* audio periods moved */
	uint64_t rx_missing;            /* periods with no audio from the far end (idle played) */
	uint64_t dchan_rx, dchan_tx;    /* D-channel frames */
};

/* Capabilities a driver declares (and the HAL checks). */
enum hw_cap {
	HW_CAP_T1 = 1 << 0,
	HW_CAP_E1 = 1 << 1,
	HW_CAP_PRI = 1 << 2,
	HW_CAP_BYPASS = 1 << 3,         /* a bypass relay per span pair */
	HW_CAP_FAULTS = 1 << 4,         /* faults can be injected (hw/sim) */
};

struct hw_span_cfg {
	const char *name;               /* for logs and events */
	unsigned position;              /* span number on the card, from 1 */
	enum hw_span_type type;
	enum hw_framing framing;
	enum hw_line_code line_code;
	bool crc4;                      /* E1 only */
	enum hw_clock clock;
	enum hw_signalling signalling;
	unsigned frame_ms;              /* audio period: 10, 20, 30 or 40; 0 = 20 */
	const char *device;             /* sim: the socket's path; dahdi: NULL = /dev/dahdi */
	bool attach;                    /* sim: connect to `device` as the far end (tgsim,
					 * or a second trunkgated) instead of listening there */
};

struct hw_span_events {
	/* The alarm set changed (old and new bit sets). */
	void (*alarm)(void *arg, unsigned alarms, unsigned old);
	/* One received D-channel frame (no FCS). */
	void (*dchan)(void *arg, const uint8_t *frame, size_t len);
	/* Once per period: rx is the received period (idle code if none came),
	 * tx is to be filled with the period to send; both channel-major,
	 * hw_span_timeslots() * samples bytes.  NULL: idle code is sent. */
	void (*audio)(void *arg, const uint8_t *rx, uint8_t *tx, unsigned samples);
	/* The bypass relay changed state (as reported by the card / the sim peer). */
	void (*relay)(void *arg, bool engaged);
};

struct hw_driver;

/* The HAL's part of every span; a driver's span struct starts with it. */
struct hw_span {
	const struct hw_driver *drv;
	char name[64];
	enum hw_span_type type;
	unsigned frame_ms;
};

struct hw_driver {
	const char *name;               /* "sim", "dahdi" */
	unsigned caps;                  /* enum hw_cap */
	/* Is the hardware there?  0, or ENODEV/ENOENT with no side effects. */
	int  (*probe)(void);
	int  (*span_open)(struct hw_span **spanp, const struct hw_span_cfg *cfg,
			  const struct hw_span_events *ev, void *arg);
	/* Apply a changed configuration to an open span (same type). */
	int  (*span_apply)(struct hw_span *span, const struct hw_span_cfg *cfg);
	void (*span_close)(struct hw_span *span);
	int  (*dchan_send)(struct hw_span *span, const uint8_t *frame, size_t len);
	unsigned (*alarms)(struct hw_span *span);
	void (*counters)(struct hw_span *span, struct hw_counters *c);
	int  (*bypass_set)(struct hw_span *span, bool engaged);     /* HW_CAP_BYPASS */
	int  (*bypass_watchdog)(struct hw_span *span, unsigned timeout_ms);  /* HW_CAP_BYPASS */
};

/* The drivers built into this binary; NULL if none has that name. */
const struct hw_driver *hw_driver_find(const char *name);
/* All drivers, NULL-terminated. */
extern const struct hw_driver *const hw_drivers[];

/* Wrappers: check caps and arguments, then call the driver. */
int  hw_span_open(const struct hw_driver *drv, struct hw_span **spanp, const struct hw_span_cfg *cfg,
		  const struct hw_span_events *ev, void *arg);
int  hw_span_apply(struct hw_span *span, const struct hw_span_cfg *cfg);
void hw_span_close(struct hw_span *span);                       /* NULL-safe */
int  hw_dchan_send(struct hw_span *span, const uint8_t *frame, size_t len);
unsigned hw_span_alarms(struct hw_span *span);
void hw_span_counters(struct hw_span *span, struct hw_counters *c);
int  hw_bypass_set(struct hw_span *span, bool engaged);         /* ENOTSUP without HW_CAP_BYPASS */
/* Arm (timeout_ms > 0) or disarm (0) the relay watchdog; each later
 * hw_bypass_set(span, false) re-arms it.  ENOTSUP without HW_CAP_BYPASS. */
int  hw_bypass_watchdog(struct hw_span *span, unsigned timeout_ms);

/* Facts about span types. */
unsigned hw_span_timeslots(enum hw_span_type type);             /* 24 or 31 */
unsigned hw_dchan_timeslot(enum hw_span_type type);             /* 24 or 16 */
uint8_t  hw_idle_code(enum hw_span_type type);                  /* 0xFF (mu-law) / 0xD5 (A-law) */
unsigned hw_samples_per_period(unsigned frame_ms);              /* 8 * frame_ms */
/* Validate a configuration: EINVAL with a message naming the field. */
int hw_span_cfg_check(const struct hw_span_cfg *cfg, char *err, size_t errlen);
/* Names for logs, the API and status ("T1", "ESF", "B8ZS", "line", "LOS"...). */
const char *hw_span_type_name(enum hw_span_type t);
const char *hw_framing_name(enum hw_framing f);
const char *hw_line_code_name(enum hw_line_code l);
const char *hw_clock_name(enum hw_clock c);
/* Alarm set as "LOS,RED" ("" when clear) into buf. */
const char *hw_alarm_names(unsigned alarms, char *buf, size_t len);

#endif
