/* Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s handshake messages, as the WireGuard whitepaper section 5.4. */
#include "noise/handshake.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

#include "crypto/aead.h"
#include "crypto/blake2s.h"
#include "crypto/ct.h"
#include "crypto/kdf.h"
#include "crypto/x25519.h"

static const char handshake_name[] = "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s";
static const char identifier_name[] = "WireGuard v1 zx2c4 Jason@zx2c4.com";

/* C = HASH(construction), H = HASH(C || identifier): the same for every handshake. */
static uint8_t initial_chaining_key[WH_NOISE_HASH_LEN];
static uint8_t initial_hash[WH_NOISE_HASH_LEN];
static pthread_once_t initial_once = PTHREAD_ONCE_INIT;

static void compute_initial_values(void)
{
	struct wh_blake2s_state state;

	wh_blake2s(initial_chaining_key, WH_NOISE_HASH_LEN, (const uint8_t *)handshake_name,
		   sizeof(handshake_name) - 1, NULL, 0);
	wh_blake2s_init(&state, WH_NOISE_HASH_LEN);
	wh_blake2s_update(&state, initial_chaining_key, WH_NOISE_HASH_LEN);
	wh_blake2s_update(&state, (const uint8_t *)identifier_name, sizeof(identifier_name) - 1);
	wh_blake2s_final(&state, initial_hash);
}

/* H = HASH(H || data) */
static void mix_hash(uint8_t hash[WH_NOISE_HASH_LEN], const uint8_t *data, size_t len)
{
	struct wh_blake2s_state state;

	wh_blake2s_init(&state, WH_NOISE_HASH_LEN);
	wh_blake2s_update(&state, hash, WH_NOISE_HASH_LEN);
	wh_blake2s_update(&state, data, len);
	wh_blake2s_final(&state, hash);
}

/* C = init, H = HASH(init_hash || responder's static public key) */
static void start_transcript(uint8_t chaining_key[WH_NOISE_HASH_LEN], uint8_t hash[WH_NOISE_HASH_LEN],
			     const uint8_t responder_static[WH_NOISE_PUBLIC_KEY_LEN])
{
	pthread_once(&initial_once, compute_initial_values);
	memcpy(chaining_key, initial_chaining_key, WH_NOISE_HASH_LEN);
	memcpy(hash, initial_hash, WH_NOISE_HASH_LEN);
	mix_hash(hash, responder_static, WH_NOISE_PUBLIC_KEY_LEN);
}

/* (C, k) = KDF2(C, DH(private, public)); key may be NULL for KDF1. */
static bool mix_dh(uint8_t chaining_key[WH_NOISE_HASH_LEN], uint8_t key[WH_NOISE_SYMMETRIC_KEY_LEN],
		   const uint8_t private_key[WH_NOISE_PUBLIC_KEY_LEN], const uint8_t public_key[WH_NOISE_PUBLIC_KEY_LEN])
{
	uint8_t shared[WH_NOISE_PUBLIC_KEY_LEN];

	if (!wh_x25519(shared, private_key, public_key))
		return false;
	wh_kdf(chaining_key, key, NULL, shared, sizeof(shared), chaining_key);
	sodium_memzero(shared, sizeof(shared));
	return true;
}

static bool mix_precomputed_dh(uint8_t chaining_key[WH_NOISE_HASH_LEN], uint8_t key[WH_NOISE_SYMMETRIC_KEY_LEN],
			       const uint8_t precomputed[WH_NOISE_PUBLIC_KEY_LEN])
{
	if (wh_ct_is_zero(precomputed, WH_NOISE_PUBLIC_KEY_LEN))
		return false;
	wh_kdf(chaining_key, key, NULL, precomputed, WH_NOISE_PUBLIC_KEY_LEN, chaining_key);
	return true;
}

/* (C, tau, k) = KDF3(C, Q); H = HASH(H || tau) */
static void mix_psk(uint8_t chaining_key[WH_NOISE_HASH_LEN], uint8_t hash[WH_NOISE_HASH_LEN],
		    uint8_t key[WH_NOISE_SYMMETRIC_KEY_LEN], const uint8_t psk[WH_NOISE_SYMMETRIC_KEY_LEN])
{
	uint8_t tau[WH_NOISE_HASH_LEN];

	wh_kdf(chaining_key, tau, key, psk, WH_NOISE_SYMMETRIC_KEY_LEN, chaining_key);
	mix_hash(hash, tau, sizeof(tau));
	sodium_memzero(tau, sizeof(tau));
}

/* dst = ephemeral; H = HASH(H || e); C = KDF1(C, e) */
static void message_ephemeral(uint8_t dst[WH_NOISE_PUBLIC_KEY_LEN], const uint8_t ephemeral[WH_NOISE_PUBLIC_KEY_LEN],
			      uint8_t chaining_key[WH_NOISE_HASH_LEN], uint8_t hash[WH_NOISE_HASH_LEN])
{
	if (dst != ephemeral)
		memcpy(dst, ephemeral, WH_NOISE_PUBLIC_KEY_LEN);
	mix_hash(hash, ephemeral, WH_NOISE_PUBLIC_KEY_LEN);
	wh_kdf(chaining_key, NULL, NULL, ephemeral, WH_NOISE_PUBLIC_KEY_LEN, chaining_key);
}

/* dst = AEAD(k, 0, src, H); H = HASH(H || dst) */
static void message_encrypt(uint8_t *dst, const uint8_t *src, size_t len, uint8_t key[WH_NOISE_SYMMETRIC_KEY_LEN],
			    uint8_t hash[WH_NOISE_HASH_LEN])
{
	wh_aead_encrypt(dst, src, len, hash, WH_NOISE_HASH_LEN, 0, key);
	mix_hash(hash, dst, WH_NOISE_ENCRYPTED_LEN(len));
}

/* dst = AEAD-open(k, 0, src, H); H = HASH(H || src). src_len includes the tag. */
static bool message_decrypt(uint8_t *dst, const uint8_t *src, size_t src_len,
			    uint8_t key[WH_NOISE_SYMMETRIC_KEY_LEN], uint8_t hash[WH_NOISE_HASH_LEN])
{
	if (!wh_aead_decrypt(dst, src, src_len, hash, WH_NOISE_HASH_LEN, 0, key))
		return false;
	mix_hash(hash, src, src_len);
	return true;
}

static void generate_ephemeral(uint8_t private_key[WH_NOISE_PUBLIC_KEY_LEN], const struct wh_rng *rng)
{
	if (!rng)
		rng = wh_rng_system();
	rng->fill(rng->ctx, private_key, WH_NOISE_PUBLIC_KEY_LEN);
	wh_x25519_clamp(private_key);
}

void wh_static_identity_set(struct wh_static_identity *identity, const uint8_t private_key[WH_NOISE_PUBLIC_KEY_LEN])
{
	wh_static_identity_clear(identity);
	if (!private_key || wh_ct_is_zero(private_key, WH_NOISE_PUBLIC_KEY_LEN))
		return;
	memcpy(identity->static_private, private_key, WH_NOISE_PUBLIC_KEY_LEN);
	wh_x25519_clamp(identity->static_private);
	identity->has_identity = wh_x25519_public(identity->static_public, identity->static_private);
}

void wh_static_identity_clear(struct wh_static_identity *identity)
{
	sodium_memzero(identity, sizeof(*identity));
}

void wh_handshake_precompute(struct wh_handshake *handshake)
{
	const struct wh_static_identity *identity = handshake->static_identity;

	/* A peer whose DH with us is zero (a low-order key) stays unusable: the all-zero value marks it. */
	if (!identity || !identity->has_identity ||
	    !wh_x25519(handshake->precomputed_static_static, identity->static_private, handshake->remote_static))
		sodium_memzero(handshake->precomputed_static_static, WH_NOISE_PUBLIC_KEY_LEN);
}

void wh_handshake_init(struct wh_handshake *handshake, const struct wh_static_identity *identity,
		       const uint8_t remote_static[WH_NOISE_PUBLIC_KEY_LEN],
		       const uint8_t preshared_key[WH_NOISE_SYMMETRIC_KEY_LEN])
{
	memset(handshake, 0, sizeof(*handshake));
	handshake->static_identity = identity;
	memcpy(handshake->remote_static, remote_static, WH_NOISE_PUBLIC_KEY_LEN);
	wh_handshake_set_preshared_key(handshake, preshared_key);
	wh_handshake_precompute(handshake);
}

void wh_handshake_set_preshared_key(struct wh_handshake *handshake,
				    const uint8_t preshared_key[WH_NOISE_SYMMETRIC_KEY_LEN])
{
	if (preshared_key)
		memcpy(handshake->preshared_key, preshared_key, WH_NOISE_SYMMETRIC_KEY_LEN);
	else
		sodium_memzero(handshake->preshared_key, WH_NOISE_SYMMETRIC_KEY_LEN);
}

void wh_handshake_clear(struct wh_handshake *handshake)
{
	sodium_memzero(handshake->ephemeral_private, sizeof(handshake->ephemeral_private));
	sodium_memzero(handshake->remote_ephemeral, sizeof(handshake->remote_ephemeral));
	sodium_memzero(handshake->hash, sizeof(handshake->hash));
	sodium_memzero(handshake->chaining_key, sizeof(handshake->chaining_key));
	handshake->remote_index = 0;
	handshake->state = WH_HANDSHAKE_ZEROED;
}

void wh_handshake_destroy(struct wh_handshake *handshake)
{
	sodium_memzero(handshake, sizeof(*handshake));
}

bool wh_handshake_create_initiation(struct wh_handshake *handshake, struct wh_message_handshake_initiation *dst,
				    uint32_t local_index, uint64_t realtime_ns, const struct wh_rng *rng)
{
	const struct wh_static_identity *identity = handshake->static_identity;
	uint8_t timestamp[WH_TAI64N_LEN];
	uint8_t ephemeral_public[WH_NOISE_PUBLIC_KEY_LEN];
	uint8_t key[WH_NOISE_SYMMETRIC_KEY_LEN];
	bool ok = false;

	if (!identity || !identity->has_identity ||
	    wh_ct_is_zero(handshake->precomputed_static_static, WH_NOISE_PUBLIC_KEY_LEN))
		return false;

	memset(dst, 0, sizeof(*dst));
	dst->header.type = WH_MESSAGE_HANDSHAKE_INITIATION;
	start_transcript(handshake->chaining_key, handshake->hash, handshake->remote_static);

	/* e */
	generate_ephemeral(handshake->ephemeral_private, rng);
	if (!wh_x25519_public(ephemeral_public, handshake->ephemeral_private))
		goto out;
	message_ephemeral(dst->unencrypted_ephemeral, ephemeral_public, handshake->chaining_key, handshake->hash);

	/* es */
	if (!mix_dh(handshake->chaining_key, key, handshake->ephemeral_private, handshake->remote_static))
		goto out;

	/* s */
	message_encrypt(dst->encrypted_static, identity->static_public, WH_NOISE_PUBLIC_KEY_LEN, key, handshake->hash);

	/* ss */
	if (!mix_precomputed_dh(handshake->chaining_key, key, handshake->precomputed_static_static))
		goto out;

	/* {t} */
	wh_tai64n_encode(timestamp, realtime_ns);
	message_encrypt(dst->encrypted_timestamp, timestamp, WH_NOISE_TIMESTAMP_LEN, key, handshake->hash);

	wh_put_le32(dst->sender_index, local_index);
	handshake->local_index = local_index;
	handshake->state = WH_HANDSHAKE_CREATED_INITIATION;
	ok = true;
out:
	if (!ok)
		wh_handshake_clear(handshake);
	sodium_memzero(key, sizeof(key));
	return ok;
}

struct wh_handshake *wh_handshake_consume_initiation(const struct wh_static_identity *identity,
						     const struct wh_message_handshake_initiation *src,
						     wh_handshake_lookup_fn lookup, void *lookup_ctx,
						     uint64_t now_ns)
{
	struct wh_handshake *handshake = NULL, *found;
	uint8_t remote_static[WH_NOISE_PUBLIC_KEY_LEN];
	uint8_t ephemeral[WH_NOISE_PUBLIC_KEY_LEN];
	uint8_t timestamp[WH_TAI64N_LEN];
	uint8_t key[WH_NOISE_SYMMETRIC_KEY_LEN];
	uint8_t hash[WH_NOISE_HASH_LEN];
	uint8_t chaining_key[WH_NOISE_HASH_LEN];
	bool replay, flood;

	if (!identity || !identity->has_identity || src->header.type != WH_MESSAGE_HANDSHAKE_INITIATION)
		return NULL;

	start_transcript(chaining_key, hash, identity->static_public);

	/* e */
	message_ephemeral(ephemeral, src->unencrypted_ephemeral, chaining_key, hash);

	/* es */
	if (!mix_dh(chaining_key, key, identity->static_private, ephemeral))
		goto out;

	/* s */
	if (!message_decrypt(remote_static, src->encrypted_static, sizeof(src->encrypted_static), key, hash))
		goto out;

	found = lookup(lookup_ctx, remote_static);
	if (!found)
		goto out;

	/* ss */
	if (!mix_precomputed_dh(chaining_key, key, found->precomputed_static_static))
		goto out;

	/* {t} */
	if (!message_decrypt(timestamp, src->encrypted_timestamp, sizeof(src->encrypted_timestamp), key, hash))
		goto out;

	replay = !wh_tai64n_is_after(timestamp, found->latest_timestamp);
	flood = found->last_initiation_consumption != 0 &&
		found->last_initiation_consumption + WH_NSEC_PER_SEC / WH_INITIATIONS_PER_SECOND > now_ns;
	if (replay || flood)
		goto out;

	/* Authenticated and fresh: only now does the peer's state change. */
	memcpy(found->remote_ephemeral, ephemeral, sizeof(ephemeral));
	memcpy(found->latest_timestamp, timestamp, sizeof(timestamp));
	memcpy(found->hash, hash, sizeof(hash));
	memcpy(found->chaining_key, chaining_key, sizeof(chaining_key));
	sodium_memzero(found->ephemeral_private, sizeof(found->ephemeral_private));
	found->remote_index = wh_get_le32(src->sender_index);
	found->last_initiation_consumption = now_ns;
	found->state = WH_HANDSHAKE_CONSUMED_INITIATION;
	handshake = found;
out:
	sodium_memzero(key, sizeof(key));
	sodium_memzero(hash, sizeof(hash));
	sodium_memzero(chaining_key, sizeof(chaining_key));
	sodium_memzero(ephemeral, sizeof(ephemeral));
	sodium_memzero(remote_static, sizeof(remote_static));
	return handshake;
}

bool wh_handshake_create_response(struct wh_handshake *handshake, struct wh_message_handshake_response *dst,
				  uint32_t local_index, const struct wh_rng *rng)
{
	uint8_t ephemeral_public[WH_NOISE_PUBLIC_KEY_LEN];
	uint8_t key[WH_NOISE_SYMMETRIC_KEY_LEN];
	bool ok = false;

	if (handshake->state != WH_HANDSHAKE_CONSUMED_INITIATION)
		return false;

	memset(dst, 0, sizeof(*dst));
	dst->header.type = WH_MESSAGE_HANDSHAKE_RESPONSE;
	wh_put_le32(dst->receiver_index, handshake->remote_index);

	/* e */
	generate_ephemeral(handshake->ephemeral_private, rng);
	if (!wh_x25519_public(ephemeral_public, handshake->ephemeral_private))
		goto out;
	message_ephemeral(dst->unencrypted_ephemeral, ephemeral_public, handshake->chaining_key, handshake->hash);

	/* ee */
	if (!mix_dh(handshake->chaining_key, NULL, handshake->ephemeral_private, handshake->remote_ephemeral))
		goto out;

	/* se */
	if (!mix_dh(handshake->chaining_key, NULL, handshake->ephemeral_private, handshake->remote_static))
		goto out;

	/* psk */
	mix_psk(handshake->chaining_key, handshake->hash, key, handshake->preshared_key);

	/* {} */
	message_encrypt(dst->encrypted_nothing, NULL, 0, key, handshake->hash);

	wh_put_le32(dst->sender_index, local_index);
	handshake->local_index = local_index;
	handshake->state = WH_HANDSHAKE_CREATED_RESPONSE;
	ok = true;
out:
	if (!ok)
		wh_handshake_clear(handshake);
	sodium_memzero(key, sizeof(key));
	return ok;
}

bool wh_handshake_consume_response(struct wh_handshake *handshake,
				   const struct wh_message_handshake_response *src)
{
	const struct wh_static_identity *identity = handshake->static_identity;
	uint8_t ephemeral[WH_NOISE_PUBLIC_KEY_LEN];
	uint8_t key[WH_NOISE_SYMMETRIC_KEY_LEN];
	uint8_t hash[WH_NOISE_HASH_LEN];
	uint8_t chaining_key[WH_NOISE_HASH_LEN];
	bool ok = false;

	if (src->header.type != WH_MESSAGE_HANDSHAKE_RESPONSE || !identity || !identity->has_identity ||
	    handshake->state != WH_HANDSHAKE_CREATED_INITIATION ||
	    wh_get_le32(src->receiver_index) != handshake->local_index)
		return false;

	memcpy(hash, handshake->hash, sizeof(hash));
	memcpy(chaining_key, handshake->chaining_key, sizeof(chaining_key));

	/* e */
	message_ephemeral(ephemeral, src->unencrypted_ephemeral, chaining_key, hash);

	/* ee */
	if (!mix_dh(chaining_key, NULL, handshake->ephemeral_private, ephemeral))
		goto out;

	/* se */
	if (!mix_dh(chaining_key, NULL, identity->static_private, ephemeral))
		goto out;

	/* psk */
	mix_psk(chaining_key, hash, key, handshake->preshared_key);

	/* {} */
	if (!message_decrypt(NULL, src->encrypted_nothing, sizeof(src->encrypted_nothing), key, hash))
		goto out;

	memcpy(handshake->remote_ephemeral, ephemeral, sizeof(ephemeral));
	memcpy(handshake->hash, hash, sizeof(hash));
	memcpy(handshake->chaining_key, chaining_key, sizeof(chaining_key));
	handshake->remote_index = wh_get_le32(src->sender_index);
	handshake->state = WH_HANDSHAKE_CONSUMED_RESPONSE;
	ok = true;
out:
	sodium_memzero(key, sizeof(key));
	sodium_memzero(hash, sizeof(hash));
	sodium_memzero(chaining_key, sizeof(chaining_key));
	sodium_memzero(ephemeral, sizeof(ephemeral));
	return ok;
}

bool wh_handshake_derive_keys(struct wh_handshake *handshake, struct wh_session_keys *keys)
{
	uint8_t first[WH_NOISE_SYMMETRIC_KEY_LEN], second[WH_NOISE_SYMMETRIC_KEY_LEN];

	if (handshake->state != WH_HANDSHAKE_CREATED_RESPONSE && handshake->state != WH_HANDSHAKE_CONSUMED_RESPONSE)
		return false;

	keys->i_am_the_initiator = handshake->state == WH_HANDSHAKE_CONSUMED_RESPONSE;
	wh_kdf(first, second, NULL, NULL, 0, handshake->chaining_key);
	/* The initiator sends with the first key; the responder with the second. */
	memcpy(keys->sending, keys->i_am_the_initiator ? first : second, WH_NOISE_SYMMETRIC_KEY_LEN);
	memcpy(keys->receiving, keys->i_am_the_initiator ? second : first, WH_NOISE_SYMMETRIC_KEY_LEN);
	keys->local_index = handshake->local_index;
	keys->remote_index = handshake->remote_index;
	sodium_memzero(first, sizeof(first));
	sodium_memzero(second, sizeof(second));
	wh_handshake_clear(handshake);
	return true;
}
