/* Transport keypairs: sealing and opening data messages in place (padding, header, every refusal),
 * the time and message limits, and the current/previous/next rotation with key confirmation. */
#include <errno.h>
#include <glib.h>
#include <string.h>

#include "noise/keypair.h"
#include "noise/messages.h"
#include "support.h"

/* Where wh_keypairs_received_with reports a dropped index; a confirmation never drops one here. */
static uint32_t dropped_index;

#define SEC(s) ((uint64_t)(s) * WH_NSEC_PER_SEC)
#define NOW SEC(1000)
#define HEADER_LEN sizeof(struct wh_message_data)
#define TAG_LEN ((size_t)WH_NOISE_AUTHTAG_LEN)
#define INITIATOR_INDEX 0x11223344u
#define RESPONDER_INDEX 0xa1b2c3d4u
/* Room for the largest plaintext we try, its padding and the tag. */
#define BUFFER_LEN (HEADER_LEN + 4096 + TAG_LEN)

/* The initiator's and responder's keypairs of one session: A sends with what B receives with. */
struct session {
	struct wh_keypair *initiator;
	struct wh_keypair *responder;
};

static void session_init(struct session *session, uint64_t seed, uint64_t now_ns)
{
	struct seeded_rng seeded;
	const struct wh_rng *rng = seeded_rng_init(&seeded, seed);
	struct wh_session_keys a = {.local_index = INITIATOR_INDEX, .remote_index = RESPONDER_INDEX,
				    .i_am_the_initiator = true};
	struct wh_session_keys b = {.local_index = RESPONDER_INDEX, .remote_index = INITIATOR_INDEX,
				    .i_am_the_initiator = false};

	rng->fill(rng->ctx, a.sending, sizeof(a.sending));
	rng->fill(rng->ctx, a.receiving, sizeof(a.receiving));
	memcpy(b.sending, a.receiving, sizeof(b.sending));
	memcpy(b.receiving, a.sending, sizeof(b.receiving));
	session->initiator = wh_keypair_new(&a, now_ns);
	session->responder = wh_keypair_new(&b, now_ns);
	g_assert_nonnull(session->initiator);
	g_assert_nonnull(session->responder);
}

static void session_free(struct session *session)
{
	wh_keypair_free(session->initiator);
	wh_keypair_free(session->responder);
}

static size_t round_up_16(size_t len)
{
	return (len + 15) / 16 * 16;
}

static void fill_pattern(uint8_t *plain, size_t len, uint8_t salt)
{
	for (size_t i = 0; i < len; i++)
		plain[i] = (uint8_t)(i * 7 + salt);
}

/* Seals len pattern bytes with mtu into message and checks the length the kernel's rule gives. */
static size_t seal_checked(struct wh_keypair *keypair, uint8_t *message, size_t len, size_t mtu, size_t padded)
{
	ssize_t sealed;

	fill_pattern(message + HEADER_LEN, len, (uint8_t)len);
	g_assert_cmpuint(wh_data_message_length(len, mtu), ==, HEADER_LEN + padded + TAG_LEN);
	sealed = wh_keypair_seal(keypair, message, len, BUFFER_LEN, mtu, NOW);
	g_assert_cmpint(sealed, ==, (ssize_t)(HEADER_LEN + padded + TAG_LEN));
	return (size_t)sealed;
}

/* Opens message and checks the plaintext and its zero padding came back. */
static void open_checked(struct wh_keypair *keypair, uint8_t *message, size_t sealed_len, size_t len, size_t padded)
{
	uint8_t expected[BUFFER_LEN];

	g_assert_cmpint(wh_keypair_open(keypair, message, sealed_len, NOW), ==, (ssize_t)padded);
	fill_pattern(expected, len, (uint8_t)len);
	memset(expected + len, 0, padded - len);
	g_assert_cmpmem(message + HEADER_LEN, padded, expected, padded);
}

static void test_new_wipes_session_keys(void)
{
	struct wh_session_keys keys, zero;
	struct wh_keypair *keypair;

	memset(&keys, 0x5a, sizeof(keys));
	keys.i_am_the_initiator = true;
	memset(&zero, 0, sizeof(zero));
	keypair = wh_keypair_new(&keys, NOW);
	g_assert_nonnull(keypair);
	g_assert_cmpmem(&keys, sizeof(keys), &zero, sizeof(zero));

	/* The keypair took everything before the wipe. */
	for (size_t i = 0; i < sizeof(keypair->sending_key); i++) {
		g_assert_cmpuint(keypair->sending_key[i], ==, 0x5a);
		g_assert_cmpuint(keypair->receiving_key[i], ==, 0x5a);
	}
	g_assert_cmpuint(keypair->local_index, ==, 0x5a5a5a5au);
	g_assert_cmpuint(keypair->remote_index, ==, 0x5a5a5a5au);
	g_assert_true(keypair->i_am_the_initiator);
	g_assert_cmpuint(keypair->birthdate, ==, NOW);
	g_assert_cmpuint(keypair->sending_counter, ==, 0);
	g_assert_cmpuint(keypair->receiving_window.greatest, ==, 0);
	g_assert_true(keypair->sending_valid);
	g_assert_true(keypair->receiving_valid);
	wh_keypair_free(keypair);
	wh_keypair_free(NULL);
}

static void test_round_trip_all_lengths(void)
{
	struct session session;
	uint8_t message[BUFFER_LEN] = {0};

	session_init(&session, 1, NOW);
	for (size_t len = 0; len <= 1500; len++) {
		size_t padded = round_up_16(len);
		size_t sealed = seal_checked(session.initiator, message, len, 0, padded);

		g_assert_cmpuint(wh_get_le64(message + 8), ==, len);
		open_checked(session.responder, message, sealed, len, padded);
	}
	/* And the other direction. */
	for (size_t len = 0; len <= 1500; len += 97) {
		size_t padded = round_up_16(len);
		size_t sealed = seal_checked(session.responder, message, len, 0, padded);

		open_checked(session.initiator, message, sealed, len, padded);
	}
	session_free(&session);
}

static void test_ciphertext_hides_plaintext(void)
{
	struct session session;
	uint8_t message[BUFFER_LEN], plain[64];

	session_init(&session, 2, NOW);
	fill_pattern(plain, sizeof(plain), 64);
	seal_checked(session.initiator, message, sizeof(plain), 0, sizeof(plain));
	g_assert_cmpint(memcmp(message + HEADER_LEN, plain, sizeof(plain)), !=, 0);
	session_free(&session);
}

/* The kernel's calculate_skb_padding(): pad to 16 but never past the mtu, taking the length modulo the
 * mtu first when the packet is bigger than it. */
static void test_padding_bounded_by_mtu(void)
{
	static const struct {
		size_t len, mtu, padded;
	} cases[] = {
		/* Below the mtu: up to 16, clamped to the mtu. */
		{0, 1420, 0}, {1, 1420, 16}, {1404, 1420, 1408}, {1405, 1420, 1408}, {1409, 1420, 1420},
		{1416, 1420, 1420}, {1419, 1420, 1420}, {1420, 1420, 1420},
		/* Beyond it: the part past a whole mtu is padded. */
		{1421, 1420, 1436}, {1436, 1420, 1436}, {1437, 1420, 1452}, {2840, 1420, 2840}, {2841, 1420, 2856},
		/* Other mtus, not all multiples of 16, on both sides. */
		{1499, 1500, 1500}, {1500, 1500, 1500}, {1501, 1500, 1516}, {15, 20, 16}, {17, 20, 20}, {21, 20, 36},
		{99, 100, 100}, {100, 100, 100}, {1, 1, 1}, {2, 1, 2},
		/* No mtu: plain rounding to 16. */
		{1419, 0, 1424}, {1421, 0, 1424},
	};
	struct session session;
	uint8_t message[BUFFER_LEN] = {0};

	session_init(&session, 3, NOW);
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		size_t sealed = seal_checked(session.initiator, message, cases[i].len, cases[i].mtu, cases[i].padded);

		open_checked(session.responder, message, sealed, cases[i].len, cases[i].padded);
	}
	session_free(&session);
}

static void test_header_fields(void)
{
	struct session session;
	uint8_t message[BUFFER_LEN] = {0};

	session_init(&session, 4, NOW);
	for (uint64_t counter = 0; counter < 300; counter++) {
		memset(message, 0xff, HEADER_LEN);
		seal_checked(session.initiator, message, 10, 0, 16);
		g_assert_cmpuint(message[0], ==, WH_MESSAGE_DATA);
		g_assert_cmpuint(message[1], ==, 0);
		g_assert_cmpuint(message[2], ==, 0);
		g_assert_cmpuint(message[3], ==, 0);
		/* The receiver's index and the counter, both little-endian. */
		g_assert_cmpuint(message[4], ==, 0xd4);
		g_assert_cmpuint(message[5], ==, 0xc3);
		g_assert_cmpuint(message[6], ==, 0xb2);
		g_assert_cmpuint(message[7], ==, 0xa1);
		g_assert_cmpuint(message[8], ==, counter & 0xff);
		g_assert_cmpuint(message[9], ==, counter >> 8);
		for (size_t i = 10; i < 16; i++)
			g_assert_cmpuint(message[i], ==, 0);
		g_assert_cmpuint(session.initiator->sending_counter, ==, counter + 1);
	}
	session.initiator->sending_counter = UINT64_C(0x0102030405060708);
	seal_checked(session.initiator, message, 10, 0, 16);
	for (size_t i = 0; i < 8; i++)
		g_assert_cmpuint(message[8 + i], ==, 8 - i);
	session_free(&session);
}

static void test_open_rejects_short(void)
{
	struct session session;
	uint8_t message[BUFFER_LEN] = {0};
	size_t sealed;

	session_init(&session, 5, NOW);
	sealed = seal_checked(session.initiator, message, 0, 0, 0);
	g_assert_cmpuint(sealed, ==, WH_MESSAGE_DATA_MIN_LEN);
	g_assert_cmpuint(WH_MESSAGE_DATA_MIN_LEN, ==, 32);
	for (size_t len = 0; len < 32; len++)
		g_assert_cmpint(wh_keypair_open(session.responder, message, len, NOW), ==, -EINVAL);
	/* The keepalive itself opens to nothing. */
	g_assert_cmpint(wh_keypair_open(session.responder, message, sealed, NOW), ==, 0);
	session_free(&session);
}

/* Every bit the tag covers (counter, ciphertext, tag) is refused when flipped, and a forgery never
 * moves the window: the genuine message still opens afterwards. */
static void test_open_rejects_tampering(void)
{
	struct session session;
	uint8_t message[BUFFER_LEN], copy[BUFFER_LEN];
	size_t sealed;

	session_init(&session, 6, NOW);
	sealed = seal_checked(session.initiator, message, 40, 0, 48);
	for (size_t byte = 8; byte < sealed; byte++) {
		for (int bit = 0; bit < 8; bit += 3) {
			memcpy(copy, message, sealed);
			copy[byte] ^= (uint8_t)(1u << bit);
			g_assert_cmpint(wh_keypair_open(session.responder, copy, sealed, NOW), ==, -EBADMSG);
		}
	}
	/* Truncated or extended by one byte: the tag moves. */
	memcpy(copy, message, sealed);
	g_assert_cmpint(wh_keypair_open(session.responder, copy, sealed - 1, NOW), ==, -EBADMSG);
	memcpy(copy, message, sealed);
	copy[sealed] = 0;
	g_assert_cmpint(wh_keypair_open(session.responder, copy, sealed + 1, NOW), ==, -EBADMSG);
	/* A forged counter far ahead must not have dragged the window with it. */
	memcpy(copy, message, sealed);
	wh_put_le64(copy + 8, UINT64_C(1) << 40);
	g_assert_cmpint(wh_keypair_open(session.responder, copy, sealed, NOW), ==, -EBADMSG);
	g_assert_cmpuint(session.responder->receiving_window.greatest, ==, 0);
	g_assert_true(session.responder->receiving_valid);
	open_checked(session.responder, message, sealed, 40, 48);
	session_free(&session);
}

static void test_open_rejects_replay(void)
{
	struct session session;
	uint8_t message[BUFFER_LEN], copy[BUFFER_LEN];
	size_t sealed;

	session_init(&session, 7, NOW);
	sealed = seal_checked(session.initiator, message, 100, 0, 112);
	memcpy(copy, message, sealed);
	open_checked(session.responder, message, sealed, 100, 112);
	g_assert_cmpint(wh_keypair_open(session.responder, copy, sealed, NOW), ==, -EALREADY);
	/* The refused replay left the keypair usable. */
	sealed = seal_checked(session.initiator, message, 100, 0, 112);
	open_checked(session.responder, message, sealed, 100, 112);
	session_free(&session);
}

static void test_open_rejects_too_old(void)
{
	struct session session;
	uint8_t oldest[BUFFER_LEN], edge[BUFFER_LEN], newest[BUFFER_LEN];
	size_t oldest_len, edge_len, newest_len;

	session_init(&session, 8, NOW);
	oldest_len = seal_checked(session.initiator, oldest, 20, 0, 32);
	edge_len = seal_checked(session.initiator, edge, 21, 0, 32);
	session.initiator->sending_counter = WH_REPLAY_WINDOW_SIZE + 1;
	newest_len = seal_checked(session.initiator, newest, 22, 0, 32);
	open_checked(session.responder, newest, newest_len, 22, 32);
	/* Highest is 1985: counter 1 is the oldest still inside the window, counter 0 is out. */
	open_checked(session.responder, edge, edge_len, 21, 32);
	g_assert_cmpint(wh_keypair_open(session.responder, oldest, oldest_len, NOW), ==, -EALREADY);
	session_free(&session);
}

static void test_open_rejects_wrong_key(void)
{
	struct session session, other;
	uint8_t message[BUFFER_LEN], copy[BUFFER_LEN];
	size_t sealed;

	session_init(&session, 9, NOW);
	session_init(&other, 10, NOW);
	sealed = seal_checked(session.initiator, message, 60, 0, 64);
	memcpy(copy, message, sealed);
	g_assert_cmpint(wh_keypair_open(other.responder, copy, sealed, NOW), ==, -EBADMSG);
	memcpy(copy, message, sealed);
	/* Our own message under our receiving key: the directions' keys differ. */
	g_assert_cmpint(wh_keypair_open(session.initiator, copy, sealed, NOW), ==, -EBADMSG);
	open_checked(session.responder, message, sealed, 60, 64);
	session_free(&other);
	session_free(&session);
}

static void test_seal_needs_capacity(void)
{
	struct session session;
	uint8_t message[BUFFER_LEN] = {0};
	size_t needed = wh_data_message_length(100, 0);

	session_init(&session, 11, NOW);
	g_assert_cmpuint(needed, ==, HEADER_LEN + 112 + TAG_LEN);
	fill_pattern(message + HEADER_LEN, 100, 100);
	g_assert_cmpint(wh_keypair_seal(session.initiator, message, 100, needed - 1, 0, NOW), ==, -ENOSPC);
	g_assert_cmpint(wh_keypair_seal(session.initiator, message, 100, 0, 0, NOW), ==, -ENOSPC);
	g_assert_cmpuint(session.initiator->sending_counter, ==, 0);
	g_assert_cmpint(wh_keypair_seal(session.initiator, message, 100, needed, 0, NOW), ==, (ssize_t)needed);
	g_assert_cmpuint(wh_get_le64(message + 8), ==, 0);
	open_checked(session.responder, message, needed, 100, 112);
	/* The mtu's tighter padding needs less room. */
	needed = wh_data_message_length(1419, 1420);
	fill_pattern(message + HEADER_LEN, 1419, (uint8_t)1419);
	g_assert_cmpint(wh_keypair_seal(session.initiator, message, 1419, needed - 1, 1420, NOW), ==, -ENOSPC);
	g_assert_cmpint(wh_keypair_seal(session.initiator, message, 1419, needed, 1420, NOW), ==, (ssize_t)needed);
	session_free(&session);
}

static void test_send_expires_after_reject_after_time(void)
{
	struct session session;
	uint8_t message[BUFFER_LEN] = {0};
	uint64_t expiry = NOW + SEC(WH_REJECT_AFTER_TIME);

	session_init(&session, 12, NOW);
	g_assert_true(wh_keypair_can_send(session.initiator, NOW));
	g_assert_true(wh_keypair_can_send(session.initiator, expiry - 1));
	g_assert_false(wh_keypair_can_send(session.initiator, expiry));
	g_assert_false(wh_keypair_can_send(session.initiator, expiry + SEC(1000)));
	g_assert_false(wh_keypair_can_send(NULL, NOW));
	g_assert_cmpint(wh_keypair_seal(session.initiator, message, 10, BUFFER_LEN, 0, expiry - 1), ==, 48);
	g_assert_cmpint(wh_keypair_seal(session.initiator, message, 10, BUFFER_LEN, 0, expiry), ==, -ENOKEY);
	g_assert_cmpuint(session.initiator->sending_counter, ==, 1);
	session_free(&session);
}

static void test_send_stops_at_reject_after_messages(void)
{
	struct session session;
	uint8_t message[BUFFER_LEN] = {0};
	size_t sealed;

	session_init(&session, 13, NOW);
	session.initiator->sending_counter = WH_REJECT_AFTER_MESSAGES - 1;
	g_assert_true(wh_keypair_can_send(session.initiator, NOW));
	sealed = seal_checked(session.initiator, message, 5, 0, 16);
	g_assert_cmpuint(wh_get_le64(message + 8), ==, WH_REJECT_AFTER_MESSAGES - 1);
	g_assert_false(wh_keypair_can_send(session.initiator, NOW));
	g_assert_cmpint(wh_keypair_seal(session.initiator, message + 64, 5, BUFFER_LEN - 64, 0, NOW), ==, -ENOKEY);
	g_assert_cmpuint(session.initiator->sending_counter, ==, WH_REJECT_AFTER_MESSAGES);

	/* The last counter opens; after it the receiving side is spent too. */
	open_checked(session.responder, message, sealed, 5, 16);
	g_assert_cmpint(wh_keypair_open(session.responder, message, sealed, NOW), ==, -ENOKEY);
	g_assert_false(session.responder->receiving_valid);
	session_free(&session);
}

static void test_open_expires_after_reject_after_time(void)
{
	struct session session;
	uint8_t message[BUFFER_LEN], copy[BUFFER_LEN];
	uint64_t expiry = NOW + SEC(WH_REJECT_AFTER_TIME);
	size_t sealed;

	session_init(&session, 14, NOW);
	sealed = seal_checked(session.initiator, message, 30, 0, 32);
	memcpy(copy, message, sealed);
	sealed = seal_checked(session.initiator, message, 30, 0, 32);
	g_assert_cmpint(wh_keypair_open(session.responder, copy, sealed, expiry - 1), ==, 32);
	g_assert_true(session.responder->receiving_valid);
	g_assert_cmpint(wh_keypair_open(session.responder, message, sealed, expiry), ==, -ENOKEY);
	g_assert_false(session.responder->receiving_valid);
	session_free(&session);
}

static void test_open_refused_when_invalid(void)
{
	struct session session;
	uint8_t message[BUFFER_LEN] = {0};
	size_t sealed;

	session_init(&session, 15, NOW);
	sealed = seal_checked(session.initiator, message, 30, 0, 32);
	session.responder->receiving_valid = false;
	g_assert_cmpint(wh_keypair_open(session.responder, message, sealed, NOW), ==, -ENOKEY);
	session.initiator->sending_valid = false;
	g_assert_false(wh_keypair_can_send(session.initiator, NOW));
	g_assert_cmpint(wh_keypair_seal(session.initiator, message, 10, BUFFER_LEN, 0, NOW), ==, -ENOKEY);
	session_free(&session);
}

/* ---- rotation ---------------------------------------------------------------------------------- */

static struct wh_keypair *keypair_with_index(uint32_t local_index, bool initiator)
{
	struct wh_session_keys keys = {.local_index = local_index, .remote_index = ~local_index,
				       .i_am_the_initiator = initiator};

	memset(keys.sending, (int)local_index, sizeof(keys.sending));
	memset(keys.receiving, (int)~local_index, sizeof(keys.receiving));
	return wh_keypair_new(&keys, NOW);
}

static void assert_slots(const struct wh_keypairs *keypairs, const struct wh_keypair *current,
			 const struct wh_keypair *previous, const struct wh_keypair *next)
{
	g_assert_true(keypairs->current == current);
	g_assert_true(keypairs->previous == previous);
	g_assert_true(keypairs->next == next);
}

static void assert_clear(struct wh_keypairs *keypairs, int count)
{
	uint32_t dropped[3];

	g_assert_cmpint(wh_keypairs_clear(keypairs, dropped), ==, count);
	assert_slots(keypairs, NULL, NULL, NULL);
}

static void test_initiator_add(void)
{
	struct wh_keypairs keypairs;
	struct wh_keypair *first = keypair_with_index(1, true), *second = keypair_with_index(2, true),
			  *third = keypair_with_index(3, true);
	uint32_t dropped[2] = {0};

	wh_keypairs_init(&keypairs);
	assert_slots(&keypairs, NULL, NULL, NULL);
	g_assert_cmpint(wh_keypairs_add(&keypairs, first, dropped), ==, 0);
	assert_slots(&keypairs, first, NULL, NULL);
	g_assert_cmpint(wh_keypairs_add(&keypairs, second, dropped), ==, 0);
	assert_slots(&keypairs, second, first, NULL);
	g_assert_cmpint(wh_keypairs_add(&keypairs, third, dropped), ==, 1);
	g_assert_cmpuint(dropped[0], ==, 1);
	assert_slots(&keypairs, third, second, NULL);
	assert_clear(&keypairs, 2);
}

static void test_responder_add_waits_in_next(void)
{
	struct wh_keypairs keypairs;
	struct wh_keypair *first = keypair_with_index(1, true), *second = keypair_with_index(2, true);
	struct wh_keypair *next = keypair_with_index(3, false), *newer = keypair_with_index(4, false);
	uint32_t dropped[2] = {0};

	wh_keypairs_init(&keypairs);
	g_assert_cmpint(wh_keypairs_add(&keypairs, next, dropped), ==, 0);
	assert_slots(&keypairs, NULL, NULL, next);
	assert_clear(&keypairs, 1);

	next = keypair_with_index(3, false);
	wh_keypairs_add(&keypairs, first, dropped);
	wh_keypairs_add(&keypairs, second, dropped);
	assert_slots(&keypairs, second, first, NULL);
	/* previous goes, current keeps sending until the initiator confirms next. */
	g_assert_cmpint(wh_keypairs_add(&keypairs, next, dropped), ==, 1);
	g_assert_cmpuint(dropped[0], ==, 1);
	assert_slots(&keypairs, second, NULL, next);
	/* A newer responder session replaces the unconfirmed one. */
	g_assert_cmpint(wh_keypairs_add(&keypairs, newer, dropped), ==, 1);
	g_assert_cmpuint(dropped[0], ==, 3);
	assert_slots(&keypairs, second, NULL, newer);
	assert_clear(&keypairs, 2);
}

static void test_received_with_confirms_next_once(void)
{
	struct wh_keypairs keypairs;
	struct wh_keypair *current = keypair_with_index(1, true), *next = keypair_with_index(2, false);
	uint32_t dropped[2];

	wh_keypairs_init(&keypairs);
	g_assert_false(wh_keypairs_received_with(&keypairs, NULL, &dropped_index));
	wh_keypairs_add(&keypairs, current, dropped);
	g_assert_false(wh_keypairs_received_with(&keypairs, current, &dropped_index));
	assert_slots(&keypairs, current, NULL, NULL);
	wh_keypairs_add(&keypairs, next, dropped);
	g_assert_false(wh_keypairs_received_with(&keypairs, current, &dropped_index));
	g_assert_false(wh_keypairs_received_with(&keypairs, NULL, &dropped_index));
	assert_slots(&keypairs, current, NULL, next);
	g_assert_true(wh_keypairs_received_with(&keypairs, next, &dropped_index));
	g_assert_cmpuint(dropped_index, ==, 0);
	assert_slots(&keypairs, next, current, NULL);
	g_assert_false(wh_keypairs_received_with(&keypairs, next, &dropped_index));
	g_assert_false(wh_keypairs_received_with(&keypairs, current, &dropped_index));
	assert_slots(&keypairs, next, current, NULL);
	assert_clear(&keypairs, 2);
}

static void test_initiator_add_while_next_pending(void)
{
	struct wh_keypairs keypairs;
	struct wh_keypair *current = keypair_with_index(1, true), *next = keypair_with_index(2, false),
			  *mine = keypair_with_index(3, true);
	uint32_t dropped[2] = {0};

	wh_keypairs_init(&keypairs);
	wh_keypairs_add(&keypairs, current, dropped);
	wh_keypairs_add(&keypairs, next, dropped);
	/* Crossing handshakes: ours wins, the pending next is kept for its late packets. */
	g_assert_cmpint(wh_keypairs_add(&keypairs, mine, dropped), ==, 1);
	g_assert_cmpuint(dropped[0], ==, 1);
	assert_slots(&keypairs, mine, next, NULL);
	g_assert_false(wh_keypairs_received_with(&keypairs, next, &dropped_index));
	assert_clear(&keypairs, 2);
}

/* Not reachable through the API (a pending next implies no previous), but add reports both drops. */
static void test_initiator_add_drops_two(void)
{
	struct wh_keypairs keypairs;
	struct wh_keypair *mine = keypair_with_index(4, true);
	uint32_t dropped[2] = {0};

	wh_keypairs_init(&keypairs);
	keypairs.previous = keypair_with_index(1, true);
	keypairs.current = keypair_with_index(2, true);
	keypairs.next = keypair_with_index(3, false);
	g_assert_cmpint(wh_keypairs_add(&keypairs, mine, dropped), ==, 2);
	g_assert_cmpuint(dropped[0], ==, 1);
	g_assert_cmpuint(dropped[1], ==, 2);
	g_assert_nonnull(keypairs.previous);
	g_assert_cmpuint(keypairs.previous->local_index, ==, 3);
	assert_slots(&keypairs, mine, keypairs.previous, NULL);
	assert_clear(&keypairs, 2);
}

static void test_expire_sending(void)
{
	struct wh_keypairs keypairs;
	struct session session;
	uint8_t message[BUFFER_LEN] = {0};
	uint32_t dropped[2];
	size_t sealed;

	wh_keypairs_init(&keypairs);
	wh_keypairs_expire_sending(&keypairs);
	session_init(&session, 16, NOW);
	wh_keypairs_add(&keypairs, keypair_with_index(1, true), dropped);
	wh_keypairs_add(&keypairs, session.initiator, dropped);
	wh_keypairs_add(&keypairs, keypair_with_index(3, false), dropped);
	keypairs.previous = keypair_with_index(4, true);
	sealed = seal_checked(session.responder, message, 50, 0, 64);

	wh_keypairs_expire_sending(&keypairs);
	g_assert_false(wh_keypair_can_send(keypairs.current, NOW));
	g_assert_false(wh_keypair_can_send(keypairs.previous, NOW));
	g_assert_false(wh_keypair_can_send(keypairs.next, NOW));
	g_assert_cmpint(wh_keypair_seal(keypairs.current, message + 256, 10, BUFFER_LEN - 256, 0, NOW), ==,
			-ENOKEY);
	/* They still receive. */
	open_checked(keypairs.current, message, sealed, 50, 64);
	session.initiator = NULL;
	session_free(&session);
	assert_clear(&keypairs, 3);
}

static void test_clear_returns_every_index(void)
{
	struct wh_keypairs keypairs;
	uint32_t dropped[3] = {0};

	wh_keypairs_init(&keypairs);
	g_assert_cmpint(wh_keypairs_clear(&keypairs, dropped), ==, 0);
	keypairs.current = keypair_with_index(10, true);
	keypairs.previous = keypair_with_index(20, true);
	keypairs.next = keypair_with_index(30, false);
	g_assert_cmpint(wh_keypairs_clear(&keypairs, dropped), ==, 3);
	g_assert_cmpuint(dropped[0], ==, 10);
	g_assert_cmpuint(dropped[1], ==, 20);
	g_assert_cmpuint(dropped[2], ==, 30);
	assert_slots(&keypairs, NULL, NULL, NULL);
	g_assert_cmpint(wh_keypairs_clear(&keypairs, dropped), ==, 0);
}

/* A whole confirmation: the responder's next opens the initiator's first message and becomes current,
 * and only then may the responder send with it. */
static void test_confirmation_by_first_data_message(void)
{
	struct wh_keypairs initiator_side, responder_side;
	struct session session;
	uint8_t message[BUFFER_LEN] = {0};
	uint32_t dropped[2];
	size_t sealed;

	wh_keypairs_init(&initiator_side);
	wh_keypairs_init(&responder_side);
	session_init(&session, 17, NOW);
	g_assert_cmpint(wh_keypairs_add(&initiator_side, session.initiator, dropped), ==, 0);
	g_assert_cmpint(wh_keypairs_add(&responder_side, session.responder, dropped), ==, 0);
	g_assert_null(responder_side.current);

	sealed = seal_checked(initiator_side.current, message, 0, 0, 0);
	g_assert_cmpint(wh_keypair_open(responder_side.next, message, sealed, NOW), ==, 0);
	g_assert_true(wh_keypairs_received_with(&responder_side, session.responder, &dropped_index));
	assert_slots(&responder_side, session.responder, NULL, NULL);
	sealed = seal_checked(responder_side.current, message, 200, 0, 208);
	open_checked(initiator_side.current, message, sealed, 200, 208);
	assert_clear(&initiator_side, 1);
	assert_clear(&responder_side, 1);
}

static unsigned retired;

static void count_retire(void *ctx, struct wh_keypair *keypair)
{
	g_assert_true(ctx == &retired);
	retired++;
	wh_keypair_free(keypair);
}

/* References: the data path holds the keypair while a slot lets go; the last put retires it once. */
static void test_references_and_retire(void)
{
	struct wh_keypairs keypairs;
	struct wh_session_keys keys = {.local_index = 7, .i_am_the_initiator = true};
	struct wh_keypair *keypair = wh_keypair_new(&keys, 1);
	uint32_t dropped[3];

	g_assert_nonnull(keypair);
	keypair->retire = count_retire;
	keypair->retire_ctx = &retired;
	retired = 0;
	wh_keypairs_init(&keypairs);
	wh_keypairs_add(&keypairs, keypair, dropped);
	g_assert_true(wh_keypair_get(keypair)); /* a packet in flight */
	g_assert_cmpint(wh_keypairs_clear(&keypairs, dropped), ==, 1);
	g_assert_cmpuint(retired, ==, 0);
	/* Out of its slot it neither sends nor receives, even before the memory goes. */
	g_assert_false(wh_keypair_can_send(keypair, 1));
	g_assert_false(atomic_load(&keypair->receiving_valid));
	wh_keypair_put(keypair);
	g_assert_cmpuint(retired, ==, 1);
	wh_keypair_put(NULL);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_assert_cmpint(wh_init(), ==, 0);
	g_test_add_func("/keypair/new-wipes-session-keys", test_new_wipes_session_keys);
	g_test_add_func("/keypair/round-trip-all-lengths", test_round_trip_all_lengths);
	g_test_add_func("/keypair/ciphertext-hides-plaintext", test_ciphertext_hides_plaintext);
	g_test_add_func("/keypair/padding-bounded-by-mtu", test_padding_bounded_by_mtu);
	g_test_add_func("/keypair/header-fields", test_header_fields);
	g_test_add_func("/keypair/open-rejects-short", test_open_rejects_short);
	g_test_add_func("/keypair/open-rejects-tampering", test_open_rejects_tampering);
	g_test_add_func("/keypair/open-rejects-replay", test_open_rejects_replay);
	g_test_add_func("/keypair/open-rejects-too-old", test_open_rejects_too_old);
	g_test_add_func("/keypair/open-rejects-wrong-key", test_open_rejects_wrong_key);
	g_test_add_func("/keypair/seal-needs-capacity", test_seal_needs_capacity);
	g_test_add_func("/keypair/send-expires-after-reject-after-time", test_send_expires_after_reject_after_time);
	g_test_add_func("/keypair/send-stops-at-reject-after-messages", test_send_stops_at_reject_after_messages);
	g_test_add_func("/keypair/open-expires-after-reject-after-time", test_open_expires_after_reject_after_time);
	g_test_add_func("/keypair/open-refused-when-invalid", test_open_refused_when_invalid);
	g_test_add_func("/keypair/initiator-add", test_initiator_add);
	g_test_add_func("/keypair/responder-add-waits-in-next", test_responder_add_waits_in_next);
	g_test_add_func("/keypair/received-with-confirms-next-once", test_received_with_confirms_next_once);
	g_test_add_func("/keypair/initiator-add-while-next-pending", test_initiator_add_while_next_pending);
	g_test_add_func("/keypair/initiator-add-drops-two", test_initiator_add_drops_two);
	g_test_add_func("/keypair/expire-sending", test_expire_sending);
	g_test_add_func("/keypair/clear-returns-every-index", test_clear_returns_every_index);
	g_test_add_func("/keypair/confirmation-by-first-data-message", test_confirmation_by_first_data_message);
	g_test_add_func("/keypair/references-and-retire", test_references_and_retire);
	return g_test_run();
}
