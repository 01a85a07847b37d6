/* Boot parameters of the simulated machine (read in tests/host/sim). */
#include <kern/cmdline.h>

CMDLINE_PARAM(sim_tlb, "sim.tlb",
	      "host simulator: none = TLB invalidations do nothing (self-check)");
