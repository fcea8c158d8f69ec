/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The factory station's side of provisioning (docs/boot.md, "Factory provisioning"). */

int verb_factory_get(int argc, char *argv[]);
int verb_factory_put(int argc, char *argv[]);
