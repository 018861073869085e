/*
 * cause.c -- Q.850 causes and SIP statuses, mapped both ways in one place.
 * The values follow RFC 3398 (ISUP/SIP, sections 7.2.4.1 and 8.2.6.1), which
 * RFC 4497 keeps for QSIG; where RFC 3398 gives no row, the cause's class
 * (Q.850 table 1) or the status's class decides.  Pure; any thread.
 */
#include "config.h"
#include <stddef.h>

#include "call.h"

static const struct {
	int cause;
	int status;
	const char *name;
} q850[] = {
	{ 1, 404, "unallocated number" },
	{ 2, 404, "no route to transit network" },
	{ 3, 404, "no route to destination" },
	{ 6, 503, "channel unacceptable" },
	{ 16, 480, "normal call clearing" },    /* before an answer only: a BYE after */
	{ 17, 486, "user busy" },
	{ 18, 408, "no user responding" },
	{ 19, 480, "no answer from user" },
	{ 20, 480, "subscriber absent" },
	{ 21, 403, "call rejected" },
	{ 22, 410, "number changed" },
	{ 23, 410, "redirection to new destination" },
	{ 25, 483, "exchange routing error" },
	{ 26, 404, "non-selected user clearing" },
	{ 27, 502, "destination out of order" },
	{ 28, 484, "invalid number format" },
	{ 29, 501, "facility rejected" },
	{ 31, 480, "normal, unspecified" },
	{ 34, 503, "no circuit/channel available" },
	{ 38, 503, "network out of order" },
	{ 41, 503, "temporary failure" },
	{ 42, 503, "switching equipment congestion" },
	{ 44, 503, "requested channel not available" },
	{ 47, 503, "resource unavailable" },
	{ 55, 403, "incoming calls barred within CUG" },
	{ 57, 403, "bearer capability not authorized" },
	{ 58, 503, "bearer capability not presently available" },
	{ 63, 503, "service or option not available" },
	{ 65, 488, "bearer capability not implemented" },
	{ 70, 488, "only restricted digital information available" },
	{ 79, 501, "service or option not implemented" },
	{ 87, 403, "user not member of CUG" },
	{ 88, 503, "incompatible destination" },
	{ 102, 504, "recovery on timer expiry" },
	{ 111, 500, "protocol error, unspecified" },
	{ 127, 500, "interworking, unspecified" },
};

static const struct {
	int status;
	int cause;
} sip[] = {
	{ 400, 41 }, { 401, 21 }, { 402, 21 }, { 403, 21 }, { 404, 1 }, { 405, 63 },
	{ 406, 79 }, { 407, 21 }, { 408, 102 }, { 410, 22 }, { 413, 127 }, { 414, 28 },
	{ 415, 79 }, { 416, 21 }, { 420, 127 }, { 421, 127 }, { 423, 127 }, { 480, 18 },
	{ 481, 41 }, { 482, 25 }, { 483, 25 }, { 484, 28 }, { 485, 1 }, { 486, 17 },
	{ 487, 127 }, { 488, 65 }, { 500, 41 }, { 501, 79 }, { 502, 38 }, { 503, 41 },
	{ 504, 102 }, { 505, 127 }, { 513, 127 }, { 600, 17 }, { 603, 21 }, { 604, 1 },
	{ 606, 58 },
};

int call_cause_to_sip(int cause)
{
	for (size_t i = 0; i < sizeof(q850) / sizeof(q850[0]); i++)
		if (q850[i].cause == cause)
			return q850[i].status;
	/* Q.850 classes: normal event, resource unavailable, service not
	 * available, not implemented, invalid message, protocol error,
	 * interworking. */
	if (cause < 32)
		return 480;
	if (cause < 64)
		return 503;
	if (cause < 80)
		return 501;
	if (cause < 96)
		return 400;
	return 500;
}

int call_sip_to_cause(int status)
{
	for (size_t i = 0; i < sizeof(sip) / sizeof(sip[0]); i++)
		if (sip[i].status == status)
			return sip[i].cause;
	if (status >= 600)
		return 31;
	if (status >= 500)
		return 41;
	if (status >= 400)
		return 21;
	return 127;
}

const char *call_cause_name(int cause)
{
	for (size_t i = 0; i < sizeof(q850) / sizeof(q850[0]); i++)
		if (q850[i].cause == cause)
			return q850[i].name;
	return "unknown cause";
}
