/* A peer's ordered queue: packets enter in order, are finished in any order by the workers, and
 * leave in order. */
#include "core/device_private.h"

#include <sched.h>

void ordered_queue_init(struct wh_ordered_queue *queue)
{
	pthread_mutex_init(&queue->lock, NULL);
	queue->head = 0;
	queue->count = 0;
	atomic_init(&queue->flushing, false);
}

void ordered_queue_destroy(struct wh_ordered_queue *queue)
{
	pthread_mutex_destroy(&queue->lock);
}

bool ordered_queue_append(struct wh_ordered_queue *queue, struct wh_device_packet *packet)
{
	bool added = false;

	pthread_mutex_lock(&queue->lock);
	if (queue->count < WH_DEVICE_PEER_QUEUE) {
		queue->slots[(queue->head + queue->count) % WH_DEVICE_PEER_QUEUE] = packet;
		queue->count++;
		added = true;
	}
	pthread_mutex_unlock(&queue->lock);
	return added;
}

static bool finished(const struct wh_device_packet *packet)
{
	return atomic_load_explicit(&packet->state, memory_order_acquire) != WH_PACKET_QUEUED;
}

bool ordered_queue_append_waiting(struct wh_ordered_queue *queue, struct wh_device_packet *packet,
				  const atomic_bool *stopping)
{
	/* A full queue means the workers are behind: wait for them rather than drop, so the port's own
	 * buffering (the TUN queue, the socket buffer) absorbs the burst and TCP sees backpressure. */
	while (!ordered_queue_append(queue, packet)) {
		if (atomic_load(stopping))
			return false;
		sched_yield();
	}
	return true;
}

unsigned ordered_queue_take_finished(struct wh_ordered_queue *queue, struct wh_device_packet **packets,
				     unsigned count)
{
	unsigned taken = 0;

	pthread_mutex_lock(&queue->lock);
	while (taken < count && queue->count && finished(queue->slots[queue->head])) {
		packets[taken++] = queue->slots[queue->head];
		queue->head = (queue->head + 1) % WH_DEVICE_PEER_QUEUE;
		queue->count--;
	}
	pthread_mutex_unlock(&queue->lock);
	return taken;
}

bool ordered_queue_head_finished(struct wh_ordered_queue *queue)
{
	bool ready;

	pthread_mutex_lock(&queue->lock);
	ready = queue->count && finished(queue->slots[queue->head]);
	pthread_mutex_unlock(&queue->lock);
	return ready;
}
