/* The lock-free MPMC ring: order with one thread, bounds, and every item exactly once under
 * concurrent producers and consumers. */
#include <glib.h>
#include <pthread.h>
#include <stdatomic.h>

#include "core/ring.h"

static void test_single_thread(void)
{
	struct wh_ring ring;
	uintptr_t i;

	g_assert_cmpint(wh_ring_init(&ring, 3), <, 0);
	g_assert_cmpint(wh_ring_init(&ring, 8), ==, 0);
	g_assert_null(wh_ring_pop(&ring));
	for (int lap = 0; lap < 5; lap++) {
		for (i = 1; i <= 8; i++)
			g_assert_true(wh_ring_push(&ring, (void *)i));
		g_assert_false(wh_ring_push(&ring, (void *)99));
		g_assert_cmpuint(wh_ring_count(&ring), ==, 8);
		for (i = 1; i <= 8; i++)
			g_assert_cmpuint((uintptr_t)wh_ring_pop(&ring), ==, i);
		g_assert_null(wh_ring_pop(&ring));
		g_assert_cmpuint(wh_ring_count(&ring), ==, 0);
	}
	wh_ring_free(&ring);
}

enum { PRODUCERS = 4, CONSUMERS = 4, PER_PRODUCER = 200000 };

struct shared {
	struct wh_ring ring;
	atomic_uint seen[PRODUCERS * PER_PRODUCER];
	atomic_uint consumed;
};

struct producer {
	struct shared *shared;
	uintptr_t first;
};

static void *produce(void *arg)
{
	struct producer *producer = arg;

	for (uintptr_t i = 0; i < PER_PRODUCER; i++) {
		/* Items are 1-based so that NULL still means empty. */
		wh_ring_push_waiting(&producer->shared->ring, (void *)(producer->first + i + 1));
	}
	return NULL;
}

static void *consume(void *arg)
{
	struct shared *shared = arg;

	while (atomic_load(&shared->consumed) < PRODUCERS * PER_PRODUCER) {
		uintptr_t item = (uintptr_t)wh_ring_pop(&shared->ring);

		if (!item) {
			sched_yield();
			continue;
		}
		atomic_fetch_add(&shared->seen[item - 1], 1);
		atomic_fetch_add(&shared->consumed, 1);
	}
	return NULL;
}

static void test_concurrent_exactly_once(void)
{
	struct shared *shared = g_new0(struct shared, 1);
	struct producer producers[PRODUCERS];
	pthread_t threads[PRODUCERS + CONSUMERS];

	g_assert_cmpint(wh_ring_init(&shared->ring, 64), ==, 0);
	for (int i = 0; i < PRODUCERS; i++) {
		producers[i].shared = shared;
		producers[i].first = (uintptr_t)i * PER_PRODUCER;
		g_assert_cmpint(pthread_create(&threads[i], NULL, produce, &producers[i]), ==, 0);
	}
	for (int i = 0; i < CONSUMERS; i++)
		g_assert_cmpint(pthread_create(&threads[PRODUCERS + i], NULL, consume, shared), ==, 0);
	for (int i = 0; i < PRODUCERS + CONSUMERS; i++)
		pthread_join(threads[i], NULL);
	for (size_t i = 0; i < PRODUCERS * PER_PRODUCER; i++)
		g_assert_cmpuint(atomic_load(&shared->seen[i]), ==, 1);
	g_assert_null(wh_ring_pop(&shared->ring));
	wh_ring_free(&shared->ring);
	g_free(shared);
}

enum { POOL_ITEMS = 64, POOL_THREADS = 4, POOL_ROUNDS = 300000 };

/* As the packet pool: every item lives in a ring of exactly its number of slots, threads take one out
 * and put it back. A put can meet a slot whose last taker was preempted before releasing it. */
static void *churn(void *arg)
{
	struct wh_ring *ring = arg;

	for (int i = 0; i < POOL_ROUNDS; i++) {
		void *item = wh_ring_pop(ring);

		if (!item) {
			sched_yield();
			continue;
		}
		wh_ring_push_waiting(ring, item);
	}
	return NULL;
}

static void test_full_pool_loses_nothing(void)
{
	struct wh_ring ring;
	pthread_t threads[POOL_THREADS];
	unsigned seen[POOL_ITEMS + 1] = {0};
	uintptr_t item;

	g_assert_cmpint(wh_ring_init(&ring, POOL_ITEMS), ==, 0);
	for (item = 1; item <= POOL_ITEMS; item++)
		g_assert_true(wh_ring_push(&ring, (void *)item));
	for (int i = 0; i < POOL_THREADS; i++)
		g_assert_cmpint(pthread_create(&threads[i], NULL, churn, &ring), ==, 0);
	for (int i = 0; i < POOL_THREADS; i++)
		pthread_join(threads[i], NULL);
	while ((item = (uintptr_t)wh_ring_pop(&ring)))
		seen[item]++;
	for (item = 1; item <= POOL_ITEMS; item++)
		g_assert_cmpuint(seen[item], ==, 1);
	wh_ring_free(&ring);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ring/single-thread", test_single_thread);
	g_test_add_func("/ring/concurrent-exactly-once", test_concurrent_exactly_once);
	g_test_add_func("/ring/full-pool-loses-nothing", test_full_pool_loses_nothing);
	return g_test_run();
}
