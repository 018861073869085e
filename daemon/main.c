/*
 * main.c -- trunkgated: start-up, the main event loop, signals and shutdown.
 *
 * Start-up: options and bootstrap file -> state folder and its lock -> the
 * database (checked, migrated) -> first-start admin account -> live config
 * snapshot -> HTTP server -> READY.  The main thread then runs sofia-sip's
 * su_root; signals arrive through a signalfd registered with it, config
 * generations through the mainq eventfd.
 *
 * Shutdown on SIGTERM/SIGINT: tell systemd STOPPING, stop accepting HTTP
 * connections, let requests in flight finish, end the calls, drain the CDR
 * writer's queue (no CDR is lost on a clean stop), record the stop event,
 * close the database, exit 0.
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <sofia-sip/su.h>
#include <sofia-sip/su_wait.h>

#define LOG_MODULE "main"
#include "log.h"
#include "conf.h"
#include "db.h"
#include "mainq.h"
#include "rt.h"
#include "media.h"
#include "call.h"
#include "sd.h"
#include "spanmgr.h"
#include "secret.h"
#include "status/status.h"
#include "status/status_sock.h"
#include "surv/surv.h"
#include "tg.h"
#include "tg_config.h"
#include "trunk.h"
#include "web.h"

struct daemon {
	struct conf conf;
	struct conf_args args;
	su_root_t *root;
	su_timer_t *watchdog;
	su_timer_t *status_timer;       /* refreshes the published status */
	struct spanmgr *spans;
	struct trunk_agent *sip;        /* NULL when SIP could not start */
	struct call_core *calls;
	struct media_engine *media;     /* RTP for calls; NULL when it could not start */
	int media_reg;                  /* su_root registration of its event fd */
	struct call_sutimers *call_timers;
	struct db_cdr_writer *cdrs;     /* CDRs go to its queue, off the main thread */
	struct surv *surv;              /* group health, busy-out, bypass relays */
	struct db *db;
	struct web *web;
	struct status_sock *status_sock;        /* STATE/status.sock for trunkgate-snmp */
	struct web *web_tls;            /* the HTTPS listener, when configured */
	struct status_calls_mark calls_mark;    /* the live call list published last */
	char *tls_cert, *tls_key;       /* its PEM texts, alive as long as it */
	struct tg_config *config;       /* the live snapshot */
	struct tg_loader *loader;       /* builds the next one off the main thread */
	struct status status;           /* what we publish */
	int lock_fd;
	int sig_fd;
	int sig_reg;                    /* su_root registration of sig_fd */
	int exit_code;
};

static int mkdir_p(const char *path, mode_t mode)
{
	char tmp[PATH_MAX];

	if (!tg_strlcpy(tmp, path, sizeof(tmp)))
		return ENAMETOOLONG;
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, mode) < 0 && errno != EEXIST)
			return errno;
		*p = '/';
	}
	if (mkdir(tmp, mode) < 0 && errno != EEXIST)
		return errno;
	return 0;
}

/* Write a small file atomically (temp + rename), mode 0600 or as given. */
static int write_file(const char *path, const char *text, mode_t mode)
{
	char tmp[PATH_MAX + 8];
	size_t len = strlen(text);
	int fd, rc = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return errno;
	if (write(fd, text, len) != (ssize_t)len || fsync(fd) < 0)
		rc = errno ? errno : EIO;
	if (close(fd) < 0 && !rc)
		rc = errno;
	if (!rc && rename(tmp, path) < 0)
		rc = errno;
	if (rc)
		unlink(tmp);
	return rc;
}

static void state_path(const struct daemon *d, const char *name, char *out, size_t len)
{
	snprintf(out, len, "%s/%s", d->conf.state_dir, name);
}

/* First start: an admin account with a random password, kept hashed in the
 * database and once in clear in <state>/initial-admin-password (0600) until
 * the admin changes it. */
static int ensure_admin(struct daemon *d)
{
	struct db_actor who = { "system", "" };
	char pw[17], hash[SECRET_HASH_LEN], path[PATH_MAX], line[64];
	unsigned n;
	int rc;

	rc = db_user_count(d->db, &n);
	if (rc || n > 0)
		return rc;
	rc = secret_password(pw, 16);
	if (!rc)
		rc = secret_hash_password(pw, hash, sizeof(hash));
	if (!rc)
		rc = db_user_create(d->db, "admin", hash, "admin", true, &who);
	if (rc) {
		log_err("cannot create the initial admin account: %s", strerror(rc));
		return rc;
	}
	state_path(d, "initial-admin-password", path, sizeof(path));
	snprintf(line, sizeof(line), "%s\n", pw);
	rc = write_file(path, line, 0600);
	explicit_bzero(pw, sizeof(pw));
	explicit_bzero(line, sizeof(line));
	if (rc) {
		log_err("cannot write %s: %s", path, strerror(rc));
		return rc;
	}
	log_info("created user \"admin\"; its generated password is in %s", path);
	db_event_add(d->db, "info", "user-created", "admin", "initial admin account created");
	return 0;
}

/* The demo's routing: the "Enterprise Voice in front of the PBX" preset,
 * applied as an admin would through the API.  Carrier calls to the PBX's
 * numbers (+49 30 100 2xxx, dialled as 49301002...) go to the PBX span,
 * to the EV users' (49301001...) to the SIP trunk "mediation", anything the
 * PBX dials goes out to the carrier. */
static int seed_demo_routing(struct daemon *d)
{
	struct db_actor who = { "demo", "" };
	struct db_routing_write w = { .who = &who };
	struct db_preset a = {
		.preset = "ev-in-front-of-pbx", .carrier_span = "carrier", .pbx_span = "pbx",
		.sip_trunk = "mediation", .sip_host = "127.0.0.1", .sip_port = 5068,
		.sip_transport = "tcp", .ev_range = { .prefix = "49301001" },
		.pbx_range = { .prefix = "49301002" }, .survivability = "pbx", .sip_e164_plus = true,
	};
	struct db_preset_plan *plan = malloc(sizeof(*plan));
	char field[48], msg[300];
	int rc = plan ? db_preset_plan(&a, plan, field, sizeof(field), msg, sizeof(msg)) : ENOMEM;

	if (!rc)
		rc = db_preset_apply(d->db, &a, plan, "{\"preset\":\"ev-in-front-of-pbx\",\"demo\":true}", &w);
	else
		snprintf(w.msg, sizeof(w.msg), "%s", plan ? msg : "out of memory");
	if (rc)
		log_err("demo: routing not created: %s (%s)", strerror(rc), w.msg);
	else
		log_info("demo: applied the preset \"Enterprise Voice in front of the PBX\"");
	free(plan);
	if (!rc) {
		/* power-fail transfer: while the gateway is down, carrier meets PBX */
		struct db_bypass_pair bp = { .name = "carrier-pbx", .span_a = "carrier", .span_b = "pbx",
					     .mode = "auto" };

		rc = db_bypass_create(d->db, &bp, &w);
		if (rc)
			log_err("demo: bypass pair not created: %s (%s)", strerror(rc), w.msg);
	}
	return rc;
}

/* Demo mode, first start: the two spans the demo's tgsim attaches to -- a
 * carrier (we are the user side) and a PBX (we are the network side). */
static int seed_demo(struct daemon *d)
{
	static const struct db_span demo[] = {
		{ .name = "carrier", .enabled = true, .driver = "sim", .position = 1, .type = "E1",
		  .framing = "CCS", .line_code = "HDB3", .crc4 = true, .clock_source = "line",
		  .signalling = "pri", .pri_side = "user", .switch_type = "euroisdn",
		  .hunting = "ascending", .test_number = "1000" },
		{ .name = "pbx", .enabled = true, .driver = "sim", .position = 2, .type = "E1",
		  .framing = "CCS", .line_code = "HDB3", .crc4 = true, .clock_source = "internal",
		  .signalling = "pri", .pri_side = "network", .switch_type = "euroisdn",
		  .hunting = "descending", .test_number = "2000" },
	};
	struct db_actor who = { "demo", "" };
	long long n;
	int rc;

	if (!d->conf.demo || db_count(d->db, "spans", &n) || n > 0)
		return 0;
	for (size_t i = 0; i < TG_ARRAY_SIZE(demo); i++) {
		struct db_span sp = demo[i];

		rc = db_span_create(d->db, &sp, &who, NULL);
		if (rc)
			return rc;
	}
	log_info("demo: created spans carrier and pbx (sim, E1 EuroISDN)");
	return seed_demo_routing(d);
}

/* The HTTPS listener: the configured certificate, or a self-signed one made
 * in STATE/tls/ at first start; the same API and UI as the HTTP one. */
static int start_https(struct daemon *d, const struct web_cfg *plain, char *err, size_t errlen)
{
	char cert_path[PATH_MAX], key_path[PATH_MAX], path[PATH_MAX], url[400];
	struct web_cfg wc = *plain;
	char *cert = NULL, *key = NULL;
	int rc;

	state_path(d, "tls", path, sizeof(path));
	if ((!d->conf.tls_cert[0] || !d->conf.tls_key[0]) && mkdir_p(path, 0700)) {
		snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
		return errno;
	}
	snprintf(cert_path, sizeof(cert_path), "%s", d->conf.tls_cert[0] ? d->conf.tls_cert : "");
	if (!cert_path[0])
		state_path(d, "tls/cert.pem", cert_path, sizeof(cert_path));
	snprintf(key_path, sizeof(key_path), "%s", d->conf.tls_key[0] ? d->conf.tls_key : "");
	if (!key_path[0])
		state_path(d, "tls/key.pem", key_path, sizeof(key_path));
	rc = web_tls_load(cert_path, key_path, &cert, &key, err, errlen);
	if (rc)
		return rc;
	wc.listen = d->conf.https;
	wc.tls_cert = cert;
	wc.tls_key = key;
	rc = web_start(&d->web_tls, &wc, err, errlen);  /* MHD copies nothing: keep them until stop */
	if (!rc) {
		log_info("web admin and REST API also on %s (certificate %s)", web_url(d->web_tls),
			 cert_path);
		state_path(d, "https.url", path, sizeof(path));
		snprintf(url, sizeof(url), "%s\n", web_url(d->web_tls));
		if (write_file(path, url, 0644))
			log_warn("cannot write %s", path);
	}
	d->tls_cert = cert;
	d->tls_key = key;
	return rc;
}

static void publish_status(struct daemon *d)
{
	const struct tg_config *c = d->config;

	d->status.config_generation = c->generation;
	d->status.config_changed_at_ms = c->changed_at_ms;
	tg_strlcpy(d->status.system_name, c->system_name, sizeof(d->status.system_name));
	tg_strlcpy(d->status.location, c->location, sizeof(d->status.location));
	tg_strlcpy(d->status.contact, c->contact, sizeof(d->status.contact));
	if (d->spans)
		spanmgr_status(d->spans, &d->status);
	status_perf_update(&d->status, tg_wall_ms() / 1000);
	status_sys_sample(&d->status, tg_now_ms());
	if (d->calls) {
		d->status.active_calls = call_core_active(d->calls);
		d->status.total_calls = call_core_total(d->calls);
	}
	if (d->cdrs) {
		struct db_cdr_stats cs;

		db_cdr_writer_stats(d->cdrs, &cs);
		d->status.cdr_written = cs.written;
		d->status.cdr_batches = cs.batches;
		d->status.cdr_failed = cs.failed;
		d->status.cdr_dropped = cs.dropped;
		d->status.cdr_pending = cs.pending;
		d->status.cdr_queue_high_water = cs.high_water;
		d->status.cdr_queue_capacity = cs.capacity;
	}
	if (d->surv)
		surv_status(d->surv, &d->status);
	trunk_agent_status(d->sip, &d->status);
	status_calls_fill(&d->status, tg_now_ms());
	status_publish(&d->status);
}

/* A committed generation: the loader thread builds its snapshot (reading
 * and building 100,000 ranges takes a while; calls go on meanwhile). */
static void request_generation(struct daemon *d, unsigned long long gen)
{
	ASSERT_MAIN();
	if (d->config && gen <= d->config->generation)
		return;         /* already applied (changes arrive in bursts) */
	tg_loader_request(d->loader, gen);
}

/* The loader built one: swap it in; the old snapshot stays if the new one
 * could not be loaded.  Calls in progress keep the table they started with. */
static void apply_ready(struct daemon *d)
{
	struct tg_config *c = NULL, *old;
	char err[CONF_ERR_LEN];
	struct timespec t0, t1;
	double build_ms;
	int rc;

	ASSERT_MAIN();
	if (!d->loader)
		return;         /* stopping */
	rc = tg_loader_take(d->loader, &c, &build_ms, err, sizeof(err));
	if (rc == EAGAIN)
		return;         /* a later notice took it */
	if (rc) {
		log_err("config not applied, keeping generation %llu: %s",
			d->config ? d->config->generation : 0ULL, err);
		snprintf(d->status.config_error, sizeof(d->status.config_error), "%s", err);
		status_publish(&d->status);
		return;
	}
	if (d->config && c->generation <= d->config->generation) {
		tg_unref(&c);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	old = d->config;
	d->config = c;
	d->status.config_error[0] = '\0';
	spanmgr_apply(d->spans, c);
	trunk_agent_apply(d->sip, c);
	call_core_set_table(d->calls, c->routes);
	call_core_set_timeouts(d->calls, c->no_answer_timeout_s, c->max_call_duration_s);
	surv_apply(d->surv, c);
	tg_loader_retire(d->loader, old);       /* freed over there */
	clock_gettime(CLOCK_MONOTONIC, &t1);
	{
		char m[64];

		snprintf(m, sizeof(m), "configuration generation %llu applied", c->generation);
		db_event_add(d->db, "info", "config-applied", "", m);
	}
	log_info("config generation %llu applied (built in %.1f ms off the main thread, "
		 "swapped in %.3f ms)", c->generation, build_ms,
		 (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	publish_status(d);
}

/* PUT /api/v1/trunk-groups/{id}/state: runtime health, not configuration. */
static void group_state(struct daemon *d, const struct mainq_msg *msg)
{
	int rc = surv_group_report(d->surv, msg->u.group_state.group_id, SURV_DOWN_API,
				   msg->u.group_state.down);

	publish_status(d);      /* before the answer: the route tester sees the change */
	mainq_reply_done(msg->u.group_state.reply, rc, "%s", rc ? "the running configuration has "
			 "no such group yet" : msg->u.group_state.down ? "marked down" : "marked up");
}

/* A reader of the live call list (GET /api/v1/calls) wants it: built now
 * unless the last one is still the answer. */
static void calls_list(struct daemon *d, struct mainq_reply *reply)
{
	unsigned long long now = tg_now_ms(), total = 0;
	unsigned active = 0;
	char *text;

	if (d->calls) {
		total = call_core_total(d->calls);
		active = call_core_active(d->calls);
	}
	if (status_calls_stale(&d->calls_mark, now, total, active)) {
		text = status_calls_build(d->calls);
		status_calls_publish(text);
		d->calls_mark = (struct status_calls_mark){
			.built_ms = text ? now : 0, .total = total, .active = active };
	}
	mainq_reply_done(reply, d->calls_mark.built_ms ? 0 : ENOMEM, "%s",
			 d->calls_mark.built_ms ? "" : "out of memory");
}

static void on_links_changed(void *arg)
{
	surv_links_changed(((struct daemon *)arg)->surv);
}

static void on_mainq(const struct mainq_msg *msg, void *arg)
{
	struct daemon *d = arg;

	switch (msg->type) {
	case MAINQ_CONFIG_GENERATION:
		request_generation(d, msg->u.config.generation);
		break;
	case MAINQ_CONFIG_READY:
		apply_ready(d);
		break;
	case MAINQ_CALL_HANGUP: {
		int rc = d->calls ? call_core_hangup(d->calls, msg->u.hangup.id) : ENOENT;

		d->calls_mark.built_ms = 0;     /* the next list says so at once */
		mainq_reply_done(msg->u.hangup.reply, rc, rc ? "no call %s" : "call %s cleared",
				 msg->u.hangup.id);
		break;
	}
	case MAINQ_CALLS_LIST:
		calls_list(d, msg->u.calls.reply);
		break;
	case MAINQ_SPAN_DCHAN:
		spanmgr_on_msg(d->spans, msg);
		if (surv_take_changed(d->surv))
			publish_status(d);      /* a group went down or up: the route tester sees it */
		break;
	case MAINQ_GROUP_STATE:
		group_state(d, msg);
		break;
	case MAINQ_SPAN_ALARM:
	case MAINQ_SPAN_TEST_CALL:
		spanmgr_on_msg(d->spans, msg);
		publish_status(d);      /* alarms show at once, not at the next tick */
		break;
	case MAINQ__COUNT:
		break;
	}
}

static void reload_log_level(struct daemon *d)
{
	enum log_level lvl;
	char err[CONF_ERR_LEN];

	if (conf_reload_log_level(&d->conf, &d->args, &lvl, err, sizeof(err))) {
		log_warn("SIGHUP: log level not changed: %s", err);
		return;
	}
	log_set_level(lvl);
	log_info("SIGHUP: log level is %s", log_level_name(lvl));
}

static int on_signal(su_root_magic_t *magic, su_wait_t *w, su_wakeup_arg_t *arg)
{
	struct daemon *d = (struct daemon *)arg;
	struct signalfd_siginfo si;

	while (read(d->sig_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			log_info("signal %s: stopping", si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
			su_root_break(d->root);
			break;
		case SIGHUP:
			reload_log_level(d);
			break;
		}
	}
	return 0;
}

static void on_status_timer(su_root_magic_t *magic, su_timer_t *t, su_timer_arg_t *arg)
{
	struct daemon *d = (struct daemon *)arg;

	surv_tick(d->surv);     /* the loop is alive: re-arm the bypass relays' watchdog */
	publish_status(d);
	/* the live call list is built for its readers (calls_list): a text
	 * nobody asked for lately is not kept */
	if (d->calls_mark.built_ms && tg_now_ms() - d->calls_mark.built_ms > STATUS_CALLS_KEEP_MS) {
		status_calls_publish(NULL);
		d->calls_mark.built_ms = 0;
	}
}

static void on_watchdog(su_root_magic_t *magic, su_timer_t *t, su_timer_arg_t *arg)
{
	/* Sent from the main loop itself: a stuck loop stops the pings. */
	sd_send("WATCHDOG=1");
}

static int setup_signals(struct daemon *d)
{
	su_wait_t wait[1];
	sigset_t set;

	/* Block before any thread starts, so only the signalfd sees them. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL))
		return EINVAL;
	signal(SIGPIPE, SIG_IGN);
	d->sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d->sig_fd < 0)
		return errno;
	if (su_wait_create(wait, d->sig_fd, SU_WAIT_IN) < 0)
		return EIO;
	d->sig_reg = su_root_register(d->root, wait, on_signal, (su_wakeup_arg_t *)d, 0);
	if (d->sig_reg < 0)
		return EIO;
	return 0;
}

static void print_demo_banner(struct daemon *d)
{
	char path[PATH_MAX], pw[64] = "";
	FILE *f;

	state_path(d, "initial-admin-password", path, sizeof(path));
	f = fopen(path, "r");
	if (f) {
		if (!fgets(pw, sizeof(pw), f))
			pw[0] = '\0';
		pw[strcspn(pw, "\n")] = '\0';
		fclose(f);
	}
	printf("\n"
	       "  trunkgate %s demo is running (state folder %s)\n"
	       "  Web admin and REST API: %s\n"
	       "  Log in as:              admin / %s\n"
	       "  Simulated spans:        %s/sim/carrier.sock, %s/sim/pbx.sock\n"
	       "  Stop with Ctrl-C.\n\n",
	       PACKAGE_VERSION, d->conf.state_dir, web_url(d->web),
	       pw[0] ? pw : "(password already changed)", d->conf.state_dir, d->conf.state_dir);
	fflush(stdout);
}

/* call_place_h: the owner of the destination group's kind places the leg
 * (analog groups have none yet: cause 34, no circuit, which fails over). */
static int place(void *arg, const struct route_target *t, const struct call_setup *s,
		 struct leg **legp)
{
	struct daemon *d = arg;
	const struct route_group *g = route_group_by_id(d->config->routes, t->group_id);

	if (g && g->kind == ROUTE_GROUP_SIP)
		return d->sip ? trunk_place(d->sip, t, s, legp) : 38;
	if (g && g->kind == ROUTE_GROUP_ANALOG) {
		/* Analog ports are configuration only: no driver places a call on one. */
		log_warn("call to %s refused: trunk group %s is analog and no analog driver "
			 "exists yet (cause 34)", s->called.digits, g->name);
		return 34;
	}
	return spanmgr_place(d->spans, t, s, legp);
}

/* The SIP side; a failure leaves the gateway running without it (the PRI
 * side still works), logged and recorded as an event. */
static void start_sip(struct daemon *d)
{
	char err[CONF_ERR_LEN];
	int rc;

	rc = trunk_agent_create(&d->sip, &(struct trunk_agent_cfg){
		.root = d->root, .listen = d->conf.sip, .media_address = d->conf.media_address,
		.rtp_min = d->conf.rtp_min, .rtp_max = d->conf.rtp_max,
		.state_dir = d->conf.state_dir, .core = d->calls,
		.surv = d->surv, .db = d->db }, err, sizeof(err));
	if (rc) {
		log_err("SIP side not started: %s", err);
		db_event_add(d->db, "major", "sip-error", "trunkgated", err);
		d->sip = NULL;
	}
}

/* Media engine events, by the cookie of a SIP leg's session. */
static int on_media_events(su_root_magic_t *magic, su_wait_t *w, su_wakeup_arg_t *arg)
{
	struct daemon *d = (struct daemon *)arg;
	struct media_event ev[32];
	size_t n;

	n = media_engine_events_take(d->media, ev, 32);
	for (size_t i = 0; i < n; i++)
		trunk_media_event(d->sip, &ev[i]);
	return 0;
}

/* The media engine on the RTP range, bound to the media address (else the
 * SIP address when it is an IP literal, else every address); its thread
 * carries RTP, its events come to the main loop.  A failure leaves calls
 * without audio, logged and recorded as an event. */
static void start_media(struct daemon *d)
{
	char host[CONF_ADDR_LEN] = "", err[CONF_ERR_LEN];
	unsigned char a[16];
	unsigned port;
	su_wait_t wait[1];
	int rc;

	d->media_reg = -1;
	if (d->conf.media_address[0])
		tg_strlcpy(host, d->conf.media_address, sizeof(host));
	else if (!conf_split_hostport(d->conf.sip, host, sizeof(host), &port) &&
		 !inet_pton(AF_INET, host, a) && !inet_pton(AF_INET6, host, a))
		host[0] = '\0';
	if (!host[0] || !strcmp(host, "::"))
		tg_strlcpy(host, strchr(host, ':') ? "::" : "0.0.0.0", sizeof(host));
	rc = media_engine_create(&d->media, &(struct media_engine_cfg){
		.bind_addr = host, .port_min = (uint16_t)d->conf.rtp_min,
		.port_max = (uint16_t)d->conf.rtp_max, .threaded = true });
	if (!rc && su_wait_create(wait, media_engine_event_fd(d->media), SU_WAIT_IN) == 0)
		d->media_reg = su_root_register(d->root, wait, on_media_events, (su_wakeup_arg_t *)d, 0);
	if (rc || d->media_reg < 0) {
		snprintf(err, sizeof(err), "media engine not started on %s, ports %u-%u: %s", host,
			 d->conf.rtp_min, d->conf.rtp_max, rc ? strerror(rc) : "cannot watch its events");
		log_err("%s; calls carry no audio", err);
		db_event_add(d->db, "major", "media-error", "trunkgated", err);
		media_engine_destroy(d->media);
		d->media = NULL;
		return;
	}
	log_info("media engine: RTP on %s ports %u-%u", host, d->conf.rtp_min, d->conf.rtp_max);
	spanmgr_set_media(d->spans, d->media);
	trunk_agent_set_media(d->sip, d->media);
}

/* The call core's CDR sink: a copy into the writer's queue, never a wait. */
static void on_cdr(void *arg, const struct db_cdr *r)
{
	status_calls_record(r, tg_now_ms());    /* calls per minute, ASR, ACD */
	db_cdr_writer_add(arg, r);      /* a drop is logged and counted there */
}

static int start(struct daemon *d)
{
	char err[CONF_ERR_LEN], path[PATH_MAX], url[400];
	struct web_cfg wc;
	unsigned long long wd;
	int rc;

	rc = mkdir_p(d->conf.state_dir, 0750);
	if (rc) {
		log_err("state folder %s: %s", d->conf.state_dir, strerror(rc));
		return rc;
	}
	rc = state_lock(d->conf.state_dir, &d->lock_fd, err, sizeof(err));
	if (rc) {
		log_err("%s", err);
		return rc;
	}
	rc = db_open(&d->db, d->conf.db_path, DB_OPEN_MIGRATE, err, sizeof(err));
	if (rc) {
		log_err("%s", err);
		return rc;
	}
	log_info("database %s at schema version %u", d->conf.db_path, db_schema_latest());
	rc = ensure_admin(d);
	if (!rc)
		rc = seed_demo(d);
	if (rc)
		return rc;
	rc = tg_config_load(&d->config, d->db, err, sizeof(err));
	if (rc) {
		log_err("%s", err);
		return rc;
	}
	rc = db_cdr_writer_start(&d->cdrs, d->conf.db_path, DB_CDR_QUEUE_DEFAULT, err, sizeof(err));
	if (rc) {
		log_err("%s", err);
		return rc;
	}
	/* retention 5 s after start, then hourly; the JSON-lines stream if configured */
	db_cdr_writer_options(d->cdrs, d->conf.cdr_jsonl[0] ? d->conf.cdr_jsonl : NULL, 3600);
	rc = tg_loader_start(&d->loader, d->conf.db_path, d->config->generation, err, sizeof(err));
	if (rc) {
		log_err("%s", err);
		return rc;
	}
	rc = spanmgr_create(&d->spans, d->root, d->conf.state_dir, d->db);
	if (!rc)
		rc = call_sutimers_create(&d->call_timers, d->root);
	if (!rc)
		rc = call_core_create(&d->calls, &(struct call_core_cfg){
			.place = place, .place_arg = d,
			.cdr = on_cdr, .cdr_arg = d->cdrs,
			.timers = call_sutimers_ops(d->call_timers) });
	if (!rc)
		rc = surv_create(&d->surv, d->spans, d->calls, d->db);
	if (rc)
		return rc;
	spanmgr_set_core(d->spans, d->calls);
	spanmgr_set_link_hook(d->spans, on_links_changed, d);
	start_sip(d);
	start_media(d);
	tg_strlcpy(d->status.version, PACKAGE_VERSION, sizeof(d->status.version));
	d->status.started_at_ms = tg_wall_ms();
	d->status.started_mono_ms = tg_now_ms();
	d->status.demo = d->conf.demo;
	publish_status(d);
	rc = mainq_init(d->root, on_mainq, d);
	if (rc) {
		log_err("cannot create the main queue: %s", strerror(rc));
		return rc;
	}
	spanmgr_apply(d->spans, d->config);
	trunk_agent_apply(d->sip, d->config);
	call_core_set_table(d->calls, d->config->routes);
	call_core_set_timeouts(d->calls, d->config->no_answer_timeout_s,
			       d->config->max_call_duration_s);
	surv_apply(d->surv, d->config);
	publish_status(d);
	d->status_timer = su_timer_create(su_root_task(d->root), 500);
	if (d->status_timer)
		su_timer_run(d->status_timer, on_status_timer, (su_timer_arg_t *)d);
	wc = (struct web_cfg){
		.listen = d->conf.http, .web_root = d->conf.web_root, .db_path = d->conf.db_path,
		.state_dir = d->conf.state_dir, .threads = d->conf.http_threads,
		.max_body = WEB_MAX_BODY_DEFAULT, .metrics_allow = d->conf.metrics_allow,
	};
	rc = web_start(&d->web, &wc, err, sizeof(err));
	if (rc) {
		log_err("%s", err);
		return rc;
	}
	log_info("web admin and REST API on %s", web_url(d->web));
	state_path(d, "http.url", path, sizeof(path));
	snprintf(url, sizeof(url), "%s\n", web_url(d->web));
	if (write_file(path, url, 0644))
		log_warn("cannot write %s", path);
	state_path(d, "status.sock", path, sizeof(path));
	if (status_sock_start(&d->status_sock, path, d->conf.db_path, err, sizeof(err)))
		log_warn("%s; trunkgate-snmp will not see this daemon", err);
	if (d->conf.https[0]) {
		rc = start_https(d, &wc, err, sizeof(err));
		if (rc) {
			log_err("%s", err);
			return rc;
		}
	}
	wd = sd_watchdog_usec();
	if (wd) {
		d->watchdog = su_timer_create(su_root_task(d->root), (su_duration_t)(wd / 2000));
		if (d->watchdog)
			su_timer_run(d->watchdog, on_watchdog, NULL);
	}
	db_event_add(d->db, "info", "daemon-start", "trunkgated", "trunkgated " PACKAGE_VERSION " started");
	sd_send("READY=1\nSTATUS=running");
	log_info("trunkgated %s ready (pid %ld)", PACKAGE_VERSION, (long)getpid());
	if (d->conf.demo)
		print_demo_banner(d);
	return 0;
}

static void stop(struct daemon *d)
{
	char path[PATH_MAX];

	sd_send("STOPPING=1\nSTATUS=stopping");
	d->status.stopping = true;
	status_publish(&d->status);
	if (d->web_tls)
		web_quiesce(d->web_tls);
	if (d->web) {
		web_quiesce(d->web);
		web_stop(d->web);
		d->web = NULL;
		state_path(d, "http.url", path, sizeof(path));
		unlink(path);
	}
	status_sock_stop(d->status_sock);
	d->status_sock = NULL;
	if (d->web_tls) {
		web_stop(d->web_tls);
		d->web_tls = NULL;
		state_path(d, "https.url", path, sizeof(path));
		unlink(path);
	}
	free(d->tls_cert);
	d->tls_cert = NULL;
	if (d->tls_key)
		explicit_bzero(d->tls_key, strlen(d->tls_key));
	free(d->tls_key);
	d->tls_key = NULL;
	su_timer_destroy(d->watchdog);
	d->watchdog = NULL;
	su_timer_destroy(d->status_timer);
	d->status_timer = NULL;
	trunk_agent_destroy(d->sip);    /* ends SIP calls (BYE/CANCEL), stops the SIP stack */
	d->sip = NULL;
	if (d->surv)
		surv_shutdown(d->surv); /* relays engaged before the spans close */
	spanmgr_destroy(d->spans);      /* ends its calls, closes the cards: the far ends see LOS */
	d->spans = NULL;
	if (d->media_reg >= 0)
		su_root_deregister(d->root, d->media_reg);
	d->media_reg = -1;
	media_engine_destroy(d->media); /* after the legs that held sessions and the spans */
	d->media = NULL;
	call_core_destroy(d->calls);    /* after the legs are gone: queues the last CDRs */
	d->calls = NULL;
	call_sutimers_destroy(d->call_timers);
	d->call_timers = NULL;
	db_cdr_writer_stop(d->cdrs);    /* drains the queue: every CDR committed */
	d->cdrs = NULL;
	surv_destroy(d->surv);
	d->surv = NULL;
	tg_loader_stop(d->loader);
	d->loader = NULL;
	status_calls_publish(NULL);
	callstats_main_destroy();
	mainq_close();
	if (d->db) {
		db_event_add(d->db, "info", "daemon-stop", "trunkgated", "trunkgated stopped");
		db_close(d->db);
		d->db = NULL;
	}
	tg_unref(&d->config);
}

/* Descriptors besides RTP: SIP transports, HTTP connections, the database,
 * spans, eventfds (docs/sip.md, "Memory per held call and open files"). */
#define NOFILE_BESIDE_RTP 1024

/*
 * Every RTP leg holds two sockets (RTP and RTCP): an anchored SIP<->SIP call
 * four, a SIP<->PRI call two.  The soft RLIMIT_NOFILE (often 1024) is taken
 * up to the hard one, which is what an unprivileged process may do; the hard
 * one is the admin's (systemd's LimitNOFILE=, packaging/trunkgate.service).
 */
static void raise_nofile(const struct conf *c)
{
	unsigned long long need = (unsigned long long)(c->rtp_max - c->rtp_min + 2) / 2 * 2 + NOFILE_BESIDE_RTP;
	unsigned long long was;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl)) {
		log_warn("open files limit: %s", strerror(errno));
		return;
	}
	was = rl.rlim_cur;
	if (rl.rlim_cur < rl.rlim_max) {
		/* infinity is not allowed for NOFILE: the kernel's fs.nr_open default */
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ? 1048576 : rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl)) {
			log_warn("open files limit not raised from %llu: %s", was, strerror(errno));
			rl.rlim_cur = was;
		}
	}
	log_info("open files limit %llu (was %llu); the RTP ports %u-%u need up to %llu",
		 (unsigned long long)rl.rlim_cur, was, c->rtp_min, c->rtp_max, need);
	if (rl.rlim_cur < need)
		log_warn("open files limited to %llu: fewer calls than the RTP ports %u-%u allow "
			 "(2 descriptors per RTP leg); raise the hard limit (LimitNOFILE=)",
			 (unsigned long long)rl.rlim_cur, c->rtp_min, c->rtp_max);
}

int main(int argc, char **argv)
{
	static struct daemon d = { .lock_fd = -1, .sig_fd = -1, .sig_reg = -1, .media_reg = -1 };
	char err[CONF_ERR_LEN];
	int rc;

	if (conf_parse_args(&d.args, argc, argv, err, sizeof(err))) {
		fprintf(stderr, "trunkgated: %s\n", err);
		return 2;
	}
	if (d.args.help) {
		conf_usage(stdout, "trunkgated");
		return 0;
	}
	if (d.args.version) {
		printf("trunkgated %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (conf_resolve(&d.conf, &d.args, err, sizeof(err))) {
		fprintf(stderr, "trunkgated: %s\n", err);
		return 2;
	}
	log_init(d.conf.log_level);
	tg_set_main_thread();
	raise_nofile(&d.conf);
	/* Before any media or span thread starts: they read it as they start. */
	rt_set_priority(d.conf.rt_priority);
	umask(027);
	if (su_init() != 0) {
		log_err("sofia-sip initialisation failed");
		return 1;
	}
	d.root = su_root_create(NULL);
	if (!d.root) {
		log_err("cannot create the event loop");
		su_deinit();
		return 1;
	}
	/* One thread drives the loop; nua must not start its own (DEPENDENCIES.md). */
	su_root_threading(d.root, 0);
	rc = setup_signals(&d);
	if (rc) {
		log_err("cannot set up signal handling: %s", strerror(rc));
		d.exit_code = 1;
	} else if (start(&d) != 0) {
		d.exit_code = 1;
	} else {
		su_root_run(d.root);
	}
	stop(&d);
	if (d.sig_reg >= 0)
		su_root_deregister(d.root, d.sig_reg);
	su_root_destroy(d.root);
	su_deinit();
	if (d.sig_fd >= 0)
		close(d.sig_fd);
	if (d.lock_fd >= 0)
		close(d.lock_fd);
	log_info("trunkgated exits with %d", d.exit_code);
	return d.exit_code;
}
