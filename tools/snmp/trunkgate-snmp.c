/*
 * trunkgate-snmp.c -- the SNMP AgentX subagent of trunkgate.  A separate
 * small process, so net-snmp never runs inside trunkgated: it reads the
 * daemon's status socket (STATE/status.sock, daemon/status/status_sock.c)
 * every few seconds, builds the MIB view (snmp_view.c) and answers the
 * AgentX master (snmpd) for DS1-MIB and TRUNKGATE-MIB.  It sends
 * tgSpanAlarmRaised / tgSpanAlarmCleared when a span's alarm set goes from
 * empty to not empty and back, tgTrunkDown / tgHopDown when a SIP trunk or
 * next hop goes down and tgTrunkUp / tgHopUp when it comes back up from
 * down (not on its first poll: a restart of the subagent must not repeat
 * old alarms).
 *
 * While the daemon cannot be read the view is empty (a walk returns nothing,
 * which an NMS shows as the gateway's figures missing) and one warning is
 * logged.  The AgentX connection is pinged and re-made when snmpd restarts.
 *
 * One thread: net-snmp's agent_check_and_process loop; the poll runs from
 * an snmp_alarm in the same loop.
 */
#include "config.h"
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "snmp_view.h"

#define DEFAULT_SOCKET LOCALSTATEDIR "/lib/trunkgate/status.sock"
#define READ_TIMEOUT_MS 2000
#define MAX_DOC (16 * 1024 * 1024)

static volatile sig_atomic_t keep_running = 1;
static struct tgsnmp_view view;
static const char *status_path = DEFAULT_SOCKET;
static bool first_poll = true, unreachable;
static unsigned *prev_alarms;           /* by span, parallel to prev_index */
static long long *prev_index;
static size_t prev_n;
static struct tgsnmp_sip_state *prev_sip;
static size_t prev_nsip;

static void on_signal(int sig)
{
	keep_running = 0;
}

/* Read the whole document from the status socket; NULL with errno. */
static char *read_status(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len = 0, cap = 65536;
	char *buf = NULL;
	int fd, err = 0;

	if (strlen(status_path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	strcpy(sa.sun_path, status_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = errno;
		goto out;
	}
	buf = malloc(cap);
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (!buf) {
			err = ENOMEM;
			break;
		}
		if (poll(&pfd, 1, READ_TIMEOUT_MS) <= 0) {
			err = ETIMEDOUT;
			break;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = errno;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len + 1 == cap) {
			char *nb = cap < MAX_DOC ? realloc(buf, cap * 2) : NULL;

			if (!nb) {
				err = EFBIG;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
 out:
	close(fd);
	if (err) {
		free(buf);
		errno = err;
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}

static void add_oid_var(netsnmp_variable_list **vars, const uint32_t *o, size_t len,
			u_char type, const void *val, size_t vlen)
{
	oid name[MAX_OID_LEN];

	for (size_t i = 0; i < len; i++)
		name[i] = o[i];
	snmp_varlist_add_variable(vars, name, len, type, val, vlen);
}

static void send_alarm_trap(const struct tgsnmp_span_alarm *sa, bool raised)
{
	static const oid trap_oid[] = { 1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0 };     /* snmpTrapOID.0 */
	netsnmp_variable_list *vars = NULL;
	uint32_t col[13];
	oid notif[9];
	u_long bits = sa->alarms;

	for (size_t i = 0; i < 9; i++)
		notif[i] = (raised ? tgsnmp_notif_alarm_raised : tgsnmp_notif_alarm_cleared)[i];
	snmp_varlist_add_variable(&vars, trap_oid, OID_LENGTH(trap_oid), ASN_OBJECT_ID,
				  (u_char *)notif, sizeof(notif));
	memcpy(col, tgsnmp_col_span_name, sizeof(tgsnmp_col_span_name));
	col[12] = (uint32_t)sa->index;
	add_oid_var(&vars, col, 13, ASN_OCTET_STR, sa->name, strlen(sa->name));
	memcpy(col, tgsnmp_col_span_alarms, sizeof(tgsnmp_col_span_alarms));
	col[12] = (uint32_t)sa->index;
	add_oid_var(&vars, col, 13, ASN_GAUGE, &bits, sizeof(bits));
	send_v2trap(vars);
	snmp_free_varbind(vars);
	snmp_log(LOG_INFO, "span %s: alarm %s (alarm bits %u)\n", sa->name,
		 raised ? "raised" : "cleared", sa->alarms);
}

static void send_sip_trap(const struct tgsnmp_sip_state *ss, bool down)
{
	static const oid trap_oid[] = { 1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0 };     /* snmpTrapOID.0 */
	netsnmp_variable_list *vars = NULL;
	const uint32_t *n = ss->hop ? (down ? tgsnmp_notif_hop_down : tgsnmp_notif_hop_up) :
		(down ? tgsnmp_notif_trunk_down : tgsnmp_notif_trunk_up);
	uint32_t col[14];
	oid notif[9];
	long state = ss->state;

	for (size_t i = 0; i < 9; i++)
		notif[i] = n[i];
	snmp_varlist_add_variable(&vars, trap_oid, OID_LENGTH(trap_oid), ASN_OBJECT_ID,
				  (u_char *)notif, sizeof(notif));
	memcpy(col, tgsnmp_col_trunk_name, sizeof(tgsnmp_col_trunk_name));
	col[12] = (uint32_t)ss->trunk;
	add_oid_var(&vars, col, 13, ASN_OCTET_STR, ss->name, strlen(ss->name));
	if (ss->hop) {
		memcpy(col, tgsnmp_col_hop_address, sizeof(tgsnmp_col_hop_address));
		col[12] = (uint32_t)ss->trunk;
		col[13] = ss->hop;
		add_oid_var(&vars, col, 14, ASN_OCTET_STR, ss->address, strlen(ss->address));
		memcpy(col, tgsnmp_col_hop_state, sizeof(tgsnmp_col_hop_state));
		add_oid_var(&vars, col, 14, ASN_INTEGER, &state, sizeof(state));
	} else {
		memcpy(col, tgsnmp_col_trunk_state, sizeof(tgsnmp_col_trunk_state));
		col[12] = (uint32_t)ss->trunk;
		add_oid_var(&vars, col, 13, ASN_INTEGER, &state, sizeof(state));
	}
	send_v2trap(vars);
	snmp_free_varbind(vars);
	snmp_log(LOG_INFO, "SIP trunk %s%s%s: %s\n", ss->name, ss->hop ? " next hop " : "",
		 ss->address, down ? "down" : "up");
}

/* SIP trunks and next hops: down when they enter state down, up when
 * they go from down to up. */
static void notify_sip_changes(void)
{
	struct tgsnmp_sip_state *copy = NULL;

	for (size_t i = 0; !first_poll && i < view.nsip; i++) {
		const struct tgsnmp_sip_state *ss = &view.sip[i];

		for (size_t j = 0; j < prev_nsip; j++) {
			if (prev_sip[j].trunk != ss->trunk || prev_sip[j].hop != ss->hop)
				continue;
			if (prev_sip[j].state != TGSNMP_TRUNK_DOWN && ss->state == TGSNMP_TRUNK_DOWN)
				send_sip_trap(ss, true);
			else if (prev_sip[j].state == TGSNMP_TRUNK_DOWN && ss->state == TGSNMP_TRUNK_UP)
				send_sip_trap(ss, false);
			break;
		}
	}
	if (view.nsip) {
		copy = malloc(view.nsip * sizeof(*copy));
		if (copy)
			memcpy(copy, view.sip, view.nsip * sizeof(*copy));
	}
	free(prev_sip);
	prev_sip = copy;
	prev_nsip = copy ? view.nsip : 0;
}

/* Compare each span's alarms with the last poll's; notify on a change
 * between none and some. */
static void notify_changes(void)
{
	unsigned *na = calloc(view.nspans + 1, sizeof(*na));
	long long *ni = calloc(view.nspans + 1, sizeof(*ni));

	if (!na || !ni) {
		free(na);
		free(ni);
		return;
	}
	for (size_t i = 0; i < view.nspans; i++) {
		const struct tgsnmp_span_alarm *sa = &view.spans[i];

		na[i] = sa->alarms;
		ni[i] = sa->index;
		if (first_poll)
			continue;
		for (size_t j = 0; j < prev_n; j++) {
			if (prev_index[j] != sa->index)
				continue;
			if (!prev_alarms[j] && sa->alarms)
				send_alarm_trap(sa, true);
			else if (prev_alarms[j] && !sa->alarms)
				send_alarm_trap(sa, false);
			break;
		}
	}
	notify_sip_changes();
	free(prev_alarms);
	free(prev_index);
	prev_alarms = na;
	prev_index = ni;
	prev_n = view.nspans;
	first_poll = false;
}

static void poll_status(unsigned int reg, void *arg)
{
	json_error_t jerr;
	json_t *doc = NULL;
	char *text = read_status();
	int rc = EINVAL;

	if (text) {
		doc = json_loads(text, 0, &jerr);
		rc = doc ? tgsnmp_view_build(&view, doc) : EINVAL;
	}
	if (!text || rc) {
		if (!unreachable)
			snmp_log(LOG_WARNING, "status socket %s: %s; serving nothing until it answers\n",
				 status_path, text ? (doc ? "not a status document" : jerr.text) :
				 strerror(errno));
		unreachable = true;
		tgsnmp_view_clear(&view);
	} else {
		if (unreachable)
			snmp_log(LOG_INFO, "status socket %s answers again\n", status_path);
		unreachable = false;
		notify_changes();
	}
	json_decref(doc);
	free(text);
}

static void set_value(netsnmp_variable_list *vb, const struct tgsnmp_var *v)
{
	struct counter64 c64;
	u_long u;
	long l;

	switch (v->type) {
	case TGSNMP_INTEGER:
		l = (long)v->i;
		snmp_set_var_typed_value(vb, ASN_INTEGER, &l, sizeof(l));
		break;
	case TGSNMP_GAUGE:
		u = (u_long)v->i;
		snmp_set_var_typed_value(vb, ASN_GAUGE, &u, sizeof(u));
		break;
	case TGSNMP_TIMETICKS:
		u = (u_long)v->i;
		snmp_set_var_typed_value(vb, ASN_TIMETICKS, &u, sizeof(u));
		break;
	case TGSNMP_COUNTER64:
		c64.high = (u_long)(v->u >> 32);
		c64.low = (u_long)(v->u & 0xffffffffu);
		snmp_set_var_typed_value(vb, ASN_COUNTER64, &c64, sizeof(c64));
		break;
	case TGSNMP_STRING:
		snmp_set_var_typed_value(vb, ASN_OCTET_STR, v->s, strlen(v->s));
		break;
	}
}

static bool under(const oid *root, size_t rlen, const uint32_t *o, size_t len)
{
	if (len < rlen)
		return false;
	for (size_t i = 0; i < rlen; i++)
		if (root[i] != o[i])
			return false;
	return true;
}

static int handler(netsnmp_mib_handler *h, netsnmp_handler_registration *reg,
		   netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
	for (netsnmp_request_info *r = requests; r; r = r->next) {
		netsnmp_variable_list *vb = r->requestvb;
		uint32_t name[MAX_OID_LEN];
		size_t len = vb->name_length < MAX_OID_LEN ? vb->name_length : MAX_OID_LEN;
		const struct tgsnmp_var *v;

		if (r->processed)
			continue;
		for (size_t i = 0; i < len; i++)
			name[i] = vb->name[i] > 0xffffffffUL ? 0xffffffffU : (uint32_t)vb->name[i];
		switch (reqinfo->mode) {
		case MODE_GET:
			v = tgsnmp_view_get(&view, name, len);
			if (v && under(reg->rootoid, reg->rootoid_len, v->oid, v->len))
				set_value(vb, v);
			else
				netsnmp_set_request_error(reqinfo, r, SNMP_NOSUCHINSTANCE);
			break;
		case MODE_GETNEXT:
			v = tgsnmp_view_next(&view, name, len, r->inclusive);
			/* past the end of this registration: left unanswered, the
			 * agent goes on to the next subtree */
			if (v && under(reg->rootoid, reg->rootoid_len, v->oid, v->len)) {
				oid o[TGSNMP_OID_MAX];

				for (size_t i = 0; i < v->len; i++)
					o[i] = v->oid[i];
				snmp_set_var_objid(vb, o, v->len);
				set_value(vb, v);
			}
			break;
		default:
			netsnmp_set_request_error(reqinfo, r, SNMP_ERR_NOTWRITABLE);
			break;
		}
	}
	return SNMP_ERR_NOERROR;
}

static int register_subtree(const char *name, const uint32_t *root, size_t len)
{
	oid o[16];
	netsnmp_handler_registration *reg;

	for (size_t i = 0; i < len; i++)
		o[i] = root[i];
	reg = netsnmp_create_handler_registration(name, handler, o, len, HANDLER_CAN_RONLY);
	if (!reg)
		return ENOMEM;
	return netsnmp_register_handler(reg) == MIB_REGISTERED_OK ? 0 : EIO;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: trunkgate-snmp [options]\n"
		"  -s, --status-socket PATH  trunkgated's status socket (default %s)\n"
		"  -x, --agentx-socket ADDR  snmpd's AgentX socket (default: net-snmp's, /var/agentx/master)\n"
		"  -i, --interval SECONDS    how often to read the status (1-300, default 5)\n"
		"  -f, --foreground          log to stderr instead of syslog\n"
		"  -V, --version             print the version\n"
		"  -h, --help                this text\n", DEFAULT_SOCKET);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "status-socket", required_argument, NULL, 's' },
		{ "agentx-socket", required_argument, NULL, 'x' },
		{ "interval", required_argument, NULL, 'i' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *agentx = NULL;
	bool foreground = false;
	long interval = 5;
	int c;

	while ((c = getopt_long(argc, argv, "s:x:i:fVh", opts, NULL)) != -1) {
		char *end;

		switch (c) {
		case 's': status_path = optarg; break;
		case 'x': agentx = optarg; break;
		case 'i':
			interval = strtol(optarg, &end, 10);
			if (*end || interval < 1 || interval > 300) {
				fprintf(stderr, "trunkgate-snmp: --interval %s: expected 1 to 300 seconds\n", optarg);
				return 2;
			}
			break;
		case 'f': foreground = true; break;
		case 'V': printf("trunkgate-snmp %s\n", PACKAGE_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "trunkgate-snmp: unexpected argument \"%s\"\n", argv[optind]);
		return 2;
	}
	if (foreground)
		snmp_enable_stderrlog();
	else
		snmp_enable_syslog_ident("trunkgate-snmp", LOG_DAEMON);
	netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE, 1);
	if (agentx)
		netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_X_SOCKET, agentx);
	/* re-connect within 5 s when snmpd restarts (or was not up yet) */
	netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL, 5);
	if (init_agent("trunkgate-snmp")) {
		fprintf(stderr, "trunkgate-snmp: net-snmp agent initialisation failed\n");
		return 1;
	}
	if (register_subtree("ds1", tgsnmp_ds1_root, 8) ||
	    register_subtree("trunkgate", tgsnmp_tg_root, 8)) {
		snmp_log(LOG_ERR, "cannot register the MIB subtrees\n");
		return 1;
	}
	init_snmp("trunkgate-snmp");
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	poll_status(0, NULL);
	snmp_alarm_register((unsigned)interval, SA_REPEAT, poll_status, NULL);
	snmp_log(LOG_INFO, "trunkgate-snmp %s: reading %s every %ld s\n", PACKAGE_VERSION,
		 status_path, interval);
	while (keep_running)
		agent_check_and_process(1);
	snmp_shutdown("trunkgate-snmp");
	tgsnmp_view_clear(&view);
	free(prev_alarms);
	free(prev_index);
	free(prev_sip);
	return 0;
}
