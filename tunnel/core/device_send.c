/* The outgoing path: read plaintext packets from the TUN port, route them to a peer, reserve their
 * counters in order, encrypt in parallel, send in order through the bind port. */
#include "core/device_private.h"

#include <urcu/urcu-memb.h>

/* Holds a packet for a peer without a usable session; the control thread starts a handshake. */
static void stage(struct wh_device *device, struct wh_device_peer *device_peer, struct wh_device_packet *packet)
{
	if (!wh_ring_push(&device_peer->staged, packet)) {
		/* Full: the oldest makes room, as in the kernel. */
		struct wh_device_packet *oldest = wh_ring_pop(&device_peer->staged);

		if (oldest)
			packet_release(device, oldest);
		if (!wh_ring_push(&device_peer->staged, packet)) {
			packet_release(device, packet);
			return;
		}
	}
	device_post_event(device, device_peer, WH_EVENT_STAGED);
}

/* Takes a packet whose peer is set (and counted in flight) towards encryption, or stages it. Call
 * inside an RCU read section. */
void queue_for_peer(struct wh_device *device, struct wh_device_packet *packet, uint64_t now, bool from_staged)
{
	struct wh_device_peer *device_peer = packet->peer->device_state;
	struct wh_keypair *keypair = atomic_load_explicit(&device_peer->sending, memory_order_acquire);

	/* While packets wait for a session, new ones queue behind them rather than overtake them. */
	if (!keypair || (!from_staged && wh_ring_count(&device_peer->staged)) || !wh_keypair_get(keypair)) {
		stage(device, device_peer, packet);
		return;
	}
	if (wh_keypair_reserve_counter(keypair, now, &packet->counter) < 0) {
		wh_keypair_put(keypair);
		stage(device, device_peer, packet);
		return;
	}
	packet->keypair = keypair;
	packet->outgoing = true;
	if (!ordered_queue_append_waiting(&device_peer->tx, packet, &device->stopping)) {
		atomic_fetch_add(&device->dropped_packets, 1);
		packet_release(device, packet);
		return;
	}
	workers_submit(device, packet);
}

void send_route_packet(struct wh_device *device, struct wh_device_packet *packet, uint64_t now)
{
	const uint8_t *source, *destination;
	struct wh_device_peer *device_peer;
	struct wh_peer *peer;
	size_t ip_len;
	int family;

	if (!packet_addresses(packet->packet.data, packet->packet.len, &family, &source, &destination, &ip_len))
		goto drop;
	packet->packet.len = (uint32_t)ip_len;
	peer = route_lookup(device, family, destination);
	if (!peer || !peer->device_state)
		goto drop;
	device_peer = peer->device_state;
	if (atomic_load(&device_peer->dead))
		goto drop;
	atomic_fetch_add_explicit(&device_peer->inflight, 1, memory_order_relaxed);
	packet->peer = peer;
	queue_for_peer(device, packet, now, false);
	return;
drop:
	atomic_fetch_add(&device->dropped_packets, 1);
	packet_release(device, packet);
}

void *tun_reader_main(void *arg)
{
	struct wh_device *device = arg;
	struct wh_device_packet *packets[WH_DEVICE_BATCH];

	urcu_memb_register_thread();
	while (!atomic_load(&device->stopping)) {
		int got = pool_read_batch(device, device->tun.ops->read, device->tun.ctx, packets);
		uint64_t now;

		if (got == 0)
			break;
		if (got < 0)
			continue;
		now = device_now(device);
		urcu_memb_read_lock();
		for (int i = 0; i < got; i++)
			send_route_packet(device, packets[i], now);
		urcu_memb_read_unlock();
		workers_kick(device);
	}
	urcu_memb_unregister_thread();
	return NULL;
}

void flush_outgoing(struct wh_device *device, struct wh_device_peer *device_peer)
{
	struct wh_device_packet *batch[WH_DEVICE_BATCH];
	struct wh_packet *sendable[WH_DEVICE_BATCH];
	struct wh_endpoint endpoint;

	/* One flusher at a time per peer; whoever finishes a head packet while another flushes leaves
	 * it to them, and the flusher looks again before leaving. */
	while (!atomic_exchange_explicit(&device_peer->tx.flushing, true, memory_order_acquire)) {
		unsigned taken;

		while ((taken = ordered_queue_take_finished(&device_peer->tx, batch, WH_DEVICE_BATCH))) {
			bool has_endpoint = peer_get_endpoint(device_peer->peer, &endpoint);
			unsigned count = 0, events = WH_EVENT_SENT;
			uint64_t bytes = 0;

			for (unsigned i = 0; i < taken; i++) {
				struct wh_device_packet *packet = batch[i];

				if (atomic_load(&packet->state) != WH_PACKET_DONE || !has_endpoint)
					continue;
				packet->packet.endpoint = endpoint;
				if (packet->packet.len > WH_MESSAGE_DATA_MIN_LEN)
					events |= WH_EVENT_SENT_DATA;
				bytes += packet->packet.len;
				sendable[count++] = &packet->packet;
			}
			if (count) {
				device->bind.ops->write(device->bind.ctx, sendable, count);
				device_peer->peer->tx_bytes += bytes;
				device_post_event(device, device_peer, events);
			}
			if (count < taken)
				atomic_fetch_add(&device->dropped_packets, taken - count);
			for (unsigned i = 0; i < taken; i++)
				packet_release(device, batch[i]);
		}
		atomic_store_explicit(&device_peer->tx.flushing, false, memory_order_release);
		if (!ordered_queue_head_finished(&device_peer->tx))
			break;
	}
}
