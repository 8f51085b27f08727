/*
 * virtio-net (Virtio 1.2, 5.1 "Network Device") for a VM, on one of
 * Trapeze's virtual switches (core/vswitch.h), and the switches' uplink:
 * the host board's virtio-net (QEMU's, on user networking; virtio_host.h),
 * one for all uplinked switches.
 *
 * The NIC: queue 0 receives, queue 1 transmits (5.1.2); offered features
 * VERSION_1, MAC (the address derived from the VM's name,
 * trapeze/netmac.h) and STATUS (link always up); every buffer starts with
 * the 12-byte struct virtio_net_hdr (5.1.6, VERSION_1 so num_buffers is
 * there). No offloads: a frame is at most VSWITCH_FRAME_MAX bytes.
 *
 * Transmit: each request is copied (header skipped) into a staging ring of
 * Trapeze's under the transport's lock and completed at once; the staged
 * frames go to the switch from the transport's flush hook, with no device
 * lock held, and each receiving NIC is locked alone while its frame is
 * copied into the guest's next receive buffer. A frame the switch refuses
 * (runt, oversized, group source) is dropped and counted; a receiving NIC
 * with no buffer drops it too (counted), as a real NIC does. A transmit
 * request with a writable buffer or shorter than the header breaks the
 * device (DEVICE_NEEDS_RESET), as QEMU's virtio_error does.
 *
 * The uplink: the host virtio-net is started with no offloads and no
 * control queue, so QEMU keeps it promiscuous (its reset state: every
 * frame from the network reaches Trapeze whatever the destination).
 * Frames from it go to the switch of the VM whose MAC they name, or to
 * every uplinked switch when broadcast, multicast or unknown.
 */
#ifndef DEV_VIRTIO_NET_H
#define DEV_VIRTIO_NET_H

#include <stdbool.h>
#include <stdint.h>

struct virtio_mmio_dev;
struct vhost_dev;
struct vm;

/* 5.1.3 feature bits */
#define VIRTIO_NET_F_MAC        5
#define VIRTIO_NET_F_STATUS     16
#define VIRTIO_NET_S_LINK_UP    1
#define VIRTIO_NET_HDR_LEN      12      /* struct virtio_net_hdr, VERSION_1 */

/* Attach a NIC to slot d of vm on switch `sw` (a number the launcher
 * gave, < VNET_SWITCHES); `uplink`: the host virtio-net the switch
 * reaches the host through, or NULL. `dhcp`: register the NIC's MAC with
 * the uplink's DHCP server now (config order), so that the addresses it
 * hands out by MAC are the ones the launcher forwarded ports to. */
#define VNET_SWITCHES           8
bool virtio_net_create(struct virtio_mmio_dev *d, struct vm *vm, unsigned sw,
		       struct vhost_dev *uplink, bool dhcp);

#endif
