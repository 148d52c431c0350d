/* WireGuard's wire messages, byte for byte, and the protocol's constants (whitepaper section 5 and 6). */
#ifndef WH_NOISE_MESSAGES_H
#define WH_NOISE_MESSAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/aead.h"
#include "crypto/endian.h"
#include "crypto/blake2s.h"
#include "crypto/x25519.h"

#define WH_NSEC_PER_SEC UINT64_C(1000000000)
#define WH_NSEC_PER_MSEC UINT64_C(1000000)

enum wh_noise_lengths {
	WH_NOISE_PUBLIC_KEY_LEN = WH_X25519_KEY_SIZE,
	WH_NOISE_SYMMETRIC_KEY_LEN = WH_AEAD_KEY_SIZE,
	WH_NOISE_TIMESTAMP_LEN = 12,
	WH_NOISE_AUTHTAG_LEN = WH_AEAD_TAG_SIZE,
	WH_NOISE_HASH_LEN = WH_BLAKE2S_HASH_SIZE,
	WH_COOKIE_LEN = 16,
	WH_COOKIE_NONCE_LEN = WH_XAEAD_NONCE_SIZE,
};

#define WH_NOISE_ENCRYPTED_LEN(plain_len) ((plain_len) + WH_NOISE_AUTHTAG_LEN)

/* Times in seconds, counts in messages, as the whitepaper names them. */
#define WH_REKEY_AFTER_MESSAGES (UINT64_C(1) << 60)
#define WH_REJECT_AFTER_MESSAGES (UINT64_MAX - (UINT64_C(1) << 13))
enum wh_limits {
	WH_REKEY_TIMEOUT = 5,
	WH_REKEY_TIMEOUT_JITTER_MAX_MS = 333,
	WH_REKEY_AFTER_TIME = 120,
	WH_REJECT_AFTER_TIME = 180,
	WH_REKEY_ATTEMPT_TIME = 90,
	WH_KEEPALIVE_TIMEOUT = 10,
	WH_COOKIE_SECRET_MAX_AGE = 120,
	WH_COOKIE_SECRET_LATENCY = 5,
	WH_INITIATIONS_PER_SECOND = 50,
	WH_MAX_TIMER_HANDSHAKES = WH_REKEY_ATTEMPT_TIME / WH_REKEY_TIMEOUT,
	WH_MAX_STAGED_PACKETS = 128,
};

/* True once seconds have passed since birthdate (both monotonic ns), as the kernel's
 * wg_birthdate_has_expired. */
static inline bool wh_birthdate_has_expired(uint64_t birthdate, uint64_t seconds, uint64_t now_ns)
{
	return birthdate + seconds * WH_NSEC_PER_SEC <= now_ns;
}

enum wh_message_type {
	WH_MESSAGE_INVALID = 0,
	WH_MESSAGE_HANDSHAKE_INITIATION = 1,
	WH_MESSAGE_HANDSHAKE_RESPONSE = 2,
	WH_MESSAGE_HANDSHAKE_COOKIE = 3,
	WH_MESSAGE_DATA = 4,
};

/* Every multi-byte integer on the wire is little-endian; fields are byte arrays read and written with
 * crypto/endian.h's helpers, so the structs have no padding and any alignment works. */
struct wh_message_header {
	uint8_t type; /* enum wh_message_type; the three bytes after it are zero */
	uint8_t reserved_zero[3];
};

struct wh_message_macs {
	uint8_t mac1[WH_COOKIE_LEN];
	uint8_t mac2[WH_COOKIE_LEN];
};

struct wh_message_handshake_initiation {
	struct wh_message_header header;
	uint8_t sender_index[4];
	uint8_t unencrypted_ephemeral[WH_NOISE_PUBLIC_KEY_LEN];
	uint8_t encrypted_static[WH_NOISE_ENCRYPTED_LEN(WH_NOISE_PUBLIC_KEY_LEN)];
	uint8_t encrypted_timestamp[WH_NOISE_ENCRYPTED_LEN(WH_NOISE_TIMESTAMP_LEN)];
	struct wh_message_macs macs;
};

struct wh_message_handshake_response {
	struct wh_message_header header;
	uint8_t sender_index[4];
	uint8_t receiver_index[4];
	uint8_t unencrypted_ephemeral[WH_NOISE_PUBLIC_KEY_LEN];
	uint8_t encrypted_nothing[WH_NOISE_ENCRYPTED_LEN(0)];
	struct wh_message_macs macs;
};

struct wh_message_handshake_cookie {
	struct wh_message_header header;
	uint8_t receiver_index[4];
	uint8_t nonce[WH_COOKIE_NONCE_LEN];
	uint8_t encrypted_cookie[WH_NOISE_ENCRYPTED_LEN(WH_COOKIE_LEN)];
};

struct wh_message_data {
	struct wh_message_header header;
	uint8_t key_idx[4];
	uint8_t counter[8];
	uint8_t encrypted_data[]; /* the packet padded to 16 bytes, then the 16-byte tag */
};

_Static_assert(sizeof(struct wh_message_header) == 4, "header");
_Static_assert(sizeof(struct wh_message_macs) == 32, "macs");
_Static_assert(sizeof(struct wh_message_handshake_initiation) == 148, "initiation");
_Static_assert(sizeof(struct wh_message_handshake_response) == 92, "response");
_Static_assert(sizeof(struct wh_message_handshake_cookie) == 64, "cookie reply");
_Static_assert(sizeof(struct wh_message_data) == 16, "data header");
_Static_assert(offsetof(struct wh_message_handshake_initiation, macs) == 116, "initiation macs");
_Static_assert(offsetof(struct wh_message_handshake_response, macs) == 60, "response macs");

enum wh_message_alignment {
	WH_MESSAGE_PADDING_MULTIPLE = 16,
	/* The smallest data message: header + empty plaintext + tag (a keepalive). */
	WH_MESSAGE_DATA_MIN_LEN = sizeof(struct wh_message_data) + WH_NOISE_AUTHTAG_LEN,
};

#endif
