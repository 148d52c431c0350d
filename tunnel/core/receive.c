/* Receiving: message type and length checks, handshakes and cookies, data decryption in place, the
 * inner packet's checks, roaming, and key confirmation. */
#include "core/engine_private.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

bool packet_addresses(const uint8_t *packet, size_t len, int *family, const uint8_t **source,
		      const uint8_t **destination, size_t *ip_len)
{
	if (len >= 20 && packet[0] >> 4 == 4) {
		size_t total = (size_t)packet[2] << 8 | packet[3];
		size_t header = (size_t)(packet[0] & 0x0f) * 4;

		if (header < 20 || total < header || total > len)
			return false;
		*family = AF_INET;
		*source = packet + 12;
		*destination = packet + 16;
		*ip_len = total;
		return true;
	}
	if (len >= 40 && packet[0] >> 4 == 6) {
		size_t total = 40 + ((size_t)packet[4] << 8 | packet[5]);

		if (total > len)
			return false;
		*family = AF_INET6;
		*source = packet + 8;
		*destination = packet + 24;
		*ip_len = total;
		return true;
	}
	return false;
}

/* The bytes a cookie is bound to: the source address and port. */
static size_t endpoint_bytes(const struct wh_endpoint *endpoint, uint8_t out[18])
{
	size_t addr_len = endpoint->family == AF_INET6 ? 16 : 4;

	memcpy(out, endpoint->addr, addr_len);
	out[addr_len] = (uint8_t)(endpoint->port >> 8);
	out[addr_len + 1] = (uint8_t)endpoint->port;
	return addr_len + 2;
}

static void authenticated_packet_received(struct wh_peer *peer, size_t len, uint64_t now)
{
	peer->rx_bytes += len;
	wh_timers_any_authenticated_packet_received(&peer->timers, now);
	wh_timers_any_authenticated_packet_traversal(&peer->timers, now);
}

/* Installs the session a completed handshake derived, handing its index to the keypair. */
static bool begin_session(struct wh_peer *peer, uint64_t now)
{
	struct wh_engine *engine = peer->engine;
	struct wh_session_keys keys;
	struct wh_keypair *keypair;
	uint32_t dropped[2];
	int count;

	if (!wh_handshake_derive_keys(&peer->handshake, &keys))
		return false;
	keypair = wh_keypair_new(&keys, now);
	if (keypair) {
		keypair->owner = peer;
		keypair->retire = engine->keypair_retire;
		keypair->retire_ctx = engine->keypair_retire_ctx;
	} else {
		wh_index_table_remove(&engine->index_table, peer->handshake.local_index);
		peer->handshake.local_index = 0;
		return false;
	}
	wh_index_table_replace(&engine->index_table, keypair->local_index, WH_INDEX_KEYPAIR, keypair);
	peer->handshake.local_index = 0;
	count = wh_keypairs_add(&peer->keypairs, keypair, dropped);
	for (int i = 0; i < count; i++)
		wh_index_table_remove(&engine->index_table, dropped[i]);
	engine->sessions_generation++;
	peer->last_handshake_realtime_ns = engine_realtime(engine);
	peer->sent_lastminute_handshake = false;
	wh_timers_session_derived(&peer->timers, now);
	return true;
}

static struct wh_handshake *lookup_handshake(void *ctx, const uint8_t public_key[WH_NOISE_PUBLIC_KEY_LEN])
{
	struct wh_peer *peer = wh_engine_find_peer(ctx, public_key);

	return peer ? &peer->handshake : NULL;
}

static struct wh_peer *peer_of_handshake(struct wh_handshake *handshake)
{
	return (struct wh_peer *)(void *)((uint8_t *)handshake - offsetof(struct wh_peer, handshake));
}

static enum wh_receive_result receive_initiation(struct wh_engine *engine, const uint8_t *datagram,
						 const struct wh_endpoint *source, uint64_t now)
{
	struct wh_message_handshake_response response;
	struct wh_handshake *handshake;
	struct wh_peer *peer;
	uint32_t index;

	handshake = wh_handshake_consume_initiation(&engine->identity,
						    (const struct wh_message_handshake_initiation *)datagram,
						    lookup_handshake, engine, now);
	if (!handshake)
		return WH_RECEIVE_BAD_HANDSHAKE;
	peer = peer_of_handshake(handshake);
	wh_peer_set_endpoint(peer, source);
	authenticated_packet_received(peer, sizeof(struct wh_message_handshake_initiation), now);

	peer_forget_handshake_index(peer);
	index = wh_index_table_insert(&engine->index_table, WH_INDEX_HANDSHAKE, peer, handshake, engine->rng);
	if (!index)
		return WH_RECEIVE_HANDSHAKE;
	if (!wh_handshake_create_response(handshake, &response, index, engine->rng)) {
		wh_index_table_remove(&engine->index_table, index);
		return WH_RECEIVE_HANDSHAKE;
	}
	wh_cookie_add_macs(&peer->cookie, (uint8_t *)&response, sizeof(response), now);
	wh_timers_any_authenticated_packet_traversal(&peer->timers, now);
	wh_timers_any_authenticated_packet_sent(&peer->timers, now);
	if (begin_session(peer, now))
		send_buffer(peer, (const uint8_t *)&response, sizeof(response));
	return WH_RECEIVE_HANDSHAKE;
}

static enum wh_receive_result receive_response(struct wh_engine *engine, const uint8_t *datagram,
					       const struct wh_endpoint *source, uint64_t now)
{
	const struct wh_message_handshake_response *message = (const void *)datagram;
	struct wh_index_entry *entry;
	struct wh_peer *peer;

	entry = wh_index_table_lookup(&engine->index_table, wh_get_le32(message->receiver_index),
				      WH_INDEX_HANDSHAKE);
	if (!entry)
		return WH_RECEIVE_UNKNOWN_INDEX;
	peer = entry->peer;
	if (!wh_handshake_consume_response(&peer->handshake, message))
		return WH_RECEIVE_BAD_HANDSHAKE;
	wh_peer_set_endpoint(peer, source);
	authenticated_packet_received(peer, sizeof(*message), now);
	if (begin_session(peer, now)) {
		wh_timers_handshake_complete(&peer->timers, now);
		/* Staged packets, or else a keepalive, confirm the session to the responder at once. */
		send_keepalive(peer);
	}
	return WH_RECEIVE_HANDSHAKE;
}

static enum wh_receive_result receive_handshake(struct wh_engine *engine, uint8_t *datagram, size_t len,
						const struct wh_endpoint *source, uint64_t now)
{
	uint8_t source_bytes[18];
	size_t source_len = endpoint_bytes(source, source_bytes);
	enum wh_cookie_mac_state mac_state;

	if (!engine->identity.has_identity)
		return WH_RECEIVE_NO_IDENTITY;
	mac_state = wh_cookie_validate(&engine->cookie_checker, datagram, len, source_bytes, source_len,
				       engine->under_load, now, engine->rng);
	if (mac_state == WH_COOKIE_INVALID_MAC)
		return WH_RECEIVE_BAD_MAC;
	/* Where the kernel checks: a cookie proves the source address, so it is the address we limit. */
	if (engine->under_load && mac_state == WH_COOKIE_VALID_MAC_WITH_COOKIE &&
	    !wh_ratelimiter_allow(&engine->ratelimiter, source, now))
		return WH_RECEIVE_RATE_LIMITED;
	if (engine->under_load && mac_state != WH_COOKIE_VALID_MAC_WITH_COOKIE) {
		struct wh_message_handshake_cookie reply;
		/* Initiation and response both carry the sender index right after the header. */
		uint32_t sender_index = wh_get_le32(datagram + sizeof(struct wh_message_header));

		wh_cookie_create_reply(&engine->cookie_checker, &reply, datagram, len, sender_index, source_bytes,
				       source_len, now, engine->rng);
		engine->callbacks.send_datagram(engine->callback_ctx, source, (const uint8_t *)&reply, sizeof(reply));
		return WH_RECEIVE_COOKIE_REPLY_SENT;
	}
	if (datagram[0] == WH_MESSAGE_HANDSHAKE_INITIATION)
		return receive_initiation(engine, datagram, source, now);
	return receive_response(engine, datagram, source, now);
}

static enum wh_receive_result receive_cookie(struct wh_engine *engine, const uint8_t *datagram, uint64_t now)
{
	const struct wh_message_handshake_cookie *message = (const void *)datagram;
	struct wh_index_entry *entry;

	entry = wh_index_table_lookup(&engine->index_table, wh_get_le32(message->receiver_index),
				      WH_INDEX_HANDSHAKE);
	if (!entry)
		return WH_RECEIVE_UNKNOWN_INDEX;
	if (!wh_cookie_consume_reply(&entry->peer->cookie, message, now))
		return WH_RECEIVE_BAD_HANDSHAKE;
	return WH_RECEIVE_COOKIE_CONSUMED;
}

/* Rekey from the receiving side: the initiator's session is close to REJECT_AFTER_TIME and the peer
 * is still talking, so start a handshake before it has to stop. */
static void keep_key_fresh(struct wh_peer *peer, uint64_t now)
{
	const struct wh_keypair *keypair = peer->keypairs.current;

	if (keypair && keypair->sending_valid && keypair->i_am_the_initiator && !peer->sent_lastminute_handshake &&
	    wh_birthdate_has_expired(keypair->birthdate, WH_REJECT_AFTER_TIME - WH_KEEPALIVE_TIMEOUT - WH_REKEY_TIMEOUT, now)) {
		peer->sent_lastminute_handshake = true;
		send_handshake_initiation(peer, false);
	}
}

void peer_data_received(struct wh_peer *peer, struct wh_keypair *keypair, const struct wh_endpoint *source,
			bool had_data, uint64_t now)
{
	struct wh_engine *engine = peer->engine;
	uint32_t dropped_index;

	if (wh_keypairs_received_with(&peer->keypairs, keypair, &dropped_index)) {
		if (dropped_index) {
			wh_index_table_remove(&engine->index_table, dropped_index);
			engine->sessions_generation++;
		}
		wh_timers_handshake_complete(&peer->timers, now);
		send_staged_packets(peer);
	}
	keep_key_fresh(peer, now);
	if (source)
		wh_peer_set_endpoint(peer, source);
	wh_timers_any_authenticated_packet_received(&peer->timers, now);
	wh_timers_any_authenticated_packet_traversal(&peer->timers, now);
	if (had_data)
		wh_timers_data_received(&peer->timers, now);
}

static enum wh_receive_result receive_data(struct wh_engine *engine, uint8_t *datagram, size_t len,
					   const struct wh_endpoint *source, uint64_t now)
{
	const struct wh_message_data *message = (const void *)datagram;
	const uint8_t *inner_source, *inner_destination;
	struct wh_index_entry *entry;
	struct wh_keypair *keypair;
	struct wh_peer *peer;
	size_t ip_len;
	ssize_t plain_len;
	int family;

	entry = wh_index_table_lookup(&engine->index_table, wh_get_le32(message->key_idx), WH_INDEX_KEYPAIR);
	if (!entry)
		return WH_RECEIVE_UNKNOWN_INDEX;
	peer = entry->peer;
	keypair = entry->object;

	plain_len = wh_keypair_open(keypair, datagram, len, now);
	if (plain_len == -ENOKEY)
		return WH_RECEIVE_KEY_EXPIRED;
	if (plain_len == -EALREADY)
		return WH_RECEIVE_REPLAYED;
	if (plain_len < 0)
		return WH_RECEIVE_BAD_DATA;

	peer->rx_bytes += len;
	peer_data_received(peer, keypair, source, plain_len > 0, now);

	if (plain_len == 0)
		return WH_RECEIVE_KEEPALIVE;

	if (!packet_addresses(datagram + sizeof(*message), (size_t)plain_len, &family, &inner_source,
			      &inner_destination, &ip_len))
		return WH_RECEIVE_BAD_PACKET;
	if (wh_allowedips_lookup(&engine->allowedips, family, inner_source) != peer)
		return WH_RECEIVE_NOT_ALLOWED;
	/* ip_len trims the sender's padding. */
	engine->callbacks.deliver_packet(engine->callback_ctx, peer, datagram + sizeof(*message), ip_len);
	return WH_RECEIVE_DATA;
}

enum wh_receive_result wh_engine_receive(struct wh_engine *engine, uint8_t *datagram, size_t len,
					 const struct wh_endpoint *source)
{
	uint64_t now = engine_now(engine);

	if (len < sizeof(struct wh_message_header))
		return WH_RECEIVE_BAD_LENGTH;
	/* The type is a little-endian 32-bit word: the three bytes after it must be zero. */
	if (datagram[1] || datagram[2] || datagram[3])
		return WH_RECEIVE_BAD_TYPE;

	switch (datagram[0]) {
	case WH_MESSAGE_HANDSHAKE_INITIATION:
		if (len != sizeof(struct wh_message_handshake_initiation))
			return WH_RECEIVE_BAD_LENGTH;
		return receive_handshake(engine, datagram, len, source, now);
	case WH_MESSAGE_HANDSHAKE_RESPONSE:
		if (len != sizeof(struct wh_message_handshake_response))
			return WH_RECEIVE_BAD_LENGTH;
		return receive_handshake(engine, datagram, len, source, now);
	case WH_MESSAGE_HANDSHAKE_COOKIE:
		if (len != sizeof(struct wh_message_handshake_cookie))
			return WH_RECEIVE_BAD_LENGTH;
		return receive_cookie(engine, datagram, now);
	case WH_MESSAGE_DATA:
		if (len < WH_MESSAGE_DATA_MIN_LEN)
			return WH_RECEIVE_BAD_LENGTH;
		return receive_data(engine, datagram, len, source, now);
	default:
		return WH_RECEIVE_BAD_TYPE;
	}
}
