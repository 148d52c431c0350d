/* The device's packet buffers: allocated once, handed out and returned through a lock-free ring. */
#include "core/device_private.h"

#include <sched.h>
#include <time.h>

unsigned pool_get(struct wh_device *device, struct wh_device_packet **packets, unsigned count)
{
	unsigned got = 0;

	while (got < count) {
		struct wh_device_packet *packet = wh_ring_pop(&device->pool);

		if (!packet)
			break;
		packet->packet.data = packet->buffer + WH_DEVICE_HEADROOM;
		packet->packet.len = 0;
		packet->packet.capacity = WH_DEVICE_PAYLOAD_MAX;
		packet->peer = NULL;
		packet->keypair = NULL;
		packet->counter = 0;
		packet->datagram_len = 0;
		atomic_store_explicit(&packet->state, WH_PACKET_QUEUED, memory_order_relaxed);
		packets[got++] = packet;
	}
	return got;
}

void pool_put(struct wh_device *device, struct wh_device_packet *packet)
{
	/* The ring holds every buffer the pool owns: only a preempted consumer can be in the way. */
	wh_ring_push_waiting(&device->pool, packet);
}

/* Lets go of what a packet holds (its keypair reference, its peer's in-flight count) and returns it. */
void packet_release(struct wh_device *device, struct wh_device_packet *packet)
{
	if (packet->keypair)
		wh_keypair_put(packet->keypair);
	if (packet->peer) {
		struct wh_device_peer *device_peer = packet->peer->device_state;

		atomic_fetch_sub_explicit(&device_peer->inflight, 1, memory_order_release);
	}
	pool_put(device, packet);
}

int pool_read_batch(struct wh_device *device, int (*read)(void *ctx, struct wh_packet **packets, unsigned count),
		    void *ctx, struct wh_device_packet **packets)
{
	unsigned count = pool_get(device, packets, WH_DEVICE_BATCH);
	int got;

	if (!count) {
		/* Every buffer is in flight: let the pipeline drain. */
		sched_yield();
		return -1;
	}
	got = read(ctx, (struct wh_packet **)packets, count);
	for (unsigned i = got > 0 ? (unsigned)got : 0; i < count; i++)
		pool_put(device, packets[i]);
	if (got < 0) {
		/* A port that keeps failing (its interface is going away) must not spin a core. */
		nanosleep(&(struct timespec){0, 1000000}, NULL);
		return -1;
	}
	return got;
}
