/* BLAKE2s and HMAC-BLAKE2s against RFC 7693, the official keyed KAT and CPython's independent hashlib. */
#include <glib.h>
#include <string.h>

#include "blake2s_kat.h"
#include "crypto/blake2s.h"
#include "support.h"

static void test_rfc7693_abc(void)
{
	/* RFC 7693 Appendix B: BLAKE2s-256("abc"). */
	static const uint8_t abc[] = { 'a', 'b', 'c' };
	uint8_t expected[WH_BLAKE2S_HASH_SIZE], out[WH_BLAKE2S_HASH_SIZE];

	hex_decode(expected, sizeof(expected), "508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982");
	wh_blake2s(out, sizeof(out), abc, sizeof(abc), NULL, 0);
	g_assert_cmpmem(out, sizeof(out), expected, sizeof(expected));
}

/* RFC 7693 Appendix E's deterministic input: a Fibonacci generator seeded from the length. */
static void selftest_sequence(uint8_t *out, size_t len, uint32_t seed)
{
	uint32_t a = 0xdead4badu * seed, b = 1, t;

	for (size_t i = 0; i < len; i++) {
		t = a + b;
		a = b;
		b = t;
		out[i] = (uint8_t)(t >> 24);
	}
}

static void test_rfc7693_selftest(void)
{
	/* Every digest-length and input-length pair, keyed and unkeyed, hashed into one 32-byte result. */
	static const size_t out_lengths[] = { 16, 20, 28, 32 };
	static const size_t in_lengths[] = { 0, 3, 64, 65, 255, 1024 };
	struct wh_blake2s_state grand;
	uint8_t in[1024], key[WH_BLAKE2S_KEY_SIZE], digest[WH_BLAKE2S_HASH_SIZE];
	uint8_t expected[WH_BLAKE2S_HASH_SIZE], result[WH_BLAKE2S_HASH_SIZE];

	wh_blake2s_init(&grand, WH_BLAKE2S_HASH_SIZE);
	for (size_t i = 0; i < G_N_ELEMENTS(out_lengths); i++) {
		for (size_t j = 0; j < G_N_ELEMENTS(in_lengths); j++) {
			size_t outlen = out_lengths[i], inlen = in_lengths[j];

			selftest_sequence(in, inlen, (uint32_t)inlen);
			wh_blake2s(digest, outlen, in, inlen, NULL, 0);
			wh_blake2s_update(&grand, digest, outlen);
			selftest_sequence(key, outlen, (uint32_t)outlen);
			wh_blake2s(digest, outlen, in, inlen, key, outlen);
			wh_blake2s_update(&grand, digest, outlen);
		}
	}
	wh_blake2s_final(&grand, result);
	hex_decode(expected, sizeof(expected), "6a411f08ce25adcdfb02aba641451cec53c598b24f4fc787fbdc88797f4c1dfe");
	g_assert_cmpmem(result, sizeof(result), expected, sizeof(expected));
}

static void test_keyed_kat(void)
{
	uint8_t key[WH_BLAKE2S_KEY_SIZE], in[256], expected[WH_BLAKE2S_HASH_SIZE], out[WH_BLAKE2S_HASH_SIZE];
	struct wh_blake2s_state state;

	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)i;
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)i;

	for (size_t n = 0; n < G_N_ELEMENTS(blake2s_keyed_kat); n++) {
		hex_decode(expected, sizeof(expected), blake2s_keyed_kat[n]);

		wh_blake2s(out, sizeof(out), in, n, key, sizeof(key));
		g_assert_cmpmem(out, sizeof(out), expected, sizeof(expected));

		/* A byte at a time: every length ends an update exactly on a block boundary sooner or later. */
		wh_blake2s_init_key(&state, sizeof(out), key, sizeof(key));
		for (size_t i = 0; i < n; i++)
			wh_blake2s_update(&state, in + i, 1);
		wh_blake2s_final(&state, out);
		g_assert_cmpmem(out, sizeof(out), expected, sizeof(expected));
	}
}

static void test_streaming_matches_one_shot(void)
{
	uint8_t in[700], key[WH_BLAKE2S_KEY_SIZE], whole[WH_BLAKE2S_HASH_SIZE], pieces[WH_BLAKE2S_HASH_SIZE];
	struct wh_blake2s_state state;

	for (int round = 0; round < 2000; round++) {
		size_t len = (size_t)g_test_rand_int_range(0, sizeof(in) + 1);
		size_t outlen = (size_t)g_test_rand_int_range(1, WH_BLAKE2S_HASH_SIZE + 1);
		size_t keylen = (size_t)g_test_rand_int_range(0, WH_BLAKE2S_KEY_SIZE + 1);
		size_t done = 0;

		for (size_t i = 0; i < len; i++)
			in[i] = (uint8_t)g_test_rand_int();
		for (size_t i = 0; i < keylen; i++)
			key[i] = (uint8_t)g_test_rand_int();

		wh_blake2s(whole, outlen, in, len, key, keylen);

		if (keylen)
			wh_blake2s_init_key(&state, outlen, key, keylen);
		else
			wh_blake2s_init(&state, outlen);
		while (done < len) {
			/* Pieces of 0..130 bytes cross, fill and end on block boundaries; empty ones are no-ops. */
			size_t piece = (size_t)g_test_rand_int_range(0, 131);

			if (piece > len - done)
				piece = len - done;
			wh_blake2s_update(&state, in + done, piece);
			done += piece;
		}
		/* Bytes past outlen belong to the caller: final must not write them. */
		memset(pieces, 0x5a, sizeof(pieces));
		wh_blake2s_final(&state, pieces);
		g_assert_cmpmem(pieces, outlen, whole, outlen);
		for (size_t i = outlen; i < sizeof(pieces); i++)
			g_assert_cmpint(pieces[i], ==, 0x5a);
	}
}

static void test_block_boundary_updates(void)
{
	/* Whole blocks fed as whole blocks: the last one must wait for final and its finalisation flag. */
	uint8_t in[256], whole[WH_BLAKE2S_HASH_SIZE], blocks[WH_BLAKE2S_HASH_SIZE];
	struct wh_blake2s_state state;

	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 31 + 7);
	for (size_t n = 1; n <= sizeof(in) / WH_BLAKE2S_BLOCK_SIZE; n++) {
		wh_blake2s(whole, sizeof(whole), in, n * WH_BLAKE2S_BLOCK_SIZE, NULL, 0);
		wh_blake2s_init(&state, sizeof(blocks));
		for (size_t i = 0; i < n; i++)
			wh_blake2s_update(&state, in + i * WH_BLAKE2S_BLOCK_SIZE, WH_BLAKE2S_BLOCK_SIZE);
		wh_blake2s_final(&state, blocks);
		g_assert_cmpmem(blocks, sizeof(blocks), whole, sizeof(whole));
	}
}

static void test_final_wipes_state(void)
{
	static const uint8_t key[] = { 1, 2, 3 };
	struct wh_blake2s_state state;
	uint8_t out[WH_BLAKE2S_HASH_SIZE];

	wh_blake2s_init_key(&state, sizeof(out), key, sizeof(key));
	wh_blake2s_update(&state, key, sizeof(key));
	wh_blake2s_final(&state, out);
	for (size_t i = 0; i < sizeof(state); i++)
		g_assert_cmpint(((const uint8_t *)&state)[i], ==, 0);
}

/*
 * Key byte i is (7 i + 1) mod 256 and message byte i is (13 i + 5) mod 256; expected values from CPython:
 *   /usr/bin/python3 -c 'import hashlib, hmac; print(hmac.new(bytes((7*i+1)&255 for i in range(KEYLEN)),
 *       bytes((13*i+5)&255 for i in range(MSGLEN)), hashlib.blake2s).hexdigest())'
 */
static const struct {
	size_t keylen;
	size_t msglen;
	const char *mac;
} hmac_vectors[] = {
	{ 0, 0, "eaf4bb25938f4d20e72656bbbc7a9bf63c0c18537333c35bdb67db1402661acd" },
	{ 1, 0, "79425d94ebbe6cb0677d3c6ede74f6cc21b700e140440176dd9587146f4746b3" },
	{ 32, 0, "6742cb7da299ece6134643a2648547e903a0069f820ce3928bbdfe0f8fdd5eb3" },
	{ 32, 3, "b82c0c0806647861f0300f756e42c2ac8d009e6828a6c222883c5a7014ca6e34" },
	{ 32, 64, "17f8a625a45fa591e5b1d39fe490ff5d02263afaf11a182459ada070ce028852" },
	{ 16, 65, "6a89c3ebf17ff692a2c088c4a0c75b67e32cc64d24539ed9303da8625379e80f" },
	{ 63, 100, "16378a2228095493c3d80da35ddba80aa5f55fb30d478472efadedcddcae80e3" },
	{ 64, 64, "771da790e5ef22b5c6012ced96798d71626cceda22f5a80835b3a1b496520865" },
	{ 65, 0, "55341380a5384cf25a377a7c6eb9b9c8978bc3d022481f81a8950a4ed0ec974b" },
	{ 65, 200, "ed212a5af0223757590f569fd5b155c7a0e0010a598827e46dd006ca4864c097" },
	{ 100, 33, "c89d2d3287de90389e34cfddd8c2b90f3c32d9c22a9c69e7187f528a7d05240a" },
	{ 200, 1000, "c200efa91b97d4a771707b36195cdf80e44b919e2df20a7764c4b018b6631860" },
};

static void test_hmac_matches_python(void)
{
	uint8_t key[200], msg[1000], expected[WH_BLAKE2S_HASH_SIZE], out[WH_BLAKE2S_HASH_SIZE];

	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(7 * i + 1);
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(13 * i + 5);

	for (size_t i = 0; i < G_N_ELEMENTS(hmac_vectors); i++) {
		hex_decode(expected, sizeof(expected), hmac_vectors[i].mac);
		wh_blake2s_hmac(out, msg, hmac_vectors[i].msglen, key, hmac_vectors[i].keylen);
		g_assert_cmpmem(out, sizeof(out), expected, sizeof(expected));
	}
}

static void test_hmac_output_may_alias_key(void)
{
	/* The KDF chains HMACs through one buffer; the key must be consumed before out is written. */
	uint8_t key[WH_BLAKE2S_HASH_SIZE], out[WH_BLAKE2S_HASH_SIZE];
	static const uint8_t msg[] = { 0x01 };

	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)i;
	wh_blake2s_hmac(out, msg, sizeof(msg), key, sizeof(key));
	wh_blake2s_hmac(key, msg, sizeof(msg), key, sizeof(key));
	g_assert_cmpmem(key, sizeof(key), out, sizeof(out));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/blake2s/rfc7693-abc", test_rfc7693_abc);
	g_test_add_func("/blake2s/rfc7693-selftest", test_rfc7693_selftest);
	g_test_add_func("/blake2s/keyed-kat", test_keyed_kat);
	g_test_add_func("/blake2s/streaming-matches-one-shot", test_streaming_matches_one_shot);
	g_test_add_func("/blake2s/block-boundary-updates", test_block_boundary_updates);
	g_test_add_func("/blake2s/final-wipes-state", test_final_wipes_state);
	g_test_add_func("/blake2s/hmac-matches-python", test_hmac_matches_python);
	g_test_add_func("/blake2s/hmac-output-may-alias-key", test_hmac_output_may_alias_key);
	return g_test_run();
}
