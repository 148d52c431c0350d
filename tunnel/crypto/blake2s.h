/* BLAKE2s (RFC 7693) and HMAC-BLAKE2s: libsodium 1.0.18 has only BLAKE2b, WireGuard needs BLAKE2s. */
#ifndef WH_CRYPTO_BLAKE2S_H
#define WH_CRYPTO_BLAKE2S_H

#include <stddef.h>
#include <stdint.h>

enum wh_blake2s_lengths {
	WH_BLAKE2S_BLOCK_SIZE = 64,
	WH_BLAKE2S_HASH_SIZE = 32,
	WH_BLAKE2S_KEY_SIZE = 32,
};

struct wh_blake2s_state {
	uint32_t h[8];
	uint32_t t[2];
	uint32_t f[2];
	uint8_t buf[WH_BLAKE2S_BLOCK_SIZE];
	size_t buflen;
	size_t outlen;
};

/* Starts an unkeyed hash producing outlen bytes (1..32). */
void wh_blake2s_init(struct wh_blake2s_state *state, size_t outlen);
/* Starts a keyed hash (MAC) producing outlen bytes (1..32) under a key of 1..32 bytes. */
void wh_blake2s_init_key(struct wh_blake2s_state *state, size_t outlen, const uint8_t *key, size_t keylen);
void wh_blake2s_update(struct wh_blake2s_state *state, const uint8_t *in, size_t inlen);
/* Writes the outlen bytes chosen at init and wipes the state. */
void wh_blake2s_final(struct wh_blake2s_state *state, uint8_t *out);

/* One-shot hash; keylen 0 means unkeyed. */
void wh_blake2s(uint8_t *out, size_t outlen, const uint8_t *in, size_t inlen, const uint8_t *key, size_t keylen);

/* HMAC (RFC 2104) over BLAKE2s with its 64-byte block, as WireGuard's KDF uses it. */
void wh_blake2s_hmac(uint8_t out[WH_BLAKE2S_HASH_SIZE], const uint8_t *in, size_t inlen, const uint8_t *key,
		     size_t keylen);

#endif
