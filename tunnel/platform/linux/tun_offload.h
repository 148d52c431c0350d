/* Segmentation and coalescing for a TUN device with virtio-net headers (IFF_VNET_HDR): cutting the
 * kernel's TSO/USO super-packets into MTU-sized packets, completing partial checksums, and merging
 * consecutive TCP segments of one flow into one super-packet for the kernel. Plain functions on
 * bytes: the TUN port calls them, the unit tests check them against recomputed checksums. */
#ifndef WH_PLATFORM_LINUX_TUN_OFFLOAD_H
#define WH_PLATFORM_LINUX_TUN_OFFLOAD_H

#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* UDP segmentation offload came with Linux 6.2; Debian 12's headers (6.1) do not name it yet. */
#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5
#endif
#ifndef TUN_F_USO4
#define TUN_F_USO4 0x20
#define TUN_F_USO6 0x40
#endif

enum wh_tun_offload_limits {
	/* Packets one coalescing pass looks at (the device's batch). */
	WH_COALESCE_BATCH = 64,
	/* An IPv4 total length or IPv6 payload length: the largest super-packet we build. */
	WH_COALESCE_MAX_LEN = 65535,
};

/* A packet read from the TUN, parsed once: what each of its segments shares. A packet without GSO
 * is one segment, copied as it is. */
struct wh_tso {
	const uint8_t *packet;
	size_t len;
	unsigned ip_version;    /* 4 or 6; 0 for a packet without GSO */
	size_t ip_header_len;   /* IPv4 with options: up to 60 */
	size_t l4_header_len;   /* TCP with options, or 8 for UDP */
	bool udp;               /* VIRTIO_NET_HDR_GSO_UDP_L4 */
	size_t segment_payload; /* gso_size */
	unsigned segments;
};

/* Checks a packet (its virtio-net header already taken off) against what the header claims and
 * fills in tso. A packet with VIRTIO_NET_HDR_F_NEEDS_CSUM and no GSO has its checksum completed in
 * place. 0, or -EINVAL for a header the packet does not match. */
int wh_tso_parse(struct wh_tso *tso, const struct virtio_net_hdr *hdr, uint8_t *packet, size_t len);

/* Writes segment index (< tso->segments) into out: headers with lengths, IPv4 ID, TCP sequence number,
 * flags and checksums fixed for that segment, then its share of the payload. Its length, or -ENOSPC. */
ssize_t wh_tso_segment(const struct wh_tso *tso, unsigned index, uint8_t *out, size_t capacity);

/* One packet to write: a run of packets that coalesce, or a single packet (count 1). */
struct wh_coalesce_group {
	unsigned first;        /* the packet whose headers lead */
	unsigned last;
	unsigned count;
	uint32_t len;           /* first's whole length plus the others' payloads */
	uint16_t header_len;    /* IP and TCP headers of first */
	uint16_t segment_payload;
	bool open;              /* still takes packets */
};

struct wh_coalesce {
	unsigned group_count;
	struct wh_coalesce_group groups[WH_COALESCE_BATCH];
	/* For each packet, the next one in its group, or -1. */
	int16_t next[WH_COALESCE_BATCH];
};

/* Groups count (<= WH_COALESCE_BATCH) packets: a TCP segment joins an earlier one of the same flow
 * when it carries on its byte stream exactly (same addresses and ports, the next sequence number,
 * same ACK, window, options and flags apart from PSH; IPv4 without options or fragments, same TOS,
 * TTL and DF; IPv6 without extension headers, same traffic class, flow label and hop limit), no
 * segment but the last is shorter than the first, and the whole stays within 64 KiB. Only packets
 * with a valid TCP checksum coalesce. Groups keep the order of their first packets, packets keep
 * their order within a flow. */
void wh_tcp_coalesce(struct wh_coalesce *coalesce, uint8_t *const *packets, const uint32_t *lens,
		     unsigned count);

/* Makes the first packet of group the header of the super-packet (lengths, IPv4 checksum, PSH of the
 * last segment, the TCP checksum field holding the pseudo-header sum) and fills in hdr. A group of
 * one gets an empty header and stays as it is. */
void wh_coalesce_finish(const struct wh_coalesce_group *group, uint8_t *const *packets,
			struct virtio_net_hdr *hdr);

/* The Internet checksum of a TCP or UDP packet over IPv4 or IPv6 (pseudo header included) is
 * correct. For tests, and for what the coalescer accepts. */
bool wh_l4_checksum_valid(const uint8_t *packet, size_t len);

/* The IPv4 header checksum is correct. */
bool wh_ipv4_checksum_valid(const uint8_t *packet, size_t len);

#endif
