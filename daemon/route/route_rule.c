/*
 * route_rule.c -- number manipulation rules: checking, compiling regexes
 * once per table, and applying a group's rules to a number.
 *
 * A group's rules for one direction and field sit contiguously in
 * table->rules, sorted by position (then as given), and are tried in that
 * order; every rule that matches applies, to the previous one's result.
 * O(rules in that list) per number: lists are short in practice (tens),
 * and a prefix test is a memcmp.
 *
 * Prefix rules: if the number starts with pattern, strip `strip` leading
 * characters (all of them if it has fewer), then prepend `prepend`.
 * Regex rules are PCRE2 (Lync/Skype normalization rules paste as they
 * are: \d, (?:...), {n,m}), compiled and JIT-compiled at build (JIT when
 * the library has it), replaced with pcre2_substitute() and
 * PCRE2_SUBSTITUTE_GLOBAL and an unset group as empty, as .NET's Regex.Replace
 * does; for the anchored
 * rules people write (^...$) that is one replacement of the whole number.
 * The replacement may hold number characters and group references $n or
 * ${n}; a reference to a group the pattern lacks is refused at build, with
 * a hint when "$10" meant "${1}0".  Matching runs under a match limit, so a
 * pathological pattern costs a bounded time per call and then does not
 * apply.  A result that is too long or not a number is not applied either;
 * both leave a step in the decision.
 *
 * Compiled once by route_table_build(); applied from any thread (the
 * compiled patterns and the match context are only read; match data is
 * per route_decide call).
 */
#include "config.h"
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "route_int.h"

#define RT_MATCH_LIMIT 100000   /* backtracking steps per match attempt */

static const char *dir_name(enum route_dir d)
{
	return d == ROUTE_DIR_IN ? "inbound" : "outbound";
}

static const char *field_name(enum route_field f)
{
	return f == ROUTE_FIELD_CALLED ? "called" : "calling";
}

static int bad(const char **field, const char *f, char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int bad(const char **field, const char *f, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (field)
		*field = f;
	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return EINVAL;
}

/* The replacement: number characters and $n / ${n} naming existing groups. */
static int replacement_check(const struct route_rule *r, uint32_t ncap, const char **field,
			     char *err, size_t errlen)
{
	const char *s = r->replacement ? r->replacement : "";

	for (size_t i = 0; s[i]; i++) {
		unsigned long g = 0;
		size_t j, nd;

		if (s[i] != '$') {
			if (!isdigit((unsigned char)s[i]) && s[i] != '*' && s[i] != '#' && s[i] != '+')
				return bad(field, "replacement", err, errlen, "rule %lld: replacement: "
					   "'%c' cannot be part of a number", r->id, s[i]);
			continue;
		}
		j = i + 1;
		if (s[j] == '{') {
			for (j++, nd = 0; isdigit((unsigned char)s[j]); j++, nd++)
				g = g < 100000 ? g * 10 + (unsigned long)(s[j] - '0') : g;
			if (!nd || s[j] != '}')
				return bad(field, "replacement", err, errlen, "rule %lld: replacement: "
					   "${ must hold a group number and a }", r->id);
		} else {
			/* PCRE2 reads every digit after $ as the group number */
			for (nd = 0; isdigit((unsigned char)s[j]); j++, nd++)
				g = g < 100000 ? g * 10 + (unsigned long)(s[j] - '0') : g;
			j--;
			if (!nd)
				return bad(field, "replacement", err, errlen, "rule %lld: replacement: "
					   "$ must be followed by a group number ($1..$9 or ${n})", r->id);
		}
		if (g > ncap) {
			if (s[j] != '}' && nd > 1 && (unsigned long)(s[i + 1] - '0') <= ncap)
				return bad(field, "replacement", err, errlen, "rule %lld: replacement: "
					   "$%lu refers to group %lu but the pattern has %u (write "
					   "${%c}%.*s for group %c followed by %.*s)", r->id, g, g, ncap,
					   s[i + 1], (int)(nd - 1), s + i + 2, s[i + 1], (int)(nd - 1),
					   s + i + 2);
			return bad(field, "replacement", err, errlen, "rule %lld: replacement: $%lu "
				   "refers to group %lu but the pattern has %u", r->id, g, g, ncap);
		}
		i = j;
	}
	return 0;
}

/* Check a rule; for a regex rule, hand back the compiled pattern if asked. */
static int rule_check(const struct route_rule *r, pcre2_code **codep, const char **field,
		      char *err, size_t errlen)
{
	const char *pattern = r->pattern ? r->pattern : "";
	const char *prepend = r->prepend ? r->prepend : "";

	if (r->dir != ROUTE_DIR_IN && r->dir != ROUTE_DIR_OUT)
		return bad(field, "dir", err, errlen, "rule %lld: dir: must be in or out", r->id);
	if (r->field != ROUTE_FIELD_CALLED && r->field != ROUTE_FIELD_CALLING)
		return bad(field, "field", err, errlen, "rule %lld: field: must be called or calling",
			   r->id);
	if (r->set_ton < -1 || r->set_ton > 7)
		return bad(field, "set_ton", err, errlen, "rule %lld: set_ton: %d is not a type of "
			   "number (0-7)", r->id, r->set_ton);
	if (r->set_npi < -1 || r->set_npi > 15)
		return bad(field, "set_npi", err, errlen, "rule %lld: set_npi: %d is not a numbering "
			   "plan (0-15)", r->id, r->set_npi);
	if (r->presentation < -1 || r->presentation > 1)
		return bad(field, "presentation", err, errlen, "rule %lld: presentation: %d is "
			   "neither allowed (0) nor restricted (1)", r->id, r->presentation);
	/* group_id is a reference: the table build checks it against the groups
	 * (the API checks the name); on its own a rule is checked for itself. */
	if (r->match == ROUTE_MATCH_PREFIX) {
		if (!rt_is_prefix_chars(pattern, RT_NUMBER_LEN))
			return bad(field, "pattern", err, errlen, "rule %lld: pattern: \"%s\" is not a "
				   "number prefix (0-9 * #, optionally a leading +)", r->id, pattern);
		if (r->strip > RT_NUMBER_LEN)
			return bad(field, "strip", err, errlen, "rule %lld: strip: %u is more than "
				   "a number holds (%d)", r->id, r->strip, RT_NUMBER_LEN);
		if (!rt_is_prefix_chars(prepend, RT_NUMBER_LEN))
			return bad(field, "prepend", err, errlen, "rule %lld: prepend: \"%s\" is not "
				   "a number prefix (0-9 * #, optionally a leading +)", r->id, prepend);
		return 0;
	}
	if (r->match != ROUTE_MATCH_REGEX)
		return bad(field, "match", err, errlen, "rule %lld: match: must be prefix or regex",
			   r->id);
	if (!*pattern)
		return bad(field, "pattern", err, errlen, "rule %lld: pattern: empty", r->id);

	PCRE2_UCHAR msg[160];
	PCRE2_SIZE off;
	pcre2_code *code;
	uint32_t ncap = 0;
	int ec, e;

	code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, 0, &ec, &off, NULL);
	if (!code) {
		if (pcre2_get_error_message(ec, msg, sizeof(msg)) < 0)
			snprintf((char *)msg, sizeof(msg), "PCRE2 error %d", ec);
		return bad(field, "pattern", err, errlen, "rule %lld: pattern: %s at offset %zu",
			   r->id, (const char *)msg, (size_t)off);
	}
	pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &ncap);
	if ((e = replacement_check(r, ncap, field, err, errlen))) {
		pcre2_code_free(code);
		return e;
	}
	if (codep)
		*codep = code;
	else
		pcre2_code_free(code);
	return 0;
}

int route_rule_check(const struct route_rule *r, const char **field, char *err, size_t errlen)
{
	return rule_check(r, NULL, field, err, errlen);
}

static int rule_cmp(const void *a, const void *b)
{
	const struct rt_rule *x = a, *y = b;

	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	if (x->pub.dir != y->pub.dir)
		return x->pub.dir < y->pub.dir ? -1 : 1;
	if (x->pub.field != y->pub.field)
		return x->pub.field < y->pub.field ? -1 : 1;
	if (x->pub.position != y->pub.position)
		return x->pub.position < y->pub.position ? -1 : 1;
	return x->input < y->input ? -1 : x->input > y->input;
}

int rt_rules_build(struct route_table *t, const struct route_config *cfg, char *err,
		   size_t errlen)
{
	int e;

	t->mctx = pcre2_match_context_create(NULL);
	t->rules = rt_alloc(t, (cfg->nrules + 1) * sizeof(*t->rules));
	if (!t->mctx || !t->rules)
		return ENOMEM;
	pcre2_set_match_limit(t->mctx, RT_MATCH_LIMIT);
	for (size_t i = 0; i < cfg->nrules; i++) {
		const struct route_rule *c = &cfg->rules[i];
		struct rt_rule *r = &t->rules[i];
		pcre2_code *code = NULL;
		size_t size = 0;

		if ((e = rule_check(c, &code, NULL, err, errlen)))
			return e;
		t->nrules = i + 1;      /* from here on the destructor frees code */
		r->re = code;
		r->pub = *c;
		r->input = (uint32_t)i;
		r->group = rt_group_index(t, c->group_id);
		r->pub.pattern = rt_strdup(t, c->pattern);
		r->pub.replacement = rt_strdup(t, c->replacement);
		r->pub.prepend = rt_strdup(t, c->prepend);
		if (!r->pub.pattern || !r->pub.replacement || !r->pub.prepend)
			return ENOMEM;
		r->pattern_len = (uint8_t)strlen(r->pub.pattern);
		r->prepend_len = (uint8_t)strlen(r->pub.prepend);
		if (r->group == RT_NONE) {
			rt_errf(err, errlen, "rule %lld: group %lld does not exist", c->id, c->group_id);
			return EINVAL;
		}
		if (code) {
			uint32_t ncap = 0;

			/* JIT is an optimisation: without it (no JIT in the library,
			 * or it refuses the pattern) the interpreter matches. */
			(void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
			pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &ncap);
			if (ncap > t->max_captures)
				t->max_captures = ncap;
			pcre2_pattern_info(code, PCRE2_INFO_SIZE, &size);
			t->mem += size;
			size = 0;
			if (pcre2_pattern_info(code, PCRE2_INFO_JITSIZE, &size) == 0)
				t->mem += size;
		}
	}
	qsort(t->rules, t->nrules, sizeof(*t->rules), rule_cmp);
	for (size_t i = 0; i < t->nrules;) {
		const struct rt_rule *r = &t->rules[i];
		struct rt_group *g = &t->groups[r->group];
		size_t j = i;

		while (j < t->nrules && t->rules[j].group == r->group &&
		       t->rules[j].pub.dir == r->pub.dir && t->rules[j].pub.field == r->pub.field)
			j++;
		g->rules_off[r->pub.dir][r->pub.field] = (uint32_t)i;
		g->rules_n[r->pub.dir][r->pub.field] = (uint32_t)(j - i);
		i = j;
	}
	return 0;
}

void rt_rules_free(struct route_table *t)
{
	for (size_t i = 0; t->rules && i < t->nrules; i++)
		pcre2_code_free(t->rules[i].re);        /* NULL-safe */
	pcre2_match_context_free(t->mctx);
	t->nrules = 0;
	t->mctx = NULL;
}

/* "" or a number: 0-9 * #, '+' only first and not alone */
static bool result_valid(const char *s, size_t n)
{
	if (n == 0)
		return true;
	if (n == 1 && s[0] == '+')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '*' || s[i] == '#' ||
		      (s[i] == '+' && i == 0)))
			return false;
	return true;
}

/* Run one regex rule; true and out/olen set if it matched and gave a number. */
static bool regex_apply(const struct route_table *t, const struct rt_rule *r, const char *group,
			const char *num, size_t len, char *out, size_t *olen,
			struct rt_scratch *s, struct route_decision *d)
{
	PCRE2_SIZE outlen = ROUTE_NUMBER_MAX;
	int rc;

	if (!s->md && !(s->md = pcre2_match_data_create(t->max_captures + 1, NULL))) {
		rt_step(d, "%s rule %lld on %s: out of memory; not applied",
			dir_name(r->pub.dir), r->pub.id, group);
		return false;
	}
	rc = pcre2_substitute(r->re, (PCRE2_SPTR)num, len, 0,
			      PCRE2_SUBSTITUTE_GLOBAL | PCRE2_SUBSTITUTE_UNSET_EMPTY, s->md,
			      t->mctx, (PCRE2_SPTR)r->pub.replacement, PCRE2_ZERO_TERMINATED,
			      (PCRE2_UCHAR *)out, &outlen);
	if (rc == 0 || rc == PCRE2_ERROR_NOMATCH)
		return false;
	if (rc < 0) {
		PCRE2_UCHAR msg[96];

		if (rc == PCRE2_ERROR_NOMEMORY)
			rt_fmt((char *)msg, sizeof(msg), "result longer than %d characters",
				 RT_NUMBER_LEN);
		else if (pcre2_get_error_message(rc, msg, sizeof(msg)) < 0)
			rt_fmt((char *)msg, sizeof(msg), "PCRE2 error %d", rc);
		rt_step(d, "%s rule %lld on %s: %s %s: %s; not applied", dir_name(r->pub.dir),
			r->pub.id, group, field_name(r->pub.field), num, (const char *)msg);
		return false;
	}
	*olen = outlen;
	return true;
}

void rt_rules_apply(const struct route_table *t, uint32_t group, enum route_dir dir,
		    enum route_field field, struct route_number *n, struct rt_scratch *s,
		    struct route_decision *d)
{
	const struct rt_group *g = &t->groups[group];
	const struct rt_rule *r = &t->rules[g->rules_off[dir][field]];
	const struct rt_rule *end = r + g->rules_n[dir][field];
	size_t len = strnlen(n->digits, RT_NUMBER_LEN);

	for (; r < end; r++) {
		char out[ROUTE_NUMBER_MAX], extra[64] = "";
		size_t olen, o = 0;

		if (r->pub.match == ROUTE_MATCH_PREFIX) {
			size_t keep;

			if (len < r->pattern_len || memcmp(n->digits, r->pub.pattern, r->pattern_len))
				continue;
			keep = len > r->pub.strip ? len - r->pub.strip : 0;
			olen = r->prepend_len + keep;
			if (olen > RT_NUMBER_LEN) {
				rt_step(d, "%s rule %lld on %s: %s %s: result longer than %d characters; "
					"not applied", dir_name(dir), r->pub.id, g->pub.name,
					field_name(field), n->digits, RT_NUMBER_LEN);
				continue;
			}
			memcpy(out, r->pub.prepend, r->prepend_len);
			memcpy(out + r->prepend_len, n->digits + (len - keep), keep);
		} else if (!regex_apply(t, r, g->pub.name, n->digits, len, out, &olen, s, d)) {
			continue;
		}
		out[olen] = '\0';
		if (!result_valid(out, olen)) {
			rt_step(d, "%s rule %lld on %s: %s %s -> %s is not a number; not applied",
				dir_name(dir), r->pub.id, g->pub.name, field_name(field), n->digits, out);
			continue;
		}
		if (r->pub.set_ton >= 0)
			o += rt_fmt(extra + o, sizeof(extra) - o, ", TON %d", r->pub.set_ton);
		if (r->pub.set_npi >= 0 && o < sizeof(extra))
			o += rt_fmt(extra + o, sizeof(extra) - o, ", NPI %d", r->pub.set_npi);
		if (r->pub.presentation >= 0 && o < sizeof(extra))
			rt_fmt(extra + o, sizeof(extra) - o, ", presentation %s",
				 r->pub.presentation ? "restricted" : "allowed");
		rt_step(d, "%s rule %lld on %s: %s %s -> %s%s", dir_name(dir), r->pub.id,
			g->pub.name, field_name(field), n->digits, out, extra);
		memcpy(n->digits, out, olen + 1);
		len = olen;
		if (r->pub.set_ton >= 0)
			n->ton = r->pub.set_ton;
		if (r->pub.set_npi >= 0)
			n->npi = r->pub.set_npi;
		if (r->pub.presentation >= 0)
			n->presentation = r->pub.presentation;
	}
}
