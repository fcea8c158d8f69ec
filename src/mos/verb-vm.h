/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

int verb_vm_run(int argc, char *argv[]);
