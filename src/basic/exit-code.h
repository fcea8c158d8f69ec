/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>

/* Exit codes of every MachineOS program (docs/exit-codes.md, CLI.md). Scripts rely on them. */
enum {
        MOS_EXIT_SUCCESS = 0,
        MOS_EXIT_FAILURE = 1, /* I/O, missing file, internal error */
        MOS_EXIT_USAGE = 2,   /* unknown verb, bad option, bad arguments */
        MOS_EXIT_REFUSED = 3, /* something is not trusted */
};

/* The errno values the project gives a fixed meaning (asserted in tests/unit/test-exit-code.c):
 *
 *   -EINVAL           bad argument
 *   -EBADMSG          malformed manifest / JSON / OCI / image data          -> refused
 *   -EFBIG            input larger than its documented limit                -> refused
 *   -EKEYREJECTED     signature invalid or signer not trusted               -> refused
 *   -EKEYEXPIRED      certificate outside its validity period               -> refused
 *   -ENOKEY           key or certificate missing where one is required      -> refused
 *   -ESTALE           rollback: version below the recorded minimum          -> refused
 *   -EPERM            the TPM refused (PCR or policy mismatch)              -> refused
 *   -EUCLEAN          verity: data does not match its hash tree             -> refused
 *   -ENOTRECOVERABLE  TPM unusable                                          -> failure
 *   -EIO              device read error                                     -> failure
 *
 * Everything else is a plain failure (exit 1). */
static inline int errno_is_refusal(int r) {
        switch (r < 0 ? -r : r) {
        case EBADMSG:
        case EFBIG:
        case EKEYREJECTED:
        case EKEYEXPIRED:
        case ENOKEY:
        case ESTALE:
        case EPERM:
        case EUCLEAN:
                return 1;
        default:
                return 0;
        }
}

/* A verb returns either an exit code (>= 0) or a negative errno; this maps both to an exit code. */
static inline int exit_code_from_result(int r) {
        if (r >= 0)
                return r;
        return errno_is_refusal(r) ? MOS_EXIT_REFUSED : MOS_EXIT_FAILURE;
}
