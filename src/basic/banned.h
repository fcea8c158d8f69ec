/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Functions MachineOS code must not call (after git's banned.h): they overflow buffers or
 * ignore errors. Use strscpy()/strprintf()/strjoin()/safe_atou*() instead.
 *
 * meson force-includes this header into every translation unit ("-include banned.h"). It pulls
 * in the system headers that declare these functions first, so that their declarations (and
 * _FORTIFY_SOURCE wrappers) are already parsed, then poisons the names: any later use is a
 * compile error. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#pragma GCC poison strcpy strcat sprintf vsprintf atoi atol atoll gets strtok
