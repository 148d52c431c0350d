/* A bounded lock-free MPMC queue of pointers (sequence-numbered slots). */
#include "core/ring.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>

int wh_ring_init(struct wh_ring *ring, size_t capacity)
{
	if (capacity < 2 || (capacity & (capacity - 1)))
		return -EINVAL;
	ring->slots = calloc(capacity, sizeof(*ring->slots));
	if (!ring->slots)
		return -ENOMEM;
	ring->mask = capacity - 1;
	for (size_t i = 0; i < capacity; i++)
		atomic_init(&ring->slots[i].sequence, i);
	atomic_init(&ring->head, 0);
	atomic_init(&ring->tail, 0);
	return 0;
}

void wh_ring_free(struct wh_ring *ring)
{
	free(ring->slots);
	ring->slots = NULL;
}

bool wh_ring_push(struct wh_ring *ring, void *item)
{
	size_t position = atomic_load_explicit(&ring->tail, memory_order_relaxed);

	for (;;) {
		struct wh_ring_slot *slot = &ring->slots[position & ring->mask];
		size_t sequence = atomic_load_explicit(&slot->sequence, memory_order_acquire);
		intptr_t difference = (intptr_t)sequence - (intptr_t)position;

		if (difference == 0) {
			/* The slot is free for this lap: claim it by moving the tail. */
			if (atomic_compare_exchange_weak_explicit(&ring->tail, &position, position + 1,
								  memory_order_relaxed, memory_order_relaxed)) {
				slot->item = item;
				atomic_store_explicit(&slot->sequence, position + 1, memory_order_release);
				return true;
			}
		} else if (difference < 0) {
			return false; /* a consumer has not emptied this slot since the last lap: full */
		} else {
			position = atomic_load_explicit(&ring->tail, memory_order_relaxed);
		}
	}
}

void wh_ring_push_waiting(struct wh_ring *ring, void *item)
{
	while (!wh_ring_push(ring, item))
		sched_yield();
}

void *wh_ring_pop(struct wh_ring *ring)
{
	size_t position = atomic_load_explicit(&ring->head, memory_order_relaxed);

	for (;;) {
		struct wh_ring_slot *slot = &ring->slots[position & ring->mask];
		size_t sequence = atomic_load_explicit(&slot->sequence, memory_order_acquire);
		intptr_t difference = (intptr_t)sequence - (intptr_t)(position + 1);

		if (difference == 0) {
			if (atomic_compare_exchange_weak_explicit(&ring->head, &position, position + 1,
								  memory_order_relaxed, memory_order_relaxed)) {
				void *item = slot->item;

				/* Hand the slot to the producer of the next lap. */
				atomic_store_explicit(&slot->sequence, position + ring->mask + 1, memory_order_release);
				return item;
			}
		} else if (difference < 0) {
			return NULL; /* nothing published here yet: empty */
		} else {
			position = atomic_load_explicit(&ring->head, memory_order_relaxed);
		}
	}
}

size_t wh_ring_count(struct wh_ring *ring)
{
	size_t tail = atomic_load_explicit(&ring->tail, memory_order_acquire);
	size_t head = atomic_load_explicit(&ring->head, memory_order_acquire);

	return tail >= head ? tail - head : 0;
}
