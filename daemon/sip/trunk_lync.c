/*
 * trunk_lync.c -- the Lync/Skype for Business side of a trunk: the
 * Set-CsTrunkConfiguration line an admin runs on the Lync server so that
 * Lync expects what this trunk does (the self-test shows it; docs/sip.md
 * explains each switch).  Only switches whose value follows from a setting
 * we really have are written.  Pure; any thread.
 */
#include "config.h"
#include <stdio.h>
#include <string.h>

#include "trunk_profile.h"

static const char *ps_bool(bool v)
{
	return v ? "$true" : "$false";
}

void trunk_lync_command(const struct trunk_lync_in *in, char *out, size_t len)
{
	const struct trunk_interop *ti = in->interop;
	const char *srtp = "NotSupported";

	/* Lync honours SRTPMode on TLS trunks only; on TCP it means none. */
	if (in->tls && in->srtp_mode && !strcmp(in->srtp_mode, "optional"))
		srtp = "Optional";
	else if (in->tls && in->srtp_mode && !strcmp(in->srtp_mode, "required"))
		srtp = "Required";
	snprintf(out, len,
		 "Set-CsTrunkConfiguration -Identity \"PstnGateway:%s\""
		 " -SRTPMode %s"
		 " -EnableBypass %s"
		 " -EnableReferSupport %s"
		 " -EnableSessionTimer %s"
		 " -EnableFastFailoverTimer %s"
		 " -ForwardCallHistory %s"
		 " -ForwardPAI %s"
		 " -RTCPActiveCalls $true -RTCPCallsOnHold $true"
		 " -MaxEarlyDialogs 20",
		 in->name, srtp, ps_bool(in->media_bypass),
		 ps_bool(ti->refer == TRUNK_REFER_ACT),
		 ps_bool(ti->session_timer > 0),
		 ps_bool(ti->early == TRUNK_EARLY_IMMEDIATE),
		 ps_bool(ti->diversion == TRUNK_DIV_HISTORY || ti->diversion == TRUNK_DIV_BOTH),
		 ps_bool(ti->identity == TRUNK_IDENT_PAI || ti->identity == TRUNK_IDENT_BOTH));
}
