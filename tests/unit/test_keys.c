/* Public key API: generation, derivation (RFC 7748 vector), base64 round trips and rejections. */
#include <glib.h>
#include <string.h>

#include "support.h"
#include "wirehop/tunnel.h"

static void test_public_from_private_rfc7748(void)
{
	uint8_t private_key[WH_KEY_SIZE], expected[WH_KEY_SIZE], public_key[WH_KEY_SIZE];

	hex_decode(private_key, sizeof(private_key),
		   "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
	hex_decode(expected, sizeof(expected), "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
	g_assert_true(wh_key_public_from_private(public_key, private_key));
	g_assert_cmpmem(public_key, sizeof(public_key), expected, sizeof(expected));
}

static void test_zero_private_key_rejected(void)
{
	uint8_t private_key[WH_KEY_SIZE] = {0}, public_key[WH_KEY_SIZE];

	g_assert_false(wh_key_public_from_private(public_key, private_key));
}

static void test_generate_is_clamped_and_seeded(void)
{
	struct seeded_rng a, b;
	uint8_t key_a[WH_KEY_SIZE], key_b[WH_KEY_SIZE], key_c[WH_KEY_SIZE];

	wh_key_generate_private(key_a, seeded_rng_init(&a, 7));
	wh_key_generate_private(key_b, seeded_rng_init(&b, 7));
	wh_key_generate_private(key_c, NULL);
	g_assert_cmpmem(key_a, sizeof(key_a), key_b, sizeof(key_b));
	g_assert_cmpint(memcmp(key_a, key_c, sizeof(key_a)), !=, 0);
	g_assert_cmpint(key_a[0] & 7, ==, 0);
	g_assert_cmpint(key_a[31] & 0x80, ==, 0);
	g_assert_cmpint(key_a[31] & 0x40, ==, 0x40);
}

static void test_base64_round_trip(void)
{
	uint8_t key[WH_KEY_SIZE], back[WH_KEY_SIZE];
	char text[WH_KEY_BASE64_LEN + 1];

	for (int i = 0; i < 100; i++) {
		wh_key_generate_private(key, NULL);
		wh_key_to_base64(text, key);
		g_assert_cmpuint(strlen(text), ==, WH_KEY_BASE64_LEN);
		g_assert_true(wh_key_from_base64(back, text));
		g_assert_cmpmem(key, sizeof(key), back, sizeof(back));
	}
	memset(key, 0, sizeof(key));
	wh_key_to_base64(text, key);
	g_assert_cmpstr(text, ==, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
}

static void test_base64_rejects_bad_input(void)
{
	static const char *const bad[] = {
		"",
		"AAAA",
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",   /* no padding */
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==", /* too long */
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA*=",  /* bad character */
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB=",  /* non-canonical trailing bits */
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==",  /* 31 bytes */
		"AAAAAAAAAAAAAAAAAAAAAAAA AAAAAAAAAAAAAAAAAA=",  /* space */
	};
	uint8_t key[WH_KEY_SIZE];

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		memset(key, 0xaa, sizeof(key));
		g_assert_false(wh_key_from_base64(key, bad[i]));
		for (size_t j = 0; j < sizeof(key); j++)
			g_assert_cmpint(key[j], ==, 0);
	}
	g_assert_false(wh_key_from_base64(key, NULL));
}

static void test_version(void)
{
	g_assert_cmpstr(wh_version(), ==, "0.1.0");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_assert_cmpint(wh_init(), ==, 0);
	g_test_add_func("/keys/public-from-private-rfc7748", test_public_from_private_rfc7748);
	g_test_add_func("/keys/zero-private-rejected", test_zero_private_key_rejected);
	g_test_add_func("/keys/generate-clamped-seeded", test_generate_is_clamped_and_seeded);
	g_test_add_func("/keys/base64-round-trip", test_base64_round_trip);
	g_test_add_func("/keys/base64-rejects-bad-input", test_base64_rejects_bad_input);
	g_test_add_func("/keys/version", test_version);
	return g_test_run();
}
