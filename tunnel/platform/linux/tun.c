/* The Linux TUN port: reads and writes plaintext IP packets on /dev/net/tun. */
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
#include <unistd.h>

struct linux_tun {
	int fd;
	int close_fd; /* an eventfd: becomes readable when the port is closed, waking a blocked read */
	atomic_bool closed;
	char name[IFNAMSIZ];
	atomic_uint_fast64_t rx_truncated;
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

static int tun_read(void *ctx, struct wh_packet **packets, unsigned count)
{
	struct linux_tun *tun = ctx;
	unsigned got = 0;

	while (got < count) {
		struct wh_packet *packet = packets[got];
		ssize_t len;
		int ret;

		if (atomic_load(&tun->closed))
			return 0;
		len = read(tun->fd, packet->data, packet->capacity);
		if (len < 0) {
			if (errno == EINTR)
				continue;
			if (got)
				break;
			if (errno != EAGAIN)
				return -errno;
			ret = wait_readable(tun);
			if (ret <= 0)
				return ret;
			continue;
		}
		if (len == 0)
			continue;
		if ((size_t)len > packet->capacity || ip_packet_truncated(packet->data, (size_t)len)) {
			atomic_fetch_add(&tun->rx_truncated, 1);
			continue;
		}
		packet->len = (uint32_t)len;
		got++;
	}
	return (int)got;
}

static int tun_write(void *ctx, struct wh_packet *const *packets, unsigned count)
{
	struct linux_tun *tun = ctx;
	unsigned written = 0;
	int error = 0;

	for (unsigned i = 0; i < count; i++) {
		ssize_t len;

		do
			len = write(tun->fd, packets[i]->data, packets[i]->len);
		while (len < 0 && errno == EINTR);
		if (len >= 0) {
			written++;
			continue;
		}
		/* A full queue or a packet the kernel refuses costs that packet, never the batch. */
		atomic_fetch_add(&tun->tx_dropped, 1);
		if (!error && errno != EAGAIN && errno != ENOBUFS)
			error = -errno;
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
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	memcpy(ifr.ifr_name, name, strlen(name));
	if (ioctl(tun->fd, TUNSETIFF, &ifr) < 0) {
		ret = -errno;
		goto fail;
	}
	memcpy(tun->name, ifr.ifr_name, IFNAMSIZ);
	tun->name[IFNAMSIZ - 1] = '\0';
	atomic_init(&tun->closed, false);
	atomic_init(&tun->rx_truncated, 0);
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
	free(tun);
	return ret;
}

void wh_linux_tun_get_stats(const struct wh_tun_port *port, struct wh_linux_tun_stats *stats)
{
	struct linux_tun *tun = port->ctx;

	stats->rx_truncated = atomic_load(&tun->rx_truncated);
	stats->tx_dropped = atomic_load(&tun->tx_dropped);
}

void wh_linux_tun_free(struct wh_tun_port *port)
{
	struct linux_tun *tun = port->ctx;

	if (!tun)
		return;
	close(tun->fd);
	close(tun->close_fd);
	free(tun);
	port->ctx = NULL;
	port->ops = NULL;
}
