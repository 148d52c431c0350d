/* A bounded multi-producer multi-consumer queue of pointers, lock-free (Dmitry Vyukov's design: each
 * slot carries a sequence number, so there is no ABA problem and no lock). The packet pool's free
 * list and the crypto workers' queues are rings. */
#ifndef WH_CORE_RING_H
#define WH_CORE_RING_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wh_ring_slot {
	atomic_size_t sequence;
	void *item;
};

struct wh_ring {
	/* Producers and consumers on separate cache lines: they are written by different threads. */
	alignas(64) atomic_size_t head; /* next slot to dequeue */
	alignas(64) atomic_size_t tail; /* next slot to enqueue */
	alignas(64) size_t mask;
	struct wh_ring_slot *slots;
};

/* capacity must be a power of two >= 2. Returns 0 or -ENOMEM/-EINVAL. */
int wh_ring_init(struct wh_ring *ring, size_t capacity);
void wh_ring_free(struct wh_ring *ring);

/* False when the ring is full, and also for a moment when a consumer that took this slot's item a
 * lap ago has not yet released the slot (it was preempted between the two steps). */
bool wh_ring_push(struct wh_ring *ring, void *item);
/* For a ring with room for every item that can exist (a pool's free list, a queue as large as the
 * pool), where a failed push would lose the item: pushes, waiting out such a consumer. */
void wh_ring_push_waiting(struct wh_ring *ring, void *item);
/* NULL when the ring is empty. */
void *wh_ring_pop(struct wh_ring *ring);
/* A snapshot of how many items are queued (exact only when no one else is working on the ring). */
size_t wh_ring_count(struct wh_ring *ring);

#endif
