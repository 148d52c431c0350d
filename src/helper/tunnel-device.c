/* The embedded engine: TUN and UDP ports from tunnel/platform/linux, a wh_device, and the profile's
 * hop as its one peer. No child process: the helper is the tunnel. */
#include "tunnel-device.h"

#include <errno.h>
#include <net/if.h>
#include <string.h>

#include <sodium.h>

#include "platform/linux/tun.h"
#include "platform/linux/udp.h"
#include "wirehop/port.h"

G_DEFINE_QUARK(wirehop-tunnel-device-error-quark, tunnel_device_error)

struct tunnel_device {
	char ifname[IFNAMSIZ];
	struct wh_tun_port tun;
	struct wh_bind_port bind;
	struct wh_device *device;
};

static void fail(GError **error, int errnum, const char *step)
{
	g_set_error(error, TUNNEL_DEVICE_ERROR, errnum, "%s: %s", step, g_strerror(errnum));
}

struct tunnel_device *tunnel_device_open(const char *ifname, uint32_t fwmark, GError **error)
{
	struct tunnel_device *device = g_new0(struct tunnel_device, 1);
	int ret = wh_linux_tun_open(ifname, &device->tun, device->ifname);
	if (ret < 0) {
		g_autofree char *step = g_strdup_printf("creating the TUN interface %s", ifname);
		fail(error, -ret, step);
		goto fail;
	}
	ret = wh_linux_udp_new(&device->bind);
	if (ret < 0) {
		fail(error, -ret, "creating the UDP socket");
		goto fail;
	}
	struct wh_device_config config = {
		.tun_ops = device->tun.ops,
		.tun_ctx = device->tun.ctx,
		.bind_ops = device->bind.ops,
		.bind_ctx = device->bind.ctx,
	};
	device->device = wh_device_new(&config);
	if (!device->device) {
		fail(error, ENOMEM, "starting the tunnel device");
		goto fail;
	}
	wh_device_lock(device->device);
	ret = wh_device_set_fwmark(device->device, fwmark);
	if (ret == 0)
		ret = wh_device_set_listen_port(device->device, 0);
	wh_device_unlock(device->device);
	if (ret < 0) {
		fail(error, -ret, "opening the UDP port with its firewall mark");
		goto fail;
	}
	return device;
fail:
	tunnel_device_close(device);
	return NULL;
}

bool tunnel_device_configure(struct tunnel_device *device, const struct profile *profile,
			     const struct wh_endpoint *endpoint, GError **error)
{
	const struct profile_hop *hop = &profile->hops[profile->n_hops - 1];
	struct wh_engine *engine = wh_device_lock(device->device);
	int ret = wh_engine_set_private_key(engine, profile->secrets->private_key);
	if (ret < 0) {
		wh_device_unlock(device->device);
		fail(error, -ret, "setting the private key");
		return false;
	}
	struct wh_peer *peer = wh_device_add_peer(device->device, hop->public_key);
	if (!peer) {
		wh_device_unlock(device->device);
		fail(error, ENOMEM, "adding the server as a peer");
		return false;
	}
	if (hop->has_preshared_key)
		wh_peer_set_preshared_key(peer, profile->secrets->preshared_keys[profile->n_hops - 1]);
	wh_peer_set_endpoint(peer, endpoint);
	for (size_t i = 0; i < hop->n_allowed_ips; i++) {
		const struct profile_prefix *prefix = &hop->allowed_ips[i];
		ret = wh_peer_add_allowed_ip(peer, prefix->family, prefix->addr, prefix->cidr);
		if (ret < 0) {
			wh_device_unlock(device->device);
			fail(error, -ret, "adding the server's allowed IPs");
			return false;
		}
	}
	if (hop->persistent_keepalive)
		wh_peer_set_persistent_keepalive(peer, hop->persistent_keepalive);
	else
		wh_peer_send_keepalive(peer);
	wh_device_unlock(device->device);
	return true;
}

const char *tunnel_device_ifname(const struct tunnel_device *device)
{
	return device->ifname;
}

static int add_peer_statistics(void *ctx, struct wh_peer *peer)
{
	struct tunnel_statistics *statistics = ctx;
	struct wh_peer_stats peer_stats;
	wh_peer_get_stats(peer, &peer_stats);
	statistics->rx_bytes += peer_stats.rx_bytes;
	statistics->tx_bytes += peer_stats.tx_bytes;
	if (peer_stats.last_handshake_realtime_ns > statistics->last_handshake_realtime_ns)
		statistics->last_handshake_realtime_ns = peer_stats.last_handshake_realtime_ns;
	return 0;
}

void tunnel_device_statistics(struct tunnel_device *device, struct tunnel_statistics *statistics)
{
	memset(statistics, 0, sizeof(*statistics));
	struct wh_engine *engine = wh_device_lock(device->device);
	wh_engine_for_each_peer(engine, add_peer_statistics, statistics);
	wh_device_unlock(device->device);
}

void tunnel_device_close(struct tunnel_device *device)
{
	if (!device)
		return;
	wh_device_free(device->device); /* stops the threads, wipes the keys */
	if (device->bind.ops)
		wh_linux_udp_free(&device->bind);
	if (device->tun.ops)
		wh_linux_tun_free(&device->tun);
	g_free(device);
}
