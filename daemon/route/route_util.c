/*
 * route_util.c -- small helpers of the route module: number characters,
 * powers of ten, and the string map that indexes number prefixes.
 *
 * The map is open addressing with linear probing over a power-of-two slot
 * array at most half full, keyed by the prefix's characters and its FNV-1a
 * hash.  FNV-1a is computed one character at a time, so one pass over a
 * number yields the hash of each of its prefixes (rt_prefix_hashes) and a
 * longest-prefix search costs one probe per prefix length that exists in
 * the map (the `lens` bit set), not one per key.  Built once, then only
 * read: any thread.
 */
#include "config.h"
#include <errno.h>
#include <string.h>
#include <sys/types.h>

#include "route_int.h"

#define FNV_OFFSET 2166136261u
#define FNV_PRIME  16777619u

bool rt_is_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static bool is_number_char(char c)
{
	return (c >= '0' && c <= '9') || c == '*' || c == '#';
}

bool rt_is_prefix_chars(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_number_char(s[i]) && !(i == 0 && s[i] == '+'))
			return false;
	return true;
}

bool route_number_valid(const char *s)
{
	size_t n;

	if (!s)
		return false;
	n = strlen(s);
	if (n == 0 || n > RT_NUMBER_LEN || (n == 1 && s[0] == '+'))
		return false;
	return rt_is_prefix_chars(s, RT_NUMBER_LEN);
}

uint64_t rt_pow10_sat(unsigned e)
{
	uint64_t v = 1;

	if (e > 19)
		return UINT64_MAX;
	while (e--)
		v *= 10;
	return v;
}

uint32_t rt_hash(const char *s, size_t n)
{
	uint32_t h = FNV_OFFSET;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * FNV_PRIME;
	return h;
}

void rt_prefix_hashes(const char *s, size_t n, uint32_t *h)
{
	h[0] = FNV_OFFSET;
	for (size_t i = 0; i < n; i++)
		h[i + 1] = (h[i] ^ (unsigned char)s[i]) * FNV_PRIME;
}

int rt_strmap_init(struct route_table *t, struct rt_strmap *m, size_t n)
{
	size_t cap = 16;

	while (cap < 2 * n)
		cap *= 2;
	memset(m, 0, sizeof(*m));
	m->slot = rt_alloc(t, cap * sizeof(*m->slot));
	m->ent = rt_alloc(t, (n ? n : 1) * sizeof(*m->ent));
	if (!m->slot || !m->ent)
		return ENOMEM;
	m->mask = (uint32_t)cap - 1;
	return 0;
}

struct rt_strent *rt_strmap_put(struct rt_strmap *m, const char *s, uint32_t len, bool *fresh)
{
	uint32_t h = rt_hash(s, len), i;
	struct rt_strent *e;

	for (i = h & m->mask; m->slot[i]; i = (i + 1) & m->mask) {
		e = &m->ent[m->slot[i] - 1];
		if (e->hash == h && e->len == len && memcmp(e->s, s, len) == 0) {
			*fresh = false;
			return e;
		}
	}
	/* the caller sized the map for every key: nent never overflows */
	e = &m->ent[m->nent];
	e->s = s;
	e->len = len;
	e->hash = h;
	e->val = RT_NONE;
	e->n = 0;
	m->slot[i] = ++m->nent;
	if (len < 64)
		m->lens |= 1ull << len;
	*fresh = true;
	return e;
}

const struct rt_strent *rt_strmap_get(const struct rt_strmap *m, const char *s, uint32_t len,
				      uint32_t hash)
{
	if (!m->slot)
		return NULL;
	for (uint32_t i = hash & m->mask; m->slot[i]; i = (i + 1) & m->mask) {
		const struct rt_strent *e = &m->ent[m->slot[i] - 1];

		if (e->hash == hash && e->len == len && memcmp(e->s, s, len) == 0)
			return e;
	}
	return NULL;
}

/*
 * A small formatter for the decision's steps.  route_decide() writes a few
 * to a dozen lines per call, and glibc's vsnprintf() was half the cost of a
 * decision; this one knows only what the steps use -- %s %.*s %c %d %u %x
 * with l/ll/z, a zero-padded width, %% -- and is several times faster.
 * Always NUL-terminates; returns the length written (truncated, not the
 * length that would have been).
 */
static size_t put_uint(char *p, size_t left, unsigned long long v, unsigned base, int width,
		       bool neg)
{
	char tmp[24];
	size_t n = 0, o = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg && o < left)
		p[o++] = '-';
	while (width-- > (int)n + neg && o < left)
		p[o++] = '0';
	while (n && o < left)
		p[o++] = tmp[--n];
	return o;
}

size_t rt_vfmt(char *buf, size_t len, const char *fmt, va_list ap)
{
	size_t o = 0, left;

	if (!len)
		return 0;
	left = len - 1;
	for (const char *f = fmt; *f && o < left; f++) {
		int width = 0, prec = -1, lng = 0;     /* a width pads with zeros */

		if (*f != '%') {
			buf[o++] = *f;
			continue;
		}
		f++;
		while (*f >= '0' && *f <= '9')
			width = width * 10 + (*f++ - '0');
		if (f[0] == '.' && f[1] == '*') {
			prec = va_arg(ap, int);
			f += 2;
		}
		while (*f == 'l' || *f == 'z') {
			lng = *f == 'z' ? 3 : lng + 1;
			f++;
		}
		switch (*f) {
		case 's': {
			const char *s = va_arg(ap, const char *);
			size_t n = s ? strlen(s) : 6;

			if (!s)
				s = "(null)";
			if (prec >= 0 && (size_t)prec < n)
				n = (size_t)prec;
			if (n > left - o)
				n = left - o;
			memcpy(buf + o, s, n);
			o += n;
			break;
		}
		case 'c':
			buf[o++] = (char)va_arg(ap, int);
			break;
		case 'd': {
			long long v = lng == 0 ? va_arg(ap, int) : lng == 1 ? va_arg(ap, long) :
				      lng == 3 ? (long long)va_arg(ap, ssize_t) : va_arg(ap, long long);
			unsigned long long u = v < 0 ? 0ull - (unsigned long long)v :
					       (unsigned long long)v;

			o += put_uint(buf + o, left - o, u, 10, width, v < 0);
			break;
		}
		case 'u':
		case 'x': {
			unsigned long long v = lng == 0 ? va_arg(ap, unsigned) :
					       lng == 1 ? va_arg(ap, unsigned long) :
					       lng == 3 ? va_arg(ap, size_t) :
					       va_arg(ap, unsigned long long);

			o += put_uint(buf + o, left - o, v, *f == 'x' ? 16 : 10, width, false);
			break;
		}
		case '%':
			buf[o++] = '%';
			break;
		default:                /* not ours: show it, never read an argument for it */
			buf[o++] = '?';
			if (!*f)
				f--;
			break;
		}
	}
	buf[o] = '\0';
	return o;
}

size_t rt_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = rt_vfmt(buf, len, fmt, ap);
	va_end(ap);
	return n;
}
