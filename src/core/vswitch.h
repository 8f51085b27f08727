/*
 * A virtual Ethernet switch (`net = NAME` in a VM's config): pure,
 * arch-neutral forwarding logic, no locks and no I/O, so that it is unit
 * tested and fuzzed on the host. The caller (src/dev/virtio_net.c) holds
 * the switch's lock around vswitch_route and moves the frames itself.
 *
 * A switch has up to VSWITCH_PORTS_MAX ports (its VMs' NICs and at most one
 * uplink). It learns which port each source MAC address lives behind
 * (IEEE 802.1D transparent bridging, 7.8 "The Learning Process"), sends a
 * frame to a known unicast destination's port alone, and floods broadcast,
 * multicast and unknown unicast destinations to every other port that is up
 * (7.7 "The Forwarding Process"). Nothing ever crosses from one switch to
 * another: each has its own ports and table, and vswitch_route only names
 * ports of the switch it was given.
 *
 * Frames are checked before anything is learnt: shorter than an Ethernet
 * header, or longer than VSWITCH_FRAME_MAX (a 1500-byte payload with an
 * 802.1Q tag: no VM negotiates segmentation offloads), or with a group
 * (multicast) source address, a frame is dropped and counted.
 */
#ifndef CORE_VSWITCH_H
#define CORE_VSWITCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VSWITCH_PORTS_MAX       16      /* a port mask is a uint32_t */
#define VSWITCH_TABLE_SIZE      64      /* learnt addresses per switch */
#define VSWITCH_ETH_ALEN        6
#define VSWITCH_FRAME_MIN       14      /* destination, source, EtherType */
#define VSWITCH_FRAME_MAX       1518    /* 14 + 4 (802.1Q tag) + 1500 */
/* An address not heard from for this long is forgotten (802.1D's
 * default Ageing Time, 300 s), so a VM moved or reset is found again. */
#define VSWITCH_AGE_NS          (300ULL * 1000000000ULL)

struct vswitch_entry {
	uint8_t mac[VSWITCH_ETH_ALEN];
	uint8_t port;
	bool used;
	uint64_t seen;          /* the caller's clock, ns */
};

struct vswitch_stats {
	uint64_t forwarded;     /* to one known port */
	uint64_t flooded;       /* to every other port */
	uint64_t dropped_size;  /* runt or oversized */
	uint64_t dropped_src;   /* a group address as source */
	uint64_t dropped_local; /* destination behind the port it came from, or no port up */
};

struct vswitch {
	unsigned nports;
	uint32_t up;            /* ports that take frames */
	uint64_t age_ns;
	struct vswitch_entry table[VSWITCH_TABLE_SIZE];
	struct vswitch_stats stats;
};

void vswitch_init(struct vswitch *sw);
/* A new port, down: its number, or -1 when the switch is full. */
int vswitch_add_port(struct vswitch *sw);
/* A port that goes down takes no frames and loses what was learnt of it. */
void vswitch_set_up(struct vswitch *sw, unsigned port, bool up);
/* Where a frame from in_port goes, at time now: a mask of ports (never
 * in_port itself), 0 when it goes nowhere (counted by the reason). A
 * frame from a port that is down goes nowhere and teaches nothing. */
uint32_t vswitch_route(struct vswitch *sw, unsigned in_port, const uint8_t *frame, size_t len,
		       uint64_t now);
/* The port a unicast address was learnt on, or -1 (for tests, the monitor). */
int vswitch_lookup(const struct vswitch *sw, const uint8_t *mac, uint64_t now);

/* A group (multicast or broadcast) address: the I/G bit, the least
 * significant bit of the first octet (IEEE 802-2014, 8.2.2). */
static inline bool vswitch_mac_is_group(const uint8_t *mac)
{
	return mac[0] & 1;
}

#endif
