/* The device: an engine, a TUN port, a bind port and the threads between them. Lifecycle and
 * configuration; the paths themselves are in device_send.c, device_receive.c, device_workers.c and
 * device_control.c. */
#include "core/device_private.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <urcu/urcu-memb.h>

static void engine_send_datagram(void *ctx, const struct wh_endpoint *to, const uint8_t *data, size_t len)
{
	struct wh_device *device = ctx;
	struct wh_packet packet = {.data = (uint8_t *)data, .len = (uint32_t)len, .capacity = (uint32_t)len};
	struct wh_packet *packets[1] = {&packet};

	/* Handshake messages and the occasional keepalive, from whoever holds engine_lock. A response
	 * makes the peer send under the new session at once: the data path must know it first. */
	views_publish(device);
	packet.endpoint = *to;
	device->bind.ops->write(device->bind.ctx, packets, 1);
}

static void engine_deliver_packet(void *ctx, struct wh_peer *peer, uint8_t *data, size_t len)
{
	struct wh_device *device = ctx;
	struct wh_packet packet = {.data = data, .len = (uint32_t)len, .capacity = (uint32_t)len};
	struct wh_packet *packets[1] = {&packet};

	(void)peer;
	device->tun.ops->write(device->tun.ctx, packets, 1);
}

/* Follows the interface MTU: wg-quick sets it after the interface exists, and people change it. */
void device_refresh_mtu(struct wh_device *device)
{
	size_t mtu = device->tun.ops->mtu(device->tun.ctx);

	if (!mtu || mtu > WH_DEVICE_PAYLOAD_MAX)
		mtu = WH_DEVICE_PAYLOAD_MAX;
	atomic_store(&device->mtu, mtu);
	if (device->engine)
		device->engine->mtu = mtu;
	device->mtu_checked = device_now(device);
}

static int start_threads(struct wh_device *device)
{
	unsigned i;

	if (pthread_create(&device->control_thread, NULL, control_thread_main, device))
		return -EAGAIN;
	for (i = 0; i < device->worker_count; i++)
		if (pthread_create(&device->workers[i], NULL, worker_main, device))
			break;
	device->worker_count = i;
	if (!device->worker_count || pthread_create(&device->bind_thread, NULL, bind_reader_main, device) ||
	    pthread_create(&device->tun_thread, NULL, tun_reader_main, device))
		return -EAGAIN;
	device->threads_started = true;
	return 0;
}

static unsigned default_workers(void)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	if (cores < 1)
		return 1;
	return cores > WH_DEVICE_MAX_WORKERS ? WH_DEVICE_MAX_WORKERS : (unsigned)cores;
}

static int init_queues(struct wh_device *device)
{
	device->packets = calloc(WH_DEVICE_POOL_SIZE, sizeof(*device->packets));
	if (!device->packets || wh_ring_init(&device->pool, WH_DEVICE_POOL_SIZE) ||
	    wh_ring_init(&device->crypt_queue, WH_DEVICE_POOL_SIZE) ||
	    wh_ring_init(&device->handshake_queue, WH_DEVICE_HANDSHAKE_QUEUE) ||
	    wh_ring_init(&device->notify_queue, WH_DEVICE_POOL_SIZE))
		return -ENOMEM;
	for (size_t i = 0; i < WH_DEVICE_POOL_SIZE; i++)
		wh_ring_push(&device->pool, &device->packets[i]);
	return 0;
}

struct wh_device *wh_device_new(const struct wh_device_config *config)
{
	struct wh_engine_config engine_config = {
		.callbacks = {engine_send_datagram, engine_deliver_packet},
		.clock = config->clock,
		.rng = config->rng,
	};
	pthread_condattr_t condattr;
	struct wh_device *device = calloc(1, sizeof(*device));

	if (!device)
		return NULL;
	device->tun.ops = config->tun_ops;
	device->tun.ctx = config->tun_ctx;
	device->bind.ops = config->bind_ops;
	device->bind.ctx = config->bind_ctx;
	device->clock = config->clock ? config->clock : wh_clock_system();
	device_refresh_mtu(device);
	device->worker_count = config->workers ? config->workers : default_workers();
	if (device->worker_count > WH_DEVICE_MAX_WORKERS)
		device->worker_count = WH_DEVICE_MAX_WORKERS;
	pthread_mutex_init(&device->engine_lock, NULL);
	pthread_mutex_init(&device->control_mutex, NULL);
	pthread_condattr_init(&condattr);
	pthread_condattr_setclock(&condattr, CLOCK_MONOTONIC);
	pthread_cond_init(&device->control_cond, &condattr);
	pthread_condattr_destroy(&condattr);
	pthread_mutex_init(&device->worker_mutex, NULL);
	pthread_cond_init(&device->worker_cond, NULL);

	engine_config.callback_ctx = device;
	engine_config.mtu = atomic_load(&device->mtu);
	device->engine = wh_engine_new(&engine_config);
	if (!device->engine || init_queues(device) < 0)
		goto fail;
	device->engine->keypair_retire = device_retire_keypair;
	device->engine->keypair_retire_ctx = device;
	views_publish(device);
	if (start_threads(device) < 0)
		goto fail;
	return device;
fail:
	wh_device_free(device);
	return NULL;
}

static void stop_threads(struct wh_device *device)
{
	atomic_store(&device->stopping, true);
	device->tun.ops->close(device->tun.ctx);
	device->bind.ops->close(device->bind.ctx);
	device_wake_control(device);
	pthread_mutex_lock(&device->worker_mutex);
	pthread_cond_broadcast(&device->worker_cond);
	pthread_mutex_unlock(&device->worker_mutex);
	if (device->threads_started) {
		pthread_join(device->tun_thread, NULL);
		pthread_join(device->bind_thread, NULL);
	}
	for (unsigned i = 0; i < device->worker_count; i++)
		if (device->workers[i])
			pthread_join(device->workers[i], NULL);
	if (device->control_thread)
		pthread_join(device->control_thread, NULL);
}

/* Gives back every packet still queued anywhere (the threads are gone). */
static void drain(struct wh_device *device)
{
	struct wh_device_packet *packet;
	struct wh_peer *peer;

	while ((packet = wh_ring_pop(&device->handshake_queue)))
		pool_put(device, packet);
	while (wh_ring_pop(&device->crypt_queue))
		; /* still owned by their peer queues, released below */
	for (peer = device->engine ? device->engine->peers : NULL; peer; peer = peer->next_in_list) {
		struct wh_device_peer *device_peer = peer->device_state;
		struct wh_ordered_queue *queues[2];

		if (!device_peer)
			continue;
		queues[0] = &device_peer->tx;
		queues[1] = &device_peer->rx;
		for (int q = 0; q < 2; q++) {
			struct wh_ordered_queue *queue = queues[q];

			while (queue->count) {
				packet_release(device, queue->slots[queue->head]);
				queue->head = (queue->head + 1) % WH_DEVICE_PEER_QUEUE;
				queue->count--;
			}
		}
		while ((packet = wh_ring_pop(&device_peer->staged)))
			packet_release(device, packet);
	}
}

static void device_peer_free(struct wh_device_peer *device_peer)
{
	wh_keypair_put(device_peer->last_keypair);
	ordered_queue_destroy(&device_peer->tx);
	ordered_queue_destroy(&device_peer->rx);
	wh_ring_free(&device_peer->staged);
	pthread_mutex_destroy(&device_peer->received_lock);
	free(device_peer);
}

void wh_device_free(struct wh_device *device)
{
	if (!device)
		return;
	stop_threads(device);
	if (device->engine) {
		drain(device);
		while (device->engine->peers) {
			struct wh_peer *peer = device->engine->peers;

			if (peer->device_state)
				device_peer_free(peer->device_state);
			peer->device_state = NULL;
			wh_engine_remove_peer(device->engine, peer);
		}
		wh_engine_free(device->engine);
	}
	views_free(device);
	device_reap_retired(device);
	wh_ring_free(&device->pool);
	wh_ring_free(&device->crypt_queue);
	wh_ring_free(&device->handshake_queue);
	wh_ring_free(&device->notify_queue);
	if (device->packets)
		sodium_memzero(device->packets, WH_DEVICE_POOL_SIZE * sizeof(*device->packets));
	free(device->packets);
	pthread_mutex_destroy(&device->engine_lock);
	pthread_mutex_destroy(&device->control_mutex);
	pthread_cond_destroy(&device->control_cond);
	pthread_mutex_destroy(&device->worker_mutex);
	pthread_cond_destroy(&device->worker_cond);
	free(device);
}

struct wh_engine *wh_device_lock(struct wh_device *device)
{
	pthread_mutex_lock(&device->engine_lock);
	return device->engine;
}

void wh_device_unlock(struct wh_device *device)
{
	views_publish(device);
	pthread_mutex_unlock(&device->engine_lock);
	/* Configuration may have armed timers or given a staged packet its session. */
	device_wake_control(device);
}

struct wh_peer *wh_device_add_peer(struct wh_device *device, const uint8_t public_key[WH_KEY_SIZE])
{
	struct wh_device_peer *device_peer = calloc(1, sizeof(*device_peer));
	struct wh_peer *peer;

	if (!device_peer || wh_ring_init(&device_peer->staged, WH_MAX_STAGED_PACKETS) < 0) {
		free(device_peer);
		errno = ENOMEM;
		return NULL;
	}
	peer = wh_engine_add_peer(device->engine, public_key);
	if (!peer) {
		int saved = errno;

		wh_ring_free(&device_peer->staged);
		free(device_peer);
		errno = saved;
		return NULL;
	}
	device_peer->peer = peer;
	ordered_queue_init(&device_peer->tx);
	ordered_queue_init(&device_peer->rx);
	pthread_mutex_init(&device_peer->received_lock, NULL);
	peer->device_state = device_peer;
	return peer;
}

/* Takes a dying peer out of the control thread's to-do list (engine_lock held: it is not popping). */
static void forget_notifications(struct wh_device *device, struct wh_device_peer *device_peer)
{
	size_t count = wh_ring_count(&device->notify_queue);

	for (size_t i = 0; i < count; i++) {
		struct wh_device_peer *queued = wh_ring_pop(&device->notify_queue);

		if (!queued)
			break;
		if (queued != device_peer)
			wh_ring_push_waiting(&device->notify_queue, queued);
	}
}

int wh_device_set_listen_port(struct wh_device *device, uint16_t port)
{
	uint16_t bound = 0;
	int ret = device->bind.ops->open(device->bind.ctx, port, &bound);

	if (ret == 0)
		device->listen_port = bound;
	return ret;
}

uint16_t wh_device_listen_port(struct wh_device *device)
{
	return device->listen_port;
}

int wh_device_set_fwmark(struct wh_device *device, uint32_t mark)
{
	int ret = device->bind.ops->set_mark(device->bind.ctx, mark);

	if (ret == 0)
		device->fwmark = mark;
	return ret;
}

uint32_t wh_device_fwmark(struct wh_device *device)
{
	return device->fwmark;
}

void wh_device_remove_peer(struct wh_device *device, struct wh_peer *peer)
{
	struct wh_device_peer *device_peer = peer->device_state;
	struct wh_device_packet *packet;

	if (!device_peer) {
		wh_engine_remove_peer(device->engine, peer);
		return;
	}
	/* Stop new packets finding it, wait until no reader can still be looking, then until the packets
	 * already in flight have been handled, and only then free it. */
	atomic_store(&device_peer->dead, true);
	wh_peer_clear_allowed_ips(peer);
	peer_zero_keys(peer);
	views_publish(device);
	urcu_memb_synchronize_rcu();
	while ((packet = wh_ring_pop(&device_peer->staged)))
		packet_release(device, packet);
	while (atomic_load_explicit(&device_peer->inflight, memory_order_acquire))
		sched_yield();
	forget_notifications(device, device_peer);
	device_peer_free(device_peer);
	peer->device_state = NULL;
	wh_engine_remove_peer(device->engine, peer);
	views_publish(device);
}

uint64_t wh_device_dropped_packets(struct wh_device *device)
{
	return atomic_load(&device->dropped_packets);
}
