/* The whitepaper's KDF1/2/3 against an independent Python model, output aliasing and skipped outputs. */
#include <glib.h>
#include <string.h>

#include "crypto/kdf.h"
#include "support.h"

/*
 * chaining_key is 00 01 .. 1f and data byte i is (13 i + 5) mod 256. The outputs follow the whitepaper's
 * definition, computed with CPython's hmac and hashlib.blake2s (independent of tunnel/crypto/):
 *   H = lambda k, m: hmac.new(k, m, hashlib.blake2s).digest()
 *   t0 = H(bytes(range(32)), bytes((13*i+5)&255 for i in range(DATA_LEN)))
 *   t1 = H(t0, b'\x01'); t2 = H(t0, t1 + b'\x02'); t3 = H(t0, t2 + b'\x03')
 */
static const struct {
	size_t data_len;
	const char *t1;
	const char *t2;
	const char *t3;
} kdf_vectors[] = {
	{ 0, "7a38c34bf2b8738d7374ca77c44ecb309a11d2b2528304fa86052c365e722624",
	  "1a17621f346abdc520746a9fb64d8eb03231d674fc15687537b0780fd9c060fd",
	  "4eaf02809ac4b930ef63479de62275f1c55656e61f78a3cc653c18a2223d6c5f" },
	{ 32, "40a5c68b34a64fe23257e00b6c761bc1fca65d4d1d0e6aac7aabfd80730273cd",
	  "55ae008dc8b8dd38996c11f6a61505cb9352107611a56f1fd29a06bda97396f1",
	  "0751bb8792b78def6082404a3d12d9bf57d5eb95ce0109d60b6f2e99dce359c5" },
	{ 100, "40ab6863a2e2704b384f467448b2bf017c93dbd88b17a6d271e24f7345b0e65e",
	  "c71f3ab76c49dae8d7db36dbdddeab2cbb74b4db298586576c31ec9212b6d5f4",
	  "69aeaad9f2435e4cd716c4680702984964bef81e59a676810c99372d05d19d29" },
};

struct kdf_expected {
	uint8_t t[3][WH_KDF_OUTPUT_SIZE];
};

static void fill_inputs(uint8_t chaining_key[WH_KDF_OUTPUT_SIZE], uint8_t data[100])
{
	for (size_t i = 0; i < WH_KDF_OUTPUT_SIZE; i++)
		chaining_key[i] = (uint8_t)i;
	for (size_t i = 0; i < 100; i++)
		data[i] = (uint8_t)(13 * i + 5);
}

static void load_expected(struct kdf_expected *expected, size_t vector)
{
	hex_decode(expected->t[0], WH_KDF_OUTPUT_SIZE, kdf_vectors[vector].t1);
	hex_decode(expected->t[1], WH_KDF_OUTPUT_SIZE, kdf_vectors[vector].t2);
	hex_decode(expected->t[2], WH_KDF_OUTPUT_SIZE, kdf_vectors[vector].t3);
}

static void test_vectors(void)
{
	uint8_t ck[WH_KDF_OUTPUT_SIZE], data[100];
	uint8_t t1[WH_KDF_OUTPUT_SIZE], t2[WH_KDF_OUTPUT_SIZE], t3[WH_KDF_OUTPUT_SIZE];
	struct kdf_expected expected;

	fill_inputs(ck, data);
	for (size_t v = 0; v < G_N_ELEMENTS(kdf_vectors); v++) {
		size_t len = kdf_vectors[v].data_len;

		load_expected(&expected, v);

		wh_kdf1(t1, ck, data, len);
		g_assert_cmpmem(t1, 32, expected.t[0], 32);

		memset(t1, 0, sizeof(t1));
		wh_kdf2(t1, t2, ck, data, len);
		g_assert_cmpmem(t1, 32, expected.t[0], 32);
		g_assert_cmpmem(t2, 32, expected.t[1], 32);

		memset(t1, 0, sizeof(t1));
		memset(t2, 0, sizeof(t2));
		wh_kdf3(t1, t2, t3, ck, data, len);
		g_assert_cmpmem(t1, 32, expected.t[0], 32);
		g_assert_cmpmem(t2, 32, expected.t[1], 32);
		g_assert_cmpmem(t3, 32, expected.t[2], 32);
	}
}

static void test_outputs_may_alias_chaining_key(void)
{
	/* The handshake writes the new chaining key over the old one: ck = KDF2(ck, ...)[0] and the like. */
	uint8_t ck[WH_KDF_OUTPUT_SIZE], data[100], other[WH_KDF_OUTPUT_SIZE], third[WH_KDF_OUTPUT_SIZE];
	struct kdf_expected expected;

	load_expected(&expected, 1);

	fill_inputs(ck, data);
	wh_kdf3(ck, other, third, ck, data, 32);
	g_assert_cmpmem(ck, 32, expected.t[0], 32);
	g_assert_cmpmem(other, 32, expected.t[1], 32);
	g_assert_cmpmem(third, 32, expected.t[2], 32);

	fill_inputs(ck, data);
	wh_kdf2(other, ck, ck, data, 32);
	g_assert_cmpmem(other, 32, expected.t[0], 32);
	g_assert_cmpmem(ck, 32, expected.t[1], 32);

	fill_inputs(ck, data);
	wh_kdf3(other, third, ck, ck, data, 32);
	g_assert_cmpmem(other, 32, expected.t[0], 32);
	g_assert_cmpmem(third, 32, expected.t[1], 32);
	g_assert_cmpmem(ck, 32, expected.t[2], 32);
}

static void test_null_outputs_skipped(void)
{
	uint8_t ck[WH_KDF_OUTPUT_SIZE], data[100], out[WH_KDF_OUTPUT_SIZE];
	struct kdf_expected expected;

	fill_inputs(ck, data);
	load_expected(&expected, 2);

	/* A NULL before a wanted output is skipped; the chain through it is still computed. */
	wh_kdf(NULL, out, NULL, data, 100, ck);
	g_assert_cmpmem(out, 32, expected.t[1], 32);
	wh_kdf(NULL, NULL, out, data, 100, ck);
	g_assert_cmpmem(out, 32, expected.t[2], 32);

	/* Nothing wanted, nothing written, and no crash. */
	wh_kdf(NULL, NULL, NULL, data, 100, ck);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/kdf/vectors", test_vectors);
	g_test_add_func("/kdf/outputs-may-alias-chaining-key", test_outputs_may_alias_chaining_key);
	g_test_add_func("/kdf/null-outputs-skipped", test_null_outputs_skipped);
	return g_test_run();
}
