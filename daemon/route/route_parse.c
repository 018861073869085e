/*
 * route_parse.c -- the small text forms routes are stored in, both ways:
 * failover lists "34,38,41,42,44,408,503", day sets "mon-fri,sun" and times
 * "HH:MM"; and the failover predicate.  Pure functions, any thread.
 *
 * Day sets: three-letter English day names, case-insensitive, comma
 * separated, with ranges "mon-fri"; a range may wrap ("fri-mon" is Friday to
 * Monday).  "" is every day (0).  Times: "H:MM" or "HH:MM", 00:00..23:59,
 * and "24:00" (1440) so a window can end at midnight.
 */
#include "config.h"
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "route_int.h"

static const char day_names[7][4] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };

static bool failover_code_valid(long v)
{
	return (v >= 1 && v <= 127) || (v >= 300 && v <= 699);
}

int route_failover_parse(const char *s, struct route_dest *d, char *err, size_t errlen)
{
	uint16_t list[32];
	unsigned n = 0;
	const char *p = s;

	if (!s || !d) {
		rt_errf(err, errlen, "failover causes: missing");
		return EINVAL;
	}
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '\0')
		goto done;              /* "": no cause moves the call on */
	for (;;) {
		const char *item;
		char *end;
		long v;
		int ilen;

		while (*p == ' ' || *p == '\t')
			p++;
		item = p;
		while (*p && *p != ',')
			p++;
		ilen = (int)(p - item);
		while (ilen > 0 && isspace((unsigned char)item[ilen - 1]))
			ilen--;
		if (ilen == 0) {
			rt_errf(err, errlen, "failover causes: empty item in \"%s\"", s);
			return EINVAL;
		}
		errno = 0;
		v = strtol(item, &end, 10);
		if (!isdigit((unsigned char)item[0]) || end != item + ilen || errno) {
			rt_errf(err, errlen, "failover causes: \"%.*s\" is not a number", ilen, item);
			return EINVAL;
		}
		if (!failover_code_valid(v)) {
			rt_errf(err, errlen, "failover causes: %ld is neither a Q.850 cause (1-127) "
				"nor a SIP status (300-699)", v);
			return EINVAL;
		}
		bool dup = false;
		for (unsigned i = 0; i < n; i++)
			dup |= list[i] == v;
		if (!dup) {
			if (n == RT_FAILOVER_MAX) {
				rt_errf(err, errlen, "failover causes: more than %d", (int)RT_FAILOVER_MAX);
				return EINVAL;
			}
			list[n++] = (uint16_t)v;
		}
		if (*p == '\0')
			break;
		p++;                    /* the comma */
	}
 done:
	memcpy(d->failover, list, n * sizeof(list[0]));
	d->nfailover = n;
	return 0;
}

bool route_should_failover(const struct route_dest *d, int cause_or_status)
{
	if (!d)
		return false;
	for (unsigned i = 0; i < d->nfailover && i < RT_FAILOVER_MAX; i++)
		if (d->failover[i] == cause_or_status)
			return true;
	return false;
}

static int day_index(const char *s, size_t n)
{
	if (n != 3)
		return -1;
	for (int i = 0; i < 7; i++)
		if (strncasecmp(s, day_names[i], 3) == 0)
			return i;
	return -1;
}

int route_days_parse(const char *s, unsigned *days)
{
	unsigned set = 0;
	const char *p = s;

	if (!s || !days)
		return EINVAL;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '\0') {
		*days = 0;              /* every day */
		return 0;
	}
	for (;;) {
		const char *a, *b = NULL;
		size_t alen, blen = 0;
		int from, to;

		while (*p == ' ' || *p == '\t')
			p++;
		a = p;
		while (isalpha((unsigned char)*p))
			p++;
		alen = (size_t)(p - a);
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '-') {
			p++;
			while (*p == ' ' || *p == '\t')
				p++;
			b = p;
			while (isalpha((unsigned char)*p))
				p++;
			blen = (size_t)(p - b);
			while (*p == ' ' || *p == '\t')
				p++;
		}
		if (*p != ',' && *p != '\0')
			return EINVAL;
		from = day_index(a, alen);
		to = b ? day_index(b, blen) : from;
		if (from < 0 || to < 0)
			return EINVAL;
		/* a range may wrap past Sunday: fri-mon */
		for (int i = from;; i = (i + 1) % 7) {
			set |= 1u << i;
			if (i == to)
				break;
		}
		if (*p == '\0')
			break;
		p++;
	}
	*days = set;
	return 0;
}

int route_time_parse(const char *s, int *minute)
{
	int h, m;
	size_t n;

	if (!s || !minute)
		return EINVAL;
	n = strlen(s);
	if (n == 4 && isdigit((unsigned char)s[0]) && s[1] == ':' &&
	    isdigit((unsigned char)s[2]) && isdigit((unsigned char)s[3])) {
		h = s[0] - '0';
		m = (s[2] - '0') * 10 + (s[3] - '0');
	} else if (n == 5 && isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) &&
		   s[2] == ':' && isdigit((unsigned char)s[3]) && isdigit((unsigned char)s[4])) {
		h = (s[0] - '0') * 10 + (s[1] - '0');
		m = (s[3] - '0') * 10 + (s[4] - '0');
	} else {
		return EINVAL;
	}
	if (m > 59 || h > 24 || (h == 24 && m != 0))
		return EINVAL;
	*minute = h * 60 + m;
	return 0;
}

void rt_days_format(unsigned days, char *buf, size_t len)
{
	size_t o = 0;
	int i = 0;

	buf[0] = '\0';
	if ((days & 0x7f) == 0 || (days & 0x7f) == 0x7f) {
		rt_fmt(buf, len, "every day");
		return;
	}
	while (i < 7) {
		int j = i;

		if (!(days & (1u << i))) {
			i++;
			continue;
		}
		while (j + 1 < 7 && (days & (1u << (j + 1))))
			j++;
		if (o < len)
			o += rt_fmt(buf + o, len - o, "%s%s", o ? "," : "", day_names[i]);
		if (j > i && o < len)
			o += rt_fmt(buf + o, len - o, "%s%s", j > i + 1 ? "-" : ",",
					      day_names[j]);
		i = j + 1;
	}
}

void rt_time_format(int minute, char *buf, size_t len)
{
	rt_fmt(buf, len, "%02d:%02d", minute / 60, minute % 60);
}
