/*
 * script.c -- the tgsim command parser (see script.h).  Any thread; pure.
 */
#include "config.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hw.h"
#include "script.h"
#include "tg.h"

#define MAX_TOKENS 16

static int split(char *s, char **tok)
{
	int n = 0;

	for (char *p = strtok(s, " \t\r\n"); p && n < MAX_TOKENS; p = strtok(NULL, " \t\r\n"))
		tok[n++] = p;
	return n;
}

static bool number(const char *s, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	return !errno && end != s && !*end && *v >= 0;
}

static bool uint_of(const char *s, unsigned *v)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || n > 1000000)
		return false;
	*v = (unsigned)n;
	return true;
}

static bool digits(const char *s)
{
	return *s && strlen(s) < 33 && strspn(s, "0123456789*#+") == strlen(s);
}

static bool dtmf_digits(const char *s)
{
	return *s && strlen(s) < 33 && strspn(s, "0123456789*#ABCD") == strlen(s);
}

/* A tone frequency: 1..3999 Hz (below half the 8 kHz rate). */
static bool freq_of(const char *s, double *v)
{
	return number(s, v) && *v >= 1 && *v < 4000;
}

static bool copy(char *dst, size_t n, const char *src)
{
	return tg_strlcpy(dst, src, n);
}

/* "key=value" into *val, or NULL if tok is not key=... */
static const char *kv(const char *tok, const char *key)
{
	size_t n = strlen(key);

	return strncmp(tok, key, n) == 0 && tok[n] == '=' ? tok + n + 1 : NULL;
}

static int fail(char *err, size_t errlen, unsigned lineno, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, unsigned lineno, const char *fmt, ...)
{
	int n = snprintf(err, errlen, "line %u: ", lineno);
	va_list ap;

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < errlen)
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

#define FAIL(...) return fail(err, errlen, lineno, __VA_ARGS__)

/* "within S" at the end of an expect; returns the tokens before it. */
static int take_within(char **tok, int n, struct tgsim_cmd *c, unsigned lineno, char *err,
		       size_t errlen)
{
	if (n < 2 || strcmp(tok[n - 2], "within") || !number(tok[n - 1], &c->within))
		FAIL("expect needs \"within SECONDS\" at the end");
	return n - 2;
}

static int parse_alarm_names(const char *s, unsigned *bits)
{
	char buf[64];

	*bits = 0;
	if (!strcasecmp(s, "none"))
		return 0;
	if (!copy(buf, sizeof(buf), s))
		return -1;
	for (char *p = strtok(buf, ","); p; p = strtok(NULL, ",")) {
		if (!strcasecmp(p, "LOS")) *bits |= HW_ALARM_LOS;
		else if (!strcasecmp(p, "RED")) *bits |= HW_ALARM_RED;
		else if (!strcasecmp(p, "BLUE") || !strcasecmp(p, "AIS")) *bits |= HW_ALARM_BLUE;
		else if (!strcasecmp(p, "YELLOW") || !strcasecmp(p, "RAI")) *bits |= HW_ALARM_YELLOW;
		else return -1;
	}
	return 0;
}

static int parse_expect(char **tok, int n, struct tgsim_cmd *c, unsigned lineno, char *err,
			size_t errlen)
{
	if (n < 2)
		FAIL("expect what?");
	n = take_within(tok, n, c, lineno, err, errlen);
	if (n < 0)
		return -1;
	if (!strcmp(tok[1], "call")) {
		c->op = OP_EXPECT_CALL;
		for (int i = 2; i < n; i += 2) {
			if (i + 1 >= n)
				FAIL("expect call: \"%s\" needs a value", tok[i]);
			if (!strcmp(tok[i], "to") && digits(tok[i + 1]))
				copy(c->to, sizeof(c->to), tok[i + 1]);
			else if (!strcmp(tok[i], "from") && digits(tok[i + 1]))
				copy(c->from, sizeof(c->from), tok[i + 1]);
			else if (!strcmp(tok[i], "on"))
				copy(c->span, sizeof(c->span), tok[i + 1]);
			else if (!strcmp(tok[i], "as"))
				copy(c->label, sizeof(c->label), tok[i + 1]);
			else
				FAIL("expect call: bad \"%s %s\"", tok[i], tok[i + 1]);
		}
		return 1;
	}
	if (!strcmp(tok[1], "answer") || !strcmp(tok[1], "alerting") || !strcmp(tok[1], "proceeding")) {
		c->op = !strcmp(tok[1], "answer") ? OP_EXPECT_ANSWER :
			!strcmp(tok[1], "alerting") ? OP_EXPECT_ALERTING : OP_EXPECT_PROCEEDING;
		if (n > 3)
			FAIL("expect %s [LABEL] within S", tok[1]);
		if (n == 3)
			copy(c->label, sizeof(c->label), tok[2]);
		return 1;
	}
	if (!strcmp(tok[1], "release")) {
		c->op = OP_EXPECT_RELEASE;
		c->cause = -1;
		for (int i = 2; i < n; i++) {
			unsigned v;

			if (!strcmp(tok[i], "cause")) {
				if (i + 1 >= n || !uint_of(tok[i + 1], &v) || v < 1 || v > 127)
					FAIL("expect release: cause must be 1..127");
				c->cause = (int)v;
				i++;
			} else {
				copy(c->label, sizeof(c->label), tok[i]);
			}
		}
		return 1;
	}
	if (!strcmp(tok[1], "link")) {
		c->op = OP_EXPECT_LINK;
		if (n != 4 || (strcmp(tok[2], "up") && strcmp(tok[2], "down")))
			FAIL("expect link up|down SPAN within S");
		c->up = !strcmp(tok[2], "up");
		copy(c->span, sizeof(c->span), tok[3]);
		return 1;
	}
	if (!strcmp(tok[1], "alarm")) {
		c->op = OP_EXPECT_ALARM;
		if (n != 4 || parse_alarm_names(tok[3], &c->alarms))
			FAIL("expect alarm SPAN LOS,RED,BLUE,YELLOW|none within S");
		copy(c->span, sizeof(c->span), tok[2]);
		return 1;
	}
	if (!strcmp(tok[1], "tone") || !strcmp(tok[1], "dtmf")) {
		bool tone = !strcmp(tok[1], "tone");

		c->op = tone ? OP_EXPECT_TONE : OP_EXPECT_DTMF;
		/* expect tone FREQ [LABEL] continuous S within S */
		if (tone && n >= 5 && !strcmp(tok[n - 2], "continuous")) {
			if (!number(tok[n - 1], &c->continuous_s) || c->continuous_s <= 0 ||
			    c->continuous_s > 3600)
				FAIL("expect tone FREQ [LABEL] continuous S within S (S: 0..3600 s)");
			n -= 2;
		}
		if (n < 3 || n > 4 || (tone ? !freq_of(tok[2], &c->freq) || c->freq == 0 :
				       !dtmf_digits(tok[2])))
			FAIL("expect %s %s [LABEL]%s within S", tok[1], tone ? "FREQ (1..3999 Hz)" :
			     "DIGITS (0-9 * # A-D)", tone ? " [continuous S]" : "");
		if (!tone)
			copy(c->dtmf, sizeof(c->dtmf), tok[2]);
		if (n == 4)
			copy(c->label, sizeof(c->label), tok[3]);
		return 1;
	}
	FAIL("expect %s: not something tgsim can wait for", tok[1]);
}

int tgsim_parse_line(const char *line, unsigned lineno, struct tgsim_cmd *c, char *err,
		     size_t errlen)
{
	char buf[1024], *tok[MAX_TOKENS];
	int n;

	if (!copy(buf, sizeof(buf), line))
		FAIL("too long");
	/* '#' starts a comment at the start of a word; inside one it is a
	 * digit ("send dtmf 12#"). */
	for (char *p = buf; *p; p++)
		if (*p == '#' && (p == buf || *(p - 1) == ' ' || *(p - 1) == '\t')) {
			*p = '\0';
			break;
		}
	n = split(buf, tok);
	if (n == 0)
		return 0;
	memset(c, 0, sizeof(*c));
	c->line = lineno;
	c->cause = 16;
	const char *v = tok[0];

	if (!strcmp(v, "span")) {
		c->op = OP_SPAN;
		if (n < 3)
			FAIL("span NAME PATH [type=..] [switch=..] [side=..] [hunting=..] [listen]");
		copy(c->span, sizeof(c->span), tok[1]);
		if (!copy(c->path, sizeof(c->path), tok[2]))
			FAIL("span: path too long");
		copy(c->type, sizeof(c->type), "E1");
		copy(c->sw, sizeof(c->sw), "euroisdn");
		copy(c->side, sizeof(c->side), "network");
		copy(c->hunting, sizeof(c->hunting), "descending");
		for (int i = 3; i < n; i++) {
			const char *x;

			if ((x = kv(tok[i], "type")) && (!strcmp(x, "T1") || !strcmp(x, "E1")))
				copy(c->type, sizeof(c->type), x);
			else if ((x = kv(tok[i], "switch")))
				copy(c->sw, sizeof(c->sw), x);
			else if ((x = kv(tok[i], "side")))
				copy(c->side, sizeof(c->side), x);
			else if ((x = kv(tok[i], "hunting")))
				copy(c->hunting, sizeof(c->hunting), x);
			else if (!strcmp(tok[i], "listen"))
				c->listen = true;
			else
				FAIL("span: unknown option \"%s\"", tok[i]);
		}
		return 1;
	}
	if (!strcmp(v, "call")) {
		c->op = OP_CALL;
		if (n < 4 || !digits(tok[2]) || !digits(tok[3]))
			FAIL("call SPAN FROM TO [channel=N] [as=LABEL] [redirecting=NUMBER] [reason=N] [ton=N] "
			     "(numbers: digits, *, #, +)");
		copy(c->span, sizeof(c->span), tok[1]);
		copy(c->from, sizeof(c->from), tok[2]);
		copy(c->to, sizeof(c->to), tok[3]);
		c->reason = 15;
		c->ton = -1;
		for (int i = 4; i < n; i++) {
			const char *x;
			unsigned u;

			if ((x = kv(tok[i], "redirecting")) && digits(x) &&
			    copy(c->redirecting, sizeof(c->redirecting), x))
				continue;
			if ((x = kv(tok[i], "reason")) && uint_of(x, &c->reason) && c->reason <= 15)
				continue;
			if ((x = kv(tok[i], "ton")) && uint_of(x, &u) && u <= 7) {
				c->ton = (int)u;
				continue;
			}

			if ((x = kv(tok[i], "channel")) && uint_of(x, &c->channel) && c->channel >= 1 &&
			    c->channel <= 31)
				continue;
			if ((x = kv(tok[i], "as")) && *x) {
				copy(c->label, sizeof(c->label), x);
				continue;
			}
			if (!strcmp(tok[i], "as") && i + 1 < n) {      /* "as LABEL", as in expect */
				copy(c->label, sizeof(c->label), tok[++i]);
				continue;
			}
			FAIL("call: bad option \"%s\"", tok[i]);
		}
		return 1;
	}
	if (!strcmp(v, "proceed") || !strcmp(v, "alert") || !strcmp(v, "answer")) {
		c->op = !strcmp(v, "proceed") ? OP_PROCEED : !strcmp(v, "alert") ? OP_ALERT : OP_ANSWER;
		for (int i = 1; i < n; i++) {
			if (c->op == OP_ALERT && !strcmp(tok[i], "inband"))
				c->inband = true;       /* ringback is on the B channel */
			else if (!c->label[0])
				copy(c->label, sizeof(c->label), tok[i]);
			else
				FAIL("%s [LABEL]%s", v, c->op == OP_ALERT ? " [inband]" : "");
		}
		return 1;
	}
	if (!strcmp(v, "hangup")) {
		unsigned cause;

		c->op = OP_HANGUP;
		for (int i = 1; i < n; i++) {
			if (uint_of(tok[i], &cause)) {
				if (cause < 1 || cause > 127)
					FAIL("hangup: cause must be 1..127");
				c->cause = (int)cause;
			} else {
				copy(c->label, sizeof(c->label), tok[i]);
			}
		}
		return 1;
	}
	if (!strcmp(v, "auto")) {
		unsigned cause;
		int i = 2;

		c->op = OP_AUTO;
		if (n < 2)
			FAIL("auto answer|reject CAUSE|off [SPAN]");
		if (!strcmp(tok[1], "answer"))
			c->auto_mode = AUTO_ANSWER;
		else if (!strcmp(tok[1], "off"))
			c->auto_mode = AUTO_OFF;
		else if (!strcmp(tok[1], "reject") && n >= 3 && uint_of(tok[2], &cause) && cause >= 1 &&
			 cause <= 127) {
			c->auto_mode = AUTO_REJECT;
			c->cause = (int)cause;
			i = 3;
		} else
			FAIL("auto answer|reject CAUSE|off [SPAN]");
		if (i < n)
			copy(c->span, sizeof(c->span), tok[i]);
		return 1;
	}
	if (!strcmp(v, "expect"))
		return parse_expect(tok, n, c, lineno, err, errlen);
	if (!strcmp(v, "alarm")) {
		c->op = OP_ALARM;
		if (n != 4 || (strcmp(tok[2], "los") && strcmp(tok[2], "ais") && strcmp(tok[2], "rai")) ||
		    (strcmp(tok[3], "on") && strcmp(tok[3], "off")))
			FAIL("alarm SPAN los|ais|rai on|off");
		copy(c->span, sizeof(c->span), tok[1]);
		copy(c->what, sizeof(c->what), tok[2]);
		c->up = !strcmp(tok[3], "on");
		return 1;
	}
	if (!strcmp(v, "inject")) {
		c->op = OP_INJECT;
		if (n != 4 || (strcmp(tok[2], "crc") && strcmp(tok[2], "slips") && strcmp(tok[2], "bpv")) ||
		    !uint_of(tok[3], &c->count))
			FAIL("inject SPAN crc|slips|bpv N");
		copy(c->span, sizeof(c->span), tok[1]);
		copy(c->what, sizeof(c->what), tok[2]);
		return 1;
	}
	if (!strcmp(v, "restart")) {
		c->op = OP_RESTART;
		if (n != 2)
			FAIL("restart SPAN");
		copy(c->span, sizeof(c->span), tok[1]);
		return 1;
	}
	if (!strcmp(v, "load")) {
		c->op = OP_LOAD;
		c->answer_ratio = 1;
		if (n < 2)
			FAIL("load SPAN rate=CPS hold=S [answer=R] [count=N] [to=NUMBER] [from=NUMBER] [tone=FREQ]");
		copy(c->span, sizeof(c->span), tok[1]);
		copy(c->to, sizeof(c->to), "1000");
		copy(c->from, sizeof(c->from), "2000");
		for (int i = 2; i < n; i++) {
			const char *x;

			if ((x = kv(tok[i], "rate")) && number(x, &c->rate) && c->rate > 0 && c->rate <= 1000)
				continue;
			if ((x = kv(tok[i], "hold")) && number(x, &c->hold))
				continue;
			if ((x = kv(tok[i], "answer")) && number(x, &c->answer_ratio) && c->answer_ratio <= 1)
				continue;
			if ((x = kv(tok[i], "count")) && uint_of(x, &c->count))
				continue;
			if ((x = kv(tok[i], "to")) && digits(x) && copy(c->to, sizeof(c->to), x))
				continue;
			if ((x = kv(tok[i], "from")) && digits(x) && copy(c->from, sizeof(c->from), x))
				continue;
			if ((x = kv(tok[i], "tone")) && freq_of(x, &c->freq))
				continue;       /* answered calls play it on their B channel */
			FAIL("load: bad option \"%s\"", tok[i]);
		}
		if (c->rate <= 0)
			FAIL("load: rate=CPS is required (0 < CPS <= 1000)");
		return 1;
	}
	if (!strcmp(v, "play")) {
		c->op = OP_PLAY_TONE;
		if (n < 3 || n > 4 || strcmp(tok[1], "tone") ||
		    (strcmp(tok[2], "off") && !freq_of(tok[2], &c->freq)))
			FAIL("play tone FREQ|off [LABEL] (FREQ: 1..3999 Hz)");
		if (n == 4)
			copy(c->label, sizeof(c->label), tok[3]);
		return 1;
	}
	if (!strcmp(v, "send")) {
		c->op = OP_SEND_DTMF;
		if (n < 3 || n > 4 || strcmp(tok[1], "dtmf") || !dtmf_digits(tok[2]))
			FAIL("send dtmf DIGITS [LABEL] (DIGITS: 0-9 * # A-D)");
		copy(c->dtmf, sizeof(c->dtmf), tok[2]);
		if (n == 4)
			copy(c->label, sizeof(c->label), tok[3]);
		return 1;
	}
	if (!strcmp(v, "echo")) {
		c->op = OP_ECHO;
		c->echo_delay_ms = 20;
		c->echo_loss_db = 6;
		if (n < 2 || (strcmp(tok[1], "on") && strcmp(tok[1], "off")))
			FAIL("echo on|off [LABEL] [delay=MS] [loss=DB]");
		c->up = !strcmp(tok[1], "on");
		for (int i = 2; i < n; i++) {
			const char *val;

			if ((val = kv(tok[i], "delay"))) {
				if (!number(val, &c->echo_delay_ms) || c->echo_delay_ms > 200)
					FAIL("echo: delay=MS is 0..200");
			} else if ((val = kv(tok[i], "loss"))) {
				if (!number(val, &c->echo_loss_db) || c->echo_loss_db > 60)
					FAIL("echo: loss=DB is 0..60");
			} else if (strchr(tok[i], '=') || c->label[0]) {
				FAIL("echo: bad option \"%s\"", tok[i]);
			} else {
				copy(c->label, sizeof(c->label), tok[i]);
			}
		}
		return 1;
	}
	if (!strcmp(v, "sleep")) {
		c->op = OP_SLEEP;
		if (n != 2 || !number(tok[1], &c->seconds))
			FAIL("sleep SECONDS");
		return 1;
	}
	if (!strcmp(v, "quit")) {
		c->op = OP_QUIT;
		return 1;
	}
	FAIL("unknown command \"%s\"", v);
}
