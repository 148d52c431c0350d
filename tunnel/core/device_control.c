/* The control thread: the only one that drives the engine. It consumes handshake messages, applies
 * what the data path reported, runs timers, sends staged packets once a session exists, publishes
 * views, and frees retired keypairs after a grace period. */
#include "core/device_private.h"

#include <errno.h>
#include <time.h>
#include <urcu/urcu-memb.h>

void device_wake_control(struct wh_device *device)
{
	pthread_mutex_lock(&device->control_mutex);
	device->control_wake = true;
	pthread_cond_signal(&device->control_cond);
	pthread_mutex_unlock(&device->control_mutex);
}

void device_post_event(struct wh_device *device, struct wh_device_peer *device_peer, unsigned events)
{
	unsigned before = atomic_fetch_or_explicit(&device_peer->events, events, memory_order_release);
	bool queued;

	/* Events of a peer coalesce: the control thread hears of it once until it takes them. */
	if ((before & events) == events)
		return;
	queued = !atomic_exchange(&device_peer->notify_queued, true);
	if (queued)
		wh_ring_push_waiting(&device->notify_queue, device_peer);
	/* Traffic only moves timers, which may be late: while data flows, the control thread looks every
	 * WH_DEVICE_EVENT_LATENCY_NS by itself, and a wake-up per batch would cost more than the work. A
	 * packet waiting for a handshake cannot wait. (The fence pairs with the one in control_poll.) */
	atomic_thread_fence(memory_order_seq_cst);
	if ((events & WH_EVENT_STAGED) || (queued && !atomic_load_explicit(&device->control_polling, memory_order_relaxed)))
		device_wake_control(device);
}

void device_retire_keypair(void *ctx, struct wh_keypair *keypair)
{
	struct wh_device *device = ctx;
	struct wh_keypair *head = atomic_load(&device->retired);

	/* A push onto a list the reaper takes whole: no ABA, so a plain CAS loop is safe. */
	do
		keypair->retired_next = head;
	while (!atomic_compare_exchange_weak(&device->retired, &head, keypair));
}

/* Frees retired keypairs and views once no reader can still see them. Takes engine_lock itself. */
void device_reap_retired(struct wh_device *device)
{
	struct wh_route_view *routes;
	struct wh_session_view *sessions;
	struct wh_keypair *keypair;

	pthread_mutex_lock(&device->engine_lock);
	routes = device->retired_routes;
	sessions = device->retired_sessions;
	device->retired_routes = NULL;
	device->retired_sessions = NULL;
	pthread_mutex_unlock(&device->engine_lock);
	if (!atomic_load(&device->retired) && !routes && !sessions)
		return;
	/* Take the keypairs before the grace period: only those are sure to be out of every view. */
	keypair = atomic_exchange(&device->retired, NULL);
	/* Readers that found something in an old view may still be looking at it: wait them out. */
	urcu_memb_synchronize_rcu();
	views_free_lists(routes, sessions);
	while (keypair) {
		struct wh_keypair *next = keypair->retired_next;

		wh_keypair_free(keypair);
		keypair = next;
	}
}

/* Sends what waited for a session, if there is one now; otherwise asks for a handshake. */
static void release_staged(struct wh_device *device, struct wh_device_peer *device_peer, uint64_t now)
{
	struct wh_device_packet *packets[WH_MAX_STAGED_PACKETS];
	struct wh_keypair *keypair = device_peer->peer->keypairs.current;
	unsigned count = 0;

	if (!wh_ring_count(&device_peer->staged))
		return;
	if (!wh_keypair_can_send(keypair, now)) {
		send_handshake_initiation(device_peer->peer, false);
		return;
	}
	while (count < WH_MAX_STAGED_PACKETS && (packets[count] = wh_ring_pop(&device_peer->staged)))
		count++;
	urcu_memb_read_lock();
	for (unsigned i = 0; i < count; i++)
		queue_for_peer(device, packets[i], now, true);
	urcu_memb_read_unlock();
	workers_kick(device);
}

static void apply_events(struct wh_device_peer *device_peer, uint64_t now)
{
	struct wh_peer *peer = device_peer->peer;
	unsigned events;

	atomic_store(&device_peer->notify_queued, false);
	events = atomic_exchange_explicit(&device_peer->events, 0, memory_order_acquire);
	if (atomic_load(&device_peer->dead))
		return;
	if (events & WH_EVENT_SENT)
		peer_data_sent(peer, events & WH_EVENT_SENT_DATA, now);
	if (events & WH_EVENT_RECEIVED) {
		struct wh_endpoint source;
		struct wh_keypair *keypair;

		pthread_mutex_lock(&device_peer->received_lock);
		source = device_peer->last_source;
		keypair = device_peer->last_keypair;
		device_peer->last_keypair = NULL;
		pthread_mutex_unlock(&device_peer->received_lock);
		peer_data_received(peer, keypair, &source, events & WH_EVENT_RECEIVED_DATA, now);
		wh_keypair_put(keypair);
	}
}

static void handle_handshakes(struct wh_device *device)
{
	struct wh_device_packet *packet;
	/* A deep backlog is load: then handshakes need a cookie (mac2), as in the kernel. */
	bool under_load = wh_ring_count(&device->handshake_queue) >= WH_DEVICE_HANDSHAKE_QUEUE / 8;

	wh_engine_set_under_load(device->engine, under_load);
	while ((packet = wh_ring_pop(&device->handshake_queue))) {
		wh_engine_receive(device->engine, packet->packet.data, packet->packet.len, &packet->packet.endpoint);
		pool_put(device, packet);
	}
}

/* One round of control work, with engine_lock held; returns the next timer deadline (0: none).
 * *traffic tells whether the data path reported anything. */
static uint64_t control_round(struct wh_device *device, bool *traffic)
{
	uint64_t now = device_now(device), deadline;
	struct wh_device_peer *device_peer;
	struct wh_peer *peer;

	if (now - device->mtu_checked >= WH_NSEC_PER_SEC)
		device_refresh_mtu(device);
	handle_handshakes(device);
	*traffic = false;
	while ((device_peer = wh_ring_pop(&device->notify_queue))) {
		apply_events(device_peer, now);
		*traffic = true;
	}
	deadline = wh_engine_tick(device->engine);
	views_publish(device);
	for (peer = device->engine->peers; peer; peer = peer->next_in_list)
		if (peer->device_state)
			release_staged(device, peer->device_state, now);
	return deadline;
}

/* Whether to look again within WH_DEVICE_EVENT_LATENCY_NS instead of waiting for a wake-up: while
 * traffic flows, or when events came after the round looked (the data path did not wake us then, as
 * it saw us polling; the fences order its push and look against our store and look). */
static bool control_poll(struct wh_device *device, bool traffic)
{
	if (traffic)
		return true;
	atomic_store_explicit(&device->control_polling, false, memory_order_relaxed);
	atomic_thread_fence(memory_order_seq_cst);
	return wh_ring_count(&device->notify_queue) > 0;
}

static void wait_for_work(struct wh_device *device, uint64_t deadline, bool poll)
{
	struct timespec until;
	uint64_t now = device_now(device);
	/* Timers may be a little late, never early; cap the sleep so a changed clock cannot strand us. */
	uint64_t wait = deadline && deadline > now ? deadline - now : (deadline ? 0 : WH_NSEC_PER_SEC);

	if (wait > WH_NSEC_PER_SEC)
		wait = WH_NSEC_PER_SEC;
	if (poll && wait > WH_DEVICE_EVENT_LATENCY_NS)
		wait = WH_DEVICE_EVENT_LATENCY_NS;
	clock_gettime(CLOCK_MONOTONIC, &until); /* control_cond waits on CLOCK_MONOTONIC */
	until.tv_sec += (time_t)(wait / WH_NSEC_PER_SEC);
	until.tv_nsec += (long)(wait % WH_NSEC_PER_SEC);
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&device->control_mutex);
	while (!device->control_wake && !atomic_load(&device->stopping)) {
		if (pthread_cond_timedwait(&device->control_cond, &device->control_mutex, &until) == ETIMEDOUT)
			break;
	}
	device->control_wake = false;
	pthread_mutex_unlock(&device->control_mutex);
}

void *control_thread_main(void *arg)
{
	struct wh_device *device = arg;

	urcu_memb_register_thread();
	while (!atomic_load(&device->stopping)) {
		uint64_t deadline;
		bool traffic, poll;

		pthread_mutex_lock(&device->engine_lock);
		deadline = control_round(device, &traffic);
		pthread_mutex_unlock(&device->engine_lock);
		if (traffic)
			atomic_store_explicit(&device->control_polling, true, memory_order_relaxed);
		device_reap_retired(device);
		poll = control_poll(device, traffic);
		wait_for_work(device, deadline, poll);
	}
	urcu_memb_unregister_thread();
	return NULL;
}
