/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

int verb_firmware_vars(int argc, char *argv[]);
