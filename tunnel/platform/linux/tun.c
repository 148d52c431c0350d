/* The Linux TUN port: reads and writes plaintext IP packets on /dev/net/tun, with virtio-net headers
 * and TSO/USO when the kernel offers them (see tun_offload.c). */
#include "platform/linux/tun.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "platform/linux/switches.h"
#include "platform/linux/tun_offload.h"

enum {
	/* A super-packet of up to 64 KiB (the TUN's GSO limit) and its virtio-net header. */
	TUN_READ_MAX = sizeof(struct virtio_net_hdr) + 65536,
};

struct linux_tun {
	int fd;
	int close_fd; /* an eventfd: becomes readable when the port is closed, waking a blocked read */
	atomic_bool closed;
	char name[IFNAMSIZ];
	bool batch;        /* more than one packet per read call (WIREHOP_BATCH) */
	unsigned offloads; /* TUN_F_* the kernel took */
	uint8_t *super;    /* with virtio-net headers: TUN_READ_MAX bytes the reader reads into */
	struct wh_tso pending; /* the last read, split into segments as the device asks for them */
	unsigned pending_next;
	atomic_uint_fast64_t rx_truncated;
	atomic_uint_fast64_t rx_malformed;
	atomic_uint_fast64_t tx_dropped;
};

/* TUN hands over a packet longer than the buffer cut to the buffer's size; the IP header still says
 * how long it was. */
static bool ip_packet_truncated(const uint8_t *data, size_t len)
{
	if (len >= 20 && (data[0] >> 4) == 4)
		return ((size_t)data[2] << 8 | data[3]) > len;
	if (len >= 40 && (data[0] >> 4) == 6)
		return 40 + ((size_t)data[4] << 8 | data[5]) > len;
	return false;
}

/* Waits until the TUN descriptor is readable: 1, or 0 once the port is closed, or -errno. */
static int wait_readable(struct linux_tun *tun)
{
	struct pollfd fds[2] = {
		{.fd = tun->fd, .events = POLLIN},
		{.fd = tun->close_fd, .events = POLLIN},
	};

	while (!atomic_load(&tun->closed)) {
		if (poll(fds, 2, -1) < 0) {
			if (errno != EINTR)
				return -errno;
			continue;
		}
		if (fds[1].revents)
			return 0;
		if (fds[0].revents)
			return 1;
	}
	return 0;
}

/* One non-blocking read() into buffer, first waiting for the descriptor when nothing is in hand yet.
 * The length (> 0), 0 once the port is closed, -EAGAIN when it is empty and something is in hand,
 * or -errno. */
static ssize_t read_packet(struct linux_tun *tun, uint8_t *buffer, size_t capacity, bool in_hand)
{
	for (;;) {
		ssize_t len;
		int ret;

		if (atomic_load(&tun->closed))
			return 0;
		len = read(tun->fd, buffer, capacity);
		if (len > 0)
			return len;
		if (len == 0 || errno == EINTR)
			continue;
		if (in_hand)
			return -EAGAIN;
		if (errno != EAGAIN)
			return -errno;
		ret = wait_readable(tun);
		if (ret <= 0)
			return ret;
	}
}

/* Without virtio-net headers: one read() per packet, straight into the device's buffer. */
static int read_plain(struct linux_tun *tun, struct wh_packet **packets, unsigned count)
{
	unsigned got = 0;

	while (got < count) {
		struct wh_packet *packet = packets[got];
		ssize_t len = read_packet(tun, packet->data, packet->capacity, got > 0);

		if (len == 0)
			return 0;
		if (len < 0)
			return got ? (int)got : (int)len;
		if ((size_t)len > packet->capacity || ip_packet_truncated(packet->data, (size_t)len)) {
			atomic_fetch_add(&tun->rx_truncated, 1);
			continue;
		}
		packet->len = (uint32_t)len;
		got++;
	}
	return (int)got;
}

/* With virtio-net headers: one read() per super-packet into the port's own buffer, cut into segments
 * in the device's buffers; what does not fit this call waits for the next. */
static int read_offload(struct linux_tun *tun, struct wh_packet **packets, unsigned count)
{
	const size_t header_len = sizeof(struct virtio_net_hdr);
	unsigned got = 0;

	while (got < count) {
		struct virtio_net_hdr hdr;
		ssize_t len;

		if (tun->pending_next < tun->pending.segments) {
			struct wh_packet *packet = packets[got];

			len = wh_tso_segment(&tun->pending, tun->pending_next++, packet->data, packet->capacity);
			if (len < 0) {
				atomic_fetch_add(&tun->rx_truncated, 1);
				continue;
			}
			packet->len = (uint32_t)len;
			got++;
			continue;
		}
		len = read_packet(tun, tun->super, TUN_READ_MAX, got > 0);
		if (len == 0)
			return 0;
		if (len < 0)
			return got ? (int)got : (int)len;
		tun->pending.segments = 0;
		tun->pending_next = 0;
		if ((size_t)len <= header_len) {
			atomic_fetch_add(&tun->rx_malformed, 1);
			continue;
		}
		memcpy(&hdr, tun->super, header_len);
		if (wh_tso_parse(&tun->pending, &hdr, tun->super + header_len, (size_t)len - header_len) < 0) {
			tun->pending.segments = 0;
			atomic_fetch_add(&tun->rx_malformed, 1);
		}
	}
	return (int)got;
}

static int tun_read(void *ctx, struct wh_packet **packets, unsigned count)
{
	struct linux_tun *tun = ctx;

	if (!tun->batch && count > 1)
		count = 1;
	return tun->super ? read_offload(tun, packets, count) : read_plain(tun, packets, count);
}

/* Writes one whole packet (the iovec), counting a refusal as a drop; 0 or -errno. */
static int write_vector(struct linux_tun *tun, const struct iovec *iov, int iovcnt, unsigned packets)
{
	ssize_t len;

	do
		len = writev(tun->fd, iov, iovcnt);
	while (len < 0 && errno == EINTR);
	if (len >= 0)
		return 0;
	atomic_fetch_add(&tun->tx_dropped, packets);
	return errno == EAGAIN || errno == ENOBUFS ? 0 : -errno;
}

/* With virtio-net headers: TCP segments of one flow go as one super-packet, their payloads gathered
 * from where they were decrypted. */
static int write_offload(struct linux_tun *tun, struct wh_packet *const *packets, unsigned count,
			 unsigned *written)
{
	uint8_t *data[WH_COALESCE_BATCH];
	uint32_t lens[WH_COALESCE_BATCH];
	struct iovec iov[WH_COALESCE_BATCH + 1];
	struct wh_coalesce coalesce;
	int error = 0;

	for (unsigned i = 0; i < count; i++) {
		data[i] = packets[i]->data;
		lens[i] = packets[i]->len;
	}
	wh_tcp_coalesce(&coalesce, data, lens, count);
	for (unsigned g = 0; g < coalesce.group_count; g++) {
		const struct wh_coalesce_group *group = &coalesce.groups[g];
		struct virtio_net_hdr hdr;
		int iovcnt = 2, ret;

		wh_coalesce_finish(group, data, &hdr);
		iov[0] = (struct iovec){.iov_base = &hdr, .iov_len = sizeof(hdr)};
		iov[1] = (struct iovec){.iov_base = data[group->first], .iov_len = lens[group->first]};
		for (int k = coalesce.next[group->first]; k >= 0; k = coalesce.next[k])
			iov[iovcnt++] = (struct iovec){.iov_base = data[k] + group->header_len,
						       .iov_len = lens[k] - group->header_len};
		ret = write_vector(tun, iov, iovcnt, group->count);
		if (!ret)
			*written += group->count;
		else if (!error)
			error = ret;
	}
	return error;
}

static int tun_write(void *ctx, struct wh_packet *const *packets, unsigned count)
{
	struct linux_tun *tun = ctx;
	unsigned written = 0;
	int error = 0;

	for (unsigned i = 0; i < count;) {
		unsigned n = count - i;
		int ret;

		if (tun->super) {
			if (n > WH_COALESCE_BATCH)
				n = WH_COALESCE_BATCH;
			ret = write_offload(tun, packets + i, n, &written);
		} else {
			/* A full queue or a packet the kernel refuses costs that packet, never the batch. */
			struct iovec iov = {.iov_base = packets[i]->data, .iov_len = packets[i]->len};

			n = 1;
			ret = write_vector(tun, &iov, 1, 1);
			if (!ret)
				written++;
		}
		if (ret && !error)
			error = ret;
		i += n;
	}
	return written || !error ? (int)written : error;
}

static unsigned tun_mtu(void *ctx)
{
	struct linux_tun *tun = ctx;
	struct ifreq ifr = {0};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	unsigned mtu = 0;

	if (fd < 0)
		return 0;
	memcpy(ifr.ifr_name, tun->name, sizeof(ifr.ifr_name));
	if (ioctl(fd, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu > 0)
		mtu = (unsigned)ifr.ifr_mtu;
	close(fd);
	return mtu;
}

static void tun_close(void *ctx)
{
	struct linux_tun *tun = ctx;
	uint64_t one = 1;
	ssize_t ignored;

	if (atomic_exchange(&tun->closed, true))
		return;
	/* One increment of a fresh eventfd cannot fail. */
	ignored = write(tun->close_fd, &one, sizeof(one));
	(void)ignored;
}

static const struct wh_tun_port_ops linux_tun_ops = {
	.read = tun_read,
	.write = tun_write,
	.mtu = tun_mtu,
	.close = tun_close,
};

/* Asks the kernel for super-packets: TCP segmentation for both families, and UDP where it has it
 * (6.2 and later). Without any, the virtio-net headers still carry partial checksums. */
static unsigned enable_offloads(int fd)
{
	static const unsigned long wanted[] = {
		TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_USO4 | TUN_F_USO6,
		TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6,
		TUN_F_CSUM,
	};

	for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++)
		if (ioctl(fd, TUNSETOFFLOAD, wanted[i]) == 0)
			return (unsigned)wanted[i];
	return 0;
}

/* TUNSETIFF, with virtio-net headers and offloads when offload is set and the kernel takes them. */
static int attach(struct linux_tun *tun, struct ifreq *ifr, bool offload)
{
	if (offload) {
		ifr->ifr_flags = IFF_TUN | IFF_NO_PI | IFF_VNET_HDR;
		tun->super = malloc(TUN_READ_MAX);
		if (tun->super && ioctl(tun->fd, TUNSETIFF, ifr) == 0) {
			tun->offloads = enable_offloads(tun->fd);
			return 0;
		}
		free(tun->super);
		tun->super = NULL;
	}
	ifr->ifr_flags = IFF_TUN | IFF_NO_PI;
	return ioctl(tun->fd, TUNSETIFF, ifr) < 0 ? -errno : 0;
}

int wh_linux_tun_open(const char *name, struct wh_tun_port *port, char actual_name[IFNAMSIZ])
{
	struct ifreq ifr = {0};
	struct linux_tun *tun;
	int ret;

	if (!name || strlen(name) >= IFNAMSIZ)
		return -EINVAL;
	tun = calloc(1, sizeof(*tun));
	if (!tun)
		return -ENOMEM;
	tun->fd = -1;
	tun->close_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (tun->close_fd < 0) {
		ret = -errno;
		goto fail;
	}
	tun->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (tun->fd < 0) {
		ret = -errno;
		goto fail;
	}
	memcpy(ifr.ifr_name, name, strlen(name));
	ret = attach(tun, &ifr, wh_linux_switch_on("WIREHOP_TUN_OFFLOAD"));
	if (ret < 0)
		goto fail;
	memcpy(tun->name, ifr.ifr_name, IFNAMSIZ);
	tun->name[IFNAMSIZ - 1] = '\0';
	tun->batch = wh_linux_switch_on("WIREHOP_BATCH");
	atomic_init(&tun->closed, false);
	atomic_init(&tun->rx_truncated, 0);
	atomic_init(&tun->rx_malformed, 0);
	atomic_init(&tun->tx_dropped, 0);
	memcpy(actual_name, tun->name, IFNAMSIZ);
	port->ops = &linux_tun_ops;
	port->ctx = tun;
	return 0;

fail:
	if (tun->fd >= 0)
		close(tun->fd);
	if (tun->close_fd >= 0)
		close(tun->close_fd);
	free(tun->super);
	free(tun);
	return ret;
}

void wh_linux_tun_get_stats(const struct wh_tun_port *port, struct wh_linux_tun_stats *stats)
{
	struct linux_tun *tun = port->ctx;

	stats->rx_truncated = atomic_load(&tun->rx_truncated);
	stats->rx_malformed = atomic_load(&tun->rx_malformed);
	stats->tx_dropped = atomic_load(&tun->tx_dropped);
}

bool wh_linux_tun_describe(const struct wh_tun_port *port, unsigned *offloads, bool *batch)
{
	const struct linux_tun *tun = port->ctx;

	*offloads = tun->offloads;
	*batch = tun->batch;
	return tun->super != NULL;
}

void wh_linux_tun_free(struct wh_tun_port *port)
{
	struct linux_tun *tun = port->ctx;

	if (!tun)
		return;
	close(tun->fd);
	close(tun->close_fd);
	free(tun->super);
	free(tun);
	port->ctx = NULL;
	port->ops = NULL;
}
