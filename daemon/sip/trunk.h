/*
 * trunk.h -- the SIP side on sofia-sip: SIP trunks to Mediation Servers,
 * IP-PBXs and ITSPs, and SIP legs of calls (a B2BUA through the call core).
 *
 * One nua instance runs on the main su_root and listens on the daemon's SIP
 * address (bootstrap key `sip`).  An INVITE is matched to a trunk by its
 * source address (the trunk's next hops given as IP literals and its
 * allowed_sources); unknown sources get 403.  Outgoing calls to a trunk
 * group of kind "sip" go to its trunks' next hops in priority order.
 *
 * Media: each SIP leg has an RTP session of the media engine set with
 * trunk_agent_set_media() (trunk_media.c); without one, our SDP names a port
 * nobody listens on.
 *
 * The agent functions run on the main thread; the address and number
 * helpers at the end are pure and run anywhere (the API validates with them).
 */
#ifndef TG_TRUNK_H
#define TG_TRUNK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sofia-sip/su_wait.h>

#include "call.h"

struct trunk_agent;
struct tg_config;

struct trunk_agent_cfg {
	su_root_t *root;
	const char *listen;             /* "host:port", "[v6]:port"; port 0: any free port */
	const char *media_address;      /* c= of our SDP; "" = the listen host, or a local address */
	unsigned rtp_min, rtp_max;      /* even ports handed out from this range */
	const char *state_dir;          /* sip.url is written here once listening */
	struct call_core *core;
};

/* Start listening.  EADDRINUSE etc. with a message in err. */
int  trunk_agent_create(struct trunk_agent **ap, const struct trunk_agent_cfg *cfg, char *err,
			size_t errlen);
/* A new config snapshot: trunks, next hops, sources, group membership.  The
 * agent keeps a reference; calls in progress keep the one they started with. */
void trunk_agent_apply(struct trunk_agent *a, struct tg_config *cfg);
/* Ends every SIP call and stops the stack (steps the root until nua has
 * shut down, at most a few seconds), then frees.  NULL-safe. */
void trunk_agent_destroy(struct trunk_agent *a);
/* call_place_h for trunk groups of kind "sip". */
int  trunk_place(void *arg, const struct route_target *t, const struct call_setup *s,
		 struct leg **legp);
unsigned trunk_agent_active(const struct trunk_agent *a);
/* RTP for SIP legs from this engine (before calls; NULL: none), and its
 * events (DTMF, RTP timeout...) for our legs, matched by cookie. */
struct media_engine;
struct media_event;
void trunk_agent_set_media(struct trunk_agent *a, struct media_engine *e);
void trunk_media_event(struct trunk_agent *a, const struct media_event *ev);

/* ---- pure helpers ---- */

/* An IPv4/IPv6 address or network. */
struct trunk_net {
	int family;                     /* AF_INET, AF_INET6 */
	uint8_t addr[16];
	unsigned bits;                  /* prefix length */
};
/* "192.0.2.1", "192.0.2.0/24", "2001:db8::/32". */
bool trunk_net_parse(const char *s, struct trunk_net *n);
bool trunk_net_match(const struct trunk_net *n, const struct sockaddr *sa);
/* A comma-separated list of them (spaces around items allowed); EINVAL with
 * the bad item named in err; more than max: E2BIG. */
int  trunk_nets_parse(const char *list, struct trunk_net *v, size_t max, size_t *np, char *err,
		      size_t errlen);
/* An IP literal or a DNS hostname (RFC 1123 labels). */
bool trunk_host_valid(const char *host);
/* The number in a URI's user part (sip:, sips:, tel:): visual separators
 * (- . ( ) space) dropped, a leading + kept, parameters cut; false if what
 * is left is not 1..32 of 0-9 * #. */
bool trunk_number_from_user(const char *user, char *out, size_t len);

#endif
