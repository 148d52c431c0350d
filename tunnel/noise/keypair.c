/* Transport keypairs: rotation, key confirmation, in-place data message sealing and opening. */
#include "noise/keypair.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/aead.h"

struct wh_keypair *wh_keypair_new(struct wh_session_keys *keys, uint64_t now_ns)
{
	struct wh_keypair *keypair = calloc(1, sizeof(*keypair));

	if (keypair) {
		/* Keep session keys out of swap where the system lets us; failure is not fatal. */
		sodium_mlock(keypair, sizeof(*keypair));
		memcpy(keypair->sending_key, keys->sending, sizeof(keypair->sending_key));
		memcpy(keypair->receiving_key, keys->receiving, sizeof(keypair->receiving_key));
		keypair->local_index = keys->local_index;
		keypair->remote_index = keys->remote_index;
		keypair->i_am_the_initiator = keys->i_am_the_initiator;
		keypair->birthdate = now_ns;
		atomic_init(&keypair->sending_counter, 0);
		atomic_init(&keypair->sending_valid, true);
		atomic_init(&keypair->receiving_valid, true);
		atomic_init(&keypair->refcount, 1);
		wh_replay_window_init(&keypair->receiving_window);
	}
	sodium_memzero(keys, sizeof(*keys));
	return keypair;
}

void wh_keypair_free(struct wh_keypair *keypair)
{
	if (!keypair)
		return;
	sodium_munlock(keypair, sizeof(*keypair)); /* wipes, then unlocks */
	free(keypair);
}

bool wh_keypair_get(struct wh_keypair *keypair)
{
	unsigned count = atomic_load_explicit(&keypair->refcount, memory_order_relaxed);

	do {
		if (count == 0)
			return false;
	} while (!atomic_compare_exchange_weak_explicit(&keypair->refcount, &count, count + 1, memory_order_acquire,
							memory_order_relaxed));
	return true;
}

void wh_keypair_put(struct wh_keypair *keypair)
{
	if (!keypair || atomic_fetch_sub_explicit(&keypair->refcount, 1, memory_order_acq_rel) != 1)
		return;
	if (keypair->retire)
		keypair->retire(keypair->retire_ctx, keypair);
	else
		wh_keypair_free(keypair);
}

void wh_keypairs_init(struct wh_keypairs *keypairs)
{
	memset(keypairs, 0, sizeof(*keypairs));
}

static void drop(struct wh_keypair *keypair, uint32_t *dropped, int *count)
{
	if (!keypair)
		return;
	dropped[(*count)++] = keypair->local_index;
	/* Stop using it at once; memory goes when the data path lets go too. */
	atomic_store(&keypair->sending_valid, false);
	atomic_store(&keypair->receiving_valid, false);
	wh_keypair_put(keypair);
}

int wh_keypairs_add(struct wh_keypairs *keypairs, struct wh_keypair *keypair, uint32_t dropped[2])
{
	int count = 0;

	if (keypair->i_am_the_initiator) {
		/* Our initiation was answered: the new keypair is confirmed and sends at once. A pending
		 * next (from a crossing handshake) is kept as previous so its late packets still open. */
		if (keypairs->next) {
			drop(keypairs->previous, dropped, &count);
			drop(keypairs->current, dropped, &count);
			keypairs->previous = keypairs->next;
			keypairs->next = NULL;
		} else {
			drop(keypairs->previous, dropped, &count);
			keypairs->previous = keypairs->current;
		}
		keypairs->current = keypair;
	} else {
		/* As responder we may not send until the initiator proves it has the keys: wait in next. */
		drop(keypairs->next, dropped, &count);
		drop(keypairs->previous, dropped, &count);
		keypairs->previous = NULL;
		keypairs->next = keypair;
	}
	return count;
}

bool wh_keypairs_received_with(struct wh_keypairs *keypairs, struct wh_keypair *keypair, uint32_t *dropped_index)
{
	int count = 0;

	*dropped_index = 0;
	if (!keypair || keypair != keypairs->next)
		return false;
	/* A responder's add already emptied previous; should that ever change, the index is reported. */
	drop(keypairs->previous, dropped_index, &count);
	keypairs->previous = keypairs->current;
	keypairs->current = keypairs->next;
	keypairs->next = NULL;
	return true;
}

void wh_keypairs_expire_sending(struct wh_keypairs *keypairs)
{
	if (keypairs->current)
		keypairs->current->sending_valid = false;
	if (keypairs->previous)
		keypairs->previous->sending_valid = false;
	if (keypairs->next)
		keypairs->next->sending_valid = false;
}

int wh_keypairs_clear(struct wh_keypairs *keypairs, uint32_t dropped[3])
{
	int count = 0;

	drop(keypairs->current, dropped, &count);
	drop(keypairs->previous, dropped, &count);
	drop(keypairs->next, dropped, &count);
	wh_keypairs_init(keypairs);
	return count;
}

bool wh_keypair_can_send(const struct wh_keypair *keypair, uint64_t now_ns)
{
	return keypair && atomic_load(&keypair->sending_valid) &&
	       atomic_load(&keypair->sending_counter) < WH_REJECT_AFTER_MESSAGES &&
	       !wh_birthdate_has_expired(keypair->birthdate, WH_REJECT_AFTER_TIME, now_ns);
}

static size_t padded_length(size_t plain_len, size_t mtu)
{
	size_t last_unit = plain_len, padded;

	if (mtu && last_unit > mtu)
		last_unit %= mtu;
	padded = (last_unit + WH_MESSAGE_PADDING_MULTIPLE - 1) & ~(size_t)(WH_MESSAGE_PADDING_MULTIPLE - 1);
	if (mtu && padded > mtu)
		padded = mtu;
	return plain_len - last_unit + padded;
}

size_t wh_data_message_length(size_t plain_len, size_t mtu)
{
	return sizeof(struct wh_message_data) + padded_length(plain_len, mtu) + WH_NOISE_AUTHTAG_LEN;
}

int wh_keypair_reserve_counter(struct wh_keypair *keypair, uint64_t now_ns, uint64_t *counter)
{
	if (!wh_keypair_can_send(keypair, now_ns))
		return -ENOKEY;
	*counter = atomic_fetch_add_explicit(&keypair->sending_counter, 1, memory_order_relaxed);
	/* Another thread may have taken the last counters since can_send looked. */
	if (*counter >= WH_REJECT_AFTER_MESSAGES)
		return -ENOKEY;
	return 0;
}

ssize_t wh_keypair_seal_reserved(struct wh_keypair *keypair, uint8_t *message, size_t plain_len, size_t capacity,
				 size_t mtu, uint64_t counter)
{
	struct wh_message_data *header = (struct wh_message_data *)message;
	size_t padded = padded_length(plain_len, mtu);

	if (capacity < wh_data_message_length(plain_len, mtu))
		return -ENOSPC;
	memset(header->encrypted_data + plain_len, 0, padded - plain_len);
	header->header.type = WH_MESSAGE_DATA;
	memset(header->header.reserved_zero, 0, sizeof(header->header.reserved_zero));
	wh_put_le32(header->key_idx, keypair->remote_index);
	wh_put_le64(header->counter, counter);
	wh_aead_encrypt(header->encrypted_data, header->encrypted_data, padded, NULL, 0, counter,
			keypair->sending_key);
	return (ssize_t)(sizeof(*header) + padded + WH_NOISE_AUTHTAG_LEN);
}

ssize_t wh_keypair_seal(struct wh_keypair *keypair, uint8_t *message, size_t plain_len, size_t capacity,
			size_t mtu, uint64_t now_ns)
{
	uint64_t counter;
	int ret;

	if (capacity < wh_data_message_length(plain_len, mtu))
		return -ENOSPC;
	ret = wh_keypair_reserve_counter(keypair, now_ns, &counter);
	if (ret < 0)
		return ret;
	return wh_keypair_seal_reserved(keypair, message, plain_len, capacity, mtu, counter);
}

ssize_t wh_keypair_decrypt(struct wh_keypair *keypair, uint8_t *message, size_t len, uint64_t now_ns,
			   uint64_t *counter)
{
	struct wh_message_data *header = (struct wh_message_data *)message;
	size_t sealed_len;

	if (len < WH_MESSAGE_DATA_MIN_LEN)
		return -EINVAL;
	if (!atomic_load(&keypair->receiving_valid))
		return -ENOKEY;
	if (wh_birthdate_has_expired(keypair->birthdate, WH_REJECT_AFTER_TIME, now_ns)) {
		atomic_store(&keypair->receiving_valid, false);
		return -ENOKEY;
	}
	sealed_len = len - sizeof(*header);
	*counter = wh_get_le64(header->counter);
	if (!wh_aead_decrypt(header->encrypted_data, header->encrypted_data, sealed_len, NULL, 0, *counter,
			     keypair->receiving_key))
		return -EBADMSG;
	return (ssize_t)(sealed_len - WH_NOISE_AUTHTAG_LEN);
}

bool wh_keypair_accept_counter(struct wh_keypair *keypair, uint64_t counter)
{
	if (!wh_replay_window_check(&keypair->receiving_window, counter, WH_REJECT_AFTER_MESSAGES))
		return false;
	/* The last counter a session may carry: it receives nothing more. */
	if (counter == WH_REJECT_AFTER_MESSAGES - 1)
		atomic_store(&keypair->receiving_valid, false);
	return true;
}

ssize_t wh_keypair_open(struct wh_keypair *keypair, uint8_t *message, size_t len, uint64_t now_ns)
{
	uint64_t counter;
	ssize_t plain_len = wh_keypair_decrypt(keypair, message, len, now_ns, &counter);

	if (plain_len < 0)
		return plain_len;
	/* Only an authenticated counter may move the window. */
	if (!wh_keypair_accept_counter(keypair, counter))
		return -EALREADY;
	return plain_len;
}
