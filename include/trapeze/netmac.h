/*
 * The MAC address of a VM's virtio-net NIC (`net =` in its config), derived
 * from the VM's name so that it is the same on every run, under Trapeze and
 * on bare QEMU (the launcher passes it to QEMU's own virtio-net there), and
 * the same in the launcher (which checks two names never collide and tells
 * QEMU's DHCP server about it) and in Trapeze (the NIC's configuration
 * space, Virtio 1.2, 5.1.4 "Device configuration layout").
 *
 * First octet 0x02: an individual (unicast, I/G bit 0) and locally
 * administered (U/L bit 1) address (IEEE 802-2014, 8.2.2), so it can never
 * be a vendor's; the other five octets are the top 40 bits of the 64-bit
 * FNV-1a hash of the name.
 */
#ifndef TRAPEZE_NETMAC_H
#define TRAPEZE_NETMAC_H

#include <stdint.h>

#define NETMAC_LEN 6

static inline void netmac_from_name(const char *name, uint8_t mac[NETMAC_LEN])
{
	uint64_t h = 0xcbf29ce484222325ULL;     /* FNV-1a 64 offset basis */

	for (; *name; name++) {
		h ^= (uint8_t)*name;
		h *= 0x100000001b3ULL;          /* FNV 64 prime */
	}
	mac[0] = 0x02;
	for (unsigned i = 1; i < NETMAC_LEN; i++)
		mac[i] = (uint8_t)(h >> (64 - 8 * i));
}

#endif
