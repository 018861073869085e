/*
 * sim_proto.h -- the wire protocol between the two ends of a sim span.
 *
 * One UNIX SOCK_SEQPACKET connection per span; one message per packet, so
 * messages are never split or merged and a send is atomic (two threads may
 * send on the same socket).  Both ends run on the same host: integers are in
 * host byte order and the structs are sent as they are (fixed-size fields,
 * no padding holes).
 *
 * Every message is a struct sim_hdr and `len` bytes of payload:
 *
 *   HELLO  first message each way, sent as soon as the connection exists:
 *          span type and frame_ms.  A mismatch is logged and the line stays
 *          in LOS (a wrong cable), nothing else is accepted on it.
 *   DCHAN  one D-channel frame, 1..HW_DCHAN_MAX bytes, without the FCS.
 *   AUDIO  one period: hw_span_timeslots(type) * 8 * frame_ms bytes,
 *          channel-major, companded as on the wire.
 *   LINE   the sender's line state (cable pulled, sending AIS, sending RAI)
 *          and error counts the receiver adds to its counters.  Sent after
 *          HELLO and whenever the state changes or counts are injected.
 *   RELAY  owner -> attacher: the bypass relay is engaged (1) or released (0),
 *          and the relay watchdog's timeout (0 = none).  Sent after HELLO,
 *          whenever the owner moves the relay, and on every re-arm of the
 *          watchdog.  The attacher runs the same watchdog: a released relay
 *          with a timeout that sees no RELAY within it counts as engaged
 *          (the owner hung: on a real card the watchdog is in hardware and
 *          keeps running while the host is stuck).  A 1-byte RELAY (engaged
 *          only, from before the watchdog) is still accepted.
 *
 * A message of an unknown type is ignored (a newer peer); a malformed one
 * (short, wrong length, wrong version, no HELLO first) ends the connection.
 */
#ifndef TG_HW_SIM_PROTO_H
#define TG_HW_SIM_PROTO_H

#include <stdint.h>

#define SIM_PROTO_VERSION 1

enum sim_msg_type {
	SIM_MSG_HELLO = 1,
	SIM_MSG_DCHAN = 2,
	SIM_MSG_AUDIO = 3,
	SIM_MSG_LINE = 4,
	SIM_MSG_RELAY = 5,
};

struct sim_hdr {
	uint8_t type;                   /* enum sim_msg_type */
	uint8_t version;                /* SIM_PROTO_VERSION */
	uint16_t len;                   /* payload bytes after this header */
	uint32_t seq;                   /* per connection and direction; for traces only
					 * (D-channel and audio come from two threads) */
};

struct sim_hello {
	uint8_t span_type;              /* enum hw_span_type */
	uint8_t frame_ms;               /* 10, 20, 30, 40 */
	uint8_t role;                   /* SIM_ROLE_* of the sender */
	uint8_t reserved;
};

enum { SIM_ROLE_OWNER = 0, SIM_ROLE_ATTACH = 1 };

enum {
	SIM_LINE_PULLED = 1 << 0,       /* the sender's cable is out: LOS both ways */
	SIM_LINE_AIS = 1 << 1,          /* the sender sends all ones */
	SIM_LINE_RAI = 1 << 2,          /* the sender signals remote alarm */
};

struct sim_line {
	uint8_t flags;                  /* SIM_LINE_* */
	uint8_t reserved[3];
	uint32_t crc_errors;            /* counts the receiver adds to its counters */
	uint32_t slips;
	uint32_t bpv;
};

struct sim_relay {
	uint8_t engaged;
	uint8_t reserved[3];
	uint32_t watchdog_ms;           /* 0: no watchdog */
};
#define SIM_RELAY_V1_LEN 1              /* engaged only */

/* The largest payload: an E1 period of 40 ms. */
#define SIM_MAX_PAYLOAD (31 * 8 * 40)

#endif
