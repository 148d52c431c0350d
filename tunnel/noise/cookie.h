/* WireGuard's DoS defence (whitepaper 5.4.4 and 5.4.7): mac1 on every handshake message, mac2 from a
 * cookie when the responder is under load, and the cookie reply that carries it. */
#ifndef WH_NOISE_COOKIE_H
#define WH_NOISE_COOKIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "noise/messages.h"
#include "wirehop/tunnel.h"

/* The responder's side: keys derived from our public key and the rotating secret cookies come from. */
struct wh_cookie_checker {
	uint8_t secret[WH_NOISE_HASH_LEN];
	uint64_t secret_birthdate; /* monotonic ns; 0 = never made */
	uint8_t message_mac1_key[WH_NOISE_SYMMETRIC_KEY_LEN];
	uint8_t cookie_encryption_key[WH_NOISE_SYMMETRIC_KEY_LEN];
	bool has_identity;
};

/* The initiator's side, per peer: keys from the peer's public key, the cookie it gave us, our last mac1. */
struct wh_cookie {
	uint8_t message_mac1_key[WH_NOISE_SYMMETRIC_KEY_LEN];
	uint8_t cookie_decryption_key[WH_NOISE_SYMMETRIC_KEY_LEN];
	uint8_t cookie[WH_COOKIE_LEN];
	uint64_t birthdate; /* monotonic ns of the cookie's arrival */
	bool is_valid;
	uint8_t last_mac1_sent[WH_COOKIE_LEN];
	bool have_sent_mac1;
};

enum wh_cookie_mac_state {
	WH_COOKIE_INVALID_MAC,
	WH_COOKIE_VALID_MAC_BUT_NO_COOKIE,
	WH_COOKIE_VALID_MAC_WITH_COOKIE,
};

/* Sets the checker up for our public key (NULL: no identity, nothing validates). */
void wh_cookie_checker_init(struct wh_cookie_checker *checker, const uint8_t our_public[WH_NOISE_PUBLIC_KEY_LEN]);
void wh_cookie_checker_clear(struct wh_cookie_checker *checker);
/* Sets a peer's cookie state up for its public key. */
void wh_cookie_init(struct wh_cookie *cookie, const uint8_t peer_public[WH_NOISE_PUBLIC_KEY_LEN]);
void wh_cookie_clear(struct wh_cookie *cookie);

/* Checks the trailing macs of a handshake message of len bytes (initiation or response) from source
 * (its address and port bytes). mac2 is only looked at when check_cookie (we are under load). */
enum wh_cookie_mac_state wh_cookie_validate(struct wh_cookie_checker *checker, const uint8_t *message, size_t len,
					   const uint8_t *source, size_t source_len, bool check_cookie,
					   uint64_t now_ns, const struct wh_rng *rng);

/* Fills in the trailing macs of a handshake message we send: mac1 always, mac2 while we hold a cookie
 * younger than COOKIE_SECRET_MAX_AGE - COOKIE_SECRET_LATENCY. */
void wh_cookie_add_macs(struct wh_cookie *cookie, uint8_t *message, size_t len, uint64_t now_ns);

/* Writes the cookie reply to a handshake message of len bytes whose sender index is sender_index. */
void wh_cookie_create_reply(struct wh_cookie_checker *checker, struct wh_message_handshake_cookie *dst,
			    const uint8_t *message, size_t len, uint32_t sender_index, const uint8_t *source,
			    size_t source_len, uint64_t now_ns, const struct wh_rng *rng);

/* Takes the cookie from a reply to our last handshake message; false when we sent none or it does not
 * decrypt. */
bool wh_cookie_consume_reply(struct wh_cookie *cookie, const struct wh_message_handshake_cookie *src,
			     uint64_t now_ns);

#endif
