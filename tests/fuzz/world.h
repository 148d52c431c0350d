/* The deterministic world every fuzz target starts from: two engines and a noise-layer mirror peer on
 * a fake clock and a seeded RNG. */
#ifndef WH_FUZZ_WORLD_H
#define WH_FUZZ_WORLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "noise/cookie.h"
#include "noise/handshake.h"
#include "noise/keypair.h"
#include "wirehop/tunnel.h"

enum {
	/* Datagrams an engine may queue in one input before the rest are dropped: keeps memory bounded. */
	FUZZ_OUTBOX_CAPACITY = 16,
	/* The mirror's handshake sender index, fixed so tests and seeds can name it. */
	FUZZ_MIRROR_INDEX = 0x4d495252,
	/* Host numbers: 192.0.2.<host> (2001:db8::<host>) outside, 10.0.0.<host> (fd00::<host>) inside. */
	FUZZ_INITIATOR_HOST = 1,
	FUZZ_RESPONDER_HOST = 2,
	FUZZ_MIRROR_HOST = 3,
	/* Rounds of fuzz_world_exchange() after a tick: enough for a handshake and the data it released. */
	FUZZ_EXCHANGE_ROUNDS = 8,
};

struct fuzz_clock {
	uint64_t monotonic_ns;
	uint64_t realtime_ns;
	struct wh_clock clock;
};

struct fuzz_rng {
	uint8_t key[32];
	uint64_t block;
	struct wh_rng rng;
};

struct fuzz_datagram {
	uint8_t *bytes; /* malloc'd with exactly len bytes, so a reader past the end trips ASan */
	size_t len;
	struct wh_endpoint to;
};

struct fuzz_world;

/* One engine, the peer it has for the other engine, and what it sent during the current input. */
struct fuzz_party {
	struct fuzz_world *world;
	struct wh_engine *engine;
	struct wh_endpoint endpoint; /* where the others see this party */
	struct fuzz_datagram outbox[FUZZ_OUTBOX_CAPACITY];
	size_t outbox_count;
	size_t delivered_packets;
	uint8_t delivered_digest; /* every delivered byte is read into this */
};

/* A third peer of the responder built from the noise layer alone, so the harness holds its session
 * keys and can seal any plaintext, an IP packet or not. */
struct fuzz_mirror {
	struct wh_static_identity identity;
	struct wh_handshake handshake;
	struct wh_cookie cookie;     /* mac1 towards the responder */
	struct wh_keypair *keypair;  /* NULL until FUZZ_WORLD_ESTABLISHED */
	struct wh_endpoint endpoint;
};

enum fuzz_world_stage {
	/* The initiator has sent its first initiation (kept in pending_initiation) and waits for the
	 * response; nothing was delivered. */
	FUZZ_WORLD_PENDING,
	/* Both the initiator and the mirror have confirmed sessions with the responder, each carried two
	 * data packets. */
	FUZZ_WORLD_ESTABLISHED,
};

struct fuzz_world {
	enum fuzz_world_stage stage;
	struct fuzz_clock clock;
	struct fuzz_rng rng;
	uint8_t initiator_public[WH_KEY_SIZE];
	uint8_t responder_public[WH_KEY_SIZE];
	struct fuzz_party initiator; /* 10.0.0.1, fd00::1; routes everything to the responder, keepalive 25 s */
	struct fuzz_party responder; /* serves the initiator and the mirror (10.0.0.3, fd00::3) */
	struct fuzz_mirror mirror;
	/* Harness-side mac1 (and mac2 once a cookie arrives) for messages forged towards each engine. */
	struct wh_cookie macs_to_initiator;
	struct wh_cookie macs_to_responder;

	struct wh_message_handshake_initiation pending_initiation;
	uint32_t pending_index;           /* the initiator's handshake index: its sender_index */
	uint32_t initiator_session_index; /* ESTABLISHED: the responder's index of the initiator's session */
	uint32_t mirror_session_index;    /* ESTABLISHED: the responder's index of the mirror's session */

	/* The state moved in a way later inputs could notice: the world must be rebuilt before the next
	 * input. An engine sending anything (a handshake message, a cookie reply, or a data message whose
	 * counter a replayed seed might carry), accepting anything, time or load moving: all dirty it.
	 * Only the mirror's data, sealed by the harness with counters no input can know, leaves it clean. */
	bool dirty;
};

/* What each fuzz_<name>.c provides to target.c, which holds the world and libFuzzer's entry points. */
struct fuzz_target {
	enum fuzz_world_stage stage;
	/* One input: first is its mode byte (inputs.h), payload the len bytes after it. */
	void (*run)(struct fuzz_world *world, uint8_t first, const uint8_t *payload, size_t len);
};
extern const struct fuzz_target fuzz_target;

/* Builds the world from the fixed seed; the same stage gives the same state, byte for byte. Aborts
 * when the engine does not behave as the setup expects. */
void fuzz_world_build(struct fuzz_world *world, enum fuzz_world_stage stage);
/* Frees both engines, the mirror's keypair and every queued datagram. */
void fuzz_world_destroy(struct fuzz_world *world);
/* Ends an input: drops queued datagrams, and rebuilds the world when the input dirtied it. */
void fuzz_world_finish_input(struct fuzz_world *world);

/* Hands a copy of bytes (exactly len bytes, malloc'd) to party's engine as if from source. Whatever
 * the engine accepts dirties the world: a genuine message the fuzzer replays is fresh only once. */
enum wh_receive_result fuzz_world_receive(struct fuzz_world *world, struct fuzz_party *party,
					  const uint8_t *bytes, size_t len, const struct wh_endpoint *source);
/* Hands the pending initiation to the responder and copies its answer of that type (exactly len bytes)
 * to out; false when it sent no such answer. */
bool fuzz_world_answer_pending(struct fuzz_world *world, uint8_t type, void *out, size_t len);
/* Delivers every datagram each engine queued to the other (to the mirror: dropped), for up to
 * rounds rounds or until both outboxes are empty. */
void fuzz_world_exchange(struct fuzz_world *world, unsigned rounds);
/* Drops a party's queued datagrams. */
void fuzz_outbox_clear(struct fuzz_party *party);
/* The first queued datagram of that message type, or NULL. */
const struct fuzz_datagram *fuzz_outbox_find(const struct fuzz_party *party, uint8_t type);

/* Moves both clocks forward and marks the world dirty. */
void fuzz_world_advance(struct fuzz_world *world, uint64_t ns);
/* Puts party's engine under load: handshakes then need mac2. Dirties the world. */
void fuzz_world_put_under_load(struct fuzz_world *world, struct fuzz_party *party);

/* Sends a forged handshake message (initiation or response) of len bytes to party with mac1 made
 * right from macs, the harness's cookie state towards that party. Under load the party's cookie reply
 * is taken and the message sent once more, now with mac2. Returns the last result. */
enum wh_receive_result fuzz_world_send_forged(struct fuzz_world *world, struct fuzz_party *party,
					      struct wh_cookie *macs, uint8_t *message, size_t len,
					      const struct wh_endpoint *source, bool under_load);
/* Sends a genuine message of len bytes to party after the edits payload asks for (inputs.h: flags,
 * seconds, (offset, xor) pairs); macs (NULL: none to fix) recomputes mac1 on FUZZ_GENUINE_FIX_MACS. */
void fuzz_world_send_genuine(struct fuzz_world *world, struct fuzz_party *party, struct wh_cookie *macs,
			     uint8_t *message, size_t len, const uint8_t *payload, size_t payload_len,
			     const struct wh_endpoint *source);

/* Seals plain_len bytes of any content under the mirror's session (ESTABLISHED only) and hands the
 * datagram, malloc'd with exactly its length, to the responder; twice replays it. Returns the result
 * of the first delivery. */
enum wh_receive_result fuzz_mirror_send(struct fuzz_world *world, const uint8_t *plain, size_t plain_len,
					bool twice);

/* An IPv4 (family 4) or IPv6 (6) packet from 10.0.0.<from> / fd00::<from> to <to>, with payload_len
 * bytes of payload; returns its length. out must hold 40 + payload_len bytes. */
size_t fuzz_ip_packet(uint8_t *out, int version, uint8_t from, uint8_t to, size_t payload_len);

/* An IPv4 or IPv6 UDP source endpoint in the documentation ranges, host number host. */
struct wh_endpoint fuzz_endpoint(bool ipv6, uint8_t host);

/* Applies (offset, xor) pairs from edits to message: each pair flips bits at offset % len. */
void fuzz_apply_edits(uint8_t *message, size_t len, const uint8_t *edits, size_t edits_len);

#endif
