/* The Linux bind port: IPv4 and IPv6 UDP sockets on one port, batched with recvmmsg and sendmmsg. */
#include "platform/linux/udp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum {
	UDP_BATCH = 64,                   /* datagrams per recvmmsg or sendmmsg */
	UDP_SOCKET_BUFFER = 7 << 20,      /* as wireguard-go */
	UDP_PORT_TRIES = 100,             /* picking a port free for both families, as wireguard-go */
	UDP_SEND_WAIT_MS = 50,            /* how long one write may wait for room in the send buffers */
};

union udp_address {
	struct sockaddr sa;
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;
};

struct linux_udp {
	pthread_mutex_t lock; /* serialises open, set_mark and free against each other */
	/* -1 until the first open; from then on the number stays the same (see wh_linux_udp_new). */
	atomic_int fd4;
	atomic_int fd6;
	uint16_t port; /* under lock */
	uint32_t mark; /* under lock */
	int wake_fd;   /* an eventfd written by close and by open, waking a blocked read */
	atomic_bool closed;
	unsigned read_turn; /* which family the reader serves first, alternating for fairness */
	atomic_uint_fast64_t rx_truncated;
	atomic_uint_fast64_t tx_dropped;
};

static void endpoint_from_address(struct wh_endpoint *endpoint, const union udp_address *address)
{
	memset(endpoint, 0, sizeof(*endpoint));
	if (address->sa.sa_family == AF_INET) {
		endpoint->family = AF_INET;
		endpoint->port = ntohs(address->in4.sin_port);
		memcpy(endpoint->addr, &address->in4.sin_addr, 4);
	} else if (address->sa.sa_family == AF_INET6) {
		endpoint->family = AF_INET6;
		endpoint->port = ntohs(address->in6.sin6_port);
		endpoint->scope_id = address->in6.sin6_scope_id;
		memcpy(endpoint->addr, &address->in6.sin6_addr, 16);
	}
}

/* The socket address for an endpoint and the family of socket to send it from (an IPv4-mapped IPv6
 * endpoint goes out as IPv4, since the IPv6 socket is IPv6-only); 0 for an unknown family. */
static int address_from_endpoint(union udp_address *address, const struct wh_endpoint *endpoint)
{
	static const uint8_t v4_mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	memset(address, 0, sizeof(*address));
	if (endpoint->family == AF_INET6 && memcmp(endpoint->addr, v4_mapped_prefix, 12) != 0) {
		address->in6.sin6_family = AF_INET6;
		address->in6.sin6_port = htons(endpoint->port);
		address->in6.sin6_scope_id = endpoint->scope_id;
		memcpy(&address->in6.sin6_addr, endpoint->addr, 16);
		return AF_INET6;
	}
	if (endpoint->family != AF_INET && endpoint->family != AF_INET6)
		return 0;
	address->in4.sin_family = AF_INET;
	address->in4.sin_port = htons(endpoint->port);
	memcpy(&address->in4.sin_addr, endpoint->family == AF_INET ? endpoint->addr : endpoint->addr + 12, 4);
	return AF_INET;
}

static void raise_buffer(int fd, int force_option, int option)
{
	int size = UDP_SOCKET_BUFFER;

	/* Beyond net.core.[rw]mem_max only with CAP_NET_ADMIN; otherwise as much as the limit allows. */
	if (setsockopt(fd, SOL_SOCKET, force_option, &size, sizeof(size)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, option, &size, sizeof(size));
}

/* A non-blocking socket of family bound to port on the wildcard address; *bound gets the port. */
static int open_socket(int family, uint16_t port, uint32_t mark, int *fd_out, uint16_t *bound)
{
	union udp_address address = {0};
	socklen_t address_len = family == AF_INET ? sizeof(address.in4) : sizeof(address.in6);
	int one = 1, ret = 0;
	int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);

	if (fd < 0)
		return -errno;
	address.sa.sa_family = (sa_family_t)family;
	if (family == AF_INET)
		address.in4.sin_port = htons(port);
	else
		address.in6.sin6_port = htons(port);
	if (family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0)
		ret = -errno;
	raise_buffer(fd, SO_RCVBUFFORCE, SO_RCVBUF);
	raise_buffer(fd, SO_SNDBUFFORCE, SO_SNDBUF);
	if (!ret && mark && setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) < 0)
		ret = -errno;
	if (!ret && bind(fd, &address.sa, address_len) < 0)
		ret = -errno;
	if (!ret && getsockname(fd, &address.sa, &address_len) < 0)
		ret = -errno;
	if (ret) {
		close(fd);
		return ret;
	}
	*bound = ntohs(family == AF_INET ? address.in4.sin_port : address.in6.sin6_port);
	*fd_out = fd;
	return 0;
}

/* Opens both sockets on port, or with port 0 on a port that is free for both (the IPv4 socket picks
 * it, and if the IPv6 one finds it taken, try again, as wireguard-go does). A family the kernel lacks
 * (EAFNOSUPPORT) is left out, as long as one remains. */
static int open_sockets(uint16_t port, uint32_t mark, int *fd4, int *fd6, uint16_t *bound)
{
	for (unsigned tries = 0;; tries++) {
		uint16_t port4 = 0, port6 = 0;
		int ret4, ret6;

		*fd4 = -1;
		*fd6 = -1;
		ret4 = open_socket(AF_INET, port, mark, fd4, &port4);
		if (ret4 && ret4 != -EAFNOSUPPORT)
			return ret4;
		ret6 = open_socket(AF_INET6, ret4 ? port : port4, mark, fd6, &port6);
		if (!port && !ret4 && ret6 == -EADDRINUSE && tries < UDP_PORT_TRIES) {
			close(*fd4);
			continue;
		}
		if (ret6 && (ret6 != -EAFNOSUPPORT || ret4)) {
			if (*fd4 >= 0)
				close(*fd4);
			return ret6;
		}
		*bound = ret4 ? port6 : port4;
		return 0;
	}
}

/* Puts a new socket in place of slot's: the first time by storing its number, later by making the
 * old number refer to it, so no other thread can ever hold a number that was closed. */
static int install_socket(atomic_int *slot, int fd)
{
	int old = atomic_load(slot);
	int ret = 0;

	if (old < 0) {
		atomic_store(slot, fd);
		return 0;
	}
	if (dup3(fd, old, O_CLOEXEC) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static void wake_reader(struct linux_udp *udp)
{
	uint64_t one = 1;
	ssize_t ignored = write(udp->wake_fd, &one, sizeof(one));

	(void)ignored; /* only fails when the counter is already near its limit: the reader is awake */
}

static int udp_open(void *ctx, uint16_t port, uint16_t *bound)
{
	struct linux_udp *udp = ctx;
	int fd4, fd6, ret;
	uint16_t chosen;

	pthread_mutex_lock(&udp->lock);
	if (port && port == udp->port) {
		*bound = port;
		pthread_mutex_unlock(&udp->lock);
		return 0;
	}
	ret = open_sockets(port, udp->mark, &fd4, &fd6, &chosen);
	/* A family that was there before and is gone now: keep the old sockets rather than lose one. */
	if (!ret && ((fd4 < 0 && atomic_load(&udp->fd4) >= 0) || (fd6 < 0 && atomic_load(&udp->fd6) >= 0))) {
		if (fd4 >= 0)
			close(fd4);
		if (fd6 >= 0)
			close(fd6);
		ret = -EAFNOSUPPORT;
	}
	if (!ret && fd4 >= 0)
		ret = install_socket(&udp->fd4, fd4);
	if (fd6 >= 0) {
		if (!ret)
			ret = install_socket(&udp->fd6, fd6);
		else
			close(fd6);
	}
	if (!ret) {
		udp->port = chosen;
		*bound = chosen;
	}
	pthread_mutex_unlock(&udp->lock);
	wake_reader(udp);
	return ret;
}

/* Receives up to count datagrams from fd into packets; returns how many were kept, 0 when none
 * waited, or -errno. */
static int receive_batch(struct linux_udp *udp, int fd, struct wh_packet **packets, unsigned count)
{
	struct mmsghdr messages[UDP_BATCH];
	struct iovec vectors[UDP_BATCH];
	union udp_address addresses[UDP_BATCH];
	unsigned kept = 0;
	int received;

	if (count > UDP_BATCH)
		count = UDP_BATCH;
	memset(messages, 0, count * sizeof(messages[0]));
	for (unsigned i = 0; i < count; i++) {
		vectors[i].iov_base = packets[i]->data;
		vectors[i].iov_len = packets[i]->capacity;
		messages[i].msg_hdr.msg_iov = &vectors[i];
		messages[i].msg_hdr.msg_iovlen = 1;
		messages[i].msg_hdr.msg_name = &addresses[i];
		messages[i].msg_hdr.msg_namelen = sizeof(addresses[i]);
	}
	do
		received = recvmmsg(fd, messages, count, MSG_DONTWAIT, NULL);
	while (received < 0 && errno == EINTR);
	if (received < 0)
		return errno == EAGAIN ? 0 : -errno;
	for (unsigned i = 0; i < (unsigned)received; i++) {
		struct wh_packet *packet = packets[kept];

		if (messages[i].msg_hdr.msg_flags & MSG_TRUNC) {
			atomic_fetch_add(&udp->rx_truncated, 1);
			continue;
		}
		/* Only after a truncated datagram: close the gap it left (rare, so a copy is fine). */
		if (kept != i) {
			if (messages[i].msg_len > packet->capacity) {
				atomic_fetch_add(&udp->rx_truncated, 1);
				continue;
			}
			memcpy(packet->data, packets[i]->data, messages[i].msg_len);
		}
		packet->len = messages[i].msg_len;
		endpoint_from_address(&packet->endpoint, &addresses[i]);
		kept++;
	}
	return (int)kept;
}

/* One non-blocking round over both sockets, starting with a different one each time. */
static int receive_round(struct linux_udp *udp, struct wh_packet **packets, unsigned count)
{
	int fds[2] = {atomic_load(&udp->fd4), atomic_load(&udp->fd6)};
	unsigned got = 0;
	int error = 0;

	udp->read_turn ^= 1;
	for (unsigned i = 0; i < 2 && got < count; i++) {
		int fd = fds[(udp->read_turn + i) & 1];
		int ret;

		if (fd < 0)
			continue;
		ret = receive_batch(udp, fd, packets + got, count - got);
		if (ret < 0)
			error = ret;
		else
			got += (unsigned)ret;
	}
	return got || !error ? (int)got : error;
}

static int udp_read(void *ctx, struct wh_packet **packets, unsigned count)
{
	struct linux_udp *udp = ctx;

	while (!atomic_load(&udp->closed)) {
		struct pollfd fds[3] = {
			{.fd = udp->wake_fd, .events = POLLIN},
			{.fd = atomic_load(&udp->fd4), .events = POLLIN},
			{.fd = atomic_load(&udp->fd6), .events = POLLIN},
		};
		int ret = receive_round(udp, packets, count);

		if (ret != 0)
			return ret;
		/* Negative descriptors (a family not open yet) are ignored by poll. */
		if (poll(fds, 3, -1) < 0 && errno != EINTR)
			return -errno;
		if (fds[0].revents && !atomic_load(&udp->closed)) {
			uint64_t counter;
			ssize_t ignored = read(udp->wake_fd, &counter, sizeof(counter));

			(void)ignored; /* re-opened: the next round polls the new sockets */
		}
	}
	return 0;
}

static uint64_t monotonic_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000;
}

/* Datagrams of one family on their way into one sendmmsg. */
struct send_batch {
	int fd;
	unsigned count;
	struct mmsghdr messages[UDP_BATCH];
	struct iovec vectors[UDP_BATCH];
	union udp_address addresses[UDP_BATCH];
};

struct send_state {
	struct linux_udp *udp;
	uint64_t wait_until_ms; /* 0 until the first wait for room */
	unsigned sent;
	int error;
};

static void drop_datagram(struct send_state *state, int error)
{
	atomic_fetch_add(&state->udp->tx_dropped, 1);
	if (!state->error)
		state->error = error;
}

/* Waits for room in the send buffer within this write's budget; false once it is spent. */
static bool wait_writable(struct send_state *state, int fd)
{
	struct pollfd pfd = {.fd = fd, .events = POLLOUT};
	uint64_t now = monotonic_ms();

	if (!state->wait_until_ms)
		state->wait_until_ms = now + UDP_SEND_WAIT_MS;
	if (now >= state->wait_until_ms)
		return false;
	return poll(&pfd, 1, (int)(state->wait_until_ms - now)) > 0;
}

static void send_flush(struct send_state *state, struct send_batch *batch)
{
	unsigned done = 0;

	while (done < batch->count) {
		int sent = sendmmsg(batch->fd, batch->messages + done, batch->count - done, MSG_DONTWAIT);

		if (sent > 0) {
			done += (unsigned)sent;
			state->sent += (unsigned)sent;
			continue;
		}
		if (sent < 0 && errno == EINTR)
			continue;
		if (sent < 0 && errno == EAGAIN && wait_writable(state, batch->fd))
			continue;
		/* This datagram fails (unreachable, refused, no room): drop it and go on with the rest. */
		drop_datagram(state, sent < 0 ? -errno : -EIO);
		done++;
	}
	batch->count = 0;
}

static void send_queue(struct send_state *state, struct send_batch *batch, const struct wh_packet *packet,
		       const union udp_address *address)
{
	unsigned i = batch->count++;

	batch->addresses[i] = *address;
	batch->vectors[i].iov_base = packet->data;
	batch->vectors[i].iov_len = packet->len;
	memset(&batch->messages[i], 0, sizeof(batch->messages[i]));
	batch->messages[i].msg_hdr.msg_iov = &batch->vectors[i];
	batch->messages[i].msg_hdr.msg_iovlen = 1;
	batch->messages[i].msg_hdr.msg_name = &batch->addresses[i];
	batch->messages[i].msg_hdr.msg_namelen =
		address->sa.sa_family == AF_INET ? sizeof(address->in4) : sizeof(address->in6);
	if (batch->count == UDP_BATCH)
		send_flush(state, batch);
}

static int udp_write(void *ctx, struct wh_packet *const *packets, unsigned count)
{
	struct linux_udp *udp = ctx;
	struct send_state state = {.udp = udp};
	struct send_batch batches[2]; /* IPv4, IPv6: order is kept within each, so per endpoint */

	batches[0].fd = atomic_load(&udp->fd4);
	batches[0].count = 0;
	batches[1].fd = atomic_load(&udp->fd6);
	batches[1].count = 0;
	for (unsigned i = 0; i < count; i++) {
		union udp_address address;
		int family = address_from_endpoint(&address, &packets[i]->endpoint);
		struct send_batch *batch = &batches[family == AF_INET6];

		if (!family || batch->fd < 0) {
			drop_datagram(&state, -EAFNOSUPPORT);
			continue;
		}
		send_queue(&state, batch, packets[i], &address);
	}
	send_flush(&state, &batches[0]);
	send_flush(&state, &batches[1]);
	return state.sent || !state.error ? (int)state.sent : state.error;
}

static int udp_set_mark(void *ctx, uint32_t mark)
{
	struct linux_udp *udp = ctx;
	int ret = 0;

	pthread_mutex_lock(&udp->lock);
	if (mark != udp->mark) {
		int fds[2] = {atomic_load(&udp->fd4), atomic_load(&udp->fd6)};

		for (unsigned i = 0; i < 2 && !ret; i++)
			if (fds[i] >= 0 && setsockopt(fds[i], SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) < 0)
				ret = -errno;
		if (!ret)
			udp->mark = mark;
	}
	pthread_mutex_unlock(&udp->lock);
	return ret;
}

static void udp_close(void *ctx)
{
	struct linux_udp *udp = ctx;

	if (!atomic_exchange(&udp->closed, true))
		wake_reader(udp);
}

static const struct wh_bind_port_ops linux_udp_ops = {
	.open = udp_open,
	.read = udp_read,
	.write = udp_write,
	.set_mark = udp_set_mark,
	.close = udp_close,
};

int wh_linux_udp_new(struct wh_bind_port *port)
{
	struct linux_udp *udp = calloc(1, sizeof(*udp));

	if (!udp)
		return -ENOMEM;
	udp->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (udp->wake_fd < 0) {
		int ret = -errno;

		free(udp);
		return ret;
	}
	pthread_mutex_init(&udp->lock, NULL);
	atomic_init(&udp->fd4, -1);
	atomic_init(&udp->fd6, -1);
	atomic_init(&udp->closed, false);
	atomic_init(&udp->rx_truncated, 0);
	atomic_init(&udp->tx_dropped, 0);
	port->ops = &linux_udp_ops;
	port->ctx = udp;
	return 0;
}

void wh_linux_udp_get_stats(const struct wh_bind_port *port, struct wh_linux_udp_stats *stats)
{
	struct linux_udp *udp = port->ctx;

	stats->rx_truncated = atomic_load(&udp->rx_truncated);
	stats->tx_dropped = atomic_load(&udp->tx_dropped);
}

void wh_linux_udp_free(struct wh_bind_port *port)
{
	struct linux_udp *udp = port->ctx;

	if (!udp)
		return;
	if (atomic_load(&udp->fd4) >= 0)
		close(atomic_load(&udp->fd4));
	if (atomic_load(&udp->fd6) >= 0)
		close(atomic_load(&udp->fd6));
	close(udp->wake_fd);
	pthread_mutex_destroy(&udp->lock);
	free(udp);
	port->ctx = NULL;
	port->ops = NULL;
}
