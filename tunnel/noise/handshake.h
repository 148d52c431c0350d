/* Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s as WireGuard uses it: create and consume the handshake
 * initiation and response, then derive the transport keys. Sans-IO: the caller supplies indices,
 * time and randomness, and finds peers. */
#ifndef WH_NOISE_HANDSHAKE_H
#define WH_NOISE_HANDSHAKE_H

#include <stdbool.h>
#include <stdint.h>

#include "noise/messages.h"
#include "noise/tai64n.h"
#include "wirehop/tunnel.h"

/* Our static key pair; shared by every peer's handshake. */
struct wh_static_identity {
	uint8_t static_private[WH_NOISE_PUBLIC_KEY_LEN];
	uint8_t static_public[WH_NOISE_PUBLIC_KEY_LEN];
	bool has_identity;
};

enum wh_handshake_state {
	WH_HANDSHAKE_ZEROED,
	WH_HANDSHAKE_CREATED_INITIATION,
	WH_HANDSHAKE_CONSUMED_INITIATION,
	WH_HANDSHAKE_CREATED_RESPONSE,
	WH_HANDSHAKE_CONSUMED_RESPONSE,
};

/* One peer's handshake: its static key and PSK, and the state of the exchange in progress. */
struct wh_handshake {
	enum wh_handshake_state state;
	const struct wh_static_identity *static_identity;
	uint8_t remote_static[WH_NOISE_PUBLIC_KEY_LEN];
	/* DH(our static, their static), fixed while both keys are; all zeros when unusable. */
	uint8_t precomputed_static_static[WH_NOISE_PUBLIC_KEY_LEN];
	uint8_t preshared_key[WH_NOISE_SYMMETRIC_KEY_LEN];
	uint8_t ephemeral_private[WH_NOISE_PUBLIC_KEY_LEN];
	uint8_t remote_ephemeral[WH_NOISE_PUBLIC_KEY_LEN];
	uint8_t hash[WH_NOISE_HASH_LEN];
	uint8_t chaining_key[WH_NOISE_HASH_LEN];
	uint8_t latest_timestamp[WH_TAI64N_LEN];
	uint64_t last_initiation_consumption; /* monotonic ns; flood protection */
	uint32_t local_index;
	uint32_t remote_index;
};

/* Keys for one direction pair, as wh_handshake_derive_keys() hands them to a keypair. */
struct wh_session_keys {
	uint8_t sending[WH_NOISE_SYMMETRIC_KEY_LEN];
	uint8_t receiving[WH_NOISE_SYMMETRIC_KEY_LEN];
	uint32_t local_index;
	uint32_t remote_index;
	bool i_am_the_initiator;
};

/* Sets our static key (NULL or all zeros: no identity, no handshakes). */
void wh_static_identity_set(struct wh_static_identity *identity, const uint8_t private_key[WH_NOISE_PUBLIC_KEY_LEN]);
void wh_static_identity_clear(struct wh_static_identity *identity);

/* Prepares a peer's handshake; psk may be NULL (all zeros). */
void wh_handshake_init(struct wh_handshake *handshake, const struct wh_static_identity *identity,
		       const uint8_t remote_static[WH_NOISE_PUBLIC_KEY_LEN],
		       const uint8_t preshared_key[WH_NOISE_SYMMETRIC_KEY_LEN]);
/* Recomputes the static-static DH after our identity changed. */
void wh_handshake_precompute(struct wh_handshake *handshake);
void wh_handshake_set_preshared_key(struct wh_handshake *handshake,
				    const uint8_t preshared_key[WH_NOISE_SYMMETRIC_KEY_LEN]);
/* Forgets the exchange in progress (ephemeral, hash, chaining key), keeping identity and timestamps. */
void wh_handshake_clear(struct wh_handshake *handshake);
/* Wipes everything, static keys included. */
void wh_handshake_destroy(struct wh_handshake *handshake);

/* Writes an initiation (mac fields zero: the cookie layer adds them). False when no identity or the
 * static-static DH is unusable. */
bool wh_handshake_create_initiation(struct wh_handshake *handshake, struct wh_message_handshake_initiation *dst,
				    uint32_t local_index, uint64_t realtime_ns, const struct wh_rng *rng);

/* Finds a peer's handshake by its static public key; NULL for an unknown key. */
typedef struct wh_handshake *(*wh_handshake_lookup_fn)(void *ctx, const uint8_t public_key[WH_NOISE_PUBLIC_KEY_LEN]);

/* Consumes an initiation (macs already checked). Returns the peer's handshake, now in
 * CONSUMED_INITIATION, or NULL when it does not decrypt, the peer is unknown, the timestamp is not
 * newer than the last one, or initiations come faster than INITIATIONS_PER_SECOND. */
struct wh_handshake *wh_handshake_consume_initiation(const struct wh_static_identity *identity,
						     const struct wh_message_handshake_initiation *src,
						     wh_handshake_lookup_fn lookup, void *lookup_ctx,
						     uint64_t now_ns);

/* Writes the response to a consumed initiation. */
bool wh_handshake_create_response(struct wh_handshake *handshake, struct wh_message_handshake_response *dst,
				  uint32_t local_index, const struct wh_rng *rng);

/* Consumes a response for handshake, which the caller found by receiver_index; false when the
 * handshake is not waiting for it or it does not authenticate. */
bool wh_handshake_consume_response(struct wh_handshake *handshake,
				   const struct wh_message_handshake_response *src);

/* After CREATED_RESPONSE or CONSUMED_RESPONSE: derives the transport keys and clears the handshake.
 * False in any other state. */
bool wh_handshake_derive_keys(struct wh_handshake *handshake, struct wh_session_keys *keys);

#endif
