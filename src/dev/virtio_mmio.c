#include "dev/virtio_mmio.h"

#include "core/lib/string.h"

static const char *const virtio_mmio_names[BOARD_VIRTIO_SLOTS] = {
	"virtio0", "virtio1", "virtio2", "virtio3",
	"virtio4", "virtio5", "virtio6", "virtio7",
};

/* QEMU's VIRTIO_QUEUE_MAX: QueueSel and QueueNotify values at or above it
 * are ignored. */
#define VIRTIO_MMIO_SEL_MAX     1024
/* The largest configuration space a model has (virtio-blk's 60 bytes;
 * virtio-net's is 8). */
#define VIRTIO_MMIO_CFG_MAX     64

/*
 * A 32-bit register read of an empty transport. QEMU hands its transport
 * every access of 1 to 4 bytes at the guest's own offset and returns the
 * register whose offset matches exactly, truncated to the access width, so
 * a byte read at MagicValue + 1 reads 0, not the magic's second byte.
 */
static uint32_t virtio_mmio_empty_read(uint64_t offset)
{
	switch (offset) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION:
		return VIRTIO_MMIO_VERSION_MODERN;
	case VIRTIO_MMIO_VENDOR_ID:
		return VIRTIO_MMIO_VENDOR_QEMU;
	default:
		return 0;       /* DeviceID 0: no device; every other register 0 */
	}
}

static uint64_t virtio_mmio_offered(struct virtio_mmio_dev *d)
{
	return d->ops->features(d) | (1ULL << VIRTIO_F_VERSION_1);
}

bool virtio_mmio_has_feature(const struct virtio_mmio_dev *d, unsigned f)
{
	return f < 64 && (d->driver_features >> f) & 1;
}

static void virtio_mmio_update_irq(struct virtio_mmio_dev *d)
{
	irq_line_set(&d->irq, d->isr != 0);
}

void virtio_mmio_notify_used(struct virtio_mmio_dev *d)
{
	d->isr |= VIRTIO_ISR_QUEUE;
	virtio_mmio_update_irq(d);
}

void virtio_mmio_needs_reset(struct virtio_mmio_dev *d)
{
	d->broken = true;
	for (unsigned q = 0; q < VIRTIO_MAX_QUEUES; q++)
		d->vq[q].broken = true;
	if (!(d->status & VIRTIO_STATUS_NEEDS_RESET) && (d->status & VIRTIO_STATUS_DRIVER_OK)) {
		/* 4.2.3.5: a configuration change notification. */
		d->config_gen++;
		d->isr |= VIRTIO_ISR_CONFIG;
		virtio_mmio_update_irq(d);
	}
	d->status |= VIRTIO_STATUS_NEEDS_RESET;
}

void virtio_mmio_reset(struct virtio_mmio_dev *d)
{
	d->reset_gen++;
	if (d->ops && d->ops->reset)
		d->ops->reset(d);
	d->broken = false;
	d->status = d->isr = 0;
	d->dev_features_sel = d->drv_features_sel = d->queue_sel = 0;
	d->driver_features = 0;
	memset(d->vq, 0, sizeof(d->vq));
	virtio_mmio_update_irq(d);
}

/* A register read with a device behind the slot (4-byte accesses only:
 * QEMU logs any other width below the configuration space and reads 0). */
static uint32_t virtio_mmio_reg_read(struct virtio_mmio_dev *d, uint64_t offset)
{
	struct virtq *q = d->queue_sel < d->ops->nqueues ? &d->vq[d->queue_sel] : NULL;

	switch (offset) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION:
		return VIRTIO_MMIO_VERSION_MODERN;
	case VIRTIO_MMIO_DEVICE_ID:
		return d->ops->device_id;
	case VIRTIO_MMIO_VENDOR_ID:
		return VIRTIO_MMIO_VENDOR_QEMU;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		return d->dev_features_sel < 2 ?
		       (uint32_t)(virtio_mmio_offered(d) >> (32 * d->dev_features_sel)) : 0;
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return q ? VIRTIO_MMIO_QUEUE_MAX : 0;
	case VIRTIO_MMIO_QUEUE_READY:
		return q ? q->ready : 0;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return d->isr;
	case VIRTIO_MMIO_STATUS:
		return d->status;
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return d->config_gen;
	default:
		return 0;       /* write-only or reserved */
	}
}

static void virtio_mmio_set_addr(uint64_t *addr, bool high, uint32_t value)
{
	if (high)
		*addr = (*addr & 0xffffffffULL) | (uint64_t)value << 32;
	else
		*addr = (*addr & ~0xffffffffULL) | value;
}

static void virtio_mmio_set_status(struct virtio_mmio_dev *d, uint32_t value)
{
	value &= 0xff;
	if (value == 0) {
		virtio_mmio_reset(d);
		return;
	}
	/* 3.1.1: FEATURES_OK stays clear when the driver accepted a feature
	 * the device did not offer (QEMU virtio_set_features fails). */
	if ((value & VIRTIO_STATUS_FEATURES_OK) && !(d->status & VIRTIO_STATUS_FEATURES_OK) &&
	    (d->driver_features & ~virtio_mmio_offered(d)))
		value &= ~VIRTIO_STATUS_FEATURES_OK;
	/* NEEDS_RESET is the device's: the driver cannot clear it. */
	d->status = value | (d->status & VIRTIO_STATUS_NEEDS_RESET);
}

static void virtio_mmio_queue_ready(struct virtio_mmio_dev *d, struct virtq *q, uint32_t value)
{
	if (!value) {
		q->ready = false;
		return;
	}
	virtq_reset_progress(q);
	if (virtq_check_setup(d->vm, q, VIRTIO_MMIO_QUEUE_MAX) != 0) {
		q->ready = false;
		virtio_mmio_needs_reset(d);
		return;
	}
	q->ready = true;
}

static void virtio_mmio_reg_write(struct virtio_mmio_dev *d, uint64_t offset, uint32_t value)
{
	struct virtq *q = d->queue_sel < d->ops->nqueues ? &d->vq[d->queue_sel] : NULL;

	switch (offset) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		d->dev_features_sel = value;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		if (d->drv_features_sel < 2 && !(d->status & VIRTIO_STATUS_FEATURES_OK))
			virtio_mmio_set_addr(&d->driver_features, d->drv_features_sel, value);
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		d->drv_features_sel = value;
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		if (value < VIRTIO_MMIO_SEL_MAX)
			d->queue_sel = value;
		break;
	case VIRTIO_MMIO_QUEUE_NUM:
		if (q)
			q->num = value > 0xffff ? 0 : (uint16_t)value;
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		if (q)
			virtio_mmio_queue_ready(d, q, value);
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		/* A notification for a queue that does not exist, was never
		 * made ready or broke is dropped, as QEMU drops one for a
		 * queue without a ring. */
		if (value < d->ops->nqueues && d->vq[value].ready && !d->vq[value].broken &&
		    !d->broken && d->ops->notify)
			d->ops->notify(d, value);
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		d->isr &= ~value;
		virtio_mmio_update_irq(d);
		break;
	case VIRTIO_MMIO_STATUS:
		virtio_mmio_set_status(d, value);
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		if (q)
			virtio_mmio_set_addr(&q->desc, offset == VIRTIO_MMIO_QUEUE_DESC_HIGH, value);
		break;
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
		if (q)
			virtio_mmio_set_addr(&q->avail, offset == VIRTIO_MMIO_QUEUE_DRIVER_HIGH, value);
		break;
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
		if (q)
			virtio_mmio_set_addr(&q->used, offset == VIRTIO_MMIO_QUEUE_DEVICE_HIGH, value);
		break;
	default:
		break;          /* read-only or reserved: ignored */
	}
}

/* The configuration space (QEMU virtio_config_modern_read/write*): any
 * width up to 4 at any offset; past its end reads all ones, writes are
 * dropped. */
static void virtio_mmio_cfg_access(struct virtio_mmio_dev *d, uint64_t off,
				   unsigned width, bool write, uint64_t *value)
{
	uint8_t cfg[VIRTIO_MMIO_CFG_MAX];
	uint32_t len = d->ops->cfg_len < sizeof(cfg) ? d->ops->cfg_len : sizeof(cfg);

	if (off + width > len) {
		if (!write)
			*value = ~0ULL >> (64 - 8 * width);
		return;
	}
	if (write) {
		uint8_t b[4];
		for (unsigned i = 0; i < width; i++)
			b[i] = (uint8_t)(*value >> (8 * i));
		if (d->ops->cfg_write)
			d->ops->cfg_write(d, (uint32_t)off, b, width);
		return;
	}
	d->ops->cfg_read(d, cfg);
	*value = 0;
	for (unsigned i = 0; i < width; i++)
		*value |= (uint64_t)cfg[off + i] << (8 * i);
}

static void virtio_mmio_dev_access(struct virtio_mmio_dev *d, uint64_t off, unsigned width,
				   bool write, uint64_t *value)
{
	if (off >= VIRTIO_MMIO_CONFIG) {
		virtio_mmio_cfg_access(d, off - VIRTIO_MMIO_CONFIG, width, write, value);
		return;
	}
	if (width != 4) {
		if (!write)
			*value = 0;
		return;
	}
	if (write)
		virtio_mmio_reg_write(d, off, (uint32_t)*value);
	else
		*value = virtio_mmio_reg_read(d, off);
}

static int virtio_mmio_access(struct mmio_device *dev, struct vm *vm, struct mmio_access *a)
{
	struct virtio_mmio_dev *d = dev->priv;

	(void)vm;
	if (a->offset >= BOARD_VIRTIO_REGION || a->width > BOARD_VIRTIO_REGION - a->offset)
		return -1;
	if (d->ops == NULL) {
		if (a->write)
			return 0;       /* an empty transport ignores writes */
		if (a->width == 8) {
			/* QEMU's memory core splits it into two 4-byte accesses. */
			a->value = virtio_mmio_empty_read(a->offset) |
				   (uint64_t)virtio_mmio_empty_read(a->offset + 4) << 32;
			return 0;
		}
		a->value = virtio_mmio_empty_read(a->offset) & (~0ULL >> (64 - 8 * a->width));
		return 0;
	}
	spin_lock(&d->lock);
	if (a->width == 8) {
		uint64_t lo = a->value & 0xffffffffULL, hi = a->value >> 32;
		virtio_mmio_dev_access(d, a->offset, 4, a->write, &lo);
		virtio_mmio_dev_access(d, a->offset + 4, 4, a->write, &hi);
		if (!a->write)
			a->value = (lo & 0xffffffffULL) | hi << 32;
	} else {
		virtio_mmio_dev_access(d, a->offset, a->width, a->write, &a->value);
	}
	spin_unlock(&d->lock);
	if (d->ops->flush)
		d->ops->flush(d);
	return 0;
}

void virtio_mmio_init(struct virtio_mmio_dev *d, unsigned slot, struct vm *vm,
		      struct irq_line irq)
{
	memset(d, 0, sizeof(*d));
	d->slot = slot;
	d->vm = vm;
	d->irq = irq;
	d->mmio = (struct mmio_device){
		.name = virtio_mmio_names[slot % BOARD_VIRTIO_SLOTS],
		.access = virtio_mmio_access,
		.priv = d,
	};
}

void virtio_mmio_attach(struct virtio_mmio_dev *d, const struct virtio_ops *ops, void *model)
{
	d->ops = ops;
	d->model = model;
	virtio_mmio_reset(d);
}

/*
 * The slot as an instance of the device list. Its statistics and real map
 * table name stay the slot's ("virtio3"); an empty slot has nothing to
 * quiesce or reset, as before the list had the slots.
 */
static bool virtio_mmio_dev_create(struct device *dev)
{
	struct virtio_mmio_dev *d = dev->state;
	uint64_t off = dev->gpa - BOARD_VIRTIO_GPA;

	if (dev->gpa < BOARD_VIRTIO_GPA || off % BOARD_VIRTIO_STRIDE ||
	    off / BOARD_VIRTIO_STRIDE >= BOARD_VIRTIO_SLOTS || dev->size != BOARD_VIRTIO_REGION)
		return false;
	virtio_mmio_init(d, (unsigned)(off / BOARD_VIRTIO_STRIDE), dev->vm, dev->irq);
	d->dev = dev;
	dev->mmio = d->mmio;
	return true;
}

/* A VM reset, after virtio_mmio_dev_quiesce: what Status = 0 does. */
static void virtio_mmio_dev_reset(struct device *dev)
{
	struct virtio_mmio_dev *d = dev->state;

	if (d->ops == NULL)
		return;
	spin_lock(&d->lock);
	virtio_mmio_reset(d);
	spin_unlock(&d->lock);
}

static void virtio_mmio_dev_quiesce(struct device *dev)
{
	struct virtio_mmio_dev *d = dev->state;

	if (d->ops && d->ops->quiesce)
		d->ops->quiesce(d);
}

/* Under the slot's own lock, as device timers are called without any
 * (dev/device.h), then the model's deferred work as after an access. */
static void virtio_mmio_dev_timer(struct device *dev, uint64_t now)
{
	struct virtio_mmio_dev *d = dev->state;

	/* Only a model with a timer sets the slot's deadline. */
	if (d->ops == NULL || d->ops->timer == NULL)
		return;
	spin_lock(&d->lock);
	d->ops->timer(d, now);
	spin_unlock(&d->lock);
	if (d->ops->flush)
		d->ops->flush(d);
}

const struct device_model virtio_mmio_model = {
	.name = "virtio-mmio",
	.state_size = sizeof(struct virtio_mmio_dev),
	.create = virtio_mmio_dev_create,
	.reset = virtio_mmio_dev_reset,
	.quiesce = virtio_mmio_dev_quiesce,
	.access = virtio_mmio_access,
	.timer = virtio_mmio_dev_timer,
};
