/*
 * Launcher configuration: an INI file (inih) turned into one struct
 * machine_desc and up to BOOTINFO_MAX_VMS struct vm_desc, validated.
 *
 * Parsing is pure apart from reading the config file itself: whether a
 * kernel or initrd file can be read is asked through a config_check_file_fn,
 * so unit tests and the fuzzer can answer without a file system.
 *
 * Syntax: "[machine]" and "[vm NAME]" sections of "key = value" lines;
 * comments start with ';' or '#' at the start of a line, or after a blank
 * anywhere in it. Values are taken as written (no quotes).
 *
 * Every error carries the line of the offending key, or of the section
 * header when the problem is the section as a whole; main prints it as
 * "CONFIG_FILE:LINE: message".
 */
#ifndef LAUNCHER_CONFIG_H
#define LAUNCHER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <trapeze/bootinfo.h>

#define CONFIG_NAME_MAX         (BOOTINFO_NAME_MAX - 1) /* a VM name's characters */
#define CONFIG_PATH_MAX         4096
#define CONFIG_CPU_MAX          256
/* Linux's COMMAND_LINE_SIZE on RISC-V (arch/riscv/include/uapi/asm/setup.h). */
#define CONFIG_BOOTARGS_MAX     1024
#define CONFIG_LINE_MAX         (CONFIG_PATH_MAX + 64)
#define CONFIG_FILE_MAX         (1u << 20)

#define CONFIG_DEFAULT_CPU      "rv64,h=true"
#define CONFIG_DEFAULT_HANG_S   30u
/* Trapeze drives at most 8 physical harts (PLATFORM_MAX_HARTS). */
#define CONFIG_HARTS_MAX        8u
#define CONFIG_VCPUS_MAX        8u      /* VM_MAX_VCPUS; the guest DTB's PLIC names 8 contexts */
#define CONFIG_HANG_MAX_S       (UINT32_MAX / 1000u)    /* hang_timeout_ms is 32-bit */

#define CONFIG_MIB              (1ull << 20)
#define CONFIG_VM_MEMORY_MIN    (4 * CONFIG_MIB)
#define CONFIG_VM_MEMORY_ALIGN  (2 * CONFIG_MIB)
#define CONFIG_VM_MEMORY_MAX    (16ull << 30)
#define CONFIG_MACHINE_MEMORY_MAX (1ull << 40)

/*
 * What a [vm] asked for. AUTO stays AUTO in struct vm_desc: it is resolved
 * against the CPU model only once --cpu has had its say (config_vm_engine).
 */
enum config_engine {
	CONFIG_ENGINE_AUTO = 0,
	CONFIG_ENGINE_TRAP,
	CONFIG_ENGINE_HW,
};

/* patching (trap engine, README "Patching"): DEFAULT is off for now. */
enum config_patching {
	CONFIG_PATCHING_DEFAULT = 0,
	CONFIG_PATCHING_ON,
	CONFIG_PATCHING_OFF,
	CONFIG_PATCHING_X0,     /* on, with the x0 load/store form (README, Patching) */
};

struct config_error {
	int line;               /* 0: not tied to a line (e.g. unreadable config) */
	char msg[512];
};

/* [machine]; a *_line of 0 means the value is a default (or from the CLI). */
struct machine_desc {
	int line;                       /* of the [machine] header, 0 if none */
	char cpu[CONFIG_CPU_MAX];
	int cpu_line;
	unsigned harts;
	int harts_line;
	uint64_t memory;                /* 0: computed by the layout */
	int memory_line;
	unsigned hang_timeout;          /* seconds, 0 = never */
	int hang_timeout_line;
};

/* `disk = PATH [readonly]`: a raw image on the host, the VM's virtio-blk. */
struct disk_desc {
	char path[CONFIG_PATH_MAX];
	bool readonly;
	int line;
};
/* The host board's virtio-mmio slots (trapeze/board.h): one host disk per
 * VM disk, one rng for all VMs, filled from the top slot down. */
#define CONFIG_HOST_VIRTIO_SLOTS 8
#define CONFIG_DISKS_MAX        CONFIG_HOST_VIRTIO_SLOTS

/*
 * Networks (README "Networks"): `net = NAME` puts a VM's NIC on virtual
 * switch NAME; an optional [net NAME] section gives the switch an uplink
 * (`uplink = user`: QEMU's user networking, restrict=on, 10.0.2.0/24) and
 * forwards 127.0.0.1 ports to VMs on it (`hostfwd = tcp:HOSTPORT VM:PORT`).
 * A VM reached that way says how it gets its address: `address = dhcp`
 * (QEMU's DHCP server, by MAC: 10.0.2.15 onwards in config order) or
 * `address = 10.0.2.N` (static: the guest sets it itself).
 */
#define CONFIG_NETS_MAX         8       /* switches (Trapeze's VNET_SWITCHES) */
#define CONFIG_FWDS_MAX         16      /* forwarded ports per switch */
#define CONFIG_NET_PREFIX       0x0a000200u     /* 10.0.2.0/24, QEMU user networking's */
#define CONFIG_NET_DHCP_FIRST   15u     /* libslirp's first DHCP address, .15 */
#define CONFIG_NET_DHCP_MAX     16u     /* libslirp's NB_BOOTP_CLIENTS */

struct fwd_desc {
	bool udp;                       /* else tcp */
	unsigned host_port;             /* on 127.0.0.1 */
	char vm[CONFIG_NAME_MAX + 1];
	unsigned guest_port;
	int line;
};

struct net_desc {
	char name[CONFIG_NAME_MAX + 1];
	int line;                       /* of [net NAME]; 0 when only `net =` names it */
	bool uplink;
	int uplink_line;
	struct fwd_desc fwds[CONFIG_FWDS_MAX];
	unsigned nfwds;
	int hostfwd_line;               /* 0 again after each: several allowed */
};

struct vm_desc {
	char name[CONFIG_NAME_MAX + 1];
	int line;                       /* of the [vm NAME] header */
	char kernel[CONFIG_PATH_MAX];   /* resolved against the config's directory */
	int kernel_line;
	char initrd[CONFIG_PATH_MAX];   /* "" when none */
	int initrd_line;
	uint64_t memory;
	int memory_line;
	unsigned vcpus;
	int vcpus_line;
	unsigned weight;                /* CPU-time share, 1..BOOTINFO_WEIGHT_MAX (default 1) */
	int weight_line;
	uint32_t cpu_mask;              /* `cpus = 0,1`: host hart indexes; 0 = any */
	int cpus_line;
	enum config_engine engine;
	int engine_line;
	enum config_patching patching;
	int patching_line;
	char bootargs[CONFIG_BOOTARGS_MAX]; /* "" when none */
	int bootargs_line;
	struct disk_desc disks[CONFIG_DISKS_MAX];   /* virtio slots 7, 6, ... */
	unsigned ndisks;
	int disk_line;                  /* 0 again after each: several allowed */
	bool rng;                       /* `rng = on`: a virtio-rng, after the disks */
	int rng_line;
	char net[CONFIG_NAME_MAX + 1];  /* `net = NAME`: a virtio-net, after the rng; "" none */
	int net_line;
	unsigned net_index;             /* into config.nets, once validated */
	bool dhcp;                      /* `address = dhcp` */
	uint32_t address;               /* host order: the static or the DHCP address; 0 none */
	int address_line;
};

struct config {
	struct machine_desc machine;
	struct vm_desc vms[BOOTINFO_MAX_VMS];
	unsigned nvms;
	struct net_desc nets[CONFIG_NETS_MAX];  /* [net] sections, then switches only `net =` names */
	unsigned nnets;
	int nlines;                     /* lines in the file */
};

/* Returns 0 if PATH names a readable regular file, else an errno value. */
typedef int (*config_check_file_fn)(const char *path);

/* The real check: stat(2) and access(2). */
int config_check_file(const char *path);

/*
 * Parses and validates TEXT (LEN bytes, need not be NUL-terminated).
 * Relative kernel/initrd paths are resolved against DIR ("." or "" keeps
 * them as written). Returns 0, or -1 with ERR filled in.
 */
int config_parse(struct config *cfg, const char *text, size_t len,
		 const char *dir, config_check_file_fn check,
		 struct config_error *err);

/*
 * Reads the file PATH and parses it, resolving paths against its directory.
 * Returns 0, or -1 with ERR filled in (line 0 if the file itself cannot be
 * read: then msg is just the reason).
 */
int config_load(struct config *cfg, const char *path, struct config_error *err);

/* Command-line options win over [machine]; NULL / 0 leave a value alone. */
void config_override(struct config *cfg, const char *cpu, unsigned harts);

/*
 * Whether QEMU 7.2's "-cpu CPU" gives the harts the H extension. Only the
 * generic rv64 does, by default (its "h" property is on); "h=false" or
 * "h=off" (QEMU's other boolean spellings too; the last h= wins) takes it
 * away. Named models (sifive-u54, ...) set their own misa, without H,
 * whatever their options say (target/riscv/cpu.c, riscv_cpu_realize).
 */
bool config_cpu_has_h(const char *cpu);

/*
 * The engine VM runs on when the harts are "-cpu CPU": trap or hw as
 * written; auto is hw where CPU has H, else trap. Never CONFIG_ENGINE_AUTO.
 */
enum config_engine config_vm_engine(const struct vm_desc *vm, const char *cpu);

/*
 * Whether VM patches hot privileged instructions when the harts are
 * "-cpu CPU": only under the trap engine, off unless asked for. *ignored
 * is set when the VM asked for patching on an engine that has none (hw,
 * including auto resolved to hw): the caller warns.
 */
bool config_vm_patching(const struct vm_desc *vm, const char *cpu, bool *ignored);

/*
 * Checks every VM's engine against the machine's CPU model: hw needs H.
 * Call it after config_override, since --cpu may change the answer.
 * Returns 0, or -1 with ERR (line of the engine key, else of the VM's
 * header).
 */
int config_check_engines(const struct config *cfg, struct config_error *err);

/*
 * "64M", "1G", "4096", "512k": decimal, optional K/M/G suffix (binary
 * units, either case). Returns 0, or -1 if S is not such a size or overflows.
 */
int config_parse_size(const char *s, uint64_t *out);

/* Decimal unsigned integer that fits in 32 bits. Returns 0 or -1. */
int config_parse_uint(const char *s, unsigned *out);

/* "64M" for sizes that are whole MiB, else bytes; for messages and QEMU -m. */
void config_format_size(uint64_t bytes, char *buf, size_t len);

#endif
