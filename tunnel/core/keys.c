/* The public API's basics: library start-up, system clock and RNG, key generation and base64. */
#include "wirehop/tunnel.h"

#include <sodium.h>
#include <string.h>
#include <time.h>

#include "crypto/x25519.h"

int wh_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

const char *wh_version(void)
{
	return WH_VERSION;
}

static uint64_t read_clock(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * UINT64_C(1000000000) + (uint64_t)ts.tv_nsec;
}

static uint64_t system_monotonic(void *ctx)
{
	(void)ctx;
	return read_clock(CLOCK_MONOTONIC);
}

static uint64_t system_realtime(void *ctx)
{
	(void)ctx;
	return read_clock(CLOCK_REALTIME);
}

static void system_fill(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	randombytes_buf(buf, len);
}

const struct wh_clock *wh_clock_system(void)
{
	static const struct wh_clock clock = {system_monotonic, system_realtime, NULL};
	return &clock;
}

const struct wh_rng *wh_rng_system(void)
{
	static const struct wh_rng rng = {system_fill, NULL};
	return &rng;
}

void wh_key_generate_private(uint8_t private_key[WH_KEY_SIZE], const struct wh_rng *rng)
{
	if (!rng)
		rng = wh_rng_system();
	rng->fill(rng->ctx, private_key, WH_KEY_SIZE);
	wh_x25519_clamp(private_key);
}

bool wh_key_public_from_private(uint8_t public_key[WH_KEY_SIZE], const uint8_t private_key[WH_KEY_SIZE])
{
	return wh_x25519_public(public_key, private_key);
}

void wh_key_to_base64(char out[WH_KEY_BASE64_LEN + 1], const uint8_t key[WH_KEY_SIZE])
{
	sodium_bin2base64(out, WH_KEY_BASE64_LEN + 1, key, WH_KEY_SIZE, sodium_base64_VARIANT_ORIGINAL);
}

bool wh_key_from_base64(uint8_t key[WH_KEY_SIZE], const char *base64)
{
	size_t len = 0;
	const char *end = NULL;

	if (!base64 || strlen(base64) != WH_KEY_BASE64_LEN || base64[WH_KEY_BASE64_LEN - 1] != '=')
		goto fail;
	if (sodium_base642bin(key, WH_KEY_SIZE, base64, WH_KEY_BASE64_LEN, NULL, &len, &end,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    len != WH_KEY_SIZE || *end != '\0')
		goto fail;
	return true;
fail:
	sodium_memzero(key, WH_KEY_SIZE);
	return false;
}
