/* Read-only views of the engine's tables for the data path: the allowed IPs and the keypairs by
 * index. The control thread rebuilds a view when the engine's generation says it changed and
 * publishes it with RCU; readers never wait. */
#include "core/device_private.h"

#include <stdlib.h>
#include <urcu/urcu-memb.h>

struct wh_peer *route_lookup(struct wh_device *device, int family, const uint8_t *address)
{
	struct wh_route_view *routes = atomic_load_explicit(&device->routes, memory_order_acquire);

	return routes ? wh_allowedips_lookup(&routes->table, family, address) : NULL;
}

static size_t session_slot(const struct wh_session_view *view, uint32_t index)
{
	/* Indices are random: their low bits spread well. */
	return index & view->mask;
}

struct wh_keypair *session_lookup_get(struct wh_device *device, uint32_t index)
{
	struct wh_keypair *found = NULL;
	struct wh_session_view *view;

	urcu_memb_read_lock();
	view = atomic_load_explicit(&device->sessions, memory_order_acquire);
	if (view && index) {
		for (size_t i = session_slot(view, index);; i = (i + 1) & view->mask) {
			struct wh_session_slot *slot = &view->slots[i];

			if (!slot->index)
				break;
			if (slot->index == index) {
				if (wh_keypair_get(slot->keypair))
					found = slot->keypair;
				break;
			}
		}
	}
	urcu_memb_read_unlock();
	return found;
}

static int copy_route(void *ctx, int family, const uint8_t *ip, uint8_t cidr, struct wh_peer *peer)
{
	return wh_allowedips_insert(ctx, family, ip, cidr, peer);
}

static struct wh_route_view *build_routes(struct wh_engine *engine)
{
	struct wh_route_view *view = calloc(1, sizeof(*view));

	if (!view)
		return NULL;
	wh_allowedips_init(&view->table);
	if (wh_allowedips_walk(&engine->allowedips, NULL, copy_route, &view->table) != 0) {
		wh_allowedips_free(&view->table);
		free(view);
		return NULL;
	}
	return view;
}

static void session_insert(struct wh_session_view *view, struct wh_keypair *keypair)
{
	size_t i = session_slot(view, keypair->local_index);

	while (view->slots[i].index)
		i = (i + 1) & view->mask;
	view->slots[i].index = keypair->local_index;
	view->slots[i].keypair = keypair;
}

static struct wh_session_view *build_sessions(struct wh_engine *engine)
{
	struct wh_session_view *view;
	struct wh_peer *peer;
	size_t count = 0, capacity = 16;

	for (peer = engine->peers; peer; peer = peer->next_in_list)
		count += 3;
	/* At most half full, so probes stay short and always end at an empty slot. */
	while (capacity < 2 * count)
		capacity *= 2;
	view = calloc(1, sizeof(*view) + capacity * sizeof(view->slots[0]));
	if (!view)
		return NULL;
	view->mask = capacity - 1;
	for (peer = engine->peers; peer; peer = peer->next_in_list) {
		struct wh_keypair *keypairs[3] = {peer->keypairs.current, peer->keypairs.previous, peer->keypairs.next};

		for (int i = 0; i < 3; i++)
			if (keypairs[i])
				session_insert(view, keypairs[i]);
	}
	return view;
}

static void free_routes(struct wh_route_view *view)
{
	if (!view)
		return;
	wh_allowedips_free(&view->table);
	free(view);
}

/* Brings the views and each peer's sending keypair up to date; call with engine_lock held, and
 * before anything that lets the peer send to us under a new session (a handshake response), so the
 * reply cannot outrun the view. Replaced views are freed by device_reap_retired after a grace period,
 * so nothing here waits. */
void views_publish(struct wh_device *device)
{
	struct wh_engine *engine = device->engine;
	struct wh_peer *peer;

	if (engine->routes_generation != device->routes_generation || !atomic_load(&device->routes)) {
		struct wh_route_view *routes = build_routes(engine);

		if (routes) {
			struct wh_route_view *old = atomic_exchange_explicit(&device->routes, routes, memory_order_acq_rel);

			if (old) {
				old->retired_next = device->retired_routes;
				device->retired_routes = old;
			}
			device->routes_generation = engine->routes_generation;
		}
	}
	if (engine->sessions_generation != device->sessions_generation || !atomic_load(&device->sessions)) {
		struct wh_session_view *sessions = build_sessions(engine);

		if (sessions) {
			struct wh_session_view *old =
				atomic_exchange_explicit(&device->sessions, sessions, memory_order_acq_rel);

			if (old) {
				old->retired_next = device->retired_sessions;
				device->retired_sessions = old;
			}
			device->sessions_generation = engine->sessions_generation;
		}
	}
	for (peer = engine->peers; peer; peer = peer->next_in_list) {
		struct wh_device_peer *device_peer = peer->device_state;

		if (device_peer && atomic_load_explicit(&device_peer->sending, memory_order_relaxed) != peer->keypairs.current)
			atomic_store_explicit(&device_peer->sending, peer->keypairs.current, memory_order_release);
	}
}

/* Frees lists of replaced views; only once no reader can still be in them. */
void views_free_lists(struct wh_route_view *routes, struct wh_session_view *sessions)
{
	while (routes) {
		struct wh_route_view *next = routes->retired_next;

		free_routes(routes);
		routes = next;
	}
	while (sessions) {
		struct wh_session_view *next = sessions->retired_next;

		free(sessions);
		sessions = next;
	}
}

void views_free(struct wh_device *device)
{
	views_free_lists(device->retired_routes, device->retired_sessions);
	device->retired_routes = NULL;
	device->retired_sessions = NULL;
	free_routes(atomic_load(&device->routes));
	free(atomic_load(&device->sessions));
	device->routes = NULL;
	device->sessions = NULL;
}
