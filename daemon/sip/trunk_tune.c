/*
 * trunk_tune.c -- the sofia-sip settings that decide how the SIP side
 * behaves under load (issue 5, performance), measured with bench/sip.sh.
 * Why each is safe for RFC 3261 is in docs/sip.md ("Performance"):
 *
 *  - SOATAG_ADDRESS(our media address): soa otherwise lists the host's
 *    interfaces (socket, ioctl, a netlink dump) for every SDP it builds
 *    whose o=/c= address is a loopback one: about a quarter of the CPU per
 *    call.  We know our address; soa now takes it as given.
 *  - NTATAG_SIP_T1X64(8 s) instead of 32 s: timers B, F (no answer to a
 *    request), H (no ACK for a non-2xx), J and L (absorbing retransmitted
 *    requests) last 8 s.  Completed transactions and their messages are
 *    freed 4x sooner, and a silent next hop fails over after 8 s, not 32
 *    (Lync cancels an unprogressed call after 10 s).  Timer D, which also
 *    keeps an answered outgoing INVITE to absorb 2xx retransmissions, stays
 *    32 s: nta does not go below that.
 *  - NTATAG_SIP_T4(2 s) instead of 5 s: timers I and K (absorbing ACK and
 *    response retransmissions after a transaction ended) last 2 s; a later
 *    stray ACK or response is dropped, which is what happens to it anyway.
 *
 * nta takes its timers when it is created: they go to nua_create
 * (trunk_tune_tags); soa's address goes to nua_set_params (trunk_tune).
 * TG_SIP_TUNE=0 in the environment leaves all of it out (bench/sip.sh
 * compares).  Main thread.
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include <sofia-sip/nta_tag.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/soa_tag.h>

#include "trunk_int.h"

#define TUNE_T1X64_MS 8000
#define TUNE_T4_MS 2000

static bool tuned(void)
{
	const char *v = getenv("TG_SIP_TUNE");

	return !(v && !strcmp(v, "0"));
}

const tagi_t *trunk_tune_tags(const struct trunk_agent *a)
{
	static tagi_t tags[3];

	tags[0] = (tagi_t){ NTATAG_SIP_T1X64(TUNE_T1X64_MS) };
	tags[1] = (tagi_t){ NTATAG_SIP_T4(TUNE_T4_MS) };
	tags[2] = (tagi_t){ TAG_END() };
	return tuned() ? tags : tags + 2;
}

void trunk_tune(struct trunk_agent *a)
{
	if (tuned())
		nua_set_params(a->nua, SOATAG_ADDRESS(a->host), TAG_END());
}
