/*
 * sim.h -- the simulated card (hw/sim): the HAL driver "sim" and the knobs
 * that make any failure a real card shows replayable (HW_CAP_FAULTS).
 *
 * A sim span is one UNIX SOCK_SEQPACKET endpoint.  The side that owns the
 * span in trunkgated listens at cfg->device (a path in the state folder);
 * the far end (tgsim, or a second trunkgated) opens the same driver with
 * cfg->attach set and connects to it.  Both ends are then ordinary hw spans:
 * each paces its own transmit clock, each sees the other's D-channel frames,
 * audio periods and line state.  Until a peer is attached, or after it goes
 * away, a span is in LOS (and RED); the far end is told RAI while we are in
 * red alarm, as a framer would.
 *
 * The wire protocol is in sim_proto.h.
 */
#ifndef TG_HW_SIM_H
#define TG_HW_SIM_H

#include <stdbool.h>
#include "hw.h"

extern const struct hw_driver hw_sim_driver;

enum hw_sim_fault {
	HW_SIM_CABLE_PULL,      /* LOS on both ends until HW_SIM_CABLE_PLUG */
	HW_SIM_CABLE_PLUG,
	HW_SIM_AIS_ON,          /* send AIS: the far end raises BLUE */
	HW_SIM_AIS_OFF,
	HW_SIM_RAI_ON,          /* send RAI by hand: the far end raises YELLOW */
	HW_SIM_RAI_OFF,
	HW_SIM_CRC_ERRORS,      /* the far end counts `count` CRC errors (this second) */
	HW_SIM_SLIPS,           /* the far end counts `count` frame slips */
	HW_SIM_BPV,             /* the far end counts `count` line code violations */
	HW_SIM_DROP_PERIODS,    /* skip sending the next `count` audio periods */
	HW_SIM_RELAY_DEAD,      /* our relay no longer moves nor reports (count 1 = dead, 0 = alive) */
};

/* Inject a fault on this end.  ENOTSUP on a span of another driver. */
int hw_sim_fault(struct hw_span *span, enum hw_sim_fault f, unsigned count);

/* On the far end (attach): is the bypass relay engaged?  A relay is engaged
 * when the owning side says so, while the owning side is gone (power-fail
 * transfer: a relay falls back to "engaged" without power), and when the
 * owner armed the watchdog (hw_bypass_watchdog) and then did not re-arm it
 * in time (a hung owner).  On the owner: the relay as set, or engaged by its
 * own watchdog. */
bool hw_sim_relay_engaged(struct hw_span *span);

/* Is a peer attached right now? */
bool hw_sim_connected(struct hw_span *span);

#endif
