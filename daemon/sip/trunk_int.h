/*
 * trunk_int.h -- what the SIP side's files share: the agent (one nua) and a
 * SIP call leg.  Main thread only.
 */
#ifndef TG_TRUNK_INT_H
#define TG_TRUNK_INT_H

#include <limits.h>
#include <stdbool.h>
#include <sofia-sip/nua.h>
#include <sofia-sip/soa_tag.h>

#include "call.h"
#include "tg_config.h"
#include "trunk.h"

/* A source address that identifies a trunk: a next hop given as an IP
 * literal, or an allowed_sources entry. */
struct media_engine;
struct media_event;
struct media_session;

struct trunk_src {
	const struct tg_config_sip_trunk *trunk;        /* in agent->cfg */
	struct trunk_net net;
};

struct trunk_agent {
	su_root_t *root;
	nua_t *nua;
	struct call_core *core;
	struct tg_config *cfg;          /* referenced; NULL before the first apply */
	struct trunk_src *srcs;         /* malloc'd per apply */
	size_t nsrcs;
	struct trunk_call *calls;       /* every SIP leg whose handle is alive */
	unsigned ncalls;
	char host[64];                  /* our address for SDP and From ("" never) */
	char sip_port[8];               /* the port of the daemon's SIP address, once listening */
	char bind_host[64];             /* the SIP listen host ("0.0.0.0", "::" for any) */
	bool v6;
	unsigned rtp_min, rtp_max, rtp_next;
	uint8_t *rtp_used;              /* bit per even port of the range (no media engine) */
	struct media_engine *media;     /* RTP sessions come from it; NULL: no media */
	unsigned long long media_seq;   /* cookies of the legs' sessions */
	char state_dir[PATH_MAX];
	bool shutdown_done;
	/* health probes and registrations (trunk_health.c, trunk_auth.c) */
	struct surv *surv;              /* SIP groups reported down/up here; may be NULL */
	struct db *db;                  /* events; may be NULL */
	struct trunk_health *health;
	struct trunk_auth *auth;
	/* trunks' own listening addresses (trunk_listen.c) */
	struct trunk_listener **listeners;
	size_t nlisteners;
	su_timer_t *reap_timer;         /* frees listeners nua has shut down */
	bool shutting_down;
	struct trunk_guard *guard;      /* rate limits and max_calls (trunk_guard.c) */
	struct trunk_resolver *resolver; /* next-hop hostnames (trunk_resolve.c) */
};

/* What every nua of ours allows (REFER is answered by trunk_refer.c; NOTIFY
 * comes for the REFERs refer=pass sends). */
#define TRUNK_ALLOW "INVITE, ACK, BYE, CANCEL, OPTIONS, PRACK, UPDATE, REFER, NOTIFY"

enum trunk_pass_op { TRUNK_PASS_NONE, TRUNK_PASS_INVITE, TRUNK_PASS_UPDATE };

/* One SIP leg (a dialog on one handle; an outgoing leg moves to a new
 * handle when it fails over to the next hop). */
struct trunk_call {
	struct trunk_call *next, *prev;
	struct trunk_agent *agent;
	nua_handle_t *nh;
	nua_t *nua;                     /* the one nh belongs to (the trunk's own, or the agent's) */
	struct tg_config *cfg;          /* referenced: the trunk below lives in it */
	const struct tg_config_sip_trunk *trunk;
	bool outgoing;
	unsigned hop;                   /* outgoing: the next hop tried now */
	bool hop_open;                  /* outgoing: its INVITE went out, not yet counted */
	unsigned long long answered_ms; /* outgoing: monotonic, when the 200 came */
	bool answered;                  /* 200 sent (in) or received (out) */
	bool final_sent;                /* incoming: a final response went out */
	bool ended;                     /* CANCEL, BYE or a final error seen or sent */
	bool rel100;                    /* incoming: our 18x go reliably (RFC 3262) */
	bool early_sent;                /* incoming: early_media=immediate's 183 went out */
	unsigned rtp_port;              /* 0 = none */
	struct media_session *ms;       /* our RTP leg (trunk_media.c); NULL = none */
	unsigned long long media_id;    /* its event cookie */
	char *offer;                    /* the far end's offer we answer; NULL: we offer */
	unsigned long long sdp_version; /* o= version of our SDP */
	int media_dir;                  /* enum media_dir as negotiated */
	struct media_srtp_key keys[3];  /* our SDES keys (srtp_mode optional/required); never logged */
	size_t nkeys;
	bool bypass_pass;               /* media bypass SIP<->SIP: the SDP passes end to end */
	char *far_sdp;                  /* bypass_pass, outgoing: the far end's answer, for the caller */
	char *pass_offer;               /* bypass_pass, outgoing: the caller's offer we send on */
	bool offerless;                 /* incoming: the INVITE had no SDP (delayed offer) */
	bool peer_update;               /* incoming: the caller's Allow has UPDATE */
	/* bypass_pass after the initial INVITE (trunk_pass.c) */
	bool soa_off;                   /* nua's offer/answer off on nh: the SDP bodies are ours */
	bool pass_sent_body;            /* our last INVITE on nh carried SDP */
	bool pass_ack;                  /* a 2xx with an offer: its ACK waits for the answer */
	enum trunk_pass_op pass_in;     /* the far end's request waiting for the other leg */
	enum trunk_pass_op pass_out;    /* our re-INVITE relaying the other leg's offer */
	char *pass_rx, *pass_tx;        /* the last SDP the far end sent, and we sent it */
	char *pass_pend;                /* the offer of pass_out */
	msg_t *pass_req;                /* pass_in UPDATE: answered once the other leg did (a ref) */
	char warning[160];              /* 488's Warning value when the offer was refused */
	char called[33], calling[33];
	int called_ton, calling_ton;    /* Q.931 type of number, -1 unknown */
	bool restricted;                /* calling presentation restricted */
	unsigned auth_tries;            /* 401/407 challenges answered (trunk_auth.c) */
	char redirecting[33];           /* outgoing: the number that forwarded the call ("" none) */
	int redirecting_ton;
	int redirect_reason;            /* Q.931 redirecting reason */
	/* REFER (trunk_refer.c) */
	char refer_event[40];           /* a REFER's subscription we NOTIFY on ("" none) */
	bool refer_relay;               /* refer=pass: NOTIFYs here are relayed to the peer leg */
	msg_t *refer_req;               /* refer=pass: the REFER we answer once the peer did (a ref) */
	char referred_by[256];          /* outgoing leg of a transfer: Referred-By ("" none) */
	struct leg leg;                 /* leg.call != NULL while the core holds it */
};

/* trunk_health.c: OPTIONS probes per next hop.  Every function NULL-safe. */
int  trunk_health_create(struct trunk_agent *a);
void trunk_health_apply(struct trunk_agent *a);         /* after a->cfg changed */
void trunk_health_destroy(struct trunk_agent *a);       /* before nua_shutdown */
void trunk_health_on_options(struct trunk_agent *a, int status, const char *phrase,
			     nua_handle_t *nh, nua_hmagic_t *hmagic, const sip_t *sip);
/* A listener's nua is about to be destroyed: drop its probes' handles. */
void trunk_health_forget_nua(struct trunk_agent *a, nua_t *nua);
/* May a call go to this next hop (not marked down by its probes)? */
bool trunk_hop_usable(const struct trunk_agent *a, const struct tg_config_sip_trunk *t,
		      unsigned hop);

/* trunk_auth.c: digest challenges and outbound REGISTER.  NULL-safe. */
struct status_sip_trunk;
int  trunk_auth_create(struct trunk_agent *a);
void trunk_auth_apply(struct trunk_agent *a);           /* after a->cfg changed */
void trunk_auth_destroy(struct trunk_agent *a);         /* before nua_shutdown */
void trunk_auth_on_register(struct trunk_agent *a, nua_event_t event, int status,
			    const char *phrase, nua_handle_t *nh, nua_hmagic_t *hmagic,
			    const sip_t *sip);
/* A 401/407 to a request on nh: answer it with t's credentials (true), or
 * false when it cannot or *tries says it was answered already. */
bool trunk_auth_challenge(struct trunk_agent *a, const struct tg_config_sip_trunk *t,
			  nua_handle_t *nh, int status, const sip_t *sip, unsigned *tries);
void trunk_auth_status(const struct trunk_agent *a, long long trunk_id,
		       struct status_sip_trunk *s);

/* trunk_guard.c: per-source rate limiting of new requests and max_calls
 * per trunk.  Every function NULL-safe on a->guard. */
int  trunk_guard_create(struct trunk_agent *a);
void trunk_guard_apply(struct trunk_agent *a);          /* after a->cfg changed */
void trunk_guard_destroy(struct trunk_agent *a);        /* after the last call is freed */
/* A new request (outside a dialog) from sa: within its limit (true), or
 * to be refused with 503 and Retry-After. */
bool trunk_guard_check(struct trunk_agent *a, const struct sockaddr *sa);
unsigned trunk_guard_retry_after(const struct trunk_agent *a);        /* seconds */
/* The same on an explicit clock (ms), and the once-a-second sweep (the
 * agent's timer runs it; unit tests call it). */
bool trunk_guard_check_at(struct trunk_agent *a, const struct sockaddr *sa, unsigned long long now);
void trunk_guard_sweep_at(struct trunk_agent *a, unsigned long long now);
/* May t take one more call (max_calls)?  false counts a refusal. */
bool trunk_guard_admit(struct trunk_agent *a, const struct tg_config_sip_trunk *t);
void trunk_guard_call_add(struct trunk_agent *a, long long trunk_id);  /* a leg exists */
void trunk_guard_call_give(struct trunk_agent *a, long long trunk_id); /* it is gone */
/* The legs on a trunk now, as counted by the two above (status: no walk
 * of the calls per trunk). */
unsigned trunk_guard_calls(const struct trunk_agent *a, long long trunk_id);
void trunk_guard_status(const struct trunk_agent *a, struct status *st);

/* trunk_resolve.c: next hops given as hostnames, resolved by a thread of
 * its own (getaddrinfo), refreshed every 60 s; the main thread is woken to
 * rebuild its sources (trunk_sources_rebuild) when a result is in. */
#define TRUNK_RESOLVE_MAX_ADDRS 8
int  trunk_resolve_create(struct trunk_agent *a);
void trunk_resolve_apply(struct trunk_agent *a);        /* after a->cfg changed */
void trunk_resolve_destroy(struct trunk_agent *a);
/* Main thread, after the main nua is bound: its own getaddrinfo calls
 * (sofia's, for a Via maddr) answer from /etc/hosts or fail at once. */
void trunk_resolve_guard_main(void);
/* The addresses host resolved to last (0: none or not yet). */
unsigned trunk_resolve_lookup(const struct trunk_agent *a, const char *host,
			      struct trunk_net *nets, unsigned max);
/* trunk.c: the source table again from a->cfg and the resolved names. */
void trunk_sources_rebuild(struct trunk_agent *a);

/* trunk_tune.c: load-related sofia-sip settings: tags for nua_create (nta
 * takes its timers when it is created), then trunk_tune once after it. */
const tagi_t *trunk_tune_tags(const struct trunk_agent *a);
void trunk_tune(struct trunk_agent *a);

/* trunk.c: can host:port be bound (UDP and TCP)?  Checked before
 * nua_create, which leaks what it made when its bind fails. */
bool trunk_bind_free(const char *host, unsigned port, bool v6);
/* trunk.c: the event callback of every nua of ours */
void trunk_on_nua(nua_event_t event, int status, char const *phrase, nua_t *nua,
		  nua_magic_t *magic, nua_handle_t *nh, nua_hmagic_t *hmagic, sip_t const *sip,
		  tagi_t tags[]);

/* trunk_listen.c: trunks with their own listen address */
/* The nua a trunk's calls use: its own listener's, or the agent's; NULL
 * if its listener could not be opened. */
nua_t *trunk_nua(const struct trunk_agent *a, const struct tg_config_sip_trunk *t);
/* Does t send over TLS (its transport or a next hop's)?  Without its own
 * listen it then gets an implicit TLS client nua (docs/sip.md). */
bool trunk_tls_out(const struct tg_config_sip_trunk *t);
void trunk_listeners_apply(struct trunk_agent *a);     /* after a->cfg changed */
/* A listener's own events (its shutdown); true if it was one. */
bool trunk_listener_event(struct trunk_agent *a, nua_t *nua, nua_event_t event, int status);
void trunk_listeners_destroy(struct trunk_agent *a);

/* trunk_call.c */
void trunk_call_on_event(struct trunk_agent *a, nua_event_t event, int status, const char *phrase,
			 nua_handle_t *nh, struct trunk_call *tc, const sip_t *sip, tagi_t tags[]);
void trunk_call_incoming(struct trunk_agent *a, nua_t *nua, nua_handle_t *nh, const sip_t *sip);
void trunk_call_free(struct trunk_call *tc);
/* trunk_refer.c: REFER in a call (the trunk's refer switch), the passed
 * REFER's answer and NOTIFYs (refer=pass). */
void trunk_refer_on_event(struct trunk_call *tc, nua_event_t event, int status, const sip_t *sip,
			  tagi_t tags[]);
void trunk_refer_free(struct trunk_call *tc);             /* from trunk_call_free */
/* trunk_media.c: the leg's RTP session and its SDP. */
int  trunk_media_open(struct trunk_call *tc);            /* sets rtp_port; ENODEV: no engine */
void trunk_media_close(struct trunk_call *tc);
/* An offer arrived (INVITE, re-INVITE); sdp NULL: none, we will offer. */
void trunk_media_offer_in(struct trunk_call *tc, const char *sdp, size_t len);
/* Our SDP for soa: the answer to the stored offer, else our offer.  False:
 * no session (the caller writes its own). */
bool trunk_media_sdp(struct trunk_call *tc, char *buf, size_t len);
/* The far end's answer to our offer (from nua_i_state). */
void trunk_media_answer_in(struct trunk_call *tc, const char *sdp);
/* With every answer we give: soa is to send all that our answer SDP
 * (media_sdp_answer: one codec, telephone-event and CN when offered) lists.
 * Its default, SOA_RTP_SELECT_SINGLE, kept the codec alone, so our answers
 * lacked telephone-event and CN while the session used them.  Per handle:
 * soa_clone() does not copy rtp_select from the nua's defaults. */
#define TRUNK_SOA_ANSWER SOATAG_RTP_SELECT(SOA_RTP_SELECT_COMMON)
int  trunk_media_leg(struct leg *l, struct leg_media *m);       /* leg_ops.media */
/* Can we answer this offer with the trunk's codecs and SRTP mode?  False
 * (tc->warning then holds the 488's Warning value) when not. */
bool trunk_media_offer_ok(struct trunk_call *tc, const char *sdp, size_t len);
/* An outgoing leg about to send its INVITE for the incoming leg `in`:
 * media bypass on both SIP trunks passes the caller's offer on. */
void trunk_media_place(struct trunk_call *tc, struct leg *in);
/* The SDP of a 18x/2xx to our INVITE, before the core hears of it: kept
 * for the caller's leg when the SDP passes end to end (bypass_pass). */
void trunk_media_far_sdp(struct trunk_call *tc, const char *sdp, size_t len);

/* The other leg when it is SIP and both trunks have media bypass on. */
struct trunk_call *trunk_media_bypass_peer(struct trunk_call *tc);

/* trunk_pass.c: SIP<->SIP media bypass after the initial INVITE: offers
 * in re-INVITEs and UPDATEs, offerless re-INVITEs, their ACKs. */
/* The incoming leg tc's 18x/2xx (status): true when it passes the other
 * leg's SDP (*sdp, NULL: none to send yet) with nua's offer/answer off. */
bool trunk_pass_answer(struct trunk_call *tc, int status, const char **sdp);
/* nua's offer/answer off on tc's handle (the SDP bodies are ours). */
void trunk_pass_begin(struct trunk_call *tc, bool peer_update);
/* A re-INVITE on tc: true if passed (or answered) here. */
bool trunk_pass_invite_in(struct trunk_call *tc, const sip_t *sip);
void trunk_pass_update_in(struct trunk_call *tc, int status, const sip_t *sip);
/* A response to our INVITE on tc: true if it was a relay's (consumed). */
bool trunk_pass_r_invite(struct trunk_call *tc, int status, const sip_t *sip);
void trunk_pass_ack_in(struct trunk_call *tc, const sip_t *sip);
void trunk_pass_release(struct trunk_call *tc);         /* before the BYE */
void trunk_pass_free(struct trunk_call *tc);

/* The trunk a request from this address belongs to, or NULL. */
const struct tg_config_sip_trunk *trunk_by_source(struct trunk_agent *a, const struct sockaddr *sa);

#endif
