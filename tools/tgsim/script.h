/*
 * script.h -- tgsim's command language: one command a line, parsed into a
 * struct tgsim_cmd.  Pure: no I/O, so the parser is unit-tested on its own.
 *
 *   span NAME PATH [type=T1|E1] [switch=ni2|5ess|dms100|euroisdn|qsig]
 *        [side=network|user] [hunting=ascending|descending|round-robin] [listen]
 *   call SPAN FROM TO [channel=N] [as=LABEL]     place a call
 *   proceed|alert|answer [LABEL]                 act on a call (default: the newest)
 *   hangup [LABEL] [CAUSE]                       clear it (cause 16 by default)
 *   auto answer|reject CAUSE|off [SPAN]          what to do with incoming calls
 *   expect call [to NUMBER] [from NUMBER] [on SPAN] [as LABEL] within S
 *   expect answer|alerting|proceeding [LABEL] within S
 *   expect release [LABEL] [cause N] within S
 *   expect link up|down SPAN within S
 *   expect alarm SPAN NAMES|none within S        NAMES: LOS,RED,BLUE,YELLOW (all must be set)
 *   alarm SPAN los|ais|rai on|off                pull the cable / send AIS / send RAI
 *   inject SPAN crc|slips|bpv N                  error counts the far end will see
 *   restart SPAN                                 RESTART the whole interface
 *   load SPAN rate=CPS hold=S [answer=0..1] [count=N] [to=NUMBER] [from=NUMBER]
 *   play tone FREQ|off [LABEL]                   a sine on the call's B channel
 *   send dtmf DIGITS [LABEL]                     DTMF digits (0-9 * # A-D) on it
 *   echo on|off [LABEL] [delay=MS] [loss=DB]     an echo path: what arrives on the B channel
 *                                                goes back, MS later (20), DB weaker (6)
 *   expect tone FREQ [LABEL] within S            that frequency arrives on the B channel
 *   expect tone FREQ [LABEL] continuous S2 within S   ... and then stays, S2 s of audio
 *                                                with no gap longer than one 20 ms frame
 *   expect dtmf DIGITS [LABEL] within S          those digits arrive on it (in-band)
 *   sleep S
 *   quit
 * '#' at the start of a word starts a comment (inside a word it is a digit);
 * blank lines are skipped.
 */
#ifndef TG_TGSIM_SCRIPT_H
#define TG_TGSIM_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>

enum tgsim_op {
	OP_SPAN, OP_CALL, OP_PROCEED, OP_ALERT, OP_ANSWER, OP_HANGUP, OP_AUTO,
	OP_EXPECT_CALL, OP_EXPECT_ANSWER, OP_EXPECT_ALERTING, OP_EXPECT_PROCEEDING,
	OP_EXPECT_RELEASE, OP_EXPECT_LINK, OP_EXPECT_ALARM,
	OP_ALARM, OP_INJECT, OP_RESTART, OP_LOAD, OP_SLEEP, OP_QUIT,
	OP_PLAY_TONE, OP_SEND_DTMF, OP_EXPECT_TONE, OP_EXPECT_DTMF, OP_ECHO,
};

enum tgsim_auto { AUTO_OFF, AUTO_ANSWER, AUTO_REJECT };

struct tgsim_cmd {
	enum tgsim_op op;
	unsigned line;
	char span[33];
	char path[256];                 /* span */
	char type[4], sw[12], side[12], hunting[16];
	bool listen;                    /* span: own the socket instead of attaching */
	char from[33], to[33];          /* call, expect call, load */
	char label[33];                 /* call as=, act on LABEL, expect ... LABEL */
	bool inband;                    /* alert inband: progress indicator 8, in-band tones */
	char redirecting[33];           /* call redirecting= ("" = not forwarded) */
	unsigned reason;                /* call reason= (Q.931 redirecting reason, 15) */
	int ton;                        /* call ton= for both numbers (-1 = national) */
	unsigned channel;
	int cause;                      /* hangup, expect release (-1: any), auto reject */
	enum tgsim_auto auto_mode;
	double within;                  /* expect: seconds */
	bool up;                        /* expect link; alarm on/off */
	char what[16];                  /* alarm: los/ais/rai; inject: crc/slips/bpv */
	unsigned alarms;                /* expect alarm: hw_alarm bits (0 = none) */
	unsigned count;                 /* inject N; load count= (0 = unlimited) */
	double rate, hold, answer_ratio, seconds;   /* load; sleep */
	double freq;                    /* play tone (0 = off), expect tone: Hz */
	double continuous_s;            /* expect tone: audio checked for gaps after (0 = no) */
	char dtmf[33];                  /* send dtmf, expect dtmf */
	double echo_delay_ms, echo_loss_db;     /* echo on (up): the path's delay and loss */
};

/* Parse one line.  Returns 1 with *cmd set, 0 for a blank/comment line, -1
 * with a message naming the problem in err. */
int tgsim_parse_line(const char *line, unsigned lineno, struct tgsim_cmd *cmd, char *err,
		     size_t errlen);

#endif
