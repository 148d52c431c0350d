/* Wirehop tunnel engine: public API (keys, clock and randomness injection, the protocol engine). */
#ifndef WIREHOP_TUNNEL_H
#define WIREHOP_TUNNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
	WH_KEY_SIZE = 32,
	/* Base64 of a key with its '=' padding, without the terminating NUL. */
	WH_KEY_BASE64_LEN = 44,
};

/* Time as the engine sees it. monotonic_ns drives timers; realtime_ns (nanoseconds since the Unix
 * epoch) is only used for TAI64N handshake timestamps and reported handshake times. */
struct wh_clock {
	uint64_t (*monotonic_ns)(void *ctx);
	uint64_t (*realtime_ns)(void *ctx);
	void *ctx;
};

/* Source of randomness: fills len bytes. Tests inject a deterministic one. */
struct wh_rng {
	void (*fill)(void *ctx, void *buf, size_t len);
	void *ctx;
};

/* Initialises libsodium; call once before anything else. Returns 0, or -1 when it cannot start. */
int wh_init(void);

/* The engine's version, e.g. "0.1.0". */
const char *wh_version(void);

/* The system clock (CLOCK_MONOTONIC and CLOCK_REALTIME) and the system RNG (libsodium). */
const struct wh_clock *wh_clock_system(void);
const struct wh_rng *wh_rng_system(void);

/* Generates a new clamped private key from rng (NULL: the system RNG). */
void wh_key_generate_private(uint8_t private_key[WH_KEY_SIZE], const struct wh_rng *rng);

/* Derives the public key of a private key; false for the all-zero key. */
bool wh_key_public_from_private(uint8_t public_key[WH_KEY_SIZE], const uint8_t private_key[WH_KEY_SIZE]);

/* Writes the standard base64 form of a key and a terminating NUL into out. */
void wh_key_to_base64(char out[WH_KEY_BASE64_LEN + 1], const uint8_t key[WH_KEY_SIZE]);

/* Parses the base64 form of a key (exactly 44 characters with one '='); false, with key wiped, on
 * anything else. */
bool wh_key_from_base64(uint8_t key[WH_KEY_SIZE], const char *base64);

#ifdef __cplusplus
}
#endif

#endif
