/*
 * trunk_profile.h -- a SIP trunk's interop switches: a named profile
 * (generic, lync2013, itsp) bundles them, the trunk's own columns (prack,
 * session_timer, refer_mode) and its `interop` override string change
 * single switches.  trunk_interop_resolve() turns the three into the
 * effective settings; pure (any thread: the config loader resolves each
 * trunk once per snapshot, the API validates with the same function).
 * docs/sip.md lists every switch with the wire change it makes.
 */
#ifndef TG_TRUNK_PROFILE_H
#define TG_TRUNK_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum trunk_100rel { TRUNK_100REL_OFF, TRUNK_100REL_ON, TRUNK_100REL_REQUIRE };
enum trunk_refresher { TRUNK_REFRESHER_AUTO, TRUNK_REFRESHER_US, TRUNK_REFRESHER_PEER };
/* Early media towards a caller on this trunk: never 183 with SDP; 183 with
 * SDP when the far side signals in-band information; that and a 183 with
 * SDP at once, when the INVITE arrives. */
enum trunk_early { TRUNK_EARLY_OFF, TRUNK_EARLY_INBAND, TRUNK_EARLY_IMMEDIATE };
enum trunk_identity { TRUNK_IDENT_PAI, TRUNK_IDENT_RPID, TRUNK_IDENT_BOTH, TRUNK_IDENT_NONE };
enum trunk_numfmt { TRUNK_NUM_ASIS, TRUNK_NUM_E164 };
enum trunk_uri { TRUNK_URI_SIP, TRUNK_URI_PHONE, TRUNK_URI_TEL };
enum trunk_refer { TRUNK_REFER_REJECT, TRUNK_REFER_PASS, TRUNK_REFER_ACT };
/* A 3xx to our INVITE: place the call to the Contact ourselves, or hand the
 * redirection back to the caller (a PRI caller gets the call released with
 * cause 23, redirection to new destination), or treat it as a failure. */
enum trunk_redirect { TRUNK_REDIR_FOLLOW, TRUNK_REDIR_RETURN, TRUNK_REDIR_FAIL };
enum trunk_diversion { TRUNK_DIV_DIVERSION, TRUNK_DIV_HISTORY, TRUNK_DIV_BOTH, TRUNK_DIV_NONE };

#define TRUNK_CAUSES_MAX 16

struct trunk_interop {
	enum trunk_100rel rel100;
	unsigned session_timer;                 /* seconds, 0 = off */
	enum trunk_refresher refresher;
	enum trunk_early early;
	enum trunk_identity identity;
	enum trunk_numfmt number;
	enum trunk_uri uri;
	enum trunk_refer refer;
	enum trunk_redirect redirect;
	enum trunk_diversion diversion;
	char transport[4];                      /* "" = each next hop's own; udp, tcp, tls */
	unsigned ncauses;                       /* Q.850 cause -> SIP status overrides */
	struct { uint8_t cause; uint16_t status; } causes[TRUNK_CAUSES_MAX];
	unsigned nstatuses;                     /* SIP status -> Q.850 cause overrides */
	struct { uint16_t status; uint8_t cause; } statuses[TRUNK_CAUSES_MAX];
};

/* What a trunk row says. */
struct trunk_interop_cols {
	const char *profile;                    /* generic, lync2013, itsp */
	bool prack;                             /* true: 100rel on (false: the profile's) */
	unsigned session_timer;                 /* >0: this interval (0: the profile's) */
	const char *refer_mode;                 /* other than "reject": this (else the profile's) */
	const char *interop;                    /* "name=value, ..." overrides, applied last */
};

/* Profile, then columns, then the interop string.  EINVAL with the bad
 * profile or item named in err (out then holds the profile's settings). */
int trunk_interop_resolve(const struct trunk_interop_cols *c, struct trunk_interop *out, char *err,
			  size_t errlen);
bool trunk_profile_valid(const char *name);
/* The SIP status for a Q.850 cause: the trunk's override, else `dflt`. */
int trunk_interop_status(const struct trunk_interop *ti, int cause, int dflt);
/* The Q.850 cause for a SIP final status: the trunk's override, else `dflt`. */
int trunk_interop_cause(const struct trunk_interop *ti, int status, int dflt);

/* The Lync side of a trunk (trunk_lync.c): the Set-CsTrunkConfiguration
 * line matching its settings, into out (docs/sip.md, "Self-test"). */
struct trunk_lync_in {
	const char *name;                       /* the trunk's name (the Identity) */
	bool tls;                               /* transport tls */
	const char *srtp_mode;                  /* off, optional, required */
	bool media_bypass;
	const struct trunk_interop *interop;    /* resolved */
};
void trunk_lync_command(const struct trunk_lync_in *in, char *out, size_t len);

#endif

/* ---- wire mapping (trunk_hdr.c): pure string work, any thread ---- */

/* A number for the wire: with number=e164 an international number (Q.931
 * type of number 1) gets a leading '+'; otherwise the digits as they are. */
void trunk_number_out(const struct trunk_interop *ti, const char *digits, int ton, char *out,
		      size_t len);
/* A number from the wire into digits/ton/npi: with number=e164 a leading
 * '+' is taken off and marks the number international, E.164. */
void trunk_number_in(const struct trunk_interop *ti, char *digits, int *ton, int *npi);
/* "sip:USER@HOST", "sip:USER@HOST;user=phone" or "tel:USER" (uri switch;
 * a Request-URI is never tel:, it must reach the next hop: phone form).
 * USER is escaped as a URI user part ('#' -> %23); HOST is host[:port] as
 * a URI writes it (an IPv6 address in brackets). */
void trunk_uri(char *out, size_t len, enum trunk_uri kind, const char *user, const char *host);
/* Extra header lines (CRLF separated, for SIPTAG_HEADER_STR) that carry the
 * caller's identity: P-Asserted-Identity and/or Remote-Party-ID as the
 * identity switch says, Privacy: id when restricted.  "" when no number. */
void trunk_identity_headers(const struct trunk_interop *ti, const char *uri, bool restricted,
			    char *out, size_t len);
/* Is a Remote-Party-ID's privacy parameter a restriction of the number? */
bool trunk_rpid_restricted(const char *privacy);

/* Redirection (a call forwarded by REDIR before it reached us): Q.931
 * redirecting reasons as libpri codes them (0 unknown, 1 busy, 2 no reply,
 * 3 deflection, 9 out of order, 10 forwarded by the DTE, 15 unconditional). */
const char *trunk_redirect_reason_name(int reason);      /* Diversion reason= token */
int  trunk_redirect_reason_from_name(const char *name);
int  trunk_redirect_reason_to_cause(int reason);         /* RFC 4458 cause (302, 486...) */
int  trunk_redirect_reason_from_cause(int cause);
/* Diversion / History-Info header lines for a call redirected by the user
 * at redirecting_uri to called_uri (the diversion switch). */
void trunk_diversion_headers(const struct trunk_interop *ti, const char *redirecting_uri,
			     const char *called_uri, int reason, char *out, size_t len);
/* The redirecting number and reason of a Diversion value (its first, most
 * recent entry) or of History-Info values joined with ','. */
bool trunk_diversion_parse(const char *value, char *num, size_t len, int *reason);
bool trunk_history_parse(const char *value, char *num, size_t len, int *reason);
