/*
 * The SBI state of a vCPU and of a VM, one member per extension that keeps
 * any (each defined in its own sbi_<ext>.h), so that adding an extension's
 * state touches its own header only. Reset by each extension's vcpu_reset
 * hook (sbi.h).
 */
#ifndef CORE_SBI_SBI_STATE_H
#define CORE_SBI_SBI_STATE_H

#include "core/sbi/sbi_fwft.h"
#include "core/sbi/sbi_pmu.h"
#include "core/sbi/sbi_sse.h"
#include "core/sbi/sbi_sta.h"
#include "core/sbi/sbi_susp.h"

struct sbi_vcpu {
	struct sbi_fwft_vcpu fwft;
	struct sbi_pmu_vcpu pmu;
	struct sbi_sse_vcpu sse;
	struct sbi_sta_vcpu sta;
	struct sbi_susp_vcpu susp;
};

struct sbi_vm {
	struct sbi_fwft_vm fwft;
	struct sbi_pmu_vm pmu;
	struct sbi_sse_vm sse;
	struct sbi_sta_vm sta;
	struct sbi_susp_vm susp;
};

#endif
