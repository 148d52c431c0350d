/* Test support: a clock the test moves by hand and a seeded deterministic RNG. */
#ifndef WH_TEST_SUPPORT_H
#define WH_TEST_SUPPORT_H

#include <stdint.h>

#include "wirehop/tunnel.h"

struct fake_clock {
	_Atomic uint64_t monotonic_ns; /* atomic: device threads read it while a test moves it */
	_Atomic uint64_t realtime_ns;
	struct wh_clock clock;
};

/* Starts at monotonic 1000 s and realtime 2026-01-01; returns &fake->clock. */
const struct wh_clock *fake_clock_init(struct fake_clock *fake);
/* Moves both clocks forward. */
void fake_clock_advance(struct fake_clock *fake, uint64_t ns);

struct seeded_rng {
	uint8_t key[32];
	uint64_t block;
	struct wh_rng rng;
};

/* A ChaCha20 keystream from seed: the same seed gives the same bytes. */
const struct wh_rng *seeded_rng_init(struct seeded_rng *seeded, uint64_t seed);

/* Writes an IPv4/UDP-shaped packet of 20 + payload bytes from source to destination: a 20-byte header
 * (no checksum: nothing here checks it), then tag (4 bytes, host order) and bytes derived from tag, so
 * a receiver can tell packets apart and check their contents. Returns the packet's length. */
size_t test_ipv4_packet(uint8_t *packet, const uint8_t source[4], const uint8_t destination[4], size_t payload,
			uint32_t tag);

/* Parses hex (no spaces) into out; returns the byte count, aborts the test on bad hex. */
size_t hex_decode(uint8_t *out, size_t out_cap, const char *hex);

#endif
