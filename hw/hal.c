/*
 * hal.c -- the HAL wrappers of hw.h: check the driver's caps and the
 * arguments, then call the driver; plus the facts about span types, the
 * configuration check and the names used in logs, the API and status.
 *
 * The wrappers hold no state and take no locks: they run on whatever thread
 * calls them (the daemon's main thread) and the driver does the rest.  A
 * driver's op that its caps do not promise is never called; an op every
 * driver must have (span_open, span_close, alarms...) is still checked for
 * NULL, so a half-written driver fails with ENOTSUP instead of crashing.
 */
#include "config.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define LOG_MODULE "hw"
#include "log.h"
#include "hw.h"

/* Events for a caller that wants none: drivers may rely on ev being set. */
static const struct hw_span_events no_events;

static int cfg_fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int cfg_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return EINVAL;
}

int hw_span_cfg_check(const struct hw_span_cfg *cfg, char *err, size_t errlen)
{
	const char *tn;

	if (err && errlen)
		err[0] = '\0';
	if (!cfg)
		return cfg_fail(err, errlen, "span configuration missing");
	if (cfg->name && strlen(cfg->name) >= sizeof(((struct hw_span *)0)->name))
		return cfg_fail(err, errlen, "name \"%.20s...\": longer than %zu characters",
				cfg->name, sizeof(((struct hw_span *)0)->name) - 1);
	if (cfg->type != HW_SPAN_T1 && cfg->type != HW_SPAN_E1)
		return cfg_fail(err, errlen, "type %u: must be T1 or E1", (unsigned)cfg->type);
	tn = hw_span_type_name(cfg->type);

	switch (cfg->framing) {
	case HW_FRAMING_ESF:
	case HW_FRAMING_D4:
		if (cfg->type != HW_SPAN_T1)
			return cfg_fail(err, errlen, "framing %s: not an %s framing (CCS or CAS)",
					hw_framing_name(cfg->framing), tn);
		break;
	case HW_FRAMING_CCS:
	case HW_FRAMING_CAS:
		if (cfg->type != HW_SPAN_E1)
			return cfg_fail(err, errlen, "framing %s: not a %s framing (ESF or D4)",
					hw_framing_name(cfg->framing), tn);
		if (cfg->framing == HW_FRAMING_CAS)
			return cfg_fail(err, errlen, "framing CAS: not supported yet (use CCS)");
		break;
	default:
		return cfg_fail(err, errlen, "framing %u: unknown", (unsigned)cfg->framing);
	}

	switch (cfg->line_code) {
	case HW_LINE_B8ZS:
		if (cfg->type != HW_SPAN_T1)
			return cfg_fail(err, errlen, "line_code B8ZS: not an %s line code (HDB3 or AMI)", tn);
		break;
	case HW_LINE_HDB3:
		if (cfg->type != HW_SPAN_E1)
			return cfg_fail(err, errlen, "line_code HDB3: not a %s line code (B8ZS or AMI)", tn);
		break;
	case HW_LINE_AMI:
		break;
	default:
		return cfg_fail(err, errlen, "line_code %u: unknown", (unsigned)cfg->line_code);
	}

	if (cfg->crc4 && cfg->type != HW_SPAN_E1)
		return cfg_fail(err, errlen, "crc4 on: E1 only (this span is %s)", tn);
	if (cfg->clock != HW_CLOCK_LINE && cfg->clock != HW_CLOCK_INTERNAL)
		return cfg_fail(err, errlen, "clock %u: must be line or internal", (unsigned)cfg->clock);
	if (cfg->signalling == HW_SIG_CAS)
		return cfg_fail(err, errlen, "signalling CAS: not supported yet (use PRI)");
	if (cfg->signalling != HW_SIG_PRI)
		return cfg_fail(err, errlen, "signalling %u: unknown",
				(unsigned)cfg->signalling);
	switch (cfg->frame_ms) {
	case 0: case 10: case 20: case 30: case 40:
		break;
	default:
		return cfg_fail(err, errlen, "frame_ms %u: must be 10, 20, 30 or 40 (0 = 20)",
				cfg->frame_ms);
	}
	return 0;
}

/* Caps a configuration needs from its driver. */
static int cfg_caps_check(const struct hw_driver *drv, const struct hw_span_cfg *cfg)
{
	unsigned need = cfg->type == HW_SPAN_T1 ? HW_CAP_T1 : HW_CAP_E1;

	/* CAS is modelled but no driver implements it yet (hw.h). */
	if (cfg->signalling == HW_SIG_CAS || cfg->framing == HW_FRAMING_CAS)
		return ENOTSUP;
	if (cfg->signalling == HW_SIG_PRI)
		need |= HW_CAP_PRI;
	return (drv->caps & need) == need ? 0 : ENOTSUP;
}

int hw_span_open(const struct hw_driver *drv, struct hw_span **spanp, const struct hw_span_cfg *cfg,
		 const struct hw_span_events *ev, void *arg)
{
	char msg[160];
	int err;

	if (!drv || !spanp || !cfg)
		return EINVAL;
	if (cfg->type != HW_SPAN_T1 && cfg->type != HW_SPAN_E1)
		return EINVAL;
	err = cfg_caps_check(drv, cfg);
	if (err) {
		log_warn("span %s: driver %s cannot run %s %s", cfg->name ? cfg->name : "?",
			 drv->name, hw_span_type_name(cfg->type),
			 cfg->signalling == HW_SIG_CAS ? "CAS" : "PRI");
		return err;
	}
	err = hw_span_cfg_check(cfg, msg, sizeof(msg));
	if (err) {
		log_warn("span %s: %s", cfg->name ? cfg->name : "?", msg);
		return err;
	}
	if (!drv->span_open)
		return ENOTSUP;
	return drv->span_open(spanp, cfg, ev ? ev : &no_events, arg);
}

int hw_span_apply(struct hw_span *span, const struct hw_span_cfg *cfg)
{
	char msg[160];
	int err;

	if (!span || !cfg)
		return EINVAL;
	if (cfg->type != span->type) {
		log_warn("span %s: cannot change type %s to %s on an open span", span->name,
			 hw_span_type_name(span->type), hw_span_type_name(cfg->type));
		return EINVAL;
	}
	err = cfg_caps_check(span->drv, cfg);
	if (err)
		return err;
	err = hw_span_cfg_check(cfg, msg, sizeof(msg));
	if (err) {
		log_warn("span %s: %s", span->name, msg);
		return err;
	}
	if (!span->drv->span_apply)
		return ENOTSUP;
	return span->drv->span_apply(span, cfg);
}

void hw_span_close(struct hw_span *span)
{
	if (span && span->drv->span_close)
		span->drv->span_close(span);
}

int hw_dchan_send(struct hw_span *span, const uint8_t *frame, size_t len)
{
	if (!span || !frame || len == 0 || len > HW_DCHAN_MAX)
		return EINVAL;
	if (!(span->drv->caps & HW_CAP_PRI) || !span->drv->dchan_send)
		return ENOTSUP;
	return span->drv->dchan_send(span, frame, len);
}

unsigned hw_span_alarms(struct hw_span *span)
{
	/* No span, or a driver that cannot tell: no signal is the safe answer. */
	if (!span || !span->drv->alarms)
		return HW_ALARM_LOS | HW_ALARM_RED;
	return span->drv->alarms(span);
}

void hw_span_counters(struct hw_span *span, struct hw_counters *c)
{
	if (!c)
		return;
	memset(c, 0, sizeof(*c));
	if (span && span->drv->counters)
		span->drv->counters(span, c);
}

int hw_bypass_set(struct hw_span *span, bool engaged)
{
	if (!span)
		return EINVAL;
	if (!(span->drv->caps & HW_CAP_BYPASS) || !span->drv->bypass_set)
		return ENOTSUP;
	return span->drv->bypass_set(span, engaged);
}

int hw_bypass_watchdog(struct hw_span *span, unsigned timeout_ms)
{
	if (!span)
		return EINVAL;
	if (!(span->drv->caps & HW_CAP_BYPASS) || !span->drv->bypass_watchdog)
		return ENOTSUP;
	return span->drv->bypass_watchdog(span, timeout_ms);
}

unsigned hw_span_timeslots(enum hw_span_type type)
{
	switch (type) {
	case HW_SPAN_T1: return 24;
	case HW_SPAN_E1: return 31;
	}
	return 0;
}

unsigned hw_dchan_timeslot(enum hw_span_type type)
{
	switch (type) {
	case HW_SPAN_T1: return 24;
	case HW_SPAN_E1: return 16;
	}
	return 0;
}

uint8_t hw_idle_code(enum hw_span_type type)
{
	/* Silence on the wire: mu-law 0xFF (T1), A-law 0xD5 (E1, 0x55 with even bits inverted). */
	return type == HW_SPAN_E1 ? 0xD5 : 0xFF;
}

unsigned hw_samples_per_period(unsigned frame_ms)
{
	return 8 * (frame_ms ? frame_ms : HW_FRAME_MS_DEFAULT);
}

const char *hw_span_type_name(enum hw_span_type t)
{
	switch (t) {
	case HW_SPAN_T1: return "T1";
	case HW_SPAN_E1: return "E1";
	}
	return "?";
}

const char *hw_framing_name(enum hw_framing f)
{
	switch (f) {
	case HW_FRAMING_ESF: return "ESF";
	case HW_FRAMING_D4: return "D4";
	case HW_FRAMING_CCS: return "CCS";
	case HW_FRAMING_CAS: return "CAS";
	}
	return "?";
}

const char *hw_line_code_name(enum hw_line_code l)
{
	switch (l) {
	case HW_LINE_B8ZS: return "B8ZS";
	case HW_LINE_AMI: return "AMI";
	case HW_LINE_HDB3: return "HDB3";
	}
	return "?";
}

const char *hw_clock_name(enum hw_clock c)
{
	switch (c) {
	case HW_CLOCK_LINE: return "line";
	case HW_CLOCK_INTERNAL: return "internal";
	}
	return "?";
}

const char *hw_alarm_names(unsigned alarms, char *buf, size_t len)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
		{ HW_ALARM_LOS, "LOS" }, { HW_ALARM_RED, "RED" },
		{ HW_ALARM_BLUE, "BLUE" }, { HW_ALARM_YELLOW, "YELLOW" },
	};
	size_t used = 0;

	if (!buf || !len)
		return "";
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int n;

		if (!(alarms & names[i].bit))
			continue;
		n = snprintf(buf + used, len - used, "%s%s", used ? "," : "", names[i].name);
		if (n < 0 || (size_t)n >= len - used) {
			buf[used] = '\0';       /* whole names only */
			break;
		}
		used += (size_t)n;
	}
	return buf;
}
