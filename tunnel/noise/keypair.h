/* Transport keypairs: the current, previous and next session of a peer, the responder's confirmation
 * rule, and sealing/opening data messages in place with counters and the replay window. */
#ifndef WH_NOISE_KEYPAIR_H
#define WH_NOISE_KEYPAIR_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "noise/handshake.h"
#include "noise/replay.h"

/* Shared between the thread that manages sessions and the data path's threads: the counter and the
 * validity flags are atomic, the replay window belongs to whoever opens messages in order (one thread
 * per peer at a time), and the keypair lives until its last reference is put. */
struct wh_keypair {
	uint8_t sending_key[WH_NOISE_SYMMETRIC_KEY_LEN];
	uint8_t receiving_key[WH_NOISE_SYMMETRIC_KEY_LEN];
	_Atomic uint64_t sending_counter; /* next nonce to use */
	struct wh_replay_window receiving_window;
	uint64_t birthdate; /* monotonic ns */
	uint32_t local_index;
	uint32_t remote_index;
	bool i_am_the_initiator;
	atomic_bool sending_valid;
	atomic_bool receiving_valid;
	atomic_uint refcount; /* the slot holding it counts as one */
	void *owner;          /* the peer, for whoever finds the keypair by its index */
	/* Called instead of freeing when the last reference goes (NULL: freed at once); lets a
	 * multithreaded owner wait until no reader can still be looking at it. */
	void (*retire)(void *ctx, struct wh_keypair *keypair);
	void *retire_ctx;
	struct wh_keypair *retired_next; /* the retiring owner's list */
};

/* A peer's sessions. The initiator uses a new keypair at once; the responder keeps it in next until
 * the first data message under it arrives (whitepaper 5.4.6's key confirmation). */
struct wh_keypairs {
	struct wh_keypair *current;
	struct wh_keypair *previous;
	struct wh_keypair *next;
};

/* Makes a keypair from fresh session keys (which are then wiped); NULL on allocation failure. */
struct wh_keypair *wh_keypair_new(struct wh_session_keys *keys, uint64_t now_ns);
/* Wipes and frees at once (NULL is fine); wh_keypair_put is the normal way to let go. */
void wh_keypair_free(struct wh_keypair *keypair);
/* Takes a reference unless the last one is already gone; false then. */
bool wh_keypair_get(struct wh_keypair *keypair);
/* Drops a reference; the last one retires (or frees) the keypair. NULL is fine. */
void wh_keypair_put(struct wh_keypair *keypair);

void wh_keypairs_init(struct wh_keypairs *keypairs);
/* Installs a new keypair in the slot its role calls for; returns the index of every keypair this
 * dropped through dropped[] (up to 2; the count is returned) so the caller can free their indices. */
int wh_keypairs_add(struct wh_keypairs *keypairs, struct wh_keypair *keypair, uint32_t dropped[2]);
/* Called after a data message opened with keypair: true when that confirmed next (now current).
 * *dropped_index gets the index of a keypair this dropped, or 0. */
bool wh_keypairs_received_with(struct wh_keypairs *keypairs, struct wh_keypair *keypair, uint32_t *dropped_index);
/* Stops sending with every keypair (keys expire or the peer is reset); they still receive. */
void wh_keypairs_expire_sending(struct wh_keypairs *keypairs);
/* Frees all three keypairs; their indices land in dropped[] (count returned). */
int wh_keypairs_clear(struct wh_keypairs *keypairs, uint32_t dropped[3]);

/* Sending is allowed: valid, younger than REJECT_AFTER_TIME, counter below REJECT_AFTER_MESSAGES. */
bool wh_keypair_can_send(const struct wh_keypair *keypair, uint64_t now_ns);

/* Space a data message needs around plain_len bytes of plaintext, padded as wh_keypair_seal pads. */
size_t wh_data_message_length(size_t plain_len, size_t mtu);

/* Seals a data message in place. message points to 16 bytes of headroom followed by plain_len bytes
 * of plaintext; capacity counts bytes from message. The plaintext is zero-padded to a multiple of 16
 * (never beyond mtu when mtu > 0), encrypted in place and followed by the tag. Returns the message
 * length, -ENOSPC when capacity is short, -ENOKEY when the keypair may not send. */
ssize_t wh_keypair_seal(struct wh_keypair *keypair, uint8_t *message, size_t plain_len, size_t capacity,
			size_t mtu, uint64_t now_ns);

/* The same in two steps, for a pipeline that reserves counters in order and encrypts in parallel:
 * reserve a counter (-ENOKEY when the keypair may not send), then seal with it. */
int wh_keypair_reserve_counter(struct wh_keypair *keypair, uint64_t now_ns, uint64_t *counter);
ssize_t wh_keypair_seal_reserved(struct wh_keypair *keypair, uint8_t *message, size_t plain_len, size_t capacity,
				 size_t mtu, uint64_t counter);

/* Opens a data message of len bytes in place: the plaintext lands at message + 16 and its length is
 * returned. -EINVAL when too short, -ENOKEY when the keypair may not receive (expired), -EBADMSG when
 * the tag fails, -EALREADY for a replayed or too old counter. */
ssize_t wh_keypair_open(struct wh_keypair *keypair, uint8_t *message, size_t len, uint64_t now_ns);

/* The same in two steps, for parallel decryption followed by an in-order check: decrypt (any thread;
 * *counter gets the message's counter), then accept the counter (in order, one thread at a time per
 * keypair): false for a replayed or too old counter. */
ssize_t wh_keypair_decrypt(struct wh_keypair *keypair, uint8_t *message, size_t len, uint64_t now_ns,
			   uint64_t *counter);
bool wh_keypair_accept_counter(struct wh_keypair *keypair, uint64_t counter);

#endif
