/* How each fuzz target reads its input, shared with make-corpus.c so that the seeds say what the targets mean. */
#ifndef WH_FUZZ_INPUTS_H
#define WH_FUZZ_INPUTS_H

#include <stddef.h>
#include <stdint.h>

/* Every target: the first byte picks a mode ((byte & 0x3f) % modes) and carries the flags below; the
 * rest of the input, the payload, feeds the mode. */
enum fuzz_input_flags {
	FUZZ_FLAG_VARIANT = 0x40, /* the mode's variant, described with the mode */
	FUZZ_FLAG_IPV6 = 0x80,    /* forged datagrams arrive from an IPv6 endpoint */
};

static inline unsigned fuzz_mode(uint8_t first, unsigned modes)
{
	return (first & 0x3fu) % modes;
}

/* The *_GENUINE modes' payload: a byte of these flags, a byte of seconds the clock moves before
 * FUZZ_GENUINE_FOLLOW runs both engines' timers, then (offset, xor) pairs that flip bits of the
 * genuine message (offset modulo its length). */
enum fuzz_genuine_flags {
	FUZZ_GENUINE_FIX_MACS = 1 << 0, /* recompute mac1 after the edits */
	FUZZ_GENUINE_TWICE = 1 << 1,    /* deliver it a second time */
	FUZZ_GENUINE_FOLLOW = 1 << 2,   /* then let the engines answer each other */
};

/* fuzz_initiation: handshake initiations to the responder. */
enum fuzz_initiation_mode {
	/* The payload is the datagram. */
	FUZZ_INITIATION_RAW,
	/* The payload fills an initiation after its header (sender index, ephemeral, encrypted static and
	 * timestamp: 112 bytes, zero-padded) and mac1 is made right: it reaches the Noise decryption. */
	FUZZ_INITIATION_MAC1,
	/* As MAC1 to a responder under load: its cookie reply is taken and the initiation sent again
	 * with mac2. */
	FUZZ_INITIATION_UNDER_LOAD,
	/* The initiator's genuine initiation, edited (enum fuzz_genuine_flags). */
	FUZZ_INITIATION_GENUINE,
	/* Genuine initiations from the mirror peer: up to four 9-byte records, each a clock advance in
	 * milliseconds (1 byte) and a realtime offset in nanoseconds for its TAI64N timestamp (8 bytes,
	 * little-endian, wrapping): it reaches the replay and flood checks. */
	FUZZ_INITIATION_MIRROR,
	FUZZ_INITIATION_MODES,
};

enum { FUZZ_MIRROR_RECORD_LEN = 9, FUZZ_MIRROR_RECORDS = 4 };

/* fuzz_response: handshake responses to the initiator, which waits for the answer to its initiation. */
enum fuzz_response_mode {
	FUZZ_RESPONSE_RAW,
	/* The payload fills a response after its header (sender index, receiver index, ephemeral,
	 * encrypted nothing: 56 bytes); the receiver index is forced to the pending handshake's (VARIANT:
	 * the payload's is kept) and mac1 is made right. */
	FUZZ_RESPONSE_MAC1,
	/* As MAC1 to an initiator under load, resent with mac2 from its cookie reply. */
	FUZZ_RESPONSE_UNDER_LOAD,
	/* The responder's genuine response to the pending initiation, edited (enum fuzz_genuine_flags). */
	FUZZ_RESPONSE_GENUINE,
	FUZZ_RESPONSE_MODES,
};

/* fuzz_cookie: cookie replies to the initiator, which waits for the answer to its initiation. */
enum fuzz_cookie_mode {
	FUZZ_COOKIE_RAW,
	/* The payload fills a cookie reply after its header (receiver index, nonce, encrypted cookie:
	 * 60 bytes); the receiver index is forced to the pending handshake's (VARIANT: kept). */
	FUZZ_COOKIE_FORCED,
	/* The genuine reply of a responder under load, edited (enum fuzz_genuine_flags); after 6 s or
	 * more, FUZZ_GENUINE_FOLLOW's tick makes the initiator retry, now with mac2. */
	FUZZ_COOKIE_GENUINE,
	FUZZ_COOKIE_MODES,
};

/* fuzz_data: data messages to the responder, which has confirmed sessions with the initiator and
 * the mirror. */
enum fuzz_data_mode {
	FUZZ_DATA_RAW,
	/* The payload as a data message whose type and key index (the initiator's session; VARIANT: the
	 * mirror's) are forced when it is long enough to hold them. */
	FUZZ_DATA_FORCED_INDEX,
	/* The payload is a packet the initiator's engine sends; what it sends goes to the responder. */
	FUZZ_DATA_ENGINE,
	/* The payload is any plaintext the mirror seals under its session: it reaches the inner packet
	 * checks. VARIANT delivers it twice (the second is a replay). */
	FUZZ_DATA_SEALED,
	FUZZ_DATA_MODES,
};

/* fuzz_datagram: any datagram to either engine of the established world. Even modes go to the
 * responder, odd ones to the initiator. From FUZZ_DATAGRAM_TICK on, the payload starts with timer
 * steps: a count byte ((byte % FUZZ_DATAGRAM_MAX_STEPS) + 1 steps), then per step two bytes
 * (little-endian, in units of FUZZ_DATAGRAM_TICK_UNIT_MS) by which the clock moves before both engines
 * run their timers and answer each other. The datagram is what follows. */
enum {
	FUZZ_DATAGRAM_MODES = 8,
	FUZZ_DATAGRAM_TICK = 6,
	FUZZ_DATAGRAM_MAX_STEPS = 4,
	FUZZ_DATAGRAM_TICK_UNIT_MS = 10,
};

/* libFuzzer's entry points. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
