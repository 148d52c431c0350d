/* mac1, mac2, cookies and cookie replies (whitepaper 5.4.4, 5.4.7). */
#include "noise/cookie.h"

#include <sodium.h>
#include <string.h>

#include "crypto/aead.h"
#include "crypto/blake2s.h"
#include "crypto/ct.h"

static const uint8_t mac1_label[8] = {'m', 'a', 'c', '1', '-', '-', '-', '-'};
static const uint8_t cookie_label[8] = {'c', 'o', 'o', 'k', 'i', 'e', '-', '-'};

/* HASH(label || public key) */
static void derive_key(uint8_t key[WH_NOISE_SYMMETRIC_KEY_LEN], const uint8_t label[8],
		       const uint8_t public_key[WH_NOISE_PUBLIC_KEY_LEN])
{
	struct wh_blake2s_state state;

	wh_blake2s_init(&state, WH_NOISE_SYMMETRIC_KEY_LEN);
	wh_blake2s_update(&state, label, 8);
	wh_blake2s_update(&state, public_key, WH_NOISE_PUBLIC_KEY_LEN);
	wh_blake2s_final(&state, key);
}

/* The macs are the last 32 bytes of a handshake message: mac1 covers what precedes it, mac2 what
 * precedes mac2 (mac1 included). */
static size_t mac1_offset(size_t len)
{
	return len - sizeof(struct wh_message_macs);
}

static size_t mac2_offset(size_t len)
{
	return len - WH_COOKIE_LEN;
}

static void compute_mac1(uint8_t mac1[WH_COOKIE_LEN], const uint8_t *message, size_t len,
			 const uint8_t key[WH_NOISE_SYMMETRIC_KEY_LEN])
{
	wh_blake2s(mac1, WH_COOKIE_LEN, message, mac1_offset(len), key, WH_NOISE_SYMMETRIC_KEY_LEN);
}

static void compute_mac2(uint8_t mac2[WH_COOKIE_LEN], const uint8_t *message, size_t len,
			 const uint8_t cookie[WH_COOKIE_LEN])
{
	wh_blake2s(mac2, WH_COOKIE_LEN, message, mac2_offset(len), cookie, WH_COOKIE_LEN);
}

/* cookie = MAC(secret, source), the secret renewed every COOKIE_SECRET_MAX_AGE. */
static void make_cookie(uint8_t cookie[WH_COOKIE_LEN], struct wh_cookie_checker *checker, const uint8_t *source,
			size_t source_len, uint64_t now_ns, const struct wh_rng *rng)
{
	if (checker->secret_birthdate == 0 || wh_birthdate_has_expired(checker->secret_birthdate, WH_COOKIE_SECRET_MAX_AGE, now_ns)) {
		if (!rng)
			rng = wh_rng_system();
		rng->fill(rng->ctx, checker->secret, sizeof(checker->secret));
		checker->secret_birthdate = now_ns;
	}
	wh_blake2s(cookie, WH_COOKIE_LEN, source, source_len, checker->secret, sizeof(checker->secret));
}

void wh_cookie_checker_init(struct wh_cookie_checker *checker, const uint8_t our_public[WH_NOISE_PUBLIC_KEY_LEN])
{
	wh_cookie_checker_clear(checker);
	if (!our_public)
		return;
	derive_key(checker->message_mac1_key, mac1_label, our_public);
	derive_key(checker->cookie_encryption_key, cookie_label, our_public);
	checker->has_identity = true;
}

void wh_cookie_checker_clear(struct wh_cookie_checker *checker)
{
	sodium_memzero(checker, sizeof(*checker));
}

void wh_cookie_init(struct wh_cookie *cookie, const uint8_t peer_public[WH_NOISE_PUBLIC_KEY_LEN])
{
	wh_cookie_clear(cookie);
	derive_key(cookie->message_mac1_key, mac1_label, peer_public);
	derive_key(cookie->cookie_decryption_key, cookie_label, peer_public);
}

void wh_cookie_clear(struct wh_cookie *cookie)
{
	sodium_memzero(cookie, sizeof(*cookie));
}

enum wh_cookie_mac_state wh_cookie_validate(struct wh_cookie_checker *checker, const uint8_t *message, size_t len,
					   const uint8_t *source, size_t source_len, bool check_cookie,
					   uint64_t now_ns, const struct wh_rng *rng)
{
	const struct wh_message_macs *macs;
	uint8_t computed[WH_COOKIE_LEN];
	uint8_t cookie[WH_COOKIE_LEN];
	enum wh_cookie_mac_state state = WH_COOKIE_INVALID_MAC;

	if (!checker->has_identity || len < sizeof(struct wh_message_header) + sizeof(struct wh_message_macs))
		return WH_COOKIE_INVALID_MAC;
	macs = (const struct wh_message_macs *)(message + mac1_offset(len));

	compute_mac1(computed, message, len, checker->message_mac1_key);
	if (!wh_ct_equal(computed, macs->mac1, WH_COOKIE_LEN))
		goto out;
	state = WH_COOKIE_VALID_MAC_BUT_NO_COOKIE;
	if (!check_cookie)
		goto out;

	make_cookie(cookie, checker, source, source_len, now_ns, rng);
	compute_mac2(computed, message, len, cookie);
	if (wh_ct_equal(computed, macs->mac2, WH_COOKIE_LEN))
		state = WH_COOKIE_VALID_MAC_WITH_COOKIE;
out:
	sodium_memzero(cookie, sizeof(cookie));
	return state;
}

void wh_cookie_add_macs(struct wh_cookie *cookie, uint8_t *message, size_t len, uint64_t now_ns)
{
	struct wh_message_macs *macs = (struct wh_message_macs *)(message + mac1_offset(len));

	compute_mac1(macs->mac1, message, len, cookie->message_mac1_key);
	memcpy(cookie->last_mac1_sent, macs->mac1, WH_COOKIE_LEN);
	cookie->have_sent_mac1 = true;

	if (cookie->is_valid &&
	    !wh_birthdate_has_expired(cookie->birthdate, WH_COOKIE_SECRET_MAX_AGE - WH_COOKIE_SECRET_LATENCY, now_ns))
		compute_mac2(macs->mac2, message, len, cookie->cookie);
	else
		memset(macs->mac2, 0, WH_COOKIE_LEN);
}

void wh_cookie_create_reply(struct wh_cookie_checker *checker, struct wh_message_handshake_cookie *dst,
			    const uint8_t *message, size_t len, uint32_t sender_index, const uint8_t *source,
			    size_t source_len, uint64_t now_ns, const struct wh_rng *rng)
{
	const struct wh_message_macs *macs = (const struct wh_message_macs *)(message + mac1_offset(len));
	uint8_t cookie[WH_COOKIE_LEN];

	if (!rng)
		rng = wh_rng_system();
	memset(dst, 0, sizeof(*dst));
	dst->header.type = WH_MESSAGE_HANDSHAKE_COOKIE;
	wh_put_le32(dst->receiver_index, sender_index);
	rng->fill(rng->ctx, dst->nonce, sizeof(dst->nonce));

	make_cookie(cookie, checker, source, source_len, now_ns, rng);
	/* The triggering message's mac1 is the associated data: only its sender can open the reply. */
	wh_xaead_encrypt(dst->encrypted_cookie, cookie, WH_COOKIE_LEN, macs->mac1, WH_COOKIE_LEN, dst->nonce,
			 checker->cookie_encryption_key);
	sodium_memzero(cookie, sizeof(cookie));
}

bool wh_cookie_consume_reply(struct wh_cookie *cookie, const struct wh_message_handshake_cookie *src,
			     uint64_t now_ns)
{
	uint8_t value[WH_COOKIE_LEN];

	if (src->header.type != WH_MESSAGE_HANDSHAKE_COOKIE || !cookie->have_sent_mac1)
		return false;
	if (!wh_xaead_decrypt(value, src->encrypted_cookie, sizeof(src->encrypted_cookie), cookie->last_mac1_sent,
			      WH_COOKIE_LEN, src->nonce, cookie->cookie_decryption_key))
		return false;
	memcpy(cookie->cookie, value, WH_COOKIE_LEN);
	sodium_memzero(value, sizeof(value));
	cookie->birthdate = now_ns;
	cookie->is_valid = true;
	/* One reply per message we sent: a second, replayed one is refused. */
	cookie->have_sent_mac1 = false;
	return true;
}
