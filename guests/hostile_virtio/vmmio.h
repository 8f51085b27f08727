/*
 * The virtio-mmio registers (Virtio 1.2, 4.2.2) and split-queue layout
 * (2.7) the hostile virtio drivers of this guest use.
 */
#ifndef HOSTILE_VIRTIO_VMMIO_H
#define HOSTILE_VIRTIO_VMMIO_H

#include <stdint.h>

#define VMMIO_SLOT7     0x10008000UL    /* the launcher's first device of a VM */
#define R_MAGIC         0x000
#define R_DEVICE_ID     0x008
#define R_DEV_FEAT      0x010
#define R_DEV_FEAT_SEL  0x014
#define R_DRV_FEAT      0x020
#define R_DRV_FEAT_SEL  0x024
#define R_QUEUE_SEL     0x030
#define R_QUEUE_NUM_MAX 0x034
#define R_QUEUE_NUM     0x038
#define R_QUEUE_READY   0x044
#define R_QUEUE_NOTIFY  0x050
#define R_ISR           0x060
#define R_ISR_ACK       0x064
#define R_STATUS        0x070
#define R_DESC_LO       0x080
#define R_DESC_HI       0x084
#define R_AVAIL_LO      0x090
#define R_AVAIL_HI      0x094
#define R_USED_LO       0x0a0
#define R_USED_HI       0x0a4
#define R_CONFIG        0x100

#define F_NEXT          1
#define F_WRITE         2
#define NEEDS_RESET     64

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

#endif
