/*
 * test_metrics.c -- the Prometheus exposition of a status snapshot
 * (daemon/status/metrics.c): values, labels and escaping, and the format's
 * rules checked line by line (HELP/TYPE before a family's samples, each
 * family once, counters named *_total, samples "name{labels} value").
 * tests/integration/test_snmp.sh runs promtool on a live daemon's output.
 */
#include "config.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "status/status_metrics.h"
#include "test.h"

#define X(fn) int fn(void);
#include "status/tests.def"
#undef X

static void fixture(struct status *st)
{
	memset(st, 0, sizeof(*st));
	strcpy(st->version, "1.2.3");
	st->active_calls = 2;
	st->total_calls = 41;
	st->nspans = 2;
	strcpy(st->spans[0].name, "carrier");
	st->spans[0].enabled = st->spans[0].open = true;
	st->spans[0].alarms = HW_ALARM_LOS | HW_ALARM_RED;
	st->spans[0].counters.crc_errors = 17;
	st->spans[0].ds1.current.pcv = 5;
	st->spans[0].ds1.total.es = 9;
	st->spans[0].nchannels = 3;
	st->spans[0].channel_state[1] = 1;     /* busy */
	strcpy(st->spans[1].name, "we\"ird\\");
	st->spans[1].enabled = st->spans[1].open = st->spans[1].link_up = true;
	st->ngroups = 1;
	strcpy(st->groups[0].name, "mediation");
	strcpy(st->groups[0].kind, "sip");
	st->groups[0].down = true;
	st->nsip_trunks = 1;
	strcpy(st->sip_trunks[0].name, "itsp");
	strcpy(st->sip_trunks[0].state, "down");
	st->sip_trunks[0].enabled = true;
	st->sip_trunks[0].active_calls = 3;
	st->sip_trunks[0].call_stats = (struct callstats_fig){ .per_minute = 7, .attempts_15m = 8,
		.answered_15m = 6, .held_ms_15m = 90000, .attempts = 10, .answered = 6, .held_ms = 90500 };
	st->sip_trunks[0].nhops = 2;
	strcpy(st->sip_trunks[0].hops[0].host, "192.0.2.1");
	st->sip_trunks[0].hops[0].port = 5060;
	strcpy(st->sip_trunks[0].hops[0].transport, "udp");
	strcpy(st->sip_trunks[0].hops[0].state, "down");
	st->sip_trunks[0].hops[0].rtt_ms = 1.5;
	st->sip_trunks[0].hops[0].call_stats.attempts = 4;
	strcpy(st->sip_trunks[0].hops[1].host, "192.0.2.2");
	strcpy(st->sip_trunks[0].hops[1].transport, "tcp");
	strcpy(st->sip_trunks[0].hops[1].state, "unknown");
	st->sip_trunks[0].hops[1].rtt_ms = -1;
	st->spans[1].call_stats.attempts = 2;
}

static bool valid_name(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == ':') ||
		    (i == 0 && isdigit((unsigned char)s[i])))
			return false;
	return n > 0;
}

/* The format's rules; returns a description of the first broken one, or NULL. */
static const char *check_format(char *text, char *why, size_t whylen)
{
	char families[256][96], type[96] = "", family[96] = "";
	unsigned nfam = 0;

	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "# HELP ", 7) == 0) {
			size_t n = strcspn(line + 7, " ");

			snprintf(family, sizeof(family), "%.*s", (int)n, line + 7);
			for (unsigned i = 0; i < nfam; i++)
				if (strcmp(families[i], family) == 0) {
					snprintf(why, whylen, "family %s appears twice", family);
					return why;
				}
			if (nfam < 256)
				strcpy(families[nfam++], family);
			type[0] = '\0';
		} else if (strncmp(line, "# TYPE ", 7) == 0) {
			size_t n = strlen(family);

			if (strncmp(line + 7, family, n) != 0 || line[7 + n] != ' ') {
				snprintf(why, whylen, "TYPE without its HELP: %s", line);
				return why;
			}
			snprintf(type, sizeof(type), "%s", line + 8 + n);
			if (strcmp(type, "counter") && strcmp(type, "gauge")) {
				snprintf(why, whylen, "unknown type: %s", line);
				return why;
			}
			if (!strcmp(type, "counter") && (n < 6 || strcmp(family + n - 6, "_total"))) {
				snprintf(why, whylen, "counter not named _total: %s", family);
				return why;
			}
		} else {
			size_t n = strcspn(line, "{ ");
			const char *p = line + n;
			char *end;

			if (!type[0] || n != strlen(family) || strncmp(line, family, n) || !valid_name(line, n)) {
				snprintf(why, whylen, "sample outside its family: %s", line);
				return why;
			}
			if (*p == '{') {
				const char *q = p + 1;

				while (*q && *q != '}') {       /* name="value", ... */
					size_t ln = strcspn(q, "=");

					if (!valid_name(q, ln) || q[ln + 1] != '"') {
						snprintf(why, whylen, "bad label: %s", line);
						return why;
					}
					q += ln + 2;
					while (*q && *q != '"')
						q += *q == '\\' ? 2 : 1;
					if (*q++ != '"' || (*q != ',' && *q != '}')) {
						snprintf(why, whylen, "bad label value: %s", line);
						return why;
					}
					q += *q == ',';
				}
				if (*q != '}') {
					snprintf(why, whylen, "unclosed labels: %s", line);
					return why;
				}
				p = q + 1;
			}
			if (*p != ' ' || (strtod(p + 1, &end), *end != '\0') || end == p + 1) {
				snprintf(why, whylen, "bad value: %s", line);
				return why;
			}
		}
	}
	return NULL;
}

int test_metrics_exposition_follows_the_text_format(void)
{
	struct status st;
	char *text = NULL, why[300];
	const char *broken;
	size_t len = 0;
	int err;

	fixture(&st);
	err = status_metrics(&st, 4096, &text, &len);
	TEST_ERR(err);
	TEST_EQ(strlen(text), len);
	TEST_ASSERT(len > 0 && text[len - 1] == '\n');
	broken = check_format(text, why, sizeof(why));
	if (broken)
		printf("# %s\n", broken);
	TEST_ASSERT(broken == NULL);
 out:
	free(text);
	return err;
}

int test_metrics_report_the_snapshot_figures_per_span(void)
{
	struct status st;
	char *text = NULL;
	size_t len;
	int err;

	fixture(&st);
	err = status_metrics(&st, 4096, &text, &len);
	TEST_ERR(err);
	TEST_CONTAINS(text, "# TYPE trunkgate_calls_total counter\ntrunkgate_calls_total 41\n");
	TEST_CONTAINS(text, "trunkgate_calls_active 2\n");
	TEST_CONTAINS(text, "trunkgate_build_info{version=\"1.2.3\"} 1\n");
	TEST_CONTAINS(text, "trunkgate_database_size_bytes 4096\n");
	TEST_CONTAINS(text, "trunkgate_span_alarm{span=\"carrier\",alarm=\"LOS\"} 1\n");
	TEST_CONTAINS(text, "trunkgate_span_alarm{span=\"carrier\",alarm=\"BLUE\"} 0\n");
	TEST_CONTAINS(text, "trunkgate_span_up{span=\"carrier\"} 0\n");
	TEST_CONTAINS(text, "# TYPE trunkgate_span_crc_errors_total counter\n");
	TEST_CONTAINS(text, "trunkgate_span_crc_errors_total{span=\"carrier\"} 17\n");
	TEST_CONTAINS(text, "trunkgate_span_ds1_current_path_code_violations{span=\"carrier\"} 5\n");
	TEST_CONTAINS(text, "trunkgate_span_ds1_24h_errored_seconds{span=\"carrier\"} 9\n");
	TEST_CONTAINS(text, "trunkgate_span_channels{span=\"carrier\",state=\"busy\"} 1\n");
	TEST_CONTAINS(text, "trunkgate_span_channels{span=\"carrier\",state=\"idle\"} 2\n");
	TEST_CONTAINS(text, "trunkgate_group_up{group=\"mediation\",kind=\"sip\"} 0\n");
	/* SIP trunks and next hops */
	TEST_CONTAINS(text, "trunkgate_trunk_up{trunk=\"itsp\"} 0\n");
	TEST_CONTAINS(text, "trunkgate_trunk_calls_active{trunk=\"itsp\"} 3\n");
	TEST_CONTAINS(text, "trunkgate_hop_up{trunk=\"itsp\",hop=\"192.0.2.1:5060/udp\"} 0\n");
	TEST_CONTAINS(text, "trunkgate_hop_up{trunk=\"itsp\",hop=\"192.0.2.2:0/tcp\"} 1\n");
	TEST_CONTAINS(text, "trunkgate_hop_options_rtt_seconds{trunk=\"itsp\",hop=\"192.0.2.1:5060/udp\"} 0.001500\n");
	TEST_ASSERT(!strstr(text, "trunkgate_hop_options_rtt_seconds{trunk=\"itsp\",hop=\"192.0.2.2"));
	TEST_CONTAINS(text, "# TYPE trunkgate_trunk_calls_ended_total counter\n");
	TEST_CONTAINS(text, "trunkgate_trunk_calls_ended_total{trunk=\"itsp\"} 10\n");
	TEST_CONTAINS(text, "trunkgate_trunk_calls_answered_total{trunk=\"itsp\"} 6\n");
	TEST_CONTAINS(text, "trunkgate_trunk_answered_seconds_total{trunk=\"itsp\"} 90.500\n");
	TEST_CONTAINS(text, "# TYPE trunkgate_trunk_calls_per_minute gauge\ntrunkgate_trunk_calls_per_minute{trunk=\"itsp\"} 7\n");
	TEST_CONTAINS(text, "trunkgate_trunk_asr_ratio{trunk=\"itsp\"} 0.7500\n");
	TEST_CONTAINS(text, "trunkgate_trunk_acd_seconds{trunk=\"itsp\"} 15.000\n");
	TEST_CONTAINS(text, "trunkgate_hop_calls_ended_total{trunk=\"itsp\",hop=\"192.0.2.1:5060/udp\"} 4\n");
	/* no attempt in the window: no ASR or ACD sample (undefined, not 0) */
	TEST_ASSERT(!strstr(text, "trunkgate_hop_asr_ratio{"));
	TEST_ASSERT(!strstr(text, "trunkgate_span_acd_seconds{"));
	TEST_CONTAINS(text, "trunkgate_span_calls_ended_total{span=\"we\\\"ird\\\\\"} 2\n");
	/* the second span: up, and its name escaped */
	TEST_CONTAINS(text, "trunkgate_span_up{span=\"we\\\"ird\\\\\"} 1\n");
	free(text);
	text = NULL;
	/* no database size known: the family is left out, not reported as -1 */
	err = status_metrics(&st, -1, &text, &len);
	TEST_ERR(err);
	TEST_ASSERT(strstr(text, "trunkgate_database_size_bytes") == NULL);
 out:
	free(text);
	return err;
}
