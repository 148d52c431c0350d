/* The incoming path: read datagrams from the bind port, hand handshakes to the control thread, find
 * the keypair of data messages, decrypt in parallel, then in order per peer: replay check, inner
 * packet checks, delivery to the TUN port. */
#include "core/device_private.h"

#include <urcu/urcu-memb.h>

static bool handshake_length_ok(uint8_t type, uint32_t len)
{
	switch (type) {
	case WH_MESSAGE_HANDSHAKE_INITIATION:
		return len == sizeof(struct wh_message_handshake_initiation);
	case WH_MESSAGE_HANDSHAKE_RESPONSE:
		return len == sizeof(struct wh_message_handshake_response);
	case WH_MESSAGE_HANDSHAKE_COOKIE:
		return len == sizeof(struct wh_message_handshake_cookie);
	default:
		return false;
	}
}

static void receive_datagram(struct wh_device *device, struct wh_device_packet *packet, bool *wake_control)
{
	const uint8_t *data = packet->packet.data;
	struct wh_device_peer *device_peer;
	struct wh_keypair *keypair;
	struct wh_peer *peer;

	if (packet->packet.len < sizeof(struct wh_message_header) || data[1] || data[2] || data[3])
		goto drop;
	if (handshake_length_ok(data[0], packet->packet.len)) {
		if (!wh_ring_push(&device->handshake_queue, packet))
			goto drop;
		*wake_control = true;
		return;
	}
	if (data[0] != WH_MESSAGE_DATA || packet->packet.len < WH_MESSAGE_DATA_MIN_LEN)
		goto drop;

	keypair = session_lookup_get(device, wh_get_le32(((const struct wh_message_data *)data)->key_idx));
	if (!keypair)
		goto drop;
	peer = keypair->owner;
	device_peer = peer->device_state;
	if (!device_peer || atomic_load(&device_peer->dead)) {
		wh_keypair_put(keypair);
		goto drop;
	}
	atomic_fetch_add_explicit(&device_peer->inflight, 1, memory_order_relaxed);
	packet->peer = peer;
	packet->keypair = keypair;
	packet->outgoing = false;
	if (!ordered_queue_append_waiting(&device_peer->rx, packet, &device->stopping)) {
		atomic_fetch_add(&device->dropped_packets, 1);
		packet_release(device, packet);
		return;
	}
	workers_submit(device, packet);
	return;
drop:
	atomic_fetch_add(&device->dropped_packets, 1);
	pool_put(device, packet);
}

void *bind_reader_main(void *arg)
{
	struct wh_device *device = arg;
	struct wh_device_packet *packets[WH_DEVICE_BATCH];

	urcu_memb_register_thread();
	while (!atomic_load(&device->stopping)) {
		int got = pool_read_batch(device, device->bind.ops->read, device->bind.ctx, packets);
		bool wake_control = false;

		if (got == 0)
			break;
		if (got < 0)
			continue;
		for (int i = 0; i < got; i++)
			receive_datagram(device, packets[i], &wake_control);
		workers_kick(device);
		if (wake_control)
			device_wake_control(device);
	}
	urcu_memb_unregister_thread();
	return NULL;
}

enum incoming_verdict {
	INCOMING_DROP,      /* not authentic, replayed, or inner checks failed */
	INCOMING_KEEPALIVE, /* authentic, nothing to deliver */
	INCOMING_DELIVER,
};

/* The in-order half of receiving one packet. */
static enum incoming_verdict accept_incoming(struct wh_device *device, struct wh_device_packet *packet,
					     unsigned *events)
{
	const uint8_t *inner_source, *inner_destination;
	size_t ip_len;
	int family;
	bool allowed;

	if (atomic_load(&packet->state) != WH_PACKET_DONE ||
	    !wh_keypair_accept_counter(packet->keypair, packet->counter))
		return INCOMING_DROP;
	*events |= WH_EVENT_RECEIVED;
	packet->peer->rx_bytes += packet->datagram_len;
	if (packet->packet.len == 0)
		return INCOMING_KEEPALIVE;
	*events |= WH_EVENT_RECEIVED_DATA;
	if (!packet_addresses(packet->packet.data, packet->packet.len, &family, &inner_source, &inner_destination,
			      &ip_len))
		return INCOMING_DROP;
	urcu_memb_read_lock();
	allowed = route_lookup(device, family, inner_source) == packet->peer;
	urcu_memb_read_unlock();
	if (!allowed)
		return INCOMING_DROP;
	packet->packet.len = (uint32_t)ip_len; /* trims the sender's padding */
	return INCOMING_DELIVER;
}

static void note_received(struct wh_device *device, struct wh_device_peer *device_peer,
			  struct wh_device_packet *last, unsigned events)
{
	pthread_mutex_lock(&device_peer->received_lock);
	device_peer->last_source = last->packet.endpoint;
	if (device_peer->last_keypair != last->keypair) {
		wh_keypair_put(device_peer->last_keypair);
		device_peer->last_keypair = wh_keypair_get(last->keypair) ? last->keypair : NULL;
	}
	pthread_mutex_unlock(&device_peer->received_lock);
	device_post_event(device, device_peer, events);
}

void flush_incoming(struct wh_device *device, struct wh_device_peer *device_peer)
{
	struct wh_device_packet *batch[WH_DEVICE_BATCH];
	struct wh_packet *deliverable[WH_DEVICE_BATCH];

	while (!atomic_exchange_explicit(&device_peer->rx.flushing, true, memory_order_acquire)) {
		unsigned taken;

		while ((taken = ordered_queue_take_finished(&device_peer->rx, batch, WH_DEVICE_BATCH))) {
			struct wh_device_packet *last_authentic = NULL;
			unsigned count = 0, events = 0, dropped = 0;

			for (unsigned i = 0; i < taken; i++) {
				enum incoming_verdict verdict = accept_incoming(device, batch[i], &events);

				if (verdict == INCOMING_DROP) {
					dropped++;
					continue;
				}
				last_authentic = batch[i];
				if (verdict == INCOMING_DELIVER)
					deliverable[count++] = &batch[i]->packet;
			}
			if (count)
				device->tun.ops->write(device->tun.ctx, deliverable, count);
			if (last_authentic)
				note_received(device, device_peer, last_authentic, events);
			if (dropped)
				atomic_fetch_add(&device->dropped_packets, dropped);
			for (unsigned i = 0; i < taken; i++)
				packet_release(device, batch[i]);
		}
		atomic_store_explicit(&device_peer->rx.flushing, false, memory_order_release);
		if (!ordered_queue_head_finished(&device_peer->rx))
			break;
	}
}
