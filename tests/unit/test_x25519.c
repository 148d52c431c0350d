/* X25519 through wh_x25519: RFC 7748 vectors, and refusal of low-order public points. */
#include <glib.h>
#include <sodium.h>
#include <string.h>

#include "crypto/x25519.h"
#include "support.h"

static void assert_x25519(const char *scalar_hex, const char *point_hex, const char *expected_hex)
{
	uint8_t scalar[WH_X25519_KEY_SIZE], point[WH_X25519_KEY_SIZE], expected[WH_X25519_KEY_SIZE];
	uint8_t out[WH_X25519_KEY_SIZE];

	hex_decode(scalar, sizeof(scalar), scalar_hex);
	hex_decode(point, sizeof(point), point_hex);
	hex_decode(expected, sizeof(expected), expected_hex);
	g_assert_true(wh_x25519(out, scalar, point));
	g_assert_cmpmem(out, sizeof(out), expected, sizeof(expected));
}

static void test_rfc7748_section_5_2(void)
{
	/* Unclamped scalars and a u-coordinate with its top bit set: X25519 clamps and masks them itself. */
	assert_x25519("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
		      "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
		      "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
	assert_x25519("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
		      "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
		      "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957");
}

static void test_rfc7748_section_5_2_iterated(void)
{
	/* k = u = 9; then k, u = X25519(k, u), k. The million-round check is left out for time. */
	uint8_t k[WH_X25519_KEY_SIZE] = { 9 }, u[WH_X25519_KEY_SIZE] = { 9 }, next[WH_X25519_KEY_SIZE];
	uint8_t after_one[WH_X25519_KEY_SIZE], after_thousand[WH_X25519_KEY_SIZE];

	hex_decode(after_one, sizeof(after_one), "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079");
	hex_decode(after_thousand, sizeof(after_thousand),
		   "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51");
	for (int i = 1; i <= 1000; i++) {
		g_assert_true(wh_x25519(next, k, u));
		memcpy(u, k, sizeof(u));
		memcpy(k, next, sizeof(k));
		if (i == 1)
			g_assert_cmpmem(k, sizeof(k), after_one, sizeof(after_one));
	}
	g_assert_cmpmem(k, sizeof(k), after_thousand, sizeof(after_thousand));
}

static void test_rfc7748_section_6_1(void)
{
	uint8_t alice_private[WH_X25519_KEY_SIZE], bob_private[WH_X25519_KEY_SIZE];
	uint8_t alice_expected[WH_X25519_KEY_SIZE], bob_expected[WH_X25519_KEY_SIZE], shared[WH_X25519_KEY_SIZE];
	uint8_t alice_public[WH_X25519_KEY_SIZE], bob_public[WH_X25519_KEY_SIZE], out[WH_X25519_KEY_SIZE];

	hex_decode(alice_private, sizeof(alice_private),
		   "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
	hex_decode(alice_expected, sizeof(alice_expected),
		   "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
	hex_decode(bob_private, sizeof(bob_private),
		   "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
	hex_decode(bob_expected, sizeof(bob_expected),
		   "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
	hex_decode(shared, sizeof(shared), "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");

	g_assert_true(wh_x25519_public(alice_public, alice_private));
	g_assert_cmpmem(alice_public, sizeof(alice_public), alice_expected, sizeof(alice_expected));
	g_assert_true(wh_x25519_public(bob_public, bob_private));
	g_assert_cmpmem(bob_public, sizeof(bob_public), bob_expected, sizeof(bob_expected));

	g_assert_true(wh_x25519(out, alice_private, bob_public));
	g_assert_cmpmem(out, sizeof(out), shared, sizeof(shared));
	g_assert_true(wh_x25519(out, bob_private, alice_public));
	g_assert_cmpmem(out, sizeof(out), shared, sizeof(shared));
}

static void test_low_order_points_rejected(void)
{
	/*
	 * Points whose multiple by any clamped scalar is the identity, so the "shared" secret would be all
	 * zeros and known to an attacker: u = 0 (order 2), u = 1 (order 4), the two order-8 points, and
	 * the same values written unreduced as p - 1, p and p + 1 or with the ignored top bit set.
	 */
	static const char *const low_order[] = {
		"0000000000000000000000000000000000000000000000000000000000000000",
		"0100000000000000000000000000000000000000000000000000000000000000",
		"e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
		"5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"0000000000000000000000000000000000000000000000000000000000000080",
		"e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b880",
	};
	uint8_t private_key[WH_X25519_KEY_SIZE], point[WH_X25519_KEY_SIZE], out[WH_X25519_KEY_SIZE];

	hex_decode(private_key, sizeof(private_key),
		   "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
	for (size_t i = 0; i < G_N_ELEMENTS(low_order); i++) {
		hex_decode(point, sizeof(point), low_order[i]);
		memset(out, 0xaa, sizeof(out));
		g_assert_false(wh_x25519(out, private_key, point));
		for (size_t j = 0; j < sizeof(out); j++)
			g_assert_cmpint(out[j], ==, 0);
	}
}

static void test_zero_private_key_has_no_public(void)
{
	uint8_t private_key[WH_X25519_KEY_SIZE] = { 0 }, public_key[WH_X25519_KEY_SIZE];

	g_assert_false(wh_x25519_public(public_key, private_key));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_assert_cmpint(sodium_init(), >=, 0);
	g_test_add_func("/x25519/rfc7748-5.2", test_rfc7748_section_5_2);
	g_test_add_func("/x25519/rfc7748-5.2-iterated", test_rfc7748_section_5_2_iterated);
	g_test_add_func("/x25519/rfc7748-6.1", test_rfc7748_section_6_1);
	g_test_add_func("/x25519/low-order-points-rejected", test_low_order_points_rejected);
	g_test_add_func("/x25519/zero-private-key-has-no-public", test_zero_private_key_has_no_public);
	return g_test_run();
}
