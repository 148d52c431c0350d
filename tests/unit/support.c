/* Test support: fake clock, deterministic RNG, hex decoding. */
#include "support.h"

#include <glib.h>
#include <sodium.h>
#include <string.h>

static uint64_t fake_monotonic(void *ctx)
{
	return ((struct fake_clock *)ctx)->monotonic_ns;
}

static uint64_t fake_realtime(void *ctx)
{
	return ((struct fake_clock *)ctx)->realtime_ns;
}

const struct wh_clock *fake_clock_init(struct fake_clock *fake)
{
	fake->monotonic_ns = UINT64_C(1000) * 1000000000u;
	fake->realtime_ns = UINT64_C(1767225600) * 1000000000u;
	fake->clock.monotonic_ns = fake_monotonic;
	fake->clock.realtime_ns = fake_realtime;
	fake->clock.ctx = fake;
	return &fake->clock;
}

void fake_clock_advance(struct fake_clock *fake, uint64_t ns)
{
	fake->monotonic_ns += ns;
	fake->realtime_ns += ns;
}

static void seeded_fill(void *ctx, void *buf, size_t len)
{
	struct seeded_rng *seeded = ctx;
	uint8_t nonce[crypto_stream_chacha20_NONCEBYTES] = {0};

	memcpy(nonce, &seeded->block, sizeof(seeded->block));
	crypto_stream_chacha20(buf, len, nonce, seeded->key);
	seeded->block++;
}

const struct wh_rng *seeded_rng_init(struct seeded_rng *seeded, uint64_t seed)
{
	memset(seeded->key, 0, sizeof(seeded->key));
	memcpy(seeded->key, &seed, sizeof(seed));
	seeded->block = 0;
	seeded->rng.fill = seeded_fill;
	seeded->rng.ctx = seeded;
	return &seeded->rng;
}

size_t hex_decode(uint8_t *out, size_t out_cap, const char *hex)
{
	size_t len = 0;

	g_assert_cmpint(sodium_hex2bin(out, out_cap, hex, strlen(hex), NULL, &len, NULL), ==, 0);
	return len;
}

size_t test_ipv4_packet(uint8_t *packet, const uint8_t source[4], const uint8_t destination[4], size_t payload,
			uint32_t tag)
{
	size_t total = 20 + payload;

	memset(packet, 0, total);
	packet[0] = 0x45;
	packet[2] = (uint8_t)(total >> 8);
	packet[3] = (uint8_t)total;
	packet[8] = 64;
	packet[9] = 17;
	memcpy(packet + 12, source, 4);
	memcpy(packet + 16, destination, 4);
	for (size_t i = 0; i < payload; i++)
		packet[20 + i] = (uint8_t)(tag * 31 + i);
	if (payload >= sizeof(tag))
		memcpy(packet + 20, &tag, sizeof(tag));
	return total;
}
