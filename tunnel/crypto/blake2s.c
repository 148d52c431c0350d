/* BLAKE2s (RFC 7693) and HMAC-BLAKE2s, the hash and MAC underneath WireGuard's handshake. */
#include "crypto/blake2s.h"

#include <assert.h>
#include <sodium.h>
#include <string.h>

/* For the little-endian load and store helpers only. */
#include "crypto/endian.h"

static const uint32_t blake2s_iv[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

static const uint8_t blake2s_sigma[10][16] = {
	{ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 },
	{ 14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3 },
	{ 11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4 },
	{ 7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8 },
	{ 9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13 },
	{ 2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9 },
	{ 12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11 },
	{ 13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10 },
	{ 6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5 },
	{ 10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0 },
};

enum { HMAC_IPAD = 0x36, HMAC_OPAD = 0x5c };

static uint32_t ror32(uint32_t word, unsigned int shift)
{
	return (word >> shift) | (word << (32 - shift));
}

/* The mixing function G of RFC 7693 section 3.1. */
static void blake2s_g(uint32_t v[16], int a, int b, int c, int d, uint32_t x, uint32_t y)
{
	v[a] = v[a] + v[b] + x;
	v[d] = ror32(v[d] ^ v[a], 16);
	v[c] = v[c] + v[d];
	v[b] = ror32(v[b] ^ v[c], 12);
	v[a] = v[a] + v[b] + y;
	v[d] = ror32(v[d] ^ v[a], 8);
	v[c] = v[c] + v[d];
	v[b] = ror32(v[b] ^ v[c], 7);
}

static void blake2s_increment_counter(struct wh_blake2s_state *state, uint32_t inc)
{
	state->t[0] += inc;
	state->t[1] += (state->t[0] < inc);
}

/* Compresses one 64-byte block; the caller has already counted its bytes. */
static void blake2s_compress(struct wh_blake2s_state *state, const uint8_t block[WH_BLAKE2S_BLOCK_SIZE])
{
	uint32_t m[16], v[16];
	int i;

	for (i = 0; i < 16; i++)
		m[i] = wh_get_le32(block + 4 * i);
	memcpy(v, state->h, sizeof(state->h));
	memcpy(v + 8, blake2s_iv, sizeof(blake2s_iv));
	v[12] ^= state->t[0];
	v[13] ^= state->t[1];
	v[14] ^= state->f[0];
	v[15] ^= state->f[1];

	for (i = 0; i < 10; i++) {
		const uint8_t *s = blake2s_sigma[i];

		blake2s_g(v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
		blake2s_g(v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
		blake2s_g(v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
		blake2s_g(v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
		blake2s_g(v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
		blake2s_g(v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
		blake2s_g(v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
		blake2s_g(v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
	}

	for (i = 0; i < 8; i++)
		state->h[i] ^= v[i] ^ v[i + 8];

	/* The message words can be key or HMAC pad material. */
	sodium_memzero(m, sizeof(m));
	sodium_memzero(v, sizeof(v));
}

/* Sets up the parameter block of RFC 7693 section 2.5: no salt, personalisation or tree hashing. */
static void blake2s_init_param(struct wh_blake2s_state *state, size_t outlen, size_t keylen)
{
	assert(outlen >= 1 && outlen <= WH_BLAKE2S_HASH_SIZE);
	assert(keylen <= WH_BLAKE2S_KEY_SIZE);

	memset(state, 0, sizeof(*state));
	memcpy(state->h, blake2s_iv, sizeof(blake2s_iv));
	state->h[0] ^= 0x01010000u ^ (uint32_t)(keylen << 8) ^ (uint32_t)outlen;
	state->outlen = outlen;
}

void wh_blake2s_init(struct wh_blake2s_state *state, size_t outlen)
{
	blake2s_init_param(state, outlen, 0);
}

void wh_blake2s_init_key(struct wh_blake2s_state *state, size_t outlen, const uint8_t *key, size_t keylen)
{
	assert(keylen >= 1);

	blake2s_init_param(state, outlen, keylen);
	/* The key is hashed as a zero-padded first block; buf is already zero. */
	memcpy(state->buf, key, keylen);
	state->buflen = WH_BLAKE2S_BLOCK_SIZE;
}

void wh_blake2s_update(struct wh_blake2s_state *state, const uint8_t *in, size_t inlen)
{
	size_t fill = WH_BLAKE2S_BLOCK_SIZE - state->buflen;

	if (inlen == 0)
		return;
	/*
	 * The last block must be compressed by final with the finalisation flag set, so a block is only
	 * compressed here once more input is known to follow it: hence "greater than", not "at least".
	 */
	if (inlen > fill) {
		memcpy(state->buf + state->buflen, in, fill);
		blake2s_increment_counter(state, WH_BLAKE2S_BLOCK_SIZE);
		blake2s_compress(state, state->buf);
		state->buflen = 0;
		in += fill;
		inlen -= fill;
		while (inlen > WH_BLAKE2S_BLOCK_SIZE) {
			blake2s_increment_counter(state, WH_BLAKE2S_BLOCK_SIZE);
			blake2s_compress(state, in);
			in += WH_BLAKE2S_BLOCK_SIZE;
			inlen -= WH_BLAKE2S_BLOCK_SIZE;
		}
	}
	memcpy(state->buf + state->buflen, in, inlen);
	state->buflen += inlen;
}

void wh_blake2s_final(struct wh_blake2s_state *state, uint8_t *out)
{
	uint8_t digest[WH_BLAKE2S_HASH_SIZE];
	int i;

	blake2s_increment_counter(state, (uint32_t)state->buflen);
	state->f[0] = UINT32_MAX;
	memset(state->buf + state->buflen, 0, WH_BLAKE2S_BLOCK_SIZE - state->buflen);
	blake2s_compress(state, state->buf);

	for (i = 0; i < 8; i++)
		wh_put_le32(digest + 4 * i, state->h[i]);
	memcpy(out, digest, state->outlen);

	sodium_memzero(digest, sizeof(digest));
	sodium_memzero(state, sizeof(*state));
}

void wh_blake2s(uint8_t *out, size_t outlen, const uint8_t *in, size_t inlen, const uint8_t *key, size_t keylen)
{
	struct wh_blake2s_state state;

	if (keylen)
		wh_blake2s_init_key(&state, outlen, key, keylen);
	else
		wh_blake2s_init(&state, outlen);
	wh_blake2s_update(&state, in, inlen);
	wh_blake2s_final(&state, out);
}

void wh_blake2s_hmac(uint8_t out[WH_BLAKE2S_HASH_SIZE], const uint8_t *in, size_t inlen, const uint8_t *key,
		     size_t keylen)
{
	struct wh_blake2s_state state;
	uint8_t padded_key[WH_BLAKE2S_BLOCK_SIZE] = { 0 };
	uint8_t inner[WH_BLAKE2S_HASH_SIZE];
	int i;

	/* RFC 2104: a key longer than the block is replaced by its hash. */
	if (keylen > WH_BLAKE2S_BLOCK_SIZE)
		wh_blake2s(padded_key, WH_BLAKE2S_HASH_SIZE, key, keylen, NULL, 0);
	else if (keylen)
		memcpy(padded_key, key, keylen);

	for (i = 0; i < WH_BLAKE2S_BLOCK_SIZE; i++)
		padded_key[i] ^= HMAC_IPAD;
	wh_blake2s_init(&state, WH_BLAKE2S_HASH_SIZE);
	wh_blake2s_update(&state, padded_key, WH_BLAKE2S_BLOCK_SIZE);
	wh_blake2s_update(&state, in, inlen);
	wh_blake2s_final(&state, inner);

	/* Turns the inner pad into the outer one without keeping the bare key around. */
	for (i = 0; i < WH_BLAKE2S_BLOCK_SIZE; i++)
		padded_key[i] ^= HMAC_IPAD ^ HMAC_OPAD;
	wh_blake2s_init(&state, WH_BLAKE2S_HASH_SIZE);
	wh_blake2s_update(&state, padded_key, WH_BLAKE2S_BLOCK_SIZE);
	wh_blake2s_update(&state, inner, WH_BLAKE2S_HASH_SIZE);
	wh_blake2s_final(&state, out);

	sodium_memzero(padded_key, sizeof(padded_key));
	sodium_memzero(inner, sizeof(inner));
}
