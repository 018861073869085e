/*
 * drivers.c -- the drivers built into this binary.  hw/sim is always there
 * (tests, the demo, tgsim); the others are listed under the configure switch
 * that builds them.  Read-only after start-up; any thread.
 */
#include "config.h"
#include <stddef.h>
#include <string.h>

#include "hw.h"
#include "sim.h"

#ifdef HAVE_DAHDI
#include "dahdi/dahdi.h"
#endif

const struct hw_driver *const hw_drivers[] = {
	&hw_sim_driver,
#ifdef HAVE_DAHDI
	&hw_dahdi_driver,
#endif
	NULL,
};

const struct hw_driver *hw_driver_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; hw_drivers[i]; i++)
		if (strcmp(hw_drivers[i]->name, name) == 0)
			return hw_drivers[i];
	return NULL;
}
