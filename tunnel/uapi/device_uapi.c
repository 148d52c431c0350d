/* The configuration protocol served by a device: apply, snapshot, and request in, reply out. */
#include "uapi/device_uapi.h"

#include <errno.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uapi/uapi.h"

static int apply_peer(struct wh_device *device, struct wh_engine *engine, const struct wh_config_peer *change,
		      char *error, size_t error_len)
{
	struct wh_peer *peer = wh_engine_find_peer(engine, change->public_key);
	uint8_t own[WH_KEY_SIZE];

	if (change->remove) {
		if (peer)
			wh_device_remove_peer(device, peer);
		return 0;
	}
	/* A peer with our own public key is ignored, as wireguard-go ignores it. */
	if (wh_engine_get_public_key(engine, own) && sodium_memcmp(own, change->public_key, WH_KEY_SIZE) == 0)
		return 0;
	if (!peer) {
		if (change->update_only)
			return 0;
		peer = wh_device_add_peer(device, change->public_key);
		if (!peer) {
			snprintf(error, error_len, "cannot add peer: %s", strerror(errno));
			return -errno;
		}
	}
	if (change->has_preshared_key)
		wh_peer_set_preshared_key(peer, sodium_is_zero(change->preshared_key, WH_KEY_SIZE) ?
							NULL :
							change->preshared_key);
	if (change->has_endpoint)
		wh_peer_set_endpoint(peer, &change->endpoint);
	if (change->replace_allowed_ips)
		wh_peer_clear_allowed_ips(peer);
	for (size_t i = 0; i < change->allowed_ip_count; i++) {
		const struct wh_config_allowed_ip *prefix = &change->allowed_ips[i];
		int ret = wh_peer_add_allowed_ip(peer, prefix->family, prefix->ip, prefix->cidr);

		if (ret < 0) {
			snprintf(error, error_len, "cannot add allowed IP: %s", strerror(-ret));
			return ret;
		}
	}
	/* Last, like wireguard-go: a keepalive turned on now goes out with the rest in place. */
	if (change->has_persistent_keepalive)
		wh_peer_set_persistent_keepalive(peer, change->persistent_keepalive_interval);
	return 0;
}

static int remove_all_peers(void *ctx, struct wh_peer *peer)
{
	struct wh_device *device = ctx;

	wh_device_remove_peer(device, peer);
	return 0;
}

int wh_device_apply_config(struct wh_device *device, const struct wh_config *change, char *error,
			   size_t error_len)
{
	struct wh_engine *engine = wh_device_lock(device);
	int ret = 0;

	if (error_len)
		error[0] = '\0';
	if (change->has_private_key) {
		bool remove = sodium_is_zero(change->private_key, WH_KEY_SIZE);

		ret = wh_engine_set_private_key(engine, remove ? NULL : change->private_key);
		if (ret < 0) {
			snprintf(error, error_len, "cannot set the private key");
			goto out;
		}
	}
	if (change->has_listen_port) {
		ret = wh_device_set_listen_port(device, change->listen_port);
		if (ret < 0) {
			snprintf(error, error_len, "cannot listen on port %u: %s", change->listen_port, strerror(-ret));
			goto out;
		}
	}
	if (change->has_fwmark) {
		ret = wh_device_set_fwmark(device, change->fwmark);
		if (ret < 0) {
			snprintf(error, error_len, "cannot set fwmark %u: %s", change->fwmark, strerror(-ret));
			goto out;
		}
	}
	if (change->replace_peers)
		wh_engine_for_each_peer(engine, remove_all_peers, device);
	for (size_t i = 0; i < change->peer_count; i++) {
		ret = apply_peer(device, engine, &change->peers[i], error, error_len);
		if (ret < 0)
			goto out;
	}
out:
	wh_device_unlock(device);
	return ret;
}

struct snapshot_walk {
	struct wh_config_peer *peer;
	int ret;
};

static int add_prefix(void *ctx, int family, const uint8_t *ip, uint8_t cidr, struct wh_peer *peer)
{
	struct snapshot_walk *walk = ctx;

	(void)peer;
	walk->ret = wh_config_peer_add_allowed_ip(walk->peer, family, ip, cidr);
	return walk->ret;
}

struct snapshot_peers {
	struct wh_config *snapshot;
	struct wh_engine *engine;
	int ret;
};

static int snapshot_peer(void *ctx, struct wh_peer *peer)
{
	struct snapshot_peers *state = ctx;
	struct wh_config_peer *out = wh_config_add_peer(state->snapshot, wh_peer_public_key(peer));
	struct snapshot_walk walk = {out, 0};
	struct wh_peer_stats stats;

	if (!out) {
		state->ret = -ENOMEM;
		return 1;
	}
	wh_peer_get_stats(peer, &stats);
	wh_peer_get_preshared_key(peer, out->preshared_key);
	out->has_endpoint = stats.has_endpoint;
	out->endpoint = stats.endpoint;
	out->persistent_keepalive_interval = stats.persistent_keepalive_interval;
	out->rx_bytes = stats.rx_bytes;
	out->tx_bytes = stats.tx_bytes;
	out->last_handshake_time_sec = (int64_t)(stats.last_handshake_realtime_ns / 1000000000u);
	out->last_handshake_time_nsec = (uint32_t)(stats.last_handshake_realtime_ns % 1000000000u);
	wh_engine_walk_allowed_ips(state->engine, peer, add_prefix, &walk);
	if (walk.ret < 0) {
		state->ret = walk.ret;
		return 1;
	}
	return 0;
}

int wh_device_snapshot_config(struct wh_device *device, struct wh_config *snapshot)
{
	struct wh_engine *engine = wh_device_lock(device);
	struct snapshot_peers state = {snapshot, engine, 0};

	wh_config_init(snapshot);
	snapshot->has_private_key = wh_engine_get_private_key(engine, snapshot->private_key);
	snapshot->listen_port = wh_device_listen_port(device);
	snapshot->has_listen_port = snapshot->listen_port != 0;
	snapshot->fwmark = wh_device_fwmark(device);
	snapshot->has_fwmark = snapshot->fwmark != 0;
	wh_engine_for_each_peer(engine, snapshot_peer, &state);
	wh_device_unlock(device);
	if (state.ret < 0)
		wh_config_free(snapshot);
	return state.ret;
}

/* Appends "errno=N\n\n" to a reply body (which may be NULL). */
static int finish_reply(char *body, size_t body_len, int status, char **reply, size_t *reply_len)
{
	char tail[32];
	int tail_len = snprintf(tail, sizeof(tail), "errno=%d\n\n", status);
	char *text = malloc(body_len + (size_t)tail_len + 1);

	if (!text) {
		wh_uapi_free_text(body, body_len);
		return -ENOMEM;
	}
	if (body_len)
		memcpy(text, body, body_len);
	memcpy(text + body_len, tail, (size_t)tail_len + 1);
	wh_uapi_free_text(body, body_len);
	*reply = text;
	*reply_len = body_len + (size_t)tail_len;
	return status;
}

int wh_device_uapi_request(struct wh_device *device, const char *request, size_t len, char **reply,
			   size_t *reply_len, char *error, size_t error_len)
{
	struct wh_uapi_request framed;
	struct wh_config config;
	char *body = NULL;
	size_t body_len = 0;
	int ret;

	if (error_len)
		error[0] = '\0';
	ret = wh_uapi_frame(request, len, true, &framed);
	if (ret <= 0) {
		snprintf(error, error_len, "malformed request");
		return finish_reply(NULL, 0, ret < 0 ? ret : -EPROTO, reply, reply_len);
	}
	if (framed.operation == WH_UAPI_GET) {
		ret = wh_device_snapshot_config(device, &config);
		if (ret == 0) {
			ret = wh_uapi_format_get(&config, &body, &body_len);
			wh_config_free(&config);
		}
		return finish_reply(ret == 0 ? body : NULL, ret == 0 ? body_len : 0, ret, reply, reply_len);
	}
	ret = wh_uapi_parse_set(request + framed.body_offset, framed.body_len, &config, error, error_len);
	if (ret == 0) {
		ret = wh_device_apply_config(device, &config, error, error_len);
		wh_config_free(&config);
	}
	return finish_reply(NULL, 0, ret, reply, reply_len);
}
