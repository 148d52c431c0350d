/* ChaCha20-Poly1305 with WireGuard's nonce and XChaCha20-Poly1305: published vectors, in place, forgeries. */
#include <glib.h>
#include <sodium.h>
#include <string.h>

#include "crypto/aead.h"
#include "support.h"

/* RFC 8439 Appendix A.5. Its nonce 00000000 0102030405060708 is WireGuard-shaped: 32 zero bits, then this. */
static const uint64_t rfc8439_counter = UINT64_C(0x0807060504030201);
static const char rfc8439_key[] = "1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0";
static const char rfc8439_ad[] = "f33388860000000000004e91";
static const char rfc8439_sealed[] = /* ciphertext, then the tag eead9d67... */
	"64a0861575861af460f062c79be643bd5e805cfd345cf389f108670ac76c8cb24c6cfc18755d43eea09ee94e382d26b0"
	"bdb7b73c321b0100d4f03b7f355894cf332f830e710b97ce98c8a84abd0b948114ad176e008d33bd60f982b1ff37c855"
	"9797a06ef4f0ef61c186324e2b3506383606907b6a7c02b0f9f6157b53c867e4b9166c767b804d46a59b5216cde7a4e9"
	"9040c5a40433225ee282a1b0a06c523eaf4534d7f83fa1155b0047718cbc546a0d072b04b3564eea1b422273f548271a"
	"0bb2316053fa76991955ebd63159434ecebb4e466dae5a1073a6727627097a1049e617d91d361094fa68f0ff77987130"
	"305beaba2eda04df997b714d6c6f2c29a6ad5cb4022b02709b"
	"eead9d67890cbb22392336fea1851f38";
static const char rfc8439_plaintext[] =
	"Internet-Drafts are draft documents valid for a maximum of six months and may be updated, replaced, "
	"or obsoleted by other documents at any time. It is inappropriate to use Internet-Drafts as reference "
	"material or to cite them other than as /\xe2\x80\x9c"
	"work in progress./\xe2\x80\x9d";

/* draft-irtf-cfrg-xchacha-03 Appendix A.3.1. */
static const char xchacha_key[] = "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f";
static const char xchacha_nonce[] = "404142434445464748494a4b4c4d4e4f5051525354555657";
static const char xchacha_ad[] = "50515253c0c1c2c3c4c5c6c7";
static const char xchacha_sealed[] = /* ciphertext, then the tag c0875924... */
	"bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb731c7f1b0b4aa6440bf3a82f4eda7e39"
	"ae64c6708c54c216cb96b72e1213b4522f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9"
	"21f9664c97637da9768812f615c68b13b52e"
	"c0875924c1c7987947deafd8780acf49";
static const char xchacha_plaintext[] =
	"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, "
	"sunscreen would be it.";

struct vector {
	bool xchacha;
	uint64_t counter;
	uint8_t key[WH_AEAD_KEY_SIZE];
	uint8_t nonce[WH_XAEAD_NONCE_SIZE];
	uint8_t ad[12];
	uint8_t sealed[512];
	size_t sealed_len;
	const uint8_t *plaintext;
	size_t plaintext_len;
};

static void load_rfc8439(struct vector *v)
{
	v->xchacha = false;
	v->counter = rfc8439_counter;
	hex_decode(v->key, sizeof(v->key), rfc8439_key);
	hex_decode(v->ad, sizeof(v->ad), rfc8439_ad);
	v->sealed_len = hex_decode(v->sealed, sizeof(v->sealed), rfc8439_sealed);
	v->plaintext = (const uint8_t *)rfc8439_plaintext;
	v->plaintext_len = strlen(rfc8439_plaintext);
	g_assert_cmpuint(v->sealed_len, ==, v->plaintext_len + WH_AEAD_TAG_SIZE);
}

static void load_xchacha(struct vector *v)
{
	v->xchacha = true;
	v->counter = 0;
	hex_decode(v->key, sizeof(v->key), xchacha_key);
	hex_decode(v->nonce, sizeof(v->nonce), xchacha_nonce);
	hex_decode(v->ad, sizeof(v->ad), xchacha_ad);
	v->sealed_len = hex_decode(v->sealed, sizeof(v->sealed), xchacha_sealed);
	v->plaintext = (const uint8_t *)xchacha_plaintext;
	v->plaintext_len = strlen(xchacha_plaintext);
	g_assert_cmpuint(v->sealed_len, ==, v->plaintext_len + WH_AEAD_TAG_SIZE);
}

static void assert_zero(const uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		g_assert_cmpint(buf[i], ==, 0);
}

/* Opens v with the AEAD it was published for, under its own counter or nonce. */
static bool open_vector(const struct vector *v, uint8_t *out)
{
	if (v->xchacha)
		return wh_xaead_decrypt(out, v->sealed, v->sealed_len, v->ad, sizeof(v->ad), v->nonce, v->key);
	return wh_aead_decrypt(out, v->sealed, v->sealed_len, v->ad, sizeof(v->ad), v->counter, v->key);
}

/* Flips each bit of field, a part of v, in turn: every forgery fails and leaves the plaintext zero. */
static void assert_bit_flips_rejected(struct vector *v, uint8_t *field, size_t len)
{
	uint8_t out[512];

	for (size_t bit = 0; bit < len * 8; bit++) {
		field[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		memset(out, 0xaa, sizeof(out));
		g_assert_false(open_vector(v, out));
		assert_zero(out, v->plaintext_len);
		field[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	/* Nothing was left flipped: the untouched vector still opens. */
	g_assert_true(open_vector(v, out));
}

static void test_rfc8439_vector(void)
{
	struct vector v;
	uint8_t out[512];

	load_rfc8439(&v);
	g_assert_true(open_vector(&v, out));
	g_assert_cmpmem(out, v.plaintext_len, v.plaintext, v.plaintext_len);

	wh_aead_encrypt(out, v.plaintext, v.plaintext_len, v.ad, sizeof(v.ad), rfc8439_counter, v.key);
	g_assert_cmpmem(out, v.sealed_len, v.sealed, v.sealed_len);
}

static void test_xchacha_vector(void)
{
	struct vector v;
	uint8_t out[512];

	load_xchacha(&v);
	g_assert_true(open_vector(&v, out));
	g_assert_cmpmem(out, v.plaintext_len, v.plaintext, v.plaintext_len);

	wh_xaead_encrypt(out, v.plaintext, v.plaintext_len, v.ad, sizeof(v.ad), v.nonce, v.key);
	g_assert_cmpmem(out, v.sealed_len, v.sealed, v.sealed_len);
}

static void test_in_place_round_trip(void)
{
	/* Data packets are sealed and opened in the buffer they arrived in. */
	uint8_t key[WH_AEAD_KEY_SIZE], nonce[WH_XAEAD_NONCE_SIZE], ad[20];
	uint8_t plain[1500], buf[1500 + WH_AEAD_TAG_SIZE], apart[1500 + WH_AEAD_TAG_SIZE];

	for (int round = 0; round < 300; round++) {
		size_t len = (size_t)g_test_rand_int_range(0, sizeof(plain) + 1);
		size_t ad_len = (size_t)g_test_rand_int_range(0, sizeof(ad) + 1);
		uint64_t counter = (uint64_t)(uint32_t)g_test_rand_int() << 32 | (uint32_t)g_test_rand_int();

		for (size_t i = 0; i < sizeof(key); i++)
			key[i] = (uint8_t)g_test_rand_int();
		for (size_t i = 0; i < sizeof(nonce); i++)
			nonce[i] = (uint8_t)g_test_rand_int();
		for (size_t i = 0; i < ad_len; i++)
			ad[i] = (uint8_t)g_test_rand_int();
		for (size_t i = 0; i < len; i++)
			plain[i] = (uint8_t)g_test_rand_int();

		memcpy(buf, plain, len);
		wh_aead_encrypt(buf, buf, len, ad, ad_len, counter, key);
		wh_aead_encrypt(apart, plain, len, ad, ad_len, counter, key);
		g_assert_cmpmem(buf, len + WH_AEAD_TAG_SIZE, apart, len + WH_AEAD_TAG_SIZE);
		g_assert_true(wh_aead_decrypt(buf, buf, len + WH_AEAD_TAG_SIZE, ad, ad_len, counter, key));
		g_assert_cmpmem(buf, len, plain, len);

		memcpy(buf, plain, len);
		wh_xaead_encrypt(buf, buf, len, ad, ad_len, nonce, key);
		wh_xaead_encrypt(apart, plain, len, ad, ad_len, nonce, key);
		g_assert_cmpmem(buf, len + WH_AEAD_TAG_SIZE, apart, len + WH_AEAD_TAG_SIZE);
		g_assert_true(wh_xaead_decrypt(buf, buf, len + WH_AEAD_TAG_SIZE, ad, ad_len, nonce, key));
		g_assert_cmpmem(buf, len, plain, len);
	}
}

static void test_bit_flips_rejected(void)
{
	struct vector v;

	load_rfc8439(&v);
	assert_bit_flips_rejected(&v, v.sealed, v.sealed_len);
	assert_bit_flips_rejected(&v, v.ad, sizeof(v.ad));
	load_xchacha(&v);
	assert_bit_flips_rejected(&v, v.sealed, v.sealed_len);
	assert_bit_flips_rejected(&v, v.ad, sizeof(v.ad));
}

static void test_failed_in_place_decrypt_wipes(void)
{
	struct vector v;

	load_rfc8439(&v);
	v.sealed[v.sealed_len - 1] ^= 1;
	g_assert_false(wh_aead_decrypt(v.sealed, v.sealed, v.sealed_len, v.ad, sizeof(v.ad), v.counter, v.key));
	assert_zero(v.sealed, v.plaintext_len);
}

static void test_short_input_rejected(void)
{
	static const uint8_t key[WH_AEAD_KEY_SIZE] = { 1 }, nonce[WH_XAEAD_NONCE_SIZE] = { 2 };
	uint8_t sealed[WH_AEAD_TAG_SIZE], out[WH_AEAD_TAG_SIZE];

	/* An empty plaintext (a keepalive) seals to the bare tag, which opens... */
	wh_aead_encrypt(sealed, NULL, 0, NULL, 0, 7, key);
	g_assert_true(wh_aead_decrypt(out, sealed, sizeof(sealed), NULL, 0, 7, key));
	/* ...but anything shorter than a tag never does. */
	for (size_t len = 0; len < WH_AEAD_TAG_SIZE; len++)
		g_assert_false(wh_aead_decrypt(out, sealed, len, NULL, 0, 7, key));

	wh_xaead_encrypt(sealed, NULL, 0, NULL, 0, nonce, key);
	g_assert_true(wh_xaead_decrypt(out, sealed, sizeof(sealed), NULL, 0, nonce, key));
	for (size_t len = 0; len < WH_AEAD_TAG_SIZE; len++)
		g_assert_false(wh_xaead_decrypt(out, sealed, len, NULL, 0, nonce, key));
}

static void test_wrong_counter_rejected(void)
{
	static const uint64_t wrong[] = {
		0,
		UINT64_C(0x0807060504030200),
		UINT64_C(0x0807060504030202),
		UINT64_C(0x0102030405060708), /* the counter read big-endian */
		UINT64_MAX,
	};
	struct vector v;
	uint8_t out[512];

	load_rfc8439(&v);
	for (size_t i = 0; i < G_N_ELEMENTS(wrong); i++) {
		v.counter = wrong[i];
		memset(out, 0xaa, sizeof(out));
		g_assert_false(open_vector(&v, out));
		assert_zero(out, v.plaintext_len);
	}
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_assert_cmpint(sodium_init(), >=, 0);
	g_test_add_func("/aead/rfc8439-a5-vector", test_rfc8439_vector);
	g_test_add_func("/aead/xchacha-draft-a31-vector", test_xchacha_vector);
	g_test_add_func("/aead/in-place-round-trip", test_in_place_round_trip);
	g_test_add_func("/aead/bit-flips-rejected", test_bit_flips_rejected);
	g_test_add_func("/aead/failed-in-place-decrypt-wipes", test_failed_in_place_decrypt_wipes);
	g_test_add_func("/aead/short-input-rejected", test_short_input_rejected);
	g_test_add_func("/aead/wrong-counter-rejected", test_wrong_counter_rejected);
	return g_test_run();
}
