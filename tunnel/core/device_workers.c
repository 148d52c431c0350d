/* Crypto workers: encrypt and decrypt packets in place, in parallel, then let the packet's peer
 * queue send them on in order. */
#include "core/device_private.h"

#include <sched.h>
#include <urcu/urcu-memb.h>

void workers_submit(struct wh_device *device, struct wh_device_packet *packet)
{
	/* The queue holds as many slots as there are buffers: only a preempted consumer can be in the
	 * way, and a lost packet would stall its peer's queue for good. */
	wh_ring_push_waiting(&device->crypt_queue, packet);
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

/* Waits for at least one job, then takes up to max without waiting; 0 once the device stops. */
static unsigned next_jobs(struct wh_device *device, struct wh_device_packet **jobs, unsigned max)
{
	unsigned count = 0;

	for (;;) {
		for (int spin = 0; spin < 64; spin++) {
			while (count < max && (jobs[count] = wh_ring_pop(&device->crypt_queue)))
				count++;
			if (count)
				return count;
			if (atomic_load_explicit(&device->stopping, memory_order_relaxed))
				return 0;
			sched_yield();
		}
		/* Nothing for a while: sleep until a producer kicks. Counting ourselves idle before the
		 * last look means a submit after it always sees us and wakes us. */
		pthread_mutex_lock(&device->worker_mutex);
		atomic_fetch_add(&device->idle_workers, 1);
		jobs[0] = wh_ring_pop(&device->crypt_queue);
		if (!jobs[0] && !atomic_load(&device->stopping))
			pthread_cond_wait(&device->worker_cond, &device->worker_mutex);
		atomic_fetch_sub(&device->idle_workers, 1);
		pthread_mutex_unlock(&device->worker_mutex);
		if (jobs[0])
			count = 1;
		else if (atomic_load(&device->stopping))
			return 0;
	}
}

/* A peer queue to flush once the batch is done. */
struct flush_target {
	struct wh_device_peer *device_peer;
	bool outgoing;
};

/* Notes the queue of packet among the targets; a new peer is held (in flight) until it is flushed,
 * since another worker may release the packet, and a removal free the peer, as soon as it is done. */
static unsigned add_target(struct flush_target *targets, unsigned count, const struct wh_device_packet *packet)
{
	struct wh_device_peer *device_peer = packet->peer->device_state;

	for (unsigned i = 0; i < count; i++)
		if (targets[i].device_peer == device_peer && targets[i].outgoing == packet->outgoing)
			return count;
	atomic_fetch_add_explicit(&device_peer->inflight, 1, memory_order_relaxed);
	targets[count].device_peer = device_peer;
	targets[count].outgoing = packet->outgoing;
	return count + 1;
}

void *worker_main(void *arg)
{
	struct wh_device *device = arg;
	struct wh_device_packet *jobs[WH_DEVICE_WORKER_BATCH];
	struct flush_target targets[WH_DEVICE_WORKER_BATCH];
	unsigned count;

	urcu_memb_register_thread();
	while ((count = next_jobs(device, jobs, WH_DEVICE_WORKER_BATCH))) {
		unsigned target_count = 0;

		for (unsigned i = 0; i < count; i++)
			target_count = add_target(targets, target_count, jobs[i]);
		for (unsigned i = 0; i < count; i++) {
			if (jobs[i]->outgoing)
				encrypt_packet(device, jobs[i]);
			else
				decrypt_packet(device, jobs[i]);
		}
		for (unsigned i = 0; i < target_count; i++) {
			if (targets[i].outgoing)
				flush_outgoing(device, targets[i].device_peer);
			else
				flush_incoming(device, targets[i].device_peer);
			atomic_fetch_sub_explicit(&targets[i].device_peer->inflight, 1, memory_order_release);
		}
	}
	urcu_memb_unregister_thread();
	return NULL;
}
