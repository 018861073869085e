/*
 * test_trunk_profile.c -- interop profiles resolved with the trunk's columns
 * and overrides (daemon/sip/trunk_profile.c), and the pure header mapping
 * (daemon/sip/trunk_hdr.c): numbers, URI forms, identity, redirection.
 */
#include "config.h"
#include <errno.h>
#include <string.h>

#include "test.h"
#include "trunk_profile.h"

#define X(fn) int fn(void);
#include "tests.def"
#undef X

static int resolve(const char *profile, bool prack, unsigned st, const char *refer,
		   const char *interop, struct trunk_interop *ti, char *err, size_t errlen)
{
	struct trunk_interop_cols c = { .profile = profile, .prack = prack, .session_timer = st,
					.refer_mode = refer, .interop = interop };

	return trunk_interop_resolve(&c, ti, err, errlen);
}

int test_trunk_profiles_bundle_their_switches(void)
{
	struct trunk_interop ti;
	char msg[200];
	int err = 0;

	TEST_ERR(resolve("generic", false, 0, "reject", "", &ti, msg, sizeof(msg)));
	TEST_EQ(TRUNK_100REL_OFF, ti.rel100);
	TEST_EQ(0, ti.session_timer);
	TEST_EQ(TRUNK_EARLY_INBAND, ti.early);
	TEST_EQ(TRUNK_IDENT_PAI, ti.identity);
	TEST_EQ(TRUNK_NUM_ASIS, ti.number);
	TEST_EQ(TRUNK_URI_SIP, ti.uri);
	TEST_EQ(TRUNK_REFER_REJECT, ti.refer);
	TEST_STREQ("", ti.transport);
	TEST_ERR(resolve("lync2013", false, 0, "reject", "", &ti, msg, sizeof(msg)));
	TEST_EQ(TRUNK_EARLY_IMMEDIATE, ti.early);
	TEST_EQ(TRUNK_NUM_E164, ti.number);
	TEST_EQ(TRUNK_URI_PHONE, ti.uri);
	TEST_EQ(TRUNK_REFER_ACT, ti.refer);
	TEST_EQ(TRUNK_DIV_HISTORY, ti.diversion);
	TEST_ERR(resolve("itsp", false, 0, "reject", "", &ti, msg, sizeof(msg)));
	TEST_EQ(TRUNK_100REL_ON, ti.rel100);
	TEST_EQ(1800, ti.session_timer);
	TEST_EQ(TRUNK_REFRESHER_US, ti.refresher);
	TEST_EQ(TRUNK_IDENT_BOTH, ti.identity);
	TEST_EQ(EINVAL, resolve("lync2010", false, 0, "reject", "", &ti, msg, sizeof(msg)));
	TEST_CONTAINS(msg, "lync2010");
	TEST_EQ(TRUNK_EARLY_INBAND, ti.early);   /* generic's, to go on with */
out:
	return err;
}

int test_trunk_columns_and_interop_override_the_profile(void)
{
	struct trunk_interop ti;
	char msg[200];
	int err = 0;

	/* Columns: prack on, an interval, a REFER mode. */
	TEST_ERR(resolve("generic", true, 600, "pass", "", &ti, msg, sizeof(msg)));
	TEST_EQ(TRUNK_100REL_ON, ti.rel100);
	TEST_EQ(600, ti.session_timer);
	TEST_EQ(TRUNK_REFER_PASS, ti.refer);
	/* The interop string comes last: it can turn off what a profile has. */
	TEST_ERR(resolve("itsp", true, 0, "reject",
			 " 100rel = off,session_timer=0, early_media=immediate,identity=rpid,"
			 "number=asis,uri=tel,refer=act,redirect=fail,diversion=both,"
			 "transport=tcp,cause.34=486,cause.34=503,cause.17=600,", &ti, msg,
			 sizeof(msg)));
	TEST_EQ(TRUNK_100REL_OFF, ti.rel100);
	TEST_EQ(0, ti.session_timer);
	TEST_EQ(TRUNK_EARLY_IMMEDIATE, ti.early);
	TEST_EQ(TRUNK_IDENT_RPID, ti.identity);
	TEST_EQ(TRUNK_NUM_ASIS, ti.number);
	TEST_EQ(TRUNK_URI_TEL, ti.uri);
	TEST_EQ(TRUNK_REFER_ACT, ti.refer);
	TEST_EQ(TRUNK_REDIR_FAIL, ti.redirect);
	TEST_EQ(TRUNK_DIV_BOTH, ti.diversion);
	TEST_STREQ("tcp", ti.transport);
	TEST_EQ(2, ti.ncauses);
	TEST_EQ(503, trunk_interop_status(&ti, 34, 999));
	TEST_EQ(600, trunk_interop_status(&ti, 17, 486));
	TEST_EQ(480, trunk_interop_status(&ti, 16, 480));
	/* SIP status -> Q.850 cause, the other way. */
	TEST_ERR(resolve("lync2013", false, 0, "", "status.486=34, status.404=3,status.486=42",
			 &ti, msg, sizeof(msg)));
	TEST_EQ(2, ti.nstatuses);
	TEST_EQ(42, trunk_interop_cause(&ti, 486, 17));
	TEST_EQ(3, trunk_interop_cause(&ti, 404, 1));
	TEST_EQ(41, trunk_interop_cause(&ti, 503, 41));
	TEST_EQ(EINVAL, resolve("generic", false, 0, "", "status.399=34", &ti, msg, sizeof(msg)));
	TEST_CONTAINS(msg, "status.399=34");
	TEST_EQ(EINVAL, resolve("generic", false, 0, "", "status.486=128", &ti, msg, sizeof(msg)));
	TEST_CONTAINS(msg, "400..699");
	TEST_ERR(resolve("generic", false, 0, "reject", "transport=any", &ti, msg, sizeof(msg)));
	TEST_STREQ("", ti.transport);
	/* Each bad item is named. */
	TEST_EQ(EINVAL, resolve("generic", false, 0, "", "early_media=yes", &ti, msg, sizeof(msg)));
	TEST_CONTAINS(msg, "early_media=yes");
	TEST_CONTAINS(msg, "immediate");
	TEST_EQ(EINVAL, resolve("generic", false, 0, "", "session_timer=30", &ti, msg, sizeof(msg)));
	TEST_CONTAINS(msg, "90..86400");
	TEST_EQ(EINVAL, resolve("generic", false, 0, "", "cause.200=503", &ti, msg, sizeof(msg)));
	TEST_EQ(EINVAL, resolve("generic", false, 0, "", "cause.34=200", &ti, msg, sizeof(msg)));
	TEST_EQ(EINVAL, resolve("generic", false, 0, "", "srtp=on", &ti, msg, sizeof(msg)));
	TEST_CONTAINS(msg, "unknown switch \"srtp\"");
	TEST_EQ(EINVAL, resolve("generic", false, 0, "", "100rel", &ti, msg, sizeof(msg)));
	TEST_CONTAINS(msg, "not name=value");
	TEST_EQ(EINVAL, resolve("generic", false, 0, "", "a=b,,c=d", &ti, msg, sizeof(msg)));
out:
	return err;
}

int test_trunk_numbers_and_uris_on_the_wire(void)
{
	struct trunk_interop asis = { .number = TRUNK_NUM_ASIS }, e164 = { .number = TRUNK_NUM_E164 };
	char out[100], d[33];
	int ton = -1, npi = -1;
	int err = 0;

	trunk_number_out(&e164, "4930123", 1, out, sizeof(out));
	TEST_STREQ("+4930123", out);
	trunk_number_out(&e164, "030123", 2, out, sizeof(out));        /* national: as it is */
	TEST_STREQ("030123", out);
	trunk_number_out(&e164, "+4930123", 1, out, sizeof(out));      /* no second + */
	TEST_STREQ("+4930123", out);
	trunk_number_out(&asis, "4930123", 1, out, sizeof(out));
	TEST_STREQ("4930123", out);
	strcpy(d, "+4930123");
	trunk_number_in(&e164, d, &ton, &npi);
	TEST_STREQ("4930123", d);
	TEST_EQ(1, ton);
	TEST_EQ(1, npi);
	strcpy(d, "+4930123");
	ton = -1;
	trunk_number_in(&asis, d, &ton, &npi);
	TEST_STREQ("+4930123", d);
	TEST_EQ(-1, ton);
	trunk_uri(out, sizeof(out), TRUNK_URI_SIP, "12#3", "192.0.2.1:5068");
	TEST_STREQ("sip:12%233@192.0.2.1:5068", out);
	trunk_uri(out, sizeof(out), TRUNK_URI_PHONE, "+4930", "[2001:db8::1]");
	TEST_STREQ("sip:+4930@[2001:db8::1];user=phone", out);
	trunk_uri(out, sizeof(out), TRUNK_URI_TEL, "+4930", "ignored");
	TEST_STREQ("tel:+4930", out);
out:
	return err;
}

int test_trunk_identity_headers_follow_the_switch(void)
{
	struct trunk_interop ti = { .identity = TRUNK_IDENT_PAI };
	char out[400];
	int err = 0;

	trunk_identity_headers(&ti, "sip:+4930@gw", false, out, sizeof(out));
	TEST_STREQ("P-Asserted-Identity: <sip:+4930@gw>\r\n", out);
	trunk_identity_headers(&ti, "sip:+4930@gw", true, out, sizeof(out));
	TEST_STREQ("P-Asserted-Identity: <sip:+4930@gw>\r\nPrivacy: id\r\n", out);
	ti.identity = TRUNK_IDENT_RPID;
	trunk_identity_headers(&ti, "sip:+4930@gw", true, out, sizeof(out));
	TEST_STREQ("Remote-Party-ID: <sip:+4930@gw>;party=calling;screen=yes;privacy=full\r\n", out);
	ti.identity = TRUNK_IDENT_BOTH;
	trunk_identity_headers(&ti, "tel:+4930", false, out, sizeof(out));
	TEST_STREQ("P-Asserted-Identity: <tel:+4930>\r\n"
		   "Remote-Party-ID: <tel:+4930>;party=calling;screen=yes;privacy=off\r\n", out);
	ti.identity = TRUNK_IDENT_NONE;
	trunk_identity_headers(&ti, "sip:1@gw", true, out, sizeof(out));
	TEST_STREQ("", out);
	ti.identity = TRUNK_IDENT_PAI;
	trunk_identity_headers(&ti, "", false, out, sizeof(out));      /* no number */
	TEST_STREQ("", out);
	TEST_ASSERT(trunk_rpid_restricted("full"));
	TEST_ASSERT(trunk_rpid_restricted("URI"));
	TEST_ASSERT(!trunk_rpid_restricted("off"));
	TEST_ASSERT(!trunk_rpid_restricted("name"));
	TEST_ASSERT(!trunk_rpid_restricted(NULL));
out:
	return err;
}

int test_trunk_redirection_maps_both_ways(void)
{
	struct trunk_interop ti = { .diversion = TRUNK_DIV_BOTH };
	char out[600], num[33];
	int reason = -1;
	int err = 0;

	trunk_diversion_headers(&ti, "sip:+4930111@gw;user=phone", "sip:+4930222@pbx;user=phone",
				1, out, sizeof(out));
	TEST_STREQ("Diversion: <sip:+4930111@gw;user=phone>;reason=user-busy;counter=1\r\n"
		   "History-Info: <sip:+4930111@gw;user=phone?Reason=SIP%3Bcause%3D486>;index=1,"
		   "<sip:+4930222@pbx;user=phone>;index=1.1\r\n", out);
	ti.diversion = TRUNK_DIV_NONE;
	trunk_diversion_headers(&ti, "sip:1@gw", "sip:2@pbx", 15, out, sizeof(out));
	TEST_STREQ("", out);
	/* Diversion: the first (most recent) entry. */
	TEST_ASSERT(trunk_diversion_parse("\"Bob\" <sip:4930111@pbx>;reason=no-answer;counter=1, "
					  "<sip:4930999@pbx>;reason=user-busy", num, sizeof(num),
					  &reason));
	TEST_STREQ("4930111", num);
	TEST_EQ(2, reason);
	TEST_ASSERT(trunk_diversion_parse("<tel:+4930111>;reason=unconditional", num, sizeof(num),
					  &reason));
	TEST_STREQ("+4930111", num);
	TEST_EQ(15, reason);
	TEST_ASSERT(trunk_diversion_parse("<sip:4930111@pbx>", num, sizeof(num), &reason));
	TEST_EQ(0, reason);
	TEST_ASSERT(!trunk_diversion_parse("<sip:bob@pbx>;reason=user-busy", num, sizeof(num),
					   &reason));
	/* History-Info: RFC 4244 Reason in the redirecting entry... */
	TEST_ASSERT(trunk_history_parse("<sip:4930111@pbx?Reason=SIP%3Bcause%3D302>;index=1,"
					"<sip:4930222@pbx>;index=1.1", num, sizeof(num), &reason));
	TEST_STREQ("4930111", num);
	TEST_EQ(15, reason);
	/* ... or RFC 4458's cause in the target's URI; three entries: the
	 * second to last forwarded. */
	TEST_ASSERT(trunk_history_parse("<sip:100@pbx>;index=1,<sip:4930111@pbx>;index=1.1,"
					"<sip:4930222@pbx;cause=486>;index=1.1.1", num, sizeof(num),
					&reason));
	TEST_STREQ("4930111", num);
	TEST_EQ(1, reason);
	TEST_ASSERT(!trunk_history_parse("<sip:4930222@pbx>;index=1", num, sizeof(num), &reason));
	TEST_STREQ("unconditional", trunk_redirect_reason_name(15));
	TEST_EQ(9, trunk_redirect_reason_from_name("unavailable"));
	TEST_EQ(408, trunk_redirect_reason_to_cause(2));
out:
	return err;
}

int test_trunk_lync_command_follows_the_settings(void)
{
	struct trunk_interop ti;
	char msg[200], cmd[600];
	int err = 0;

	TEST_ERR(resolve("lync2013", false, 0, "", "", &ti, msg, sizeof(msg)));
	trunk_lync_command(&(struct trunk_lync_in){ .name = "lync-pool1", .tls = true,
		.srtp_mode = "optional", .media_bypass = true, .interop = &ti }, cmd, sizeof(cmd));
	TEST_CONTAINS(cmd, "Set-CsTrunkConfiguration -Identity \"PstnGateway:lync-pool1\"");
	TEST_CONTAINS(cmd, " -SRTPMode Optional ");
	TEST_CONTAINS(cmd, " -EnableBypass $true ");
	TEST_CONTAINS(cmd, " -EnableReferSupport $true ");
	TEST_CONTAINS(cmd, " -EnableSessionTimer $false ");
	TEST_CONTAINS(cmd, " -EnableFastFailoverTimer $true ");
	TEST_CONTAINS(cmd, " -ForwardCallHistory $true ");
	TEST_CONTAINS(cmd, " -ForwardPAI $true ");
	/* SRTPMode counts on TLS only; the generic profile's switches. */
	TEST_ERR(resolve("generic", false, 1800, "", "identity=rpid", &ti, msg, sizeof(msg)));
	trunk_lync_command(&(struct trunk_lync_in){ .name = "t", .tls = false,
		.srtp_mode = "required", .media_bypass = false, .interop = &ti }, cmd, sizeof(cmd));
	TEST_CONTAINS(cmd, " -SRTPMode NotSupported ");
	TEST_CONTAINS(cmd, " -EnableBypass $false ");
	TEST_CONTAINS(cmd, " -EnableReferSupport $false ");
	TEST_CONTAINS(cmd, " -EnableSessionTimer $true ");
	TEST_CONTAINS(cmd, " -EnableFastFailoverTimer $false ");
	TEST_CONTAINS(cmd, " -ForwardCallHistory $false ");
	TEST_CONTAINS(cmd, " -ForwardPAI $false ");
out:
	return err;
}
