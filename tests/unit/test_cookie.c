/* Cookies: mac1 and mac2 on handshake messages, the cookie reply's round trip and every refusal, and
 * the cookie's and the secret's lifetimes on a hand-moved clock. */
#include <glib.h>
#include <string.h>

#include "crypto/aead.h"
#include "crypto/blake2s.h"
#include "noise/cookie.h"
#include "noise/messages.h"
#include "support.h"
#include "wirehop/tunnel.h"

#define SEC(s) ((uint64_t)(s) * WH_NSEC_PER_SEC)
#define INITIATION_LEN sizeof(struct wh_message_handshake_initiation)
#define RESPONSE_LEN sizeof(struct wh_message_handshake_response)
#define MAC1_OFFSET(len) ((len) - sizeof(struct wh_message_macs))
#define MAC2_OFFSET(len) ((len) - WH_COOKIE_LEN)
#define SENDER_INDEX 0x01020304u

static const uint8_t source[] = {192, 0, 2, 1, 0xca, 0x6c};
static const uint8_t other_source[] = {192, 0, 2, 1, 0xca, 0x6d};

/* The initiator holds a wh_cookie for the responder's key; the responder checks with its checker. */
struct parties {
	uint8_t sender_public[WH_KEY_SIZE];
	uint8_t receiver_public[WH_KEY_SIZE];
	struct wh_cookie cookie;
	struct wh_cookie_checker checker;
	struct seeded_rng seeded;
	const struct wh_rng *rng;
	struct fake_clock clock;
	uint64_t now;
};

static void make_public(uint8_t public_key[WH_KEY_SIZE], const struct wh_rng *rng)
{
	uint8_t private_key[WH_KEY_SIZE];

	wh_key_generate_private(private_key, rng);
	g_assert_true(wh_key_public_from_private(public_key, private_key));
}

static void parties_init(struct parties *parties, uint64_t seed)
{
	parties->rng = seeded_rng_init(&parties->seeded, seed);
	make_public(parties->sender_public, parties->rng);
	make_public(parties->receiver_public, parties->rng);
	wh_cookie_init(&parties->cookie, parties->receiver_public);
	wh_cookie_checker_init(&parties->checker, parties->receiver_public);
	fake_clock_init(&parties->clock);
	parties->now = parties->clock.monotonic_ns;
}

static void advance(struct parties *parties, uint64_t ns)
{
	fake_clock_advance(&parties->clock, ns);
	parties->now = parties->clock.monotonic_ns;
}

/* A handshake message of len bytes: its type, zero reserved bytes, random body; the macs hold random
 * garbage too, which wh_cookie_add_macs must overwrite, mac2 included. */
static void make_message(struct parties *parties, uint8_t *message, size_t len, uint8_t type)
{
	parties->rng->fill(parties->rng->ctx, message, len);
	message[0] = type;
	memset(message + 1, 0, 3);
}

static enum wh_cookie_mac_state validate(struct parties *parties, const uint8_t *message, size_t len,
					 const uint8_t *from, size_t from_len, bool check_cookie)
{
	return wh_cookie_validate(&parties->checker, message, len, from, from_len, check_cookie, parties->now,
				  parties->rng);
}

/* HASH(label || public key), written out here from the whitepaper rather than taken from cookie.c. */
static void label_key(uint8_t key[WH_BLAKE2S_HASH_SIZE], const char label[8], const uint8_t public_key[WH_KEY_SIZE])
{
	struct wh_blake2s_state state;

	wh_blake2s_init(&state, WH_BLAKE2S_HASH_SIZE);
	wh_blake2s_update(&state, (const uint8_t *)label, 8);
	wh_blake2s_update(&state, public_key, WH_KEY_SIZE);
	wh_blake2s_final(&state, key);
}

static bool is_zero(const uint8_t *bytes, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (bytes[i])
			return false;
	return true;
}

/* Sends message and lets the receiver answer it with a cookie reply the sender takes. */
static void obtain_cookie(struct parties *parties, uint8_t *message, size_t len)
{
	struct wh_message_handshake_cookie reply;

	wh_cookie_add_macs(&parties->cookie, message, len, parties->now);
	wh_cookie_create_reply(&parties->checker, &reply, message, len, SENDER_INDEX, source, sizeof(source),
			       parties->now, parties->rng);
	g_assert_true(wh_cookie_consume_reply(&parties->cookie, &reply, parties->now));
}

static void test_mac1_without_cookie(void)
{
	static const size_t lengths[] = {INITIATION_LEN, RESPONSE_LEN};
	static const uint8_t types[] = {WH_MESSAGE_HANDSHAKE_INITIATION, WH_MESSAGE_HANDSHAKE_RESPONSE};
	struct parties parties;
	uint8_t message[INITIATION_LEN];

	parties_init(&parties, 1);
	for (size_t i = 0; i < G_N_ELEMENTS(lengths); i++) {
		size_t len = lengths[i];

		make_message(&parties, message, len, types[i]);
		g_assert_false(parties.cookie.have_sent_mac1);
		wh_cookie_add_macs(&parties.cookie, message, len, parties.now);
		g_assert_false(is_zero(message + MAC1_OFFSET(len), WH_COOKIE_LEN));
		g_assert_true(is_zero(message + MAC2_OFFSET(len), WH_COOKIE_LEN));
		g_assert_true(parties.cookie.have_sent_mac1);
		g_assert_cmpmem(parties.cookie.last_mac1_sent, WH_COOKIE_LEN, message + MAC1_OFFSET(len),
				WH_COOKIE_LEN);
		g_assert_cmpint(validate(&parties, message, len, source, sizeof(source), false), ==,
				WH_COOKIE_VALID_MAC_BUT_NO_COOKIE);
		/* Under load, without a cookie, mac1 alone still counts as valid. */
		g_assert_cmpint(validate(&parties, message, len, source, sizeof(source), true), ==,
				WH_COOKIE_VALID_MAC_BUT_NO_COOKIE);
		parties.cookie.have_sent_mac1 = false;
	}
}

/* mac1 = MAC(HASH("mac1----" || receiver public key), message up to mac1), 16 bytes (whitepaper 5.4.4). */
static void test_mac1_construction(void)
{
	struct parties parties;
	uint8_t message[INITIATION_LEN], key[WH_BLAKE2S_HASH_SIZE], mac1[WH_COOKIE_LEN];

	parties_init(&parties, 2);
	make_message(&parties, message, INITIATION_LEN, WH_MESSAGE_HANDSHAKE_INITIATION);
	wh_cookie_add_macs(&parties.cookie, message, INITIATION_LEN, parties.now);
	label_key(key, "mac1----", parties.receiver_public);
	wh_blake2s(mac1, sizeof(mac1), message, MAC1_OFFSET(INITIATION_LEN), key, sizeof(key));
	g_assert_cmpuint(MAC1_OFFSET(INITIATION_LEN), ==, 116);
	g_assert_cmpmem(message + 116, WH_COOKIE_LEN, mac1, sizeof(mac1));
}

static void assert_every_covered_bit_matters(struct parties *parties, size_t len, uint8_t type)
{
	uint8_t message[INITIATION_LEN], copy[INITIATION_LEN];

	make_message(parties, message, len, type);
	wh_cookie_add_macs(&parties->cookie, message, len, parties->now);
	for (size_t byte = 0; byte < MAC2_OFFSET(len); byte++) {
		for (int bit = 0; bit < 8; bit++) {
			memcpy(copy, message, len);
			copy[byte] ^= (uint8_t)(1u << bit);
			g_assert_cmpint(validate(parties, copy, len, source, sizeof(source), false), ==,
					WH_COOKIE_INVALID_MAC);
		}
	}
	/* mac2 is not covered by mac1 and not looked at when we are not under load. */
	for (size_t byte = MAC2_OFFSET(len); byte < len; byte++) {
		memcpy(copy, message, len);
		copy[byte] ^= 0x80;
		g_assert_cmpint(validate(parties, copy, len, source, sizeof(source), false), ==,
				WH_COOKIE_VALID_MAC_BUT_NO_COOKIE);
	}
}

static void test_flipped_bit_invalidates_mac1(void)
{
	struct parties parties;

	parties_init(&parties, 3);
	assert_every_covered_bit_matters(&parties, INITIATION_LEN, WH_MESSAGE_HANDSHAKE_INITIATION);
	assert_every_covered_bit_matters(&parties, RESPONSE_LEN, WH_MESSAGE_HANDSHAKE_RESPONSE);
}

static void test_wrong_key_invalid(void)
{
	struct parties parties;
	struct wh_cookie_checker other_checker, no_identity;
	struct wh_cookie other_cookie;
	uint8_t message[INITIATION_LEN], zero_key[WH_NOISE_SYMMETRIC_KEY_LEN];

	parties_init(&parties, 4);
	make_message(&parties, message, INITIATION_LEN, WH_MESSAGE_HANDSHAKE_INITIATION);
	wh_cookie_add_macs(&parties.cookie, message, INITIATION_LEN, parties.now);

	wh_cookie_checker_init(&other_checker, parties.sender_public);
	g_assert_cmpint(wh_cookie_validate(&other_checker, message, INITIATION_LEN, source, sizeof(source), false,
					   parties.now, parties.rng),
			==, WH_COOKIE_INVALID_MAC);
	wh_cookie_checker_init(&no_identity, NULL);
	g_assert_false(no_identity.has_identity);
	g_assert_cmpint(wh_cookie_validate(&no_identity, message, INITIATION_LEN, source, sizeof(source), false,
					   parties.now, parties.rng),
			==, WH_COOKIE_INVALID_MAC);
	/* Not even a mac1 under the all-zero key such a checker holds. */
	memset(zero_key, 0, sizeof(zero_key));
	wh_blake2s(message + MAC1_OFFSET(INITIATION_LEN), WH_COOKIE_LEN, message, MAC1_OFFSET(INITIATION_LEN),
		   zero_key, sizeof(zero_key));
	g_assert_cmpint(wh_cookie_validate(&no_identity, message, INITIATION_LEN, source, sizeof(source), false,
					   parties.now, parties.rng),
			==, WH_COOKIE_INVALID_MAC);

	/* Sent to the wrong peer: macs under another public key. */
	wh_cookie_init(&other_cookie, parties.sender_public);
	wh_cookie_add_macs(&other_cookie, message, INITIATION_LEN, parties.now);
	g_assert_cmpint(validate(&parties, message, INITIATION_LEN, source, sizeof(source), false), ==,
			WH_COOKIE_INVALID_MAC);
}

static void test_short_message_invalid(void)
{
	struct parties parties;
	uint8_t message[INITIATION_LEN];
	const size_t smallest = sizeof(struct wh_message_header) + sizeof(struct wh_message_macs);

	parties_init(&parties, 5);
	make_message(&parties, message, INITIATION_LEN, WH_MESSAGE_HANDSHAKE_INITIATION);
	for (size_t len = 0; len < smallest; len++)
		g_assert_cmpint(validate(&parties, message, len, source, sizeof(source), false), ==,
				WH_COOKIE_INVALID_MAC);
	wh_cookie_add_macs(&parties.cookie, message, smallest, parties.now);
	g_assert_cmpint(validate(&parties, message, smallest, source, sizeof(source), false), ==,
			WH_COOKIE_VALID_MAC_BUT_NO_COOKIE);
}

static void test_reply_header(void)
{
	struct parties parties;
	struct wh_message_handshake_cookie reply, second;
	uint8_t message[INITIATION_LEN];
	const uint8_t *bytes = (const uint8_t *)&reply;

	parties_init(&parties, 6);
	g_assert_cmpuint(sizeof(reply), ==, 64);
	make_message(&parties, message, INITIATION_LEN, WH_MESSAGE_HANDSHAKE_INITIATION);
	wh_cookie_add_macs(&parties.cookie, message, INITIATION_LEN, parties.now);
	memset(&reply, 0xff, sizeof(reply));
	wh_cookie_create_reply(&parties.checker, &reply, message, INITIATION_LEN, SENDER_INDEX, source,
			       sizeof(source), parties.now, parties.rng);
	g_assert_cmpuint(bytes[0], ==, WH_MESSAGE_HANDSHAKE_COOKIE);
	g_assert_cmpuint(bytes[1], ==, 0);
	g_assert_cmpuint(bytes[2], ==, 0);
	g_assert_cmpuint(bytes[3], ==, 0);
	g_assert_cmpuint(bytes[4], ==, 0x04);
	g_assert_cmpuint(bytes[5], ==, 0x03);
	g_assert_cmpuint(bytes[6], ==, 0x02);
	g_assert_cmpuint(bytes[7], ==, 0x01);
	g_assert_false(is_zero(reply.nonce, sizeof(reply.nonce)));
	/* A fresh random nonce for every reply. */
	wh_cookie_create_reply(&parties.checker, &second, message, INITIATION_LEN, SENDER_INDEX, source,
			       sizeof(source), parties.now, parties.rng);
	g_assert_cmpint(memcmp(reply.nonce, second.nonce, sizeof(reply.nonce)), !=, 0);
}

/* The reply carries XAEAD(HASH("cookie--" || receiver public key), nonce, MAC(secret, source), mac1). */
static void test_reply_construction(void)
{
	struct parties parties;
	struct wh_message_handshake_cookie reply;
	uint8_t message[INITIATION_LEN], key[WH_BLAKE2S_HASH_SIZE], cookie[WH_COOKIE_LEN], expected[WH_COOKIE_LEN];

	parties_init(&parties, 7);
	make_message(&parties, message, INITIATION_LEN, WH_MESSAGE_HANDSHAKE_INITIATION);
	wh_cookie_add_macs(&parties.cookie, message, INITIATION_LEN, parties.now);
	g_assert_cmpuint(parties.checker.secret_birthdate, ==, 0);
	wh_cookie_create_reply(&parties.checker, &reply, message, INITIATION_LEN, SENDER_INDEX, source,
			       sizeof(source), parties.now, parties.rng);
	g_assert_cmpuint(parties.checker.secret_birthdate, ==, parties.now);
	g_assert_false(is_zero(parties.checker.secret, sizeof(parties.checker.secret)));

	label_key(key, "cookie--", parties.receiver_public);
	g_assert_true(wh_xaead_decrypt(cookie, reply.encrypted_cookie, sizeof(reply.encrypted_cookie),
				       message + MAC1_OFFSET(INITIATION_LEN), WH_COOKIE_LEN, reply.nonce, key));
	wh_blake2s(expected, sizeof(expected), source, sizeof(source), parties.checker.secret,
		   sizeof(parties.checker.secret));
	g_assert_cmpmem(cookie, sizeof(cookie), expected, sizeof(expected));

	g_assert_true(wh_cookie_consume_reply(&parties.cookie, &reply, parties.now));
	g_assert_cmpmem(parties.cookie.cookie, WH_COOKIE_LEN, expected, sizeof(expected));
	g_assert_true(parties.cookie.is_valid);
	g_assert_cmpuint(parties.cookie.birthdate, ==, parties.now);

	/* mac2 = MAC(cookie, message up to mac2), mac1 included. */
	make_message(&parties, message, INITIATION_LEN, WH_MESSAGE_HANDSHAKE_INITIATION);
	wh_cookie_add_macs(&parties.cookie, message, INITIATION_LEN, parties.now);
	wh_blake2s(expected, sizeof(expected), message, MAC2_OFFSET(INITIATION_LEN), cookie, sizeof(cookie));
	g_assert_cmpuint(MAC2_OFFSET(INITIATION_LEN), ==, 132);
	g_assert_cmpmem(message + 132, WH_COOKIE_LEN, expected, sizeof(expected));
}

static void assert_cookie_round_trip(struct parties *parties, size_t len, uint8_t type)
{
	uint8_t message[INITIATION_LEN], copy[INITIATION_LEN];

	make_message(parties, message, len, type);
	obtain_cookie(parties, message, len);
	g_assert_false(parties->cookie.have_sent_mac1);

	/* The resent message carries mac2 under the cookie, good only for the address it was made for. */
	make_message(parties, message, len, type);
	wh_cookie_add_macs(&parties->cookie, message, len, parties->now);
	g_assert_false(is_zero(message + MAC2_OFFSET(len), WH_COOKIE_LEN));
	g_assert_cmpint(validate(parties, message, len, source, sizeof(source), true), ==,
			WH_COOKIE_VALID_MAC_WITH_COOKIE);
	g_assert_cmpint(validate(parties, message, len, other_source, sizeof(other_source), true), ==,
			WH_COOKIE_VALID_MAC_BUT_NO_COOKIE);
	g_assert_cmpint(validate(parties, message, len, source, sizeof(source) - 1, true), ==,
			WH_COOKIE_VALID_MAC_BUT_NO_COOKIE);
	/* Not under load, mac2 is ignored. */
	g_assert_cmpint(validate(parties, message, len, source, sizeof(source), false), ==,
			WH_COOKIE_VALID_MAC_BUT_NO_COOKIE);
	/* A bad mac2 costs only the cookie; a bad bit before it costs mac1. */
	memcpy(copy, message, len);
	copy[len - 1] ^= 1;
	g_assert_cmpint(validate(parties, copy, len, source, sizeof(source), true), ==,
			WH_COOKIE_VALID_MAC_BUT_NO_COOKIE);
	memcpy(copy, message, len);
	copy[MAC1_OFFSET(len) - 1] ^= 1;
	g_assert_cmpint(validate(parties, copy, len, source, sizeof(source), true), ==, WH_COOKIE_INVALID_MAC);
}

static void test_cookie_round_trip(void)
{
	struct parties parties;

	parties_init(&parties, 8);
	assert_cookie_round_trip(&parties, INITIATION_LEN, WH_MESSAGE_HANDSHAKE_INITIATION);
	parties_init(&parties, 9);
	assert_cookie_round_trip(&parties, RESPONSE_LEN, WH_MESSAGE_HANDSHAKE_RESPONSE);
}

static void test_replayed_reply_refused(void)
{
	struct parties parties;
	struct wh_message_handshake_cookie reply;
	uint8_t message[INITIATION_LEN], cookie[WH_COOKIE_LEN];

	parties_init(&parties, 10);
	make_message(&parties, message, INITIATION_LEN, WH_MESSAGE_HANDSHAKE_INITIATION);
	wh_cookie_add_macs(&parties.cookie, message, INITIATION_LEN, parties.now);
	wh_cookie_create_reply(&parties.checker, &reply, message, INITIATION_LEN, SENDER_INDEX, source,
			       sizeof(source), parties.now, parties.rng);
	g_assert_true(wh_cookie_consume_reply(&parties.cookie, &reply, parties.now));
	memcpy(cookie, parties.cookie.cookie, sizeof(cookie));
	advance(&parties, SEC(1));
	g_assert_false(wh_cookie_consume_reply(&parties.cookie, &reply, parties.now));
	g_assert_cmpuint(parties.cookie.birthdate, ==, parties.now - SEC(1));

	/* After we send a new message the old reply is bound to the old mac1. */
	make_message(&parties, message, INITIATION_LEN, WH_MESSAGE_HANDSHAKE_INITIATION);
	wh_cookie_add_macs(&parties.cookie, message, INITIATION_LEN, parties.now);
	g_assert_false(wh_cookie_consume_reply(&parties.cookie, &reply, parties.now));
	g_assert_true(parties.cookie.have_sent_mac1);
	g_assert_cmpmem(parties.cookie.cookie, WH_COOKIE_LEN, cookie, sizeof(cookie));
}

static void test_tampered_reply_refused(void)
{
	struct parties parties, other;
	struct wh_message_handshake_cookie reply, copy;
	uint8_t message[INITIATION_LEN];
	uint8_t *bytes = (uint8_t *)&copy;

	parties_init(&parties, 11);
	make_message(&parties, message, INITIATION_LEN, WH_MESSAGE_HANDSHAKE_INITIATION);
	wh_cookie_add_macs(&parties.cookie, message, INITIATION_LEN, parties.now);
	wh_cookie_create_reply(&parties.checker, &reply, message, INITIATION_LEN, SENDER_INDEX, source,
			       sizeof(source), parties.now, parties.rng);
	/* Nonce and encrypted cookie: everything after the header and receiver index. */
	for (size_t byte = offsetof(struct wh_message_handshake_cookie, nonce); byte < sizeof(copy); byte++) {
		copy = reply;
		bytes[byte] ^= 0x10;
		g_assert_false(wh_cookie_consume_reply(&parties.cookie, &copy, parties.now));
	}
	copy = reply;
	copy.header.type = WH_MESSAGE_HANDSHAKE_RESPONSE;
	g_assert_false(wh_cookie_consume_reply(&parties.cookie, &copy, parties.now));
	g_assert_false(parties.cookie.is_valid);
	g_assert_true(parties.cookie.have_sent_mac1);

	/* A reply from a checker of another key does not decrypt either. */
	parties_init(&other, 12);
	wh_cookie_create_reply(&other.checker, &copy, message, INITIATION_LEN, SENDER_INDEX, source, sizeof(source),
			       parties.now, parties.rng);
	g_assert_false(wh_cookie_consume_reply(&parties.cookie, &copy, parties.now));
	g_assert_false(parties.cookie.is_valid);

	g_assert_true(wh_cookie_consume_reply(&parties.cookie, &reply, parties.now));
	g_assert_true(parties.cookie.is_valid);
}

static void test_reply_for_mac1_not_sent(void)
{
	struct parties parties;
	struct wh_cookie stranger;
	struct wh_message_handshake_cookie reply;
	uint8_t message[INITIATION_LEN], theirs[INITIATION_LEN];

	parties_init(&parties, 13);
	make_message(&parties, message, INITIATION_LEN, WH_MESSAGE_HANDSHAKE_INITIATION);
	/* Nothing sent yet: even a genuine reply to the right mac1 is refused. */
	wh_cookie_init(&stranger, parties.receiver_public);
	wh_cookie_add_macs(&stranger, message, INITIATION_LEN, parties.now);
	wh_cookie_create_reply(&parties.checker, &reply, message, INITIATION_LEN, SENDER_INDEX, source,
			       sizeof(source), parties.now, parties.rng);
	g_assert_false(parties.cookie.have_sent_mac1);
	g_assert_false(wh_cookie_consume_reply(&parties.cookie, &reply, parties.now));
	g_assert_false(parties.cookie.is_valid);

	/* We sent something else: a reply to another message's mac1 is refused. */
	make_message(&parties, theirs, INITIATION_LEN, WH_MESSAGE_HANDSHAKE_INITIATION);
	wh_cookie_add_macs(&parties.cookie, theirs, INITIATION_LEN, parties.now);
	g_assert_false(wh_cookie_consume_reply(&parties.cookie, &reply, parties.now));
	g_assert_false(parties.cookie.is_valid);
}

/* The sender stops using a cookie COOKIE_SECRET_MAX_AGE - COOKIE_SECRET_LATENCY after it arrived. */
static void test_cookie_stops_being_used(void)
{
	struct parties parties;
	uint8_t message[INITIATION_LEN];
	const uint64_t usable = SEC(WH_COOKIE_SECRET_MAX_AGE - WH_COOKIE_SECRET_LATENCY);

	parties_init(&parties, 14);
	g_assert_cmpuint(usable, ==, SEC(115));
	make_message(&parties, message, INITIATION_LEN, WH_MESSAGE_HANDSHAKE_INITIATION);
	obtain_cookie(&parties, message, INITIATION_LEN);

	advance(&parties, usable - 1);
	make_message(&parties, message, INITIATION_LEN, WH_MESSAGE_HANDSHAKE_INITIATION);
	wh_cookie_add_macs(&parties.cookie, message, INITIATION_LEN, parties.now);
	g_assert_false(is_zero(message + MAC2_OFFSET(INITIATION_LEN), WH_COOKIE_LEN));
	g_assert_cmpint(validate(&parties, message, INITIATION_LEN, source, sizeof(source), true), ==,
			WH_COOKIE_VALID_MAC_WITH_COOKIE);

	advance(&parties, 1);
	make_message(&parties, message, INITIATION_LEN, WH_MESSAGE_HANDSHAKE_INITIATION);
	wh_cookie_add_macs(&parties.cookie, message, INITIATION_LEN, parties.now);
	g_assert_true(is_zero(message + MAC2_OFFSET(INITIATION_LEN), WH_COOKIE_LEN));
	g_assert_cmpint(validate(&parties, message, INITIATION_LEN, source, sizeof(source), true), ==,
			WH_COOKIE_VALID_MAC_BUT_NO_COOKIE);
}

/* The checker's secret lives COOKIE_SECRET_MAX_AGE: a cookie made from it stops validating then. */
static void test_secret_rotates(void)
{
	struct parties parties;
	uint8_t message[INITIATION_LEN], old_secret[WH_NOISE_HASH_LEN];
	const uint64_t born = SEC(1000);

	parties_init(&parties, 15);
	g_assert_cmpuint(parties.now, ==, born);
	make_message(&parties, message, INITIATION_LEN, WH_MESSAGE_HANDSHAKE_INITIATION);
	obtain_cookie(&parties, message, INITIATION_LEN);
	memcpy(old_secret, parties.checker.secret, sizeof(old_secret));

	/* mac2 written while the cookie is still fresh for the sender, checked on both sides of 120 s. */
	advance(&parties, SEC(100));
	make_message(&parties, message, INITIATION_LEN, WH_MESSAGE_HANDSHAKE_INITIATION);
	wh_cookie_add_macs(&parties.cookie, message, INITIATION_LEN, parties.now);
	advance(&parties, SEC(WH_COOKIE_SECRET_MAX_AGE - 100) - 1);
	g_assert_cmpint(validate(&parties, message, INITIATION_LEN, source, sizeof(source), true), ==,
			WH_COOKIE_VALID_MAC_WITH_COOKIE);
	g_assert_cmpuint(parties.checker.secret_birthdate, ==, born);
	advance(&parties, 1);
	g_assert_cmpint(validate(&parties, message, INITIATION_LEN, source, sizeof(source), true), ==,
			WH_COOKIE_VALID_MAC_BUT_NO_COOKIE);
	g_assert_cmpuint(parties.checker.secret_birthdate, ==, born + SEC(WH_COOKIE_SECRET_MAX_AGE));
	g_assert_cmpint(memcmp(old_secret, parties.checker.secret, sizeof(old_secret)), !=, 0);

	/* A new reply carries a cookie from the new secret, which validates again. */
	make_message(&parties, message, INITIATION_LEN, WH_MESSAGE_HANDSHAKE_INITIATION);
	obtain_cookie(&parties, message, INITIATION_LEN);
	make_message(&parties, message, INITIATION_LEN, WH_MESSAGE_HANDSHAKE_INITIATION);
	wh_cookie_add_macs(&parties.cookie, message, INITIATION_LEN, parties.now);
	g_assert_cmpint(validate(&parties, message, INITIATION_LEN, source, sizeof(source), true), ==,
			WH_COOKIE_VALID_MAC_WITH_COOKIE);
}

static void test_clear_wipes(void)
{
	struct parties parties;
	uint8_t message[INITIATION_LEN];

	parties_init(&parties, 16);
	make_message(&parties, message, INITIATION_LEN, WH_MESSAGE_HANDSHAKE_INITIATION);
	obtain_cookie(&parties, message, INITIATION_LEN);
	wh_cookie_clear(&parties.cookie);
	wh_cookie_checker_clear(&parties.checker);
	g_assert_true(is_zero((const uint8_t *)&parties.cookie, sizeof(parties.cookie)));
	g_assert_true(is_zero((const uint8_t *)&parties.checker, sizeof(parties.checker)));
	g_assert_cmpint(validate(&parties, message, INITIATION_LEN, source, sizeof(source), false), ==,
			WH_COOKIE_INVALID_MAC);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_assert_cmpint(wh_init(), ==, 0);
	g_test_add_func("/cookie/mac1-without-cookie", test_mac1_without_cookie);
	g_test_add_func("/cookie/mac1-construction", test_mac1_construction);
	g_test_add_func("/cookie/flipped-bit-invalidates-mac1", test_flipped_bit_invalidates_mac1);
	g_test_add_func("/cookie/wrong-key-invalid", test_wrong_key_invalid);
	g_test_add_func("/cookie/short-message-invalid", test_short_message_invalid);
	g_test_add_func("/cookie/reply-header", test_reply_header);
	g_test_add_func("/cookie/reply-construction", test_reply_construction);
	g_test_add_func("/cookie/round-trip", test_cookie_round_trip);
	g_test_add_func("/cookie/replayed-reply-refused", test_replayed_reply_refused);
	g_test_add_func("/cookie/tampered-reply-refused", test_tampered_reply_refused);
	g_test_add_func("/cookie/reply-for-mac1-not-sent", test_reply_for_mac1_not_sent);
	g_test_add_func("/cookie/cookie-stops-being-used", test_cookie_stops_being_used);
	g_test_add_func("/cookie/secret-rotates", test_secret_rotates);
	g_test_add_func("/cookie/clear-wipes", test_clear_wipes);
	return g_test_run();
}
