/*
 * INI config -> struct config. inih does the key = value splitting; the line
 * reader below feeds it one line at a time, so it knows the current line
 * number (Debian's inih passes none to the handler) and it tracks section
 * headers itself, so a section without keys is still seen.
 */
#include "config.h"

#include <trapeze/netmac.h>

#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Debian's libinih makes its line buffer size a variable; upstream inih has
 * a compile-time INI_MAX_LINE (200) instead. Weak, so that either links;
 * where it exists, raise it so paths and bootargs fit on a line.
 */
extern int ini_max_line __attribute__((weak));

enum config_section {
	CONFIG_SECTION_NONE,
	CONFIG_SECTION_MACHINE,
	CONFIG_SECTION_VM,
	CONFIG_SECTION_NET,
};

struct config_parser {
	struct config *cfg;
	struct config_error *err;
	const char *dir;
	config_check_file_fn check;
	const char *text;
	size_t len;
	size_t pos;
	int lineno;             /* line inih is working on */
	enum config_section section;
	struct vm_desc *vm;     /* current [vm NAME] */
	struct net_desc *net;   /* current [net NAME] */
	bool failed;
};

/* A setter returns 1 on success, 0 after config_fail (inih's convention). */
typedef int (*config_set_fn)(struct config_parser *p, void *desc,
			     const char *key, const char *value);

struct config_key {
	const char *name;
	config_set_fn set;
	size_t line_off;        /* offsetof the key's *_line field in its desc */
};

static int config_fail(struct config_parser *p, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int config_fail(struct config_parser *p, int line, const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return 0;
	p->failed = true;
	p->err->line = line;
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
	return 0;
}

static bool config_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static bool config_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int config_parse_size(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	unsigned shift = 0;

	if (!config_is_digit(*s))
		return -1;
	for (; config_is_digit(*s); s++) {
		uint64_t d = (uint64_t)(*s - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	switch (*s) {
	case 'K': case 'k': shift = 10; break;
	case 'M': case 'm': shift = 20; break;
	case 'G': case 'g': shift = 30; break;
	case '\0': break;
	default: return -1;
	}
	if (shift)
		s++;
	if (*s != '\0' || v > (UINT64_MAX >> shift))
		return -1;
	*out = v << shift;
	return 0;
}

int config_parse_uint(const char *s, unsigned *out)
{
	uint64_t v = 0;

	if (!config_is_digit(*s))
		return -1;
	for (; config_is_digit(*s); s++) {
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > UINT32_MAX)
			return -1;
	}
	if (*s != '\0')
		return -1;
	*out = (unsigned)v;
	return 0;
}

void config_format_size(uint64_t bytes, char *buf, size_t len)
{
	if (bytes && bytes % (1ull << 30) == 0)
		snprintf(buf, len, "%lluG", (unsigned long long)(bytes >> 30));
	else if (bytes && bytes % (1ull << 20) == 0)
		snprintf(buf, len, "%lluM", (unsigned long long)(bytes >> 20));
	else if (bytes && bytes % (1ull << 10) == 0)
		snprintf(buf, len, "%lluK", (unsigned long long)(bytes >> 10));
	else
		snprintf(buf, len, "%llu", (unsigned long long)bytes);
}

int config_check_file(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return errno;
	if (S_ISDIR(st.st_mode))
		return EISDIR;
	if (!S_ISREG(st.st_mode))
		return EINVAL;
	if (access(path, R_OK) != 0)
		return errno;
	return 0;
}

/* ---- [machine] keys ---------------------------------------------------- */

static int config_set_cpu(struct config_parser *p, void *desc,
			  const char *key, const char *value)
{
	struct machine_desc *m = desc;

	if (value[0] == '\0')
		return config_fail(p, p->lineno, "%s = : empty CPU model", key);
	if (strlen(value) >= sizeof(m->cpu))
		return config_fail(p, p->lineno, "%s = %.40s...: longer than %zu characters",
				   key, value, sizeof(m->cpu) - 1);
	strcpy(m->cpu, value);
	return 1;
}

static int config_set_harts(struct config_parser *p, void *desc,
			    const char *key, const char *value)
{
	struct machine_desc *m = desc;
	unsigned n;

	if (config_parse_uint(value, &n) != 0 || n < 1 || n > CONFIG_HARTS_MAX)
		return config_fail(p, p->lineno, "%s = %s: must be a number from 1 to %u",
				   key, value, CONFIG_HARTS_MAX);
	m->harts = n;
	return 1;
}

static int config_set_machine_memory(struct config_parser *p, void *desc,
				     const char *key, const char *value)
{
	struct machine_desc *m = desc;
	uint64_t size;

	if (config_parse_size(value, &size) != 0)
		return config_fail(p, p->lineno,
				   "%s = %s: not a size (bytes, or a number with K, M or G)", key, value);
	if (size == 0 || size % CONFIG_VM_MEMORY_ALIGN != 0)
		return config_fail(p, p->lineno, "%s = %s: must be a non-zero multiple of 2M",
				   key, value);
	if (size > CONFIG_MACHINE_MEMORY_MAX)
		return config_fail(p, p->lineno, "%s = %s: at most 1024G", key, value);
	m->memory = size;
	return 1;
}

static int config_set_hang_timeout(struct config_parser *p, void *desc,
				   const char *key, const char *value)
{
	struct machine_desc *m = desc;
	unsigned s;

	if (config_parse_uint(value, &s) != 0 || s > CONFIG_HANG_MAX_S)
		return config_fail(p, p->lineno,
				   "%s = %s: must be a number of seconds from 0 (never) to %u",
				   key, value, CONFIG_HANG_MAX_S);
	m->hang_timeout = s;
	return 1;
}

static const struct config_key config_machine_keys[] = {
	{ "cpu", config_set_cpu, offsetof(struct machine_desc, cpu_line) },
	{ "harts", config_set_harts, offsetof(struct machine_desc, harts_line) },
	{ "memory", config_set_machine_memory, offsetof(struct machine_desc, memory_line) },
	{ "hang-timeout", config_set_hang_timeout,
	  offsetof(struct machine_desc, hang_timeout_line) },
	{ NULL, NULL, 0 },
};

/* ---- [vm NAME] keys ----------------------------------------------------- */

static int config_set_path(struct config_parser *p, const char *key,
			   const char *value, char *out, size_t len)
{
	const char *dir = p->dir;
	int n, e;

	if (value[0] == '\0')
		return config_fail(p, p->lineno, "%s = : empty path", key);
	if (value[0] == '/' || !dir || dir[0] == '\0' || strcmp(dir, ".") == 0)
		n = snprintf(out, len, "%s", value);
	else if (dir[strlen(dir) - 1] == '/')
		n = snprintf(out, len, "%s%s", dir, value);
	else
		n = snprintf(out, len, "%s/%s", dir, value);
	if (n < 0 || (size_t)n >= len)
		return config_fail(p, p->lineno, "%s = %.40s...: path too long", key, value);
	e = p->check(out);
	if (e == 0)
		return 1;
	if (strcmp(out, value) == 0)
		return config_fail(p, p->lineno, "%s = %s: %s", key, value, strerror(e));
	return config_fail(p, p->lineno, "%s = %s: %s: %s", key, value, out, strerror(e));
}

static int config_set_kernel(struct config_parser *p, void *desc,
			     const char *key, const char *value)
{
	struct vm_desc *vm = desc;

	return config_set_path(p, key, value, vm->kernel, sizeof(vm->kernel));
}

static int config_set_initrd(struct config_parser *p, void *desc,
			     const char *key, const char *value)
{
	struct vm_desc *vm = desc;

	return config_set_path(p, key, value, vm->initrd, sizeof(vm->initrd));
}

static int config_set_vm_memory(struct config_parser *p, void *desc,
				const char *key, const char *value)
{
	struct vm_desc *vm = desc;
	uint64_t size;

	if (config_parse_size(value, &size) != 0)
		return config_fail(p, p->lineno,
				   "%s = %s: not a size (bytes, or a number with K, M or G)", key, value);
	if (size % CONFIG_VM_MEMORY_ALIGN != 0)
		return config_fail(p, p->lineno, "%s = %s: must be a multiple of 2M", key, value);
	if (size < CONFIG_VM_MEMORY_MIN)
		return config_fail(p, p->lineno, "%s = %s: must be at least 4M", key, value);
	if (size > CONFIG_VM_MEMORY_MAX)
		return config_fail(p, p->lineno, "%s = %s: at most 16G", key, value);
	vm->memory = size;
	return 1;
}

static int config_set_vcpus(struct config_parser *p, void *desc,
			    const char *key, const char *value)
{
	struct vm_desc *vm = desc;
	unsigned n;

	if (config_parse_uint(value, &n) != 0 || n < 1)
		return config_fail(p, p->lineno, "%s = %s: must be a number, at least 1",
				   key, value);
	if (n > CONFIG_VCPUS_MAX)
		return config_fail(p, p->lineno, "%s = %s: at most %u vCPUs per VM",
				   key, value, CONFIG_VCPUS_MAX);
	vm->vcpus = n;
	return 1;
}

/* The VM's share of CPU time against the others (the scheduler gives
 * runnable vCPUs time in proportion to their VM's weight). */
static int config_set_weight(struct config_parser *p, void *desc,
			     const char *key, const char *value)
{
	struct vm_desc *vm = desc;
	unsigned n;

	if (config_parse_uint(value, &n) != 0 || n < 1 || n > BOOTINFO_WEIGHT_MAX)
		return config_fail(p, p->lineno, "%s = %s: must be a number from 1 to %u",
				   key, value, BOOTINFO_WEIGHT_MAX);
	vm->weight = n;
	return 1;
}

/* Pinning: `cpus = 0,1`, the host harts (by index, 0 to harts - 1) the
 * VM's vCPUs may run on; checked against [machine] harts in
 * config_validate. */
static int config_set_cpus(struct config_parser *p, void *desc,
			   const char *key, const char *value)
{
	struct vm_desc *vm = desc;
	uint32_t mask = 0;
	const char *s = value;

	for (;;) {
		char num[16];
		size_t n = 0;
		unsigned cpu;

		while (*s == ' ' || *s == '\t')
			s++;
		while (s[n] && s[n] != ',' && s[n] != ' ' && s[n] != '\t' && n < sizeof(num) - 1)
			n++;
		memcpy(num, s, n);
		num[n] = '\0';
		s += n;
		while (*s == ' ' || *s == '\t')
			s++;
		if (config_parse_uint(num, &cpu) != 0 || cpu >= CONFIG_HARTS_MAX)
			return config_fail(p, p->lineno,
					   "%s = %s: a comma-separated list of hart numbers from 0 to %u",
					   key, value, CONFIG_HARTS_MAX - 1);
		if (mask & (1u << cpu))
			return config_fail(p, p->lineno, "%s = %s: hart %u named twice",
					   key, value, cpu);
		mask |= 1u << cpu;
		if (*s == '\0')
			break;
		if (*s != ',')
			return config_fail(p, p->lineno,
					   "%s = %s: a comma-separated list of hart numbers from 0 to %u",
					   key, value, CONFIG_HARTS_MAX - 1);
		s++;
	}
	vm->cpu_mask = mask;
	return 1;
}

static int config_set_engine(struct config_parser *p, void *desc,
			     const char *key, const char *value)
{
	struct vm_desc *vm = desc;

	if (strcmp(value, "trap") == 0)
		vm->engine = CONFIG_ENGINE_TRAP;
	else if (strcmp(value, "auto") == 0)
		vm->engine = CONFIG_ENGINE_AUTO;
	else if (strcmp(value, "hw") == 0)
		vm->engine = CONFIG_ENGINE_HW;  /* needs H: config_check_engines */
	else
		return config_fail(p, p->lineno, "%s = %s: unknown engine (trap, hw or auto)",
				   key, value);
	return 1;
}

static int config_set_patching(struct config_parser *p, void *desc,
			       const char *key, const char *value)
{
	struct vm_desc *vm = desc;

	if (strcmp(value, "on") == 0)
		vm->patching = CONFIG_PATCHING_ON;
	else if (strcmp(value, "off") == 0)
		vm->patching = CONFIG_PATCHING_OFF;
	else if (strcmp(value, "x0") == 0)
		vm->patching = CONFIG_PATCHING_X0;
	else
		return config_fail(p, p->lineno, "%s = %s: must be on, off or x0", key, value);
	return 1;
}

static int config_set_bootargs(struct config_parser *p, void *desc,
			       const char *key, const char *value)
{
	struct vm_desc *vm = desc;

	if (strlen(value) >= sizeof(vm->bootargs))
		return config_fail(p, p->lineno, "%s: longer than %zu characters", key,
				   sizeof(vm->bootargs) - 1);
	strcpy(vm->bootargs, value);
	return 1;
}

/* `disk = PATH` or `disk = PATH readonly`; several allowed. */
static int config_set_disk(struct config_parser *p, void *desc,
			   const char *key, const char *value)
{
	struct vm_desc *vm = desc;
	char path[CONFIG_PATH_MAX];
	size_t len = strlen(value);
	bool ro = false;

	vm->disk_line = 0;      /* the next disk is no duplicate */
	if (len > 8 && strcmp(value + len - 8, "readonly") == 0 &&
	    config_is_space(value[len - 9])) {
		ro = true;
		len -= 9;
		while (len && config_is_space(value[len - 1]))
			len--;
	}
	if (len >= sizeof(path))
		return config_fail(p, p->lineno, "%s = %.40s...: path too long", key, value);
	memcpy(path, value, len);
	path[len] = '\0';
	if (vm->ndisks == CONFIG_DISKS_MAX)
		return config_fail(p, p->lineno, "%s = %s: more than %u disks", key, value,
				   CONFIG_DISKS_MAX);
	struct disk_desc *d = &vm->disks[vm->ndisks];
	if (config_set_path(p, key, path, d->path, sizeof(d->path)) != 1)
		return 0;
	d->readonly = ro;
	d->line = p->lineno;
	vm->ndisks++;
	return 1;
}

static int config_set_rng(struct config_parser *p, void *desc,
			  const char *key, const char *value)
{
	struct vm_desc *vm = desc;

	if (strcmp(value, "on") != 0 && strcmp(value, "off") != 0)
		return config_fail(p, p->lineno, "%s = %s: must be on or off", key, value);
	vm->rng = strcmp(value, "on") == 0;
	return 1;
}

/* ---- networks (config.h, "Networks") ------------------------------------- */

static bool config_name_valid(const char *s, size_t len);

/* `net = NAME`: the switch, by name ([A-Za-z0-9_-], as VM names). */
static int config_set_net(struct config_parser *p, void *desc,
			  const char *key, const char *value)
{
	struct vm_desc *vm = desc;

	if (!config_name_valid(value, strlen(value)))
		return config_fail(p, p->lineno, "%s = %.64s: bad switch name (1 to %d of "
				   "A-Z a-z 0-9 _ -)", key, value, CONFIG_NAME_MAX);
	strcpy(vm->net, value);
	return 1;
}

/* "10.0.2.20" -> host order; -1 unless four decimal octets. */
static int config_parse_ipv4(const char *s, uint32_t *out)
{
	uint32_t a = 0;

	for (int i = 0; i < 4; i++) {
		unsigned v = 0, digits = 0;
		for (; config_is_digit(*s) && digits < 4; s++, digits++)
			v = v * 10 + (unsigned)(*s - '0');
		if (digits == 0 || digits > 3 || v > 255 || *s != (i < 3 ? '.' : '\0'))
			return -1;
		if (i < 3)
			s++;
		a = a << 8 | v;
	}
	*out = a;
	return 0;
}

/* `address = dhcp` or `address = 10.0.2.N`: a static address outside
 * the gateway's (.2), the DNS server's (.3) and the DHCP pool (.15-.30). */
static int config_set_address(struct config_parser *p, void *desc,
			      const char *key, const char *value)
{
	struct vm_desc *vm = desc;
	uint32_t a;

	if (strcmp(value, "dhcp") == 0) {
		vm->dhcp = true;
		return 1;
	}
	if (config_parse_ipv4(value, &a) != 0)
		return config_fail(p, p->lineno, "%s = %.64s: must be dhcp or an IPv4 address",
				   key, value);
	uint32_t host = a & 0xff;
	if ((a & ~0xffu) != CONFIG_NET_PREFIX || host < 4 || host == 255 ||
	    (host >= CONFIG_NET_DHCP_FIRST && host < CONFIG_NET_DHCP_FIRST + CONFIG_NET_DHCP_MAX))
		return config_fail(p, p->lineno, "%s = %s: a static address must be 10.0.2.4-14 or "
				   "10.0.2.31-254 (user networking's 10.0.2.0/24 without its gateway, "
				   "DNS and DHCP pool)", key, value);
	vm->address = a;
	return 1;
}

static int config_set_uplink(struct config_parser *p, void *desc,
			     const char *key, const char *value)
{
	struct net_desc *n = desc;

	if (strcmp(value, "user") != 0 && strcmp(value, "none") != 0)
		return config_fail(p, p->lineno, "%s = %s: must be user or none", key, value);
	n->uplink = strcmp(value, "user") == 0;
	return 1;
}

static int config_parse_port(const char *s, size_t len, unsigned *out)
{
	char buf[8];

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return config_parse_uint(buf, out) != 0 || *out == 0 || *out > 65535 ? -1 : 0;
}

/* `hostfwd = tcp:HOSTPORT VM:PORT` (or udp:): 127.0.0.1:HOSTPORT on the
 * host reaches port PORT of VM through the uplink; several allowed. */
static int config_set_hostfwd(struct config_parser *p, void *desc,
			      const char *key, const char *value)
{
	struct net_desc *n = desc;
	struct fwd_desc f = { .line = p->lineno };
	const char *s = value, *sp, *colon;

	n->hostfwd_line = 0;    /* the next one is no duplicate */
	if (strncmp(s, "tcp:", 4) == 0 || strncmp(s, "udp:", 4) == 0)
		f.udp = s[0] == 'u';
	else
		goto bad;
	s += 4;
	sp = s + strcspn(s, " \t");
	if (config_parse_port(s, (size_t)(sp - s), &f.host_port) != 0)
		goto bad;
	while (config_is_space(*sp))
		sp++;
	colon = strchr(sp, ':');
	if (!colon || !config_name_valid(sp, (size_t)(colon - sp)) ||
	    config_parse_port(colon + 1, strlen(colon + 1), &f.guest_port) != 0)
		goto bad;
	memcpy(f.vm, sp, (size_t)(colon - sp));
	if (n->nfwds == CONFIG_FWDS_MAX)
		return config_fail(p, p->lineno, "%s: more than %u forwarded ports", key,
				   CONFIG_FWDS_MAX);
	n->fwds[n->nfwds++] = f;
	return 1;
bad:
	return config_fail(p, p->lineno, "%s = %.64s: expected tcp:HOSTPORT VM:PORT (or udp:)",
			   key, value);
}

static const struct config_key config_net_keys[] = {
	{ "uplink", config_set_uplink, offsetof(struct net_desc, uplink_line) },
	{ "hostfwd", config_set_hostfwd, offsetof(struct net_desc, hostfwd_line) },
	{ NULL, NULL, 0 },
};

static struct net_desc *config_find_net(struct config *cfg, const char *name)
{
	for (unsigned i = 0; i < cfg->nnets; i++)
		if (strcmp(cfg->nets[i].name, name) == 0)
			return &cfg->nets[i];
	return NULL;
}

static void config_begin_net(struct config_parser *p, const char *name, size_t len)
{
	struct config *cfg = p->cfg;

	if (!config_name_valid(name, len)) {
		config_fail(p, p->lineno, "bad switch name '%.*s' ([net NAME]: 1 to %d of "
			    "A-Z a-z 0-9 _ -)", (int)(len > 64 ? 64 : len), name, CONFIG_NAME_MAX);
		return;
	}
	for (unsigned i = 0; i < cfg->nnets; i++)
		if (strlen(cfg->nets[i].name) == len && memcmp(cfg->nets[i].name, name, len) == 0) {
			config_fail(p, p->lineno, "duplicate section [net %.*s] (first at line %d)",
				    (int)len, name, cfg->nets[i].line);
			return;
		}
	if (cfg->nnets == CONFIG_NETS_MAX) {
		config_fail(p, p->lineno, "more than %u switches", CONFIG_NETS_MAX);
		return;
	}
	struct net_desc *n = &cfg->nets[cfg->nnets++];
	memset(n, 0, sizeof(*n));
	memcpy(n->name, name, len);
	n->line = p->lineno;
	p->net = n;
	p->section = CONFIG_SECTION_NET;
}

/* The whole file's networks: every switch a VM names exists (implicitly,
 * without uplink), every [net] has a VM, every forward reaches a VM on its
 * switch that has an address, DHCP addresses in config order, no two MACs
 * or addresses or host ports alike. */
static int config_validate_nets(struct config_parser *p)
{
	struct config *cfg = p->cfg;
	unsigned ndhcp = 0;

	for (unsigned i = 0; i < cfg->nvms; i++) {
		struct vm_desc *vm = &cfg->vms[i];
		if (!vm->net_line) {
			if (vm->address_line)
				return config_fail(p, vm->address_line,
						   "address: [vm %s] has no net", vm->name);
			continue;
		}
		struct net_desc *n = config_find_net(cfg, vm->net);
		if (n == NULL) {
			if (cfg->nnets == CONFIG_NETS_MAX)
				return config_fail(p, vm->net_line, "more than %u switches",
						   CONFIG_NETS_MAX);
			n = &cfg->nets[cfg->nnets++];
			memset(n, 0, sizeof(*n));
			strcpy(n->name, vm->net);
		}
		vm->net_index = (unsigned)(n - cfg->nets);
		if (vm->address_line && !n->uplink)
			return config_fail(p, vm->address_line,
					   "address: switch %s has no uplink (uplink = user in [net %s])",
					   n->name, n->name);
		if (vm->dhcp) {
			if (ndhcp == CONFIG_NET_DHCP_MAX)
				return config_fail(p, vm->address_line,
						   "address = dhcp: more than %u VMs on DHCP",
						   CONFIG_NET_DHCP_MAX);
			vm->address = CONFIG_NET_PREFIX | (CONFIG_NET_DHCP_FIRST + ndhcp++);
		}
		uint8_t mac[NETMAC_LEN], other[NETMAC_LEN];
		netmac_from_name(vm->name, mac);
		for (unsigned k = 0; k < i; k++) {
			if (!cfg->vms[k].net_line)
				continue;
			netmac_from_name(cfg->vms[k].name, other);
			if (memcmp(mac, other, NETMAC_LEN) == 0)
				return config_fail(p, vm->net_line, "net: VMs %s and %s would have the "
						   "same MAC address; rename one", cfg->vms[k].name,
						   vm->name);
			if (vm->address && !vm->dhcp && cfg->vms[k].address == vm->address)
				return config_fail(p, vm->address_line, "address: the same as [vm %s]'s",
						   cfg->vms[k].name);
		}
	}
	for (unsigned i = 0; i < cfg->nnets; i++) {
		struct net_desc *n = &cfg->nets[i];
		bool used = false;
		for (unsigned k = 0; k < cfg->nvms; k++)
			used |= cfg->vms[k].net_line && cfg->vms[k].net_index == i;
		if (!used)
			return config_fail(p, n->line, "[net %s]: no VM has net = %s", n->name, n->name);
		for (unsigned f = 0; f < n->nfwds; f++) {
			const struct fwd_desc *fw = &n->fwds[f];
			const struct vm_desc *vm = NULL;
			if (!n->uplink)
				return config_fail(p, fw->line, "hostfwd: [net %s] has no uplink "
						   "(uplink = user)", n->name);
			for (unsigned k = 0; k < cfg->nvms; k++)
				if (strcmp(cfg->vms[k].name, fw->vm) == 0)
					vm = &cfg->vms[k];
			if (vm == NULL || !vm->net_line || vm->net_index != i)
				return config_fail(p, fw->line, "hostfwd: no VM %s on switch %s",
						   fw->vm, n->name);
			if (!vm->address)
				return config_fail(p, fw->line, "hostfwd: [vm %s] has no address "
						   "(address = dhcp or 10.0.2.N)", vm->name);
			for (unsigned j = 0; j < cfg->nnets; j++)
				for (unsigned g = 0; g < cfg->nets[j].nfwds; g++) {
					const struct fwd_desc *o = &cfg->nets[j].fwds[g];
					if (o != fw && o->line < fw->line && o->udp == fw->udp &&
					    o->host_port == fw->host_port)
						return config_fail(p, fw->line, "hostfwd: host port %u "
								   "already forwarded (line %d)",
								   fw->host_port, o->line);
				}
		}
	}
	return 1;
}

static const struct config_key config_vm_keys[] = {
	{ "kernel", config_set_kernel, offsetof(struct vm_desc, kernel_line) },
	{ "initrd", config_set_initrd, offsetof(struct vm_desc, initrd_line) },
	{ "memory", config_set_vm_memory, offsetof(struct vm_desc, memory_line) },
	{ "vcpus", config_set_vcpus, offsetof(struct vm_desc, vcpus_line) },
	{ "weight", config_set_weight, offsetof(struct vm_desc, weight_line) },
	{ "cpus", config_set_cpus, offsetof(struct vm_desc, cpus_line) },
	{ "engine", config_set_engine, offsetof(struct vm_desc, engine_line) },
	{ "patching", config_set_patching, offsetof(struct vm_desc, patching_line) },
	{ "bootargs", config_set_bootargs, offsetof(struct vm_desc, bootargs_line) },
	{ "disk", config_set_disk, offsetof(struct vm_desc, disk_line) },
	{ "rng", config_set_rng, offsetof(struct vm_desc, rng_line) },
	{ "net", config_set_net, offsetof(struct vm_desc, net_line) },
	{ "address", config_set_address, offsetof(struct vm_desc, address_line) },
	{ NULL, NULL, 0 },
};

/* ---- sections ------------------------------------------------------------ */

static bool config_name_valid(const char *s, size_t len)
{
	if (len < 1 || len > CONFIG_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      config_is_digit(c) || c == '_' || c == '-'))
			return false;
	}
	return true;
}

static void config_begin_vm(struct config_parser *p, const char *name, size_t len)
{
	struct config *cfg = p->cfg;
	struct vm_desc *vm;

	if (len == 0) {
		config_fail(p, p->lineno, "[vm] needs a name: [vm NAME]");
		return;
	}
	if (!config_name_valid(name, len)) {
		config_fail(p, p->lineno,
			    "bad VM name '%.*s' (1 to %d of A-Z a-z 0-9 _ -)",
			    (int)(len > 64 ? 64 : len), name, CONFIG_NAME_MAX);
		return;
	}
	for (unsigned i = 0; i < cfg->nvms; i++) {
		if (strlen(cfg->vms[i].name) == len && memcmp(cfg->vms[i].name, name, len) == 0) {
			config_fail(p, p->lineno, "duplicate VM name '%.*s' (first at line %d)",
				    (int)len, name, cfg->vms[i].line);
			return;
		}
	}
	if (cfg->nvms == BOOTINFO_MAX_VMS) {
		config_fail(p, p->lineno, "more than %d VMs", BOOTINFO_MAX_VMS);
		return;
	}
	vm = &cfg->vms[cfg->nvms++];
	memset(vm, 0, sizeof(*vm));
	memcpy(vm->name, name, len);
	vm->line = p->lineno;
	vm->vcpus = 1;
	vm->weight = 1;
	vm->engine = CONFIG_ENGINE_AUTO;
	p->vm = vm;
	p->section = CONFIG_SECTION_VM;
}

/* LINE starts with '['; mirrors inih's own section syntax, a little stricter. */
static void config_begin_section(struct config_parser *p, const char *line)
{
	const char *end = strchr(line, ']');
	const char *s = line + 1, *e, *rest;

	if (!end) {
		config_fail(p, p->lineno, "section header without ']'");
		return;
	}
	for (rest = end + 1; config_is_space(*rest); rest++)
		;
	if (*rest != '\0' && *rest != ';' && *rest != '#') {
		config_fail(p, p->lineno, "unexpected text after ']'");
		return;
	}
	while (s < end && config_is_space(*s))
		s++;
	for (e = end; e > s && config_is_space(e[-1]); e--)
		;
	if (e - s == 7 && memcmp(s, "machine", 7) == 0) {
		if (p->cfg->machine.line) {
			config_fail(p, p->lineno, "duplicate section [machine] (first at line %d)",
				    p->cfg->machine.line);
			return;
		}
		p->cfg->machine.line = p->lineno;
		p->section = CONFIG_SECTION_MACHINE;
		return;
	}
	if (e - s >= 2 && memcmp(s, "vm", 2) == 0 && (e - s == 2 || config_is_space(s[2]))) {
		s += 2;
		while (s < e && config_is_space(*s))
			s++;
		config_begin_vm(p, s, (size_t)(e - s));
		return;
	}
	if (e - s >= 3 && memcmp(s, "net", 3) == 0 && (e - s == 3 || config_is_space(s[3]))) {
		for (s += 3; s < e && config_is_space(*s); s++)
			;
		config_begin_net(p, s, (size_t)(e - s));
		return;
	}
	config_fail(p, p->lineno, "unknown section [%.*s] (expected [machine], [vm NAME] or [net NAME])",
		    (int)(e - s > 64 ? 64 : e - s), s);
}

/*
 * inih strips inline comments that start with ';' after a blank; do the
 * same for '#', so both comment characters work everywhere.
 */
static void config_strip_hash_comment(char *line)
{
	for (char *c = line; *c; c++) {
		if (*c == '#' && c > line && config_is_space(c[-1])) {
			*c = '\0';
			return;
		}
	}
}

/*
 * inih's reader callback: copies the next line into BUF (NUM bytes) and
 * counts it. Leading blanks are dropped here, which also keeps inih from
 * treating an indented line as a continuation of the previous value.
 */
static char *config_read_line(char *buf, int num, void *stream)
{
	struct config_parser *p = stream;
	const char *line, *nl;
	size_t len;

	if (p->failed || p->pos >= p->len)
		return NULL;
	line = p->text + p->pos;
	nl = memchr(line, '\n', p->len - p->pos);
	len = nl ? (size_t)(nl - line) : p->len - p->pos;
	p->pos += len + (nl ? 1 : 0);
	p->lineno++;
	p->cfg->nlines = p->lineno;
	buf[0] = '\0';

	if (p->lineno == 1 && len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
		line += 3;      /* UTF-8 byte order mark */
		len -= 3;
	}
	while (len > 0 && config_is_space(*line)) {
		line++;
		len--;
	}
	if (memchr(line, '\0', len)) {
		config_fail(p, p->lineno, "NUL byte in line");
		return buf;
	}
	if (num < 2 || len > (size_t)num - 2) {
		config_fail(p, p->lineno, "line longer than %d characters", num < 2 ? 0 : num - 2);
		return buf;
	}
	memcpy(buf, line, len);
	buf[len] = '\0';
	config_strip_hash_comment(buf);
	if (buf[0] == '[')
		config_begin_section(p, buf);
	return buf;
}

static int config_handle_key(void *user, const char *section, const char *name,
			     const char *value)
{
	struct config_parser *p = user;
	const struct config_key *key;
	void *desc;
	int *line;

	(void)section;  /* the reader tracks sections, with their lines */
	if (p->failed)
		return 0;
	switch (p->section) {
	case CONFIG_SECTION_MACHINE:
		key = config_machine_keys;
		desc = &p->cfg->machine;
		break;
	case CONFIG_SECTION_VM:
		key = config_vm_keys;
		desc = p->vm;
		break;
	case CONFIG_SECTION_NET:
		key = config_net_keys;
		desc = p->net;
		break;
	default:
		return config_fail(p, p->lineno,
				   "'%s' outside any section ([machine] or [vm NAME] first)", name);
	}
	for (; key->name; key++)
		if (strcmp(key->name, name) == 0)
			break;
	if (!key->name) {
		if (p->section == CONFIG_SECTION_MACHINE)
			return config_fail(p, p->lineno, "unknown key '%s' in [machine]", name);
		if (p->section == CONFIG_SECTION_NET)
			return config_fail(p, p->lineno, "unknown key '%s' in [net %s]", name,
					   p->net->name);
		return config_fail(p, p->lineno, "unknown key '%s' in [vm %s]", name, p->vm->name);
	}
	line = (int *)((char *)desc + key->line_off);
	if (*line)
		return config_fail(p, p->lineno, "duplicate key '%s' (first at line %d)",
				   name, *line);
	*line = p->lineno;
	return key->set(p, desc, name, value);
}

/* Checks that need the whole file: what every VM must have. */
static int config_validate(struct config_parser *p)
{
	struct config *cfg = p->cfg;
	unsigned host_slots = 0, rng_line = 0;

	if (cfg->nvms == 0)
		return config_fail(p, 1, "no [vm NAME] section: nothing to run");
	/* The host board's eight virtio slots: every disk, then one rng. */
	for (unsigned i = 0; i < cfg->nvms; i++) {
		for (unsigned k = 0; k < cfg->vms[i].ndisks; k++)
			if (++host_slots > CONFIG_HOST_VIRTIO_SLOTS)
				return config_fail(p, cfg->vms[i].disks[k].line,
						   "more host virtio devices than the board's %u slots "
						   "(one per disk, one rng for all VMs)",
						   CONFIG_HOST_VIRTIO_SLOTS);
		if (cfg->vms[i].rng && !rng_line)
			rng_line = (unsigned)cfg->vms[i].rng_line;
		if (cfg->vms[i].ndisks + cfg->vms[i].rng > CONFIG_HOST_VIRTIO_SLOTS)
			return config_fail(p, cfg->vms[i].rng_line,
					   "[vm %s]: more virtio devices than its %u slots",
					   cfg->vms[i].name, CONFIG_HOST_VIRTIO_SLOTS);
	}
	if (rng_line && host_slots + 1 > CONFIG_HOST_VIRTIO_SLOTS)
		return config_fail(p, (int)rng_line,
				   "more host virtio devices than the board's %u slots "
				   "(one per disk, one rng for all VMs)", CONFIG_HOST_VIRTIO_SLOTS);
	/* ... and one host virtio-net for every uplink. */
	host_slots += rng_line ? 1 : 0;
	for (unsigned i = 0; i < cfg->nnets; i++)
		if (cfg->nets[i].uplink) {
			if (host_slots + 1 > CONFIG_HOST_VIRTIO_SLOTS)
				return config_fail(p, cfg->nets[i].uplink_line,
						   "more host virtio devices than the board's %u slots "
						   "(one per disk, one rng, one network for all uplinks)",
						   CONFIG_HOST_VIRTIO_SLOTS);
			break;
		}
	for (unsigned i = 0; i < cfg->nvms; i++)
		if (cfg->vms[i].net_line &&
		    cfg->vms[i].ndisks + cfg->vms[i].rng + 1 > CONFIG_HOST_VIRTIO_SLOTS)
			return config_fail(p, cfg->vms[i].net_line,
					   "[vm %s]: more virtio devices than its %u slots",
					   cfg->vms[i].name, CONFIG_HOST_VIRTIO_SLOTS);
	if (!config_validate_nets(p))
		return 0;
	for (unsigned i = 0; i < cfg->nvms; i++) {
		struct vm_desc *vm = &cfg->vms[i];

		if (!vm->kernel_line)
			return config_fail(p, vm->line, "[vm %s] has no kernel", vm->name);
		if (!vm->memory_line)
			return config_fail(p, vm->line,
					   "[vm %s] has no memory (e.g. memory = 64M)", vm->name);
		/* Only an explicit [machine] harts: --smp may still change it
		 * (Trapeze then ignores harts it lacks, and logs it). */
		if (cfg->machine.harts_line && (vm->cpu_mask >> cfg->machine.harts))
			return config_fail(p, vm->cpus_line,
					   "cpus: the machine has %u hart(s), numbered from 0 (harts = %u)",
					   cfg->machine.harts, cfg->machine.harts);
	}
	return 1;
}

int config_parse(struct config *cfg, const char *text, size_t len,
		 const char *dir, config_check_file_fn check,
		 struct config_error *err)
{
	struct config_parser p = {
		.cfg = cfg, .err = err, .dir = dir,
		.check = check ? check : config_check_file,
		.text = text, .len = len,
	};
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	memset(err, 0, sizeof(*err));
	snprintf(cfg->machine.cpu, sizeof(cfg->machine.cpu), "%s", CONFIG_DEFAULT_CPU);
	cfg->machine.harts = 1;
	cfg->machine.hang_timeout = CONFIG_DEFAULT_HANG_S;

	if (&ini_max_line)
		ini_max_line = CONFIG_LINE_MAX + 2;
	ret = ini_parse_stream(config_read_line, &p, config_handle_key, &p);
	/*
	 * inih reports the first line it could not parse (no '=' or ':') but
	 * goes on; it is a real error only if it came before any of ours.
	 */
	if (ret > 0 && (!p.failed || ret < err->line)) {
		p.failed = false;
		config_fail(&p, ret, "syntax error: expected 'key = value' or '[section]'");
	} else if (ret < 0 && !p.failed) {
		config_fail(&p, 0, "out of memory");
	}
	if (!p.failed)
		config_validate(&p);
	return p.failed ? -1 : 0;
}

int config_load(struct config *cfg, const char *path, struct config_error *err)
{
	char dir[CONFIG_PATH_MAX];
	const char *slash;
	char *text;
	size_t len;
	FILE *f;
	int ret;

	memset(err, 0, sizeof(*err));
	f = fopen(path, "rb");
	if (!f) {
		snprintf(err->msg, sizeof(err->msg), "%s", strerror(errno));
		return -1;
	}
	text = malloc(CONFIG_FILE_MAX + 1);
	if (!text) {
		fclose(f);
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return -1;
	}
	len = fread(text, 1, CONFIG_FILE_MAX + 1, f);
	if (ferror(f) || len > CONFIG_FILE_MAX) {
		snprintf(err->msg, sizeof(err->msg), "%s",
			 ferror(f) ? strerror(errno) : "larger than 1 MiB, not a config file");
		fclose(f);
		free(text);
		return -1;
	}
	fclose(f);

	slash = strrchr(path, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	ret = config_parse(cfg, text, len, dir, config_check_file, err);
	free(text);
	return ret;
}

void config_override(struct config *cfg, const char *cpu, unsigned harts)
{
	if (cpu) {
		snprintf(cfg->machine.cpu, sizeof(cfg->machine.cpu), "%s", cpu);
		cfg->machine.cpu_line = 0;
	}
	if (harts) {
		cfg->machine.harts = harts;
		cfg->machine.harts_line = 0;
	}
}

/* ---- engines and the CPU model ------------------------------------------- */

/* Whether the LEN bytes at S are one of WORDS (NULL-terminated). */
static bool config_word_in(const char *s, size_t len, const char *const *words)
{
	for (; *words; words++)
		if (strlen(*words) == len && memcmp(s, *words, len) == 0)
			return true;
	return false;
}

bool config_cpu_has_h(const char *cpu)
{
	/* QEMU 7.2 qapi_bool_parse: what a boolean property accepts. */
	static const char *const on[] = { "on", "yes", "true", "y", NULL };
	static const char *const off[] = { "off", "no", "false", "n", NULL };
	size_t len = strcspn(cpu, ",");
	bool h = true;

	if (len != 4 || memcmp(cpu, "rv64", 4) != 0)
		return false;
	/* -cpu options become global properties, applied in order. */
	for (const char *opt = cpu + len; *opt == ','; opt += len) {
		opt++;
		len = strcspn(opt, ",");
		if (len < 2 || opt[0] != 'h' || opt[1] != '=')
			continue;
		if (config_word_in(opt + 2, len - 2, on))
			h = true;
		else if (config_word_in(opt + 2, len - 2, off))
			h = false;
		else
			return false;   /* QEMU refuses the model: no H to count on */
	}
	return h;
}

enum config_engine config_vm_engine(const struct vm_desc *vm, const char *cpu)
{
	if (vm->engine != CONFIG_ENGINE_AUTO)
		return vm->engine;
	return config_cpu_has_h(cpu) ? CONFIG_ENGINE_HW : CONFIG_ENGINE_TRAP;
}

bool config_vm_patching(const struct vm_desc *vm, const char *cpu, bool *ignored)
{
	bool trap = config_vm_engine(vm, cpu) == CONFIG_ENGINE_TRAP;

	/* On by default under the trap engine (issue 11: every suite passes
	 * with it); only an explicit `on` under hw is worth a warning. */
	*ignored = !trap && (vm->patching == CONFIG_PATCHING_ON || vm->patching == CONFIG_PATCHING_X0);
	return trap && vm->patching != CONFIG_PATCHING_OFF;
}

int config_check_engines(const struct config *cfg, struct config_error *err)
{
	const struct machine_desc *m = &cfg->machine;
	char from[32];

	memset(err, 0, sizeof(*err));
	if (config_cpu_has_h(m->cpu))
		return 0;
	for (unsigned i = 0; i < cfg->nvms; i++) {
		const struct vm_desc *vm = &cfg->vms[i];

		if (vm->engine != CONFIG_ENGINE_HW)
			continue;
		if (m->cpu_line)
			snprintf(from, sizeof(from), "line %d", m->cpu_line);
		else
			snprintf(from, sizeof(from), "%s",
				 strcmp(m->cpu, CONFIG_DEFAULT_CPU) == 0 ? "the default" : "--cpu");
		err->line = vm->engine_line ? vm->engine_line : vm->line;
		snprintf(err->msg, sizeof(err->msg),
			 "engine = hw: CPU %s (%s) has no H extension; use engine = trap or auto, "
			 "or a CPU with H such as rv64,h=true", m->cpu, from);
		return -1;
	}
	return 0;
}
