/*
 * dahdi.h -- the DAHDI driver's public face: one HAL driver, "dahdi".
 * Built with ./configure --with-dahdi (HAVE_DAHDI); hw/drivers.c lists it
 * under #ifdef HAVE_DAHDI.  Needs no DAHDI header to include.
 */
#ifndef TG_HW_DAHDI_H
#define TG_HW_DAHDI_H

#include "hw.h"

extern const struct hw_driver hw_dahdi_driver;

#endif
