/* Boot parameters of the simulated machine (read in tests/host/sim). */
#include <kern/cmdline.h>

CMDLINE_PARAM(sim_bug, "sim.bug",
	      "host simulator self-checks: no_evict_flush | no_rollover_flush "
	      "(the ASID rule the sim_asid suite must then see broken)");
CMDLINE_PARAM(sim_tlb, "sim.tlb",
	      "host simulator: none = TLB invalidations do nothing (self-check)");
