/* Crypto workers: encrypt and decrypt packets in place, in parallel, then let the packet's peer
 * queue send them on in order. */
#include "core/device_private.h"

#include <sched.h>
#include <urcu/urcu-memb.h>

void workers_submit(struct wh_device *device, struct wh_device_packet *packet)
{
	/* The queue holds as many slots as there are buffers: it cannot be full. */
	wh_ring_push(&device->crypt_queue, packet);
}

/* Wakes sleeping workers after a batch was submitted; free when none sleeps. */
void workers_kick(struct wh_device *device)
{
	/* Orders our pushes before the look at idle_workers, as the worker orders its count before its
	 * last look at the queue: one of the two always sees the other. */
	atomic_thread_fence(memory_order_seq_cst);
	if (!atomic_load_explicit(&device->idle_workers, memory_order_relaxed))
		return;
	pthread_mutex_lock(&device->worker_mutex);
	pthread_cond_broadcast(&device->worker_cond);
	pthread_mutex_unlock(&device->worker_mutex);
}

static void encrypt_packet(struct wh_device *device, struct wh_device_packet *packet)
{
	uint8_t *message = packet->packet.data - sizeof(struct wh_message_data);
	size_t capacity = sizeof(struct wh_message_data) + WH_DEVICE_PAYLOAD_MAX + WH_DEVICE_TAILROOM;
	ssize_t len = wh_keypair_seal_reserved(packet->keypair, message, packet->packet.len, capacity,
					       atomic_load_explicit(&device->mtu, memory_order_relaxed),
					       packet->counter);

	if (len < 0) {
		atomic_store_explicit(&packet->state, WH_PACKET_DEAD, memory_order_release);
		return;
	}
	/* The port sends from the header on. */
	packet->packet.data = message;
	packet->packet.len = (uint32_t)len;
	atomic_store_explicit(&packet->state, WH_PACKET_DONE, memory_order_release);
}

static void decrypt_packet(struct wh_device *device, struct wh_device_packet *packet)
{
	ssize_t plain_len = wh_keypair_decrypt(packet->keypair, packet->packet.data, packet->packet.len,
					       device_now(device), &packet->counter);

	if (plain_len < 0) {
		atomic_store_explicit(&packet->state, WH_PACKET_DEAD, memory_order_release);
		return;
	}
	packet->datagram_len = packet->packet.len;
	packet->packet.data += sizeof(struct wh_message_data);
	packet->packet.len = (uint32_t)plain_len;
	atomic_store_explicit(&packet->state, WH_PACKET_DONE, memory_order_release);
}

static struct wh_device_packet *next_job(struct wh_device *device)
{
	for (;;) {
		struct wh_device_packet *packet;

		for (int spin = 0; spin < 64; spin++) {
			packet = wh_ring_pop(&device->crypt_queue);
			if (packet)
				return packet;
			if (atomic_load_explicit(&device->stopping, memory_order_relaxed))
				return NULL;
			sched_yield();
		}
		/* Nothing for a while: sleep until a producer kicks. Counting ourselves idle before the
		 * last look means a submit after it always sees us and wakes us. */
		pthread_mutex_lock(&device->worker_mutex);
		atomic_fetch_add(&device->idle_workers, 1);
		packet = wh_ring_pop(&device->crypt_queue);
		if (!packet && !atomic_load(&device->stopping))
			pthread_cond_wait(&device->worker_cond, &device->worker_mutex);
		atomic_fetch_sub(&device->idle_workers, 1);
		pthread_mutex_unlock(&device->worker_mutex);
		if (packet)
			return packet;
		if (atomic_load(&device->stopping))
			return NULL;
	}
}

void *worker_main(void *arg)
{
	struct wh_device *device = arg;
	struct wh_device_packet *packet;

	urcu_memb_register_thread();
	while ((packet = next_job(device))) {
		struct wh_device_peer *device_peer = packet->peer->device_state;

		if (packet->outgoing) {
			encrypt_packet(device, packet);
			flush_outgoing(device, device_peer);
		} else {
			decrypt_packet(device, packet);
			flush_incoming(device, device_peer);
		}
	}
	urcu_memb_unregister_thread();
	return NULL;
}
