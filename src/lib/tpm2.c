/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The ESAPI wrapper. Design and layout: docs/tpm.md. Command references are to the TCG TPM 2.0
 * Library, Part 3 (Commands). */

#include "tpm2.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tcti_device.h>
#include <tss2/tss2_tcti_swtpm.h>
#include <tss2/tss2_tctildr.h>

#include "log.h"
#include "string-util.h"

/* tpm-policy.h spells these out without tss2; they must agree. */
_Static_assert(TPM_ALG_SHA256 == TPM2_ALG_SHA256, "alg");
_Static_assert(TPM_ALG_ECC == TPM2_ALG_ECC, "alg");
_Static_assert(TPM_ALG_NULL == TPM2_ALG_NULL, "alg");
_Static_assert(TPM_ECC_NIST_P256 == TPM2_ECC_NIST_P256, "curve");
_Static_assert(TPM_CC_POLICY_NV == TPM2_CC_PolicyNV, "cc");
_Static_assert(TPM_CC_POLICY_PCR == TPM2_CC_PolicyPCR, "cc");
_Static_assert(TPM_CC_POLICY_AUTHORIZE == TPM2_CC_PolicyAuthorize, "cc");
_Static_assert(TPM_EO_UNSIGNED_LE == TPM2_EO_UNSIGNED_LE, "eo");
_Static_assert(MOS_TPMA_NV_COUNTER == (TPM2_NT_COUNTER << TPMA_NV_TPM2_NT_SHIFT), "nt");
_Static_assert(MOS_TPMA_NV_OWNERWRITE == TPMA_NV_OWNERWRITE, "nv");
_Static_assert(MOS_TPMA_NV_POLICYWRITE == TPMA_NV_POLICYWRITE, "nv");
_Static_assert(MOS_TPMA_NV_WRITEDEFINE == TPMA_NV_WRITEDEFINE, "nv");
_Static_assert(MOS_TPMA_NV_AUTHREAD == TPMA_NV_AUTHREAD, "nv");
_Static_assert(MOS_TPMA_NV_NO_DA == TPMA_NV_NO_DA, "nv");
_Static_assert(MOS_TPMA_NV_WRITELOCKED == TPMA_NV_WRITELOCKED, "nv");
_Static_assert(MOS_TPMA_NV_WRITTEN == TPMA_NV_WRITTEN, "nv");
_Static_assert(MOS_TPMA_OBJECT_FIXEDTPM == TPMA_OBJECT_FIXEDTPM, "obj");
_Static_assert(MOS_TPMA_OBJECT_FIXEDPARENT == TPMA_OBJECT_FIXEDPARENT, "obj");
_Static_assert(MOS_TPMA_OBJECT_ADMINWITHPOLICY == TPMA_OBJECT_ADMINWITHPOLICY, "obj");
_Static_assert(MOS_TPMA_OBJECT_USERWITHAUTH == TPMA_OBJECT_USERWITHAUTH, "obj");
_Static_assert(MOS_TPMA_OBJECT_NODA == TPMA_OBJECT_NODA, "obj");
_Static_assert(MOS_TPMA_OBJECT_DECRYPT == TPMA_OBJECT_DECRYPT, "obj");
_Static_assert(MOS_TPMA_OBJECT_SIGN_ENCRYPT == TPMA_OBJECT_SIGN_ENCRYPT, "obj");
_Static_assert(TPM_NAME_SIZE <= sizeof(((TPM2B_NAME *) 0)->name), "name");

#define LAYOUT_MAGIC "MOS-TPM"
#define LAYOUT_SIZE (8 + 4 + 4 + TPM_NAME_SIZE)
#define SEALED_MAGIC "MOS-SEAL"
#define SEALED_VERSION 1
#define NV_CHUNK_MAX 1024u

struct Tpm2Context {
        char *tcti_conf;
        TSS2_TCTI_CONTEXT *tcti;
        bool tcti_from_loader;
        ESYS_CONTEXT *esys;
        ESYS_TR srk;  /* persistent SRK, ESYS_TR_NONE until needed */
        bool flushed; /* leftovers of other processes flushed */
        uint8_t owner_auth[TPM2_OWNER_AUTH_MAX];
        size_t owner_auth_size;
        bool owner_auth_set;
        char error[512];
};

/* ---- errors ---- */

int tpm2_rc_to_errno(uint32_t rc) {
        uint32_t layer = rc & TSS2_RC_LAYER_MASK, code;

        if (rc == TSS2_RC_SUCCESS)
                return 0;
        if (layer == TSS2_TCTI_RC_LAYER) {
                switch (rc & 0xFFFF) {
                case TSS2_BASE_RC_IO_ERROR:
                case TSS2_BASE_RC_NO_CONNECTION:
                        return -ENXIO;
                case TSS2_BASE_RC_TRY_AGAIN:
                        return -EAGAIN;
                case TSS2_BASE_RC_MEMORY:
                        return -ENOMEM;
                default:
                        return -EIO;
                }
        }
        if (layer != TSS2_TPM_RC_LAYER && layer != TSS2_RESMGR_TPM_RC_LAYER) {
                switch (rc & 0xFFFF) {
                case TSS2_BASE_RC_MEMORY:
                        return -ENOMEM;
                case TSS2_BASE_RC_IO_ERROR:
                case TSS2_BASE_RC_NO_CONNECTION:
                        return -ENXIO;
                case TSS2_BASE_RC_BAD_VALUE:
                case TSS2_BASE_RC_BAD_REFERENCE:
                case TSS2_BASE_RC_BAD_TR:
                        return -EINVAL;
                default:
                        return -EIO;
                }
        }
        /* Format-one codes carry a handle/session/parameter number in bits 6 and 8-11. */
        code = (rc & TPM2_RC_FMT1) ? (rc & (TPM2_RC_FMT1 | 0x3F)) : (rc & 0xFFF);
        switch (code) {
        case TPM2_RC_POLICY_FAIL:
        case TPM2_RC_POLICY:
        case TPM2_RC_POLICY_CC:
        case TPM2_RC_PCR_CHANGED:
        case TPM2_RC_AUTH_UNAVAILABLE:
        case TPM2_RC_EXPIRED:
        case TPM2_RC_VALUE: /* PolicyPCR with a digest that is not the current one */
                return -EPERM;
        case TPM2_RC_SIGNATURE:
        case TPM2_RC_INTEGRITY:
        case TPM2_RC_TICKET:
                return -EKEYREJECTED;
        case TPM2_RC_HANDLE:
        case TPM2_RC_NV_UNINITIALIZED:
                return -ENOKEY;
        case TPM2_RC_NV_DEFINED:
                return -EEXIST;
        case TPM2_RC_NV_RANGE:
                return -ERANGE;
        case TPM2_RC_NV_LOCKED:
                return -EROFS;
        case TPM2_RC_NV_SPACE:
        case TPM2_RC_OBJECT_MEMORY:
        case TPM2_RC_SESSION_MEMORY:
        case TPM2_RC_NV_SIZE:
                return -ENOSPC;
        case TPM2_RC_BAD_AUTH:
        case TPM2_RC_AUTH_FAIL:
        case TPM2_RC_NV_AUTHORIZATION:
                return -EACCES;
        case TPM2_RC_RETRY:
        case TPM2_RC_YIELDED:
        case TPM2_RC_TESTING:
        case TPM2_RC_NV_RATE:
                return -EAGAIN;
        case TPM2_RC_LOCKOUT:
        case TPM2_RC_FAILURE:
        case TPM2_RC_DISABLED:
        case TPM2_RC_INITIALIZE:
                return -ENOTRECOVERABLE;
        default:
                return -EIO;
        }
}

static int fail(Tpm2Context *c, int r, const char *fmt, ...) _printf_(3, 4);
static int fail(Tpm2Context *c, int r, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        (void) vsnprintf(c->error, sizeof c->error, fmt, ap);
        va_end(ap);
        log_debug("tpm2: %s", c->error);
        return r;
}

/* TPM_RC -> -errno and "what: decoded text" as the reason. */
static int fail_rc(Tpm2Context *c, TSS2_RC rc, const char *what) {
        return fail(c, tpm2_rc_to_errno(rc), "%s: %s (TPM_RC 0x%" PRIx32 ")", what,
                    Tss2_RC_Decode(rc), (uint32_t) rc);
}

const char *tpm2_context_last_error(const Tpm2Context *c) {
        return c->error;
}

const char *tpm2_context_tcti(const Tpm2Context *c) {
        return c->tcti_conf;
}

/* ---- handles ---- */

typedef enum TrKind {
        TR_TRANSIENT, /* flushed */
        TR_CLOSE,     /* only the ESYS_TR is closed (persistent objects, NV indices) */
} TrKind;

typedef struct Tr {
        Tpm2Context *c;
        ESYS_TR h;
        TrKind kind;
} Tr;

static void tr_done(Tr *t) {
        if (t->h == ESYS_TR_NONE)
                return;
        if (t->kind == TR_TRANSIENT)
                (void) Esys_FlushContext(t->c->esys, t->h);
        else
                (void) Esys_TR_Close(t->c->esys, &t->h);
        t->h = ESYS_TR_NONE;
}
#define _cleanup_tr_ _cleanup_(tr_done)
#define TR(ctx, k) ((Tr){ .c = (ctx), .h = ESYS_TR_NONE, .kind = (k) })

/* ---- context ---- */

Tpm2Context *tpm2_context_free(Tpm2Context *c) {
        if (!c)
                return NULL;
        if (c->esys) {
                if (c->srk != ESYS_TR_NONE)
                        (void) Esys_TR_Close(c->esys, &c->srk);
                Esys_Finalize(&c->esys);
        }
        if (c->tcti) {
                if (c->tcti_from_loader)
                        Tss2_TctiLdr_Finalize(&c->tcti);
                else {
                        Tss2_Tcti_Finalize(c->tcti);
                        free(c->tcti);
                }
        }
        explicit_bzero(c->owner_auth, sizeof c->owner_auth);
        free(c->tcti_conf);
        free(c);
        return NULL;
}

int tpm2_context_set_owner_auth(Tpm2Context *c, const void *auth, size_t size) {
        if (size > TPM2_OWNER_AUTH_MAX)
                return fail(c, -EINVAL, "owner authorization longer than %u bytes",
                            TPM2_OWNER_AUTH_MAX);
        memcpy(c->owner_auth, auth, size);
        c->owner_auth_size = size;
        c->owner_auth_set = true;
        return 0;
}

/* The device and swtpm TCTIs are initialised directly (so that they are linked, and an
 * initramfs built from ldd's list has them); others go through the TCTI loader. */
static int tcti_init(Tpm2Context *c) {
        typedef TSS2_RC (*InitFn)(TSS2_TCTI_CONTEXT *, size_t *, const char *);
        const char *conf = c->tcti_conf, *colon = strchr(conf, ':');
        _cleanup_free_ char *name = NULL;
        InitFn init = NULL;
        size_t size = 0;
        TSS2_RC rc;

        name = colon ? strndup(conf, (size_t) (colon - conf)) : strdup(conf);
        if (!name)
                return -ENOMEM;
        if (streq(name, "device"))
                init = Tss2_Tcti_Device_Init;
        else if (streq(name, "swtpm"))
                init = Tss2_Tcti_Swtpm_Init;

        if (!init) {
                rc = Tss2_TctiLdr_Initialize(conf, &c->tcti);
                if (rc != TSS2_RC_SUCCESS)
                        return fail(c, -ENXIO, "no TPM reachable through TCTI '%s': %s", conf,
                                    Tss2_RC_Decode(rc));
                c->tcti_from_loader = true;
                return 0;
        }
        conf = colon ? colon + 1 : NULL;
        if (conf && !*conf)
                conf = NULL;
        rc = init(NULL, &size, conf);
        if (rc != TSS2_RC_SUCCESS)
                return fail(c, -EINVAL, "invalid TCTI configuration '%s': %s", c->tcti_conf,
                            Tss2_RC_Decode(rc));
        c->tcti = calloc(1, size);
        if (!c->tcti)
                return -ENOMEM;
        rc = init(c->tcti, &size, conf);
        if (rc != TSS2_RC_SUCCESS) {
                c->tcti = mfree(c->tcti);
                return fail(c, -ENXIO, "no TPM reachable through TCTI '%s': %s", c->tcti_conf,
                            Tss2_RC_Decode(rc));
        }
        return 0;
}

/* Without a resource manager, objects and sessions another process left loaded stay in the
 * TPM (three transient slots): flush them (FIELD-NOTES: else TPM_RC_OBJECT_MEMORY). */
static int flush_leftovers_now(Tpm2Context *c) {
        static const TPM2_HANDLE ranges[] = { TPM2_TRANSIENT_FIRST, TPM2_LOADED_SESSION_FIRST,
                                              TPM2_ACTIVE_SESSION_FIRST };
        TSS2_SYS_CONTEXT *sys = NULL;
        TSS2_RC rc;

        rc = Esys_GetSysContext(c->esys, &sys);
        if (rc != TSS2_RC_SUCCESS)
                return fail_rc(c, rc, "Esys_GetSysContext");
        for (size_t i = 0; i < ELEMENTSOF(ranges); i++) {
                TPMS_CAPABILITY_DATA *cap = NULL;
                TPMI_YES_NO more;

                rc = Esys_GetCapability(c->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                                        TPM2_CAP_HANDLES, ranges[i], TPM2_MAX_CAP_HANDLES, &more,
                                        &cap);
                if (rc != TSS2_RC_SUCCESS)
                        return fail_rc(c, rc, "TPM2_GetCapability(handles)");
                for (uint32_t j = 0; j < cap->data.handles.count; j++) {
                        TPM2_HANDLE h = cap->data.handles.handle[j];
                        if ((h & 0xFF000000) != (ranges[i] & 0xFF000000))
                                continue;
                        log_debug("tpm2: flushing leftover handle 0x%08" PRIx32, h);
                        (void) Tss2_Sys_FlushContext(sys, h);
                }
                Esys_Free(cap);
        }
        return 0;
}

/* Only TCTIs without a resource manager need it, and only once per context. */
static int flush_leftovers(Tpm2Context *c) {
        if (c->flushed || startswith(c->tcti_conf, "device:/dev/tpmrm"))
                return 0;
        c->flushed = true;
        return flush_leftovers_now(c);
}

int tpm2_context_new(const char *tcti, Tpm2Context **ret, char **ret_error) {
        _cleanup_(tpm2_context_freep) Tpm2Context *c = NULL;
        TSS2_RC rc;
        int r;

        c = calloc(1, sizeof *c);
        if (!c)
                return -ENOMEM;
        c->srk = ESYS_TR_NONE;
        /* tpm2-tss logs its own errors to stderr; ours are one line with the reason. Keep its
         * logging at debug level (an explicit $TSS2_LOG wins). */
        if (log_get_max_level() < LOG_DEBUG)
                (void) setenv("TSS2_LOG", "all+none", 0);
        if (!tcti)
                tcti = secure_getenv("MOS_TPM2_TCTI");
        if (isempty(tcti))
                tcti = TPM2_DEFAULT_TCTI;
        c->tcti_conf = strdup(tcti);
        if (!c->tcti_conf)
                return -ENOMEM;

        r = tcti_init(c);
        if (r >= 0) {
                rc = Esys_Initialize(&c->esys, c->tcti, NULL);
                if (rc != TSS2_RC_SUCCESS)
                        r = fail_rc(c, rc, "Esys_Initialize");
        }
        if (r < 0) {
                if (ret_error)
                        *ret_error = strdup(c->error);
                return r;
        }
        *ret = TAKE_PTR(c);
        return 0;
}

/* ---- small helpers ---- */

static void be32_put(uint8_t *p, uint32_t v) {
        p[0] = v >> 24;
        p[1] = v >> 16;
        p[2] = v >> 8;
        p[3] = v;
}
static uint32_t be32_get(const uint8_t *p) {
        return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}
static uint64_t be64_get(const uint8_t *p) {
        return (uint64_t) be32_get(p) << 32 | be32_get(p + 4);
}

static int owner_auth_apply(Tpm2Context *c, ESYS_TR hierarchy) {
        TPM2B_AUTH a = { .size = (UINT16) c->owner_auth_size };
        TSS2_RC rc;

        memcpy(a.buffer, c->owner_auth, c->owner_auth_size);
        rc = Esys_TR_SetAuth(c->esys, hierarchy, &a);
        explicit_bzero(&a, sizeof a);
        return rc == TSS2_RC_SUCCESS ? 0 : fail_rc(c, rc, "Esys_TR_SetAuth");
}

static int get_property(Tpm2Context *c, TPM2_PT property, uint32_t *ret) {
        TPMS_CAPABILITY_DATA *cap = NULL;
        TPMI_YES_NO more;
        TSS2_RC rc;
        int r = -EIO;

        rc = Esys_GetCapability(c->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                                TPM2_CAP_TPM_PROPERTIES, property, 1, &more, &cap);
        if (rc != TSS2_RC_SUCCESS)
                return fail_rc(c, rc, "TPM2_GetCapability(properties)");
        if (cap->data.tpmProperties.count == 1 &&
            cap->data.tpmProperties.tpmProperty[0].property == property) {
                *ret = cap->data.tpmProperties.tpmProperty[0].value;
                r = 0;
        } else
                r = fail(c, -EIO, "TPM does not report property 0x%" PRIx32, (uint32_t) property);
        Esys_Free(cap);
        return r;
}

/* Provisioning steps need the owner authorization whenever it is set. */
static int require_owner(Tpm2Context *c) {
        uint32_t permanent;
        int r;

        r = get_property(c, TPM2_PT_PERMANENT, &permanent);
        if (r < 0)
                return r;
        if (!(permanent & TPMA_PERMANENT_OWNERAUTHSET)) {
                /* Nobody took ownership yet: the owner authorization is empty (a value the
                 * caller gave is the one provisioning will set). */
                TPM2B_AUTH empty = {};
                TSS2_RC rc = Esys_TR_SetAuth(c->esys, ESYS_TR_RH_OWNER, &empty);
                return rc == TSS2_RC_SUCCESS ? 0 : fail_rc(c, rc, "Esys_TR_SetAuth");
        }
        if (!c->owner_auth_set)
                return fail(c, -EACCES,
                            "the TPM owner authorization is set (ownership was taken); the "
                            "current owner authorization is needed");
        return owner_auth_apply(c, ESYS_TR_RH_OWNER);
}

/* An ESYS_TR for a persistent object or NV index; -ENOKEY when the TPM has none there. */
static int tr_from_handle(Tpm2Context *c, TPM2_HANDLE handle, const char *what, Tr *ret) {
        TSS2_RC rc;

        rc = Esys_TR_FromTPMPublic(c->esys, handle, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                                   &ret->h);
        if (rc != TSS2_RC_SUCCESS) {
                int r = tpm2_rc_to_errno(rc);
                if (r == -ENOKEY || r == -EINVAL)
                        return fail(c, -ENOKEY,
                                    "the TPM is not provisioned: no %s at handle 0x%08" PRIx32,
                                    what, (uint32_t) handle);
                return fail_rc(c, rc, what);
        }
        return 0;
}

static bool handle_exists(Tpm2Context *c, TPM2_HANDLE handle) {
        TPMS_CAPABILITY_DATA *cap = NULL;
        TPMI_YES_NO more;
        bool found;

        if (Esys_GetCapability(c->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, TPM2_CAP_HANDLES,
                               handle, 1, &more, &cap) != TSS2_RC_SUCCESS)
                return false;
        found = cap->data.handles.count == 1 && cap->data.handles.handle[0] == handle;
        Esys_Free(cap);
        return found;
}

static int srk(Tpm2Context *c, ESYS_TR *ret) {
        Tr t = TR(c, TR_CLOSE);
        int r;

        if (c->srk == ESYS_TR_NONE) {
                r = tr_from_handle(c, MOS_TPM_HANDLE_SRK, "storage root key", &t);
                if (r < 0)
                        return r;
                c->srk = t.h;
        }
        *ret = c->srk;
        return 0;
}

/* A session salted with the SRK: the salt is encrypted to a key that only this TPM holds, so
 * the session key, and with it every encrypted parameter, is unknown to a bus observer. */
static int start_session(Tpm2Context *c, TPM2_SE type, bool salted, Tr *ret) {
        TPMT_SYM_DEF sym = { .algorithm = TPM2_ALG_AES,
                             .keyBits.aes = 128,
                             .mode.aes = TPM2_ALG_CFB };
        ESYS_TR salt = ESYS_TR_NONE;
        TSS2_RC rc;
        int r;

        if (salted) {
                r = srk(c, &salt);
                if (r < 0)
                        return r;
        }
        rc = Esys_StartAuthSession(c->esys, salt, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                                   ESYS_TR_NONE, NULL, type, &sym, TPM2_ALG_SHA256, &ret->h);
        if (rc != TSS2_RC_SUCCESS)
                return fail_rc(c, rc, "TPM2_StartAuthSession");
        return 0;
}

static int session_attributes(Tpm2Context *c, ESYS_TR s, TPMA_SESSION attrs) {
        TSS2_RC rc = Esys_TRSess_SetAttributes(c->esys, s, attrs, 0xff);
        return rc == TSS2_RC_SUCCESS ? 0 : fail_rc(c, rc, "Esys_TRSess_SetAttributes");
}

static int nv_read(Tpm2Context *c, ESYS_TR nv, uint16_t size, uint8_t *buf) {
        for (uint16_t off = 0; off < size;) {
                uint16_t n = (uint16_t) MIN((unsigned) (size - off), NV_CHUNK_MAX);
                TPM2B_MAX_NV_BUFFER *data = NULL;
                TSS2_RC rc;

                rc = Esys_NV_Read(c->esys, nv, nv, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, n,
                                  off, &data);
                if (rc != TSS2_RC_SUCCESS)
                        return fail_rc(c, rc, "TPM2_NV_Read");
                if (data->size != n) {
                        Esys_Free(data);
                        return fail(c, -EIO, "TPM2_NV_Read returned %u bytes, expected %u",
                                    data->size, n);
                }
                memcpy(buf + off, data->buffer, n);
                Esys_Free(data);
                off += n;
        }
        return 0;
}

static int nv_size(Tpm2Context *c, ESYS_TR nv, uint16_t *ret_size, TPM2B_DIGEST *ret_policy) {
        TPM2B_NV_PUBLIC *pub = NULL;
        TSS2_RC rc;

        rc = Esys_NV_ReadPublic(c->esys, nv, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &pub, NULL);
        if (rc != TSS2_RC_SUCCESS)
                return fail_rc(c, rc, "TPM2_NV_ReadPublic");
        *ret_size = pub->nvPublic.dataSize;
        if (ret_policy)
                *ret_policy = pub->nvPublic.authPolicy;
        Esys_Free(pub);
        return 0;
}

static int nv_undefine_if_present(Tpm2Context *c, TPM2_HANDLE index) {
        Tr t = TR(c, TR_CLOSE);
        TSS2_RC rc;

        if (!handle_exists(c, index))
                return 0;
        if (tr_from_handle(c, index, "NV index", &t) < 0)
                return -EIO;
        rc = Esys_NV_UndefineSpace(c->esys, ESYS_TR_RH_OWNER, t.h, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                                   ESYS_TR_NONE);
        if (rc != TSS2_RC_SUCCESS) {
                tr_done(&t);
                return fail_rc(c, rc, "TPM2_NV_UndefineSpace");
        }
        /* Undefining closed the ESYS_TR. */
        return 0;
}

static int nv_define(Tpm2Context *c, TPM2_HANDLE index, TPMA_NV attributes,
                     const uint8_t *auth_policy, uint16_t size, Tr *ret) {
        TPM2B_NV_PUBLIC pub = {
                .nvPublic = {
                        .nvIndex = index,
                        .nameAlg = TPM2_ALG_SHA256,
                        .attributes = attributes,
                        .dataSize = size,
                },
        };
        TPM2B_AUTH empty = {};
        TSS2_RC rc;

        if (auth_policy) {
                pub.nvPublic.authPolicy.size = SHA256_DIGEST_SIZE;
                memcpy(pub.nvPublic.authPolicy.buffer, auth_policy, SHA256_DIGEST_SIZE);
        }
        rc = Esys_NV_DefineSpace(c->esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                                 ESYS_TR_NONE, &empty, &pub, &ret->h);
        if (rc != TSS2_RC_SUCCESS)
                return fail_rc(c, rc, "TPM2_NV_DefineSpace");
        return 0;
}

static int nv_write_owner(Tpm2Context *c, ESYS_TR nv, const uint8_t *data, size_t size) {
        for (size_t off = 0; off < size;) {
                TPM2B_MAX_NV_BUFFER b = { .size = (UINT16) MIN(size - off, (size_t) NV_CHUNK_MAX) };
                TSS2_RC rc;

                memcpy(b.buffer, data + off, b.size);
                rc = Esys_NV_Write(c->esys, ESYS_TR_RH_OWNER, nv, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                                   ESYS_TR_NONE, &b, (UINT16) off);
                if (rc != TSS2_RC_SUCCESS)
                        return fail_rc(c, rc, "TPM2_NV_Write");
                off += b.size;
        }
        return 0;
}

static int nv_write_lock(Tpm2Context *c, ESYS_TR nv) {
        TSS2_RC rc = Esys_NV_WriteLock(c->esys, ESYS_TR_RH_OWNER, nv, ESYS_TR_PASSWORD,
                                       ESYS_TR_NONE, ESYS_TR_NONE);
        return rc == TSS2_RC_SUCCESS ? 0 : fail_rc(c, rc, "TPM2_NV_WriteLock");
}

static int check_name(Tpm2Context *c, ESYS_TR h, const uint8_t expected[TPM_NAME_SIZE],
                      const char *what) {
        TPM2B_NAME *name = NULL;
        TSS2_RC rc;
        bool ok;

        rc = Esys_TR_GetName(c->esys, h, &name);
        if (rc != TSS2_RC_SUCCESS)
                return fail_rc(c, rc, "Esys_TR_GetName");
        ok = name->size == TPM_NAME_SIZE && memcmp(name->name, expected, TPM_NAME_SIZE) == 0;
        Esys_Free(name);
        if (!ok)
                return fail(c, -ENOTRECOVERABLE,
                            "the TPM's name of the %s differs from the one computed for the "
                            "layout (docs/tpm.md)",
                            what);
        return 0;
}

/* ---- PCR 7 ---- */

static const TPML_PCR_SELECTION pcr7_selection = {
        .count = 1,
        .pcrSelections = { { .hash = TPM2_ALG_SHA256,
                             .sizeofSelect = 3,
                             .pcrSelect = { 0x80, 0, 0 } } },
};

int tpm2_pcr7_read(Tpm2Context *c, uint8_t ret[SHA256_DIGEST_SIZE]) {
        TPML_PCR_SELECTION *out = NULL;
        TPML_DIGEST *values = NULL;
        UINT32 counter;
        TSS2_RC rc;
        int r = 0;

        rc = Esys_PCR_Read(c->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &pcr7_selection,
                           &counter, &out, &values);
        if (rc != TSS2_RC_SUCCESS)
                return fail_rc(c, rc, "TPM2_PCR_Read(sha256:7)");
        if (values->count != 1 || values->digests[0].size != SHA256_DIGEST_SIZE)
                r = fail(c, -ENOTRECOVERABLE, "the TPM has no SHA-256 bank for PCR 7");
        else
                memcpy(ret, values->digests[0].buffer, SHA256_DIGEST_SIZE);
        Esys_Free(out);
        Esys_Free(values);
        return r;
}

int tpm2_lock(Tpm2Context *c) {
        TPM2B_EVENT ev = { .size = sizeof(MOS_TPM_LOCK_EVENT) - 1 };
        TPML_DIGEST_VALUES *digests = NULL;
        TSS2_RC rc;

        /* TPM2_PCR_Event (Part 3, 22.3): the TPM hashes the data with every bank's algorithm
         * and extends each bank, so no PCR 7 bank is left unlocked. */
        memcpy(ev.buffer, MOS_TPM_LOCK_EVENT, ev.size);
        rc = Esys_PCR_Event(c->esys, ESYS_TR_PCR7, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
                            &ev, &digests);
        if (rc != TSS2_RC_SUCCESS)
                return fail_rc(c, rc, "TPM2_PCR_Event(7)");
        Esys_Free(digests);
        return 0;
}

/* ---- layout record ---- */

static int layout_parse(Tpm2Context *c, const uint8_t b[LAYOUT_SIZE], Tpm2Layout *ret) {
        Tpm2Layout l = {};

        if (memcmp(b, LAYOUT_MAGIC, 8) != 0)
                return fail(c, -EBADMSG,
                            "NV index 0x%08" PRIx32 " does not hold a MachineOS "
                            "layout record",
                            MOS_TPM_NV_LAYOUT);
        l.version = be32_get(b + 8);
        l.stage = (Tpm2Stage) be32_get(b + 12);
        if (l.version != MOS_TPM_LAYOUT_VERSION)
                return fail(c, -EBADMSG, "unsupported TPM layout version %" PRIu32 ", expected %u",
                            l.version, MOS_TPM_LAYOUT_VERSION);
        if (l.stage != TPM2_STAGE_IDENTITY && l.stage != TPM2_STAGE_COMPLETE)
                return fail(c, -EBADMSG, "invalid provisioning stage %u in the layout record",
                            (unsigned) l.stage);
        memcpy(l.policy_key_name, b + 16, TPM_NAME_SIZE);
        *ret = l;
        return 0;
}

int tpm2_layout_read(Tpm2Context *c, Tpm2Layout *ret) {
        _cleanup_tr_ Tr t = TR(c, TR_CLOSE);
        uint8_t b[LAYOUT_SIZE];
        uint16_t size;
        int r;

        if (!handle_exists(c, MOS_TPM_NV_LAYOUT))
                return fail(c, -ENOKEY,
                            "the TPM is not provisioned: no MachineOS layout record at NV "
                            "index 0x%08" PRIx32,
                            MOS_TPM_NV_LAYOUT);
        r = tr_from_handle(c, MOS_TPM_NV_LAYOUT, "layout record", &t);
        if (r < 0)
                return r;
        r = nv_size(c, t.h, &size, NULL);
        if (r < 0)
                return r;
        if (size != LAYOUT_SIZE)
                return fail(c, -EBADMSG,
                            "layout record at 0x%08" PRIx32 " has %u bytes, "
                            "expected %u",
                            MOS_TPM_NV_LAYOUT, size, LAYOUT_SIZE);
        r = nv_read(c, t.h, size, b);
        if (r < 0)
                return r;
        return layout_parse(c, b, ret);
}

static int layout_write(Tpm2Context *c, Tpm2Stage stage, const uint8_t key_name[TPM_NAME_SIZE],
                        bool lock) {
        _cleanup_tr_ Tr t = TR(c, TR_CLOSE);
        uint8_t b[LAYOUT_SIZE];
        int r;

        memcpy(b, LAYOUT_MAGIC, 8); /* with its NUL */
        be32_put(b + 8, MOS_TPM_LAYOUT_VERSION);
        be32_put(b + 12, stage);
        memcpy(b + 16, key_name, TPM_NAME_SIZE);

        r = nv_undefine_if_present(c, MOS_TPM_NV_LAYOUT);
        if (r < 0)
                return r;
        r = nv_define(c, MOS_TPM_NV_LAYOUT, MOS_TPM_RECORD_ATTRIBUTES, NULL, LAYOUT_SIZE, &t);
        if (r < 0)
                return r;
        r = nv_write_owner(c, t.h, b, sizeof b);
        if (r < 0)
                return r;
        return lock ? nv_write_lock(c, t.h) : 0;
}

/* ---- provisioning ---- */

/* The TCG "Storage Root Key" ECC template (TCG TPM v2.0 Provisioning Guidance, 7.5.1): the
 * same template gives the same key from the same owner seed, so it can be recreated. */
static const TPM2B_PUBLIC srk_template = {
        .publicArea = {
                .type = TPM2_ALG_ECC,
                .nameAlg = TPM2_ALG_SHA256,
                .objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                                    TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
                                    TPMA_OBJECT_NODA | TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT,
                .parameters.eccDetail = {
                        .symmetric = { .algorithm = TPM2_ALG_AES,
                                       .keyBits.aes = 128,
                                       .mode.aes = TPM2_ALG_CFB },
                        .scheme.scheme = TPM2_ALG_NULL,
                        .curveID = TPM2_ECC_NIST_P256,
                        .kdf.scheme = TPM2_ALG_NULL,
                },
                .unique.ecc = { .x.size = 32, .y.size = 32 },
        },
};

/* The device identity key: EC P-256 signing key generated inside the TPM, fixedTPM (never
 * exported, not even duplicable). Its empty authValue lets the device's own software sign. */
static const TPM2B_PUBLIC identity_template = {
        .publicArea = {
                .type = TPM2_ALG_ECC,
                .nameAlg = TPM2_ALG_SHA256,
                .objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                                    TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
                                    TPMA_OBJECT_NODA | TPMA_OBJECT_SIGN_ENCRYPT,
                .parameters.eccDetail = {
                        .symmetric.algorithm = TPM2_ALG_NULL,
                        .scheme = { .scheme = TPM2_ALG_ECDSA,
                                    .details.ecdsa.hashAlg = TPM2_ALG_SHA256 },
                        .curveID = TPM2_ECC_NIST_P256,
                        .kdf.scheme = TPM2_ALG_NULL,
                },
        },
};

static int evict(Tpm2Context *c, ESYS_TR persistent) {
        ESYS_TR out = ESYS_TR_NONE;
        TSS2_RC rc;

        rc = Esys_EvictControl(c->esys, ESYS_TR_RH_OWNER, persistent, ESYS_TR_PASSWORD,
                               ESYS_TR_NONE, ESYS_TR_NONE,
                               persistent == c->srk ? MOS_TPM_HANDLE_SRK : 0, &out);
        return rc == TSS2_RC_SUCCESS ? 0 : fail_rc(c, rc, "TPM2_EvictControl(evict)");
}

static int evict_if_present(Tpm2Context *c, TPM2_HANDLE handle) {
        Tr t = TR(c, TR_CLOSE);
        ESYS_TR out = ESYS_TR_NONE;
        TSS2_RC rc;

        if (!handle_exists(c, handle))
                return 0;
        if (tr_from_handle(c, handle, "persistent object", &t) < 0)
                return -EIO;
        rc = Esys_EvictControl(c->esys, ESYS_TR_RH_OWNER, t.h, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                               ESYS_TR_NONE, handle, &out);
        if (rc != TSS2_RC_SUCCESS) {
                tr_done(&t);
                return fail_rc(c, rc, "TPM2_EvictControl(evict)");
        }
        return 0;
}

static int persist(Tpm2Context *c, ESYS_TR transient, TPM2_HANDLE handle) {
        ESYS_TR out = ESYS_TR_NONE;
        TSS2_RC rc;

        rc = Esys_EvictControl(c->esys, ESYS_TR_RH_OWNER, transient, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                               ESYS_TR_NONE, handle, &out);
        if (rc != TSS2_RC_SUCCESS)
                return fail_rc(c, rc, "TPM2_EvictControl(persist)");
        (void) Esys_TR_Close(c->esys, &out);
        return 0;
}

/* Makes sure our SRK lives at MOS_TPM_HANDLE_SRK. */
static int ensure_srk(Tpm2Context *c) {
        _cleanup_tr_ Tr t = TR(c, TR_TRANSIENT);
        TPM2B_SENSITIVE_CREATE sens = {};
        TPM2B_DATA outside = {};
        TPML_PCR_SELECTION none = {};
        TPM2B_NAME *want = NULL, *have = NULL;
        bool same = false;
        TSS2_RC rc;
        int r;

        rc = Esys_CreatePrimary(c->esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                                ESYS_TR_NONE, &sens, &srk_template, &outside, &none, &t.h, NULL,
                                NULL, NULL, NULL);
        if (rc != TSS2_RC_SUCCESS)
                return fail_rc(c, rc, "TPM2_CreatePrimary(SRK)");

        if (handle_exists(c, MOS_TPM_HANDLE_SRK)) {
                ESYS_TR old;
                r = srk(c, &old);
                if (r < 0)
                        return r;
                if (Esys_TR_GetName(c->esys, t.h, &want) == TSS2_RC_SUCCESS &&
                    Esys_TR_GetName(c->esys, old, &have) == TSS2_RC_SUCCESS)
                        same = want->size == have->size &&
                               memcmp(want->name, have->name, want->size) == 0;
                Esys_Free(want);
                Esys_Free(have);
                if (same)
                        return 0;
                log_debug("tpm2: replacing the key at 0x%08" PRIx32 " by the MachineOS SRK",
                          MOS_TPM_HANDLE_SRK);
                r = evict(c, old);
                if (r < 0)
                        return r;
                c->srk = ESYS_TR_NONE; /* EvictControl closed it */
        }
        return persist(c, t.h, MOS_TPM_HANDLE_SRK);
}

static int public_to_key(Tpm2Context *c, const TPM2B_PUBLIC *pub, CryptoKey **ret) {
        const TPMS_ECC_POINT *p = &pub->publicArea.unique.ecc;

        if (pub->publicArea.type != TPM2_ALG_ECC || p->x.size != 32 || p->y.size != 32)
                return fail(c, -EBADMSG, "the identity key is not an EC P-256 key");
        return crypto_key_from_ec_point(p->x.buffer, p->y.buffer, ret);
}

static int create_identity(Tpm2Context *c, CryptoKey **ret) {
        _cleanup_tr_ Tr loaded = TR(c, TR_TRANSIENT);
        TPM2B_SENSITIVE_CREATE sens = {};
        TPM2B_DATA outside = {};
        TPML_PCR_SELECTION none = {};
        TPM2B_PRIVATE *priv = NULL;
        TPM2B_PUBLIC *pub = NULL;
        ESYS_TR parent;
        TSS2_RC rc;
        int r;

        r = srk(c, &parent);
        if (r < 0)
                return r;
        rc = Esys_Create(c->esys, parent, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &sens,
                         &identity_template, &outside, &none, &priv, &pub, NULL, NULL, NULL);
        if (rc != TSS2_RC_SUCCESS)
                return fail_rc(c, rc, "TPM2_Create(identity key)");
        rc = Esys_Load(c->esys, parent, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, priv, pub,
                       &loaded.h);
        Esys_Free(priv);
        if (rc != TSS2_RC_SUCCESS) {
                Esys_Free(pub);
                return fail_rc(c, rc, "TPM2_Load(identity key)");
        }
        r = persist(c, loaded.h, MOS_TPM_HANDLE_IDENTITY);
        if (r >= 0)
                r = public_to_key(c, pub, ret);
        Esys_Free(pub);
        return r;
}

static int define_counter(Tpm2Context *c, TPM2_HANDLE index,
                          const uint8_t key_name[TPM_NAME_SIZE]) {
        _cleanup_tr_ Tr t = TR(c, TR_CLOSE);
        uint8_t auth_policy[SHA256_DIGEST_SIZE], name[TPM_NAME_SIZE];
        TSS2_RC rc;
        int r;

        tpm_policy_authorize_digest(key_name, auth_policy);
        r = nv_define(c, index, MOS_TPM_COUNTER_ATTRIBUTES, auth_policy, 8, &t);
        if (r < 0)
                return r;
        /* A counter is unreadable (and PolicyNV fails) until its first increment. */
        rc = Esys_NV_Increment(c->esys, ESYS_TR_RH_OWNER, t.h, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                               ESYS_TR_NONE);
        if (rc != TSS2_RC_SUCCESS)
                return fail_rc(c, rc, "TPM2_NV_Increment");
        tpm_counter_name(index, key_name, name);
        return check_name(c, t.h, name, "counter");
}

int tpm2_provision_identity(Tpm2Context *c, const CryptoKey *policy_key, bool force,
                            CryptoKey **ret_identity) {
        static const TPM2_HANDLE nv[] = { MOS_TPM_NV_LAYOUT, MOS_TPM_NV_CERTIFICATE,
                                          MOS_TPM_NV_POLICY_REVISION, MOS_TPM_NV_MIN_RELEASE };
        _cleanup_(crypto_key_freep) CryptoKey *identity = NULL;
        uint8_t key_name[TPM_NAME_SIZE];
        Tpm2Layout l;
        int r;

        r = tpm_policy_key_name(policy_key, key_name);
        if (r < 0)
                return fail(c, r, "the tpm-policy key is not an EC P-256 public key");
        r = flush_leftovers(c);
        if (r < 0)
                return r;
        r = require_owner(c);
        if (r < 0)
                return r;
        r = tpm2_layout_read(c, &l);
        if (r >= 0 && !force)
                return fail(c, -EEXIST,
                            "the TPM is already provisioned (stage %s); provisioning again "
                            "replaces its identity key and secrets and needs force",
                            l.stage == TPM2_STAGE_COMPLETE ? "complete" : "identity");
        if (r < 0 && r != -ENOKEY && !force)
                return r;

        /* Whatever an earlier (possibly interrupted) run left goes away. Counters defined
         * again start at the highest value any counter of this TPM ever had (Part 1, 37.2.2),
         * so this never moves them back. */
        for (size_t i = 0; i < ELEMENTSOF(nv); i++) {
                r = nv_undefine_if_present(c, nv[i]);
                if (r < 0)
                        return r;
        }
        r = evict_if_present(c, MOS_TPM_HANDLE_IDENTITY);
        if (r < 0)
                return r;

        r = ensure_srk(c);
        if (r < 0)
                return r;
        r = create_identity(c, &identity);
        if (r < 0)
                return r;
        r = define_counter(c, MOS_TPM_NV_POLICY_REVISION, key_name);
        if (r < 0)
                return r;
        r = define_counter(c, MOS_TPM_NV_MIN_RELEASE, key_name);
        if (r < 0)
                return r;
        r = layout_write(c, TPM2_STAGE_IDENTITY, key_name, false);
        if (r < 0)
                return r;
        *ret_identity = TAKE_PTR(identity);
        return 0;
}

int tpm2_identity_public(Tpm2Context *c, CryptoKey **ret) {
        _cleanup_tr_ Tr t = TR(c, TR_CLOSE);
        TPM2B_PUBLIC *pub = NULL;
        TSS2_RC rc;
        int r;

        r = tr_from_handle(c, MOS_TPM_HANDLE_IDENTITY, "identity key", &t);
        if (r < 0)
                return r;
        rc = Esys_ReadPublic(c->esys, t.h, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &pub, NULL,
                             NULL);
        if (rc != TSS2_RC_SUCCESS)
                return fail_rc(c, rc, "TPM2_ReadPublic(identity key)");
        r = public_to_key(c, pub, ret);
        Esys_Free(pub);
        return r;
}

static int layout_for_step(Tpm2Context *c, const CryptoKey *policy_key, bool force,
                           Tpm2Layout *ret) {
        uint8_t key_name[TPM_NAME_SIZE];
        int r;

        r = tpm_policy_key_name(policy_key, key_name);
        if (r < 0)
                return fail(c, r, "the tpm-policy key is not an EC P-256 public key");
        r = tpm2_layout_read(c, ret);
        if (r == -ENOKEY)
                return fail(c, r,
                            "the TPM has no identity key yet: run the first provisioning "
                            "step (without a certificate) first");
        if (r < 0)
                return r;
        if (ret->stage == TPM2_STAGE_COMPLETE && !force)
                return fail(c, -EEXIST,
                            "the TPM is already provisioned (stage complete); "
                            "replacing its certificate and secrets needs force");
        if (memcmp(ret->policy_key_name, key_name, TPM_NAME_SIZE) != 0)
                return fail(c, -EKEYREJECTED,
                            "the TPM was provisioned for another tpm-policy key; run the first "
                            "provisioning step again with this key");
        return 0;
}

int tpm2_provision_store_certificate(Tpm2Context *c, const CryptoKey *policy_key, const void *cert,
                                     size_t cert_size, bool force) {
        _cleanup_(crypto_key_freep) CryptoKey *identity = NULL;
        _cleanup_(crypto_cert_freep) CryptoCert *x = NULL;
        _cleanup_free_ uint8_t *der = NULL;
        _cleanup_tr_ Tr t = TR(c, TR_CLOSE);
        size_t der_size;
        Tpm2Layout l;
        int r;

        r = flush_leftovers(c);
        if (r < 0)
                return r;
        r = require_owner(c);
        if (r < 0)
                return r;
        r = layout_for_step(c, policy_key, force, &l);
        if (r < 0)
                return r;
        r = crypto_cert_from_data(cert, cert_size, &x);
        if (r >= 0)
                r = crypto_cert_to_der(x, &der, &der_size);
        if (r < 0)
                return fail(c, r == -EFBIG ? r : -EBADMSG, "not an X.509 certificate");
        if (der_size > TPM2_CERTIFICATE_MAX)
                return fail(c, -EFBIG,
                            "the certificate has %zu bytes, more than the %u an NV "
                            "index holds",
                            der_size, TPM2_CERTIFICATE_MAX);
        r = tpm2_identity_public(c, &identity);
        if (r < 0)
                return r;
        if (crypto_cert_matches_key(x, identity) < 0)
                return fail(c, -EKEYREJECTED,
                            "the certificate is for another key than the TPM's "
                            "identity key");

        r = nv_undefine_if_present(c, MOS_TPM_NV_CERTIFICATE);
        if (r < 0)
                return r;
        r = nv_define(c, MOS_TPM_NV_CERTIFICATE, MOS_TPM_RECORD_ATTRIBUTES, NULL,
                      (uint16_t) der_size, &t);
        if (r < 0)
                return r;
        r = nv_write_owner(c, t.h, der, der_size); /* chunks of at most 1024 bytes */
        if (r < 0)
                return r;
        return nv_write_lock(c, t.h);
}

int tpm2_certificate_read(Tpm2Context *c, uint8_t **ret, size_t *ret_size) {
        _cleanup_tr_ Tr t = TR(c, TR_CLOSE);
        _cleanup_free_ uint8_t *b = NULL;
        uint16_t size;
        int r;

        if (!handle_exists(c, MOS_TPM_NV_CERTIFICATE))
                return fail(c, -ENOKEY, "no identity certificate stored at NV index 0x%08" PRIx32,
                            MOS_TPM_NV_CERTIFICATE);
        r = tr_from_handle(c, MOS_TPM_NV_CERTIFICATE, "identity certificate", &t);
        if (r < 0)
                return r;
        r = nv_size(c, t.h, &size, NULL);
        if (r < 0)
                return r;
        b = malloc(size ?: 1);
        if (!b)
                return -ENOMEM;
        r = nv_read(c, t.h, size, b);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(b);
        *ret_size = size;
        return 0;
}

/* ---- sealing ---- */

static int blob_marshal(Tpm2Context *c, const TPM2B_PUBLIC *pub, const TPM2B_PRIVATE *priv,
                        uint8_t **ret, size_t *ret_size) {
        uint8_t *b;
        size_t off = 12;
        TSS2_RC rc;

        b = malloc(TPM2_SEALED_MAX);
        if (!b)
                return -ENOMEM;
        memcpy(b, SEALED_MAGIC, 8);
        be32_put(b + 8, SEALED_VERSION);
        rc = Tss2_MU_TPM2B_PUBLIC_Marshal(pub, b, TPM2_SEALED_MAX, &off);
        if (rc == TSS2_RC_SUCCESS)
                rc = Tss2_MU_TPM2B_PRIVATE_Marshal(priv, b, TPM2_SEALED_MAX, &off);
        if (rc != TSS2_RC_SUCCESS) {
                free(b);
                return fail_rc(c, rc, "marshalling the sealed object");
        }
        *ret = b;
        *ret_size = off;
        return 0;
}

static int blob_unmarshal(const void *blob, size_t size, TPM2B_PUBLIC *ret_pub,
                          TPM2B_PRIVATE *ret_priv) {
        const uint8_t *b = blob;
        size_t off = 12;

        if (size > TPM2_SEALED_MAX)
                return -EFBIG;
        if (size < 12 || memcmp(b, SEALED_MAGIC, 8) != 0 || be32_get(b + 8) != SEALED_VERSION)
                return -EBADMSG;
        *ret_pub = (TPM2B_PUBLIC){};
        *ret_priv = (TPM2B_PRIVATE){};
        if (Tss2_MU_TPM2B_PUBLIC_Unmarshal(b, size, &off, ret_pub) != TSS2_RC_SUCCESS ||
            Tss2_MU_TPM2B_PRIVATE_Unmarshal(b, size, &off, ret_priv) != TSS2_RC_SUCCESS ||
            off != size)
                return -EBADMSG;
        /* Only what provisioning makes: a policy-only sealed data object. */
        if (ret_pub->publicArea.type != TPM2_ALG_KEYEDHASH ||
            ret_pub->publicArea.nameAlg != TPM2_ALG_SHA256 ||
            ret_pub->publicArea.objectAttributes != MOS_TPM_SEALED_ATTRIBUTES ||
            ret_pub->publicArea.authPolicy.size != SHA256_DIGEST_SIZE ||
            ret_pub->publicArea.parameters.keyedHashDetail.scheme.scheme != TPM2_ALG_NULL)
                return -EBADMSG;
        return 0;
}

int tpm2_sealed_blob_check(const void *blob, size_t size) {
        TPM2B_PUBLIC pub;
        TPM2B_PRIVATE priv;

        return blob_unmarshal(blob, size, &pub, &priv);
}

int tpm2_seal_new_secret(Tpm2Context *c, const CryptoKey *policy_key, size_t size,
                         uint8_t **ret_blob, size_t *ret_blob_size) {
        _cleanup_tr_ Tr session = TR(c, TR_TRANSIENT);
        uint8_t key_name[TPM_NAME_SIZE];
        TPM2B_SENSITIVE_CREATE sens = {};
        TPM2B_PUBLIC template = {
                .publicArea = {
                        .type = TPM2_ALG_KEYEDHASH,
                        .nameAlg = TPM2_ALG_SHA256,
                        .objectAttributes = MOS_TPM_SEALED_ATTRIBUTES,
                        .authPolicy.size = SHA256_DIGEST_SIZE,
                        .parameters.keyedHashDetail.scheme.scheme = TPM2_ALG_NULL,
                },
        };
        TPM2B_DATA outside = {};
        TPML_PCR_SELECTION none = {};
        TPM2B_PRIVATE *priv = NULL;
        TPM2B_PUBLIC *pub = NULL;
        ESYS_TR parent;
        TSS2_RC rc;
        int r;

        if (size == 0 || size > sizeof sens.sensitive.data.buffer)
                return fail(c, -EINVAL, "a sealed secret has 1 to %zu bytes",
                            sizeof sens.sensitive.data.buffer);
        r = tpm_policy_key_name(policy_key, key_name);
        if (r < 0)
                return fail(c, r, "the tpm-policy key is not an EC P-256 public key");
        tpm_policy_authorize_digest(key_name, template.publicArea.authPolicy.buffer);

        r = flush_leftovers(c);
        if (r < 0)
                return r;
        r = srk(c, &parent);
        if (r < 0)
                return r;
        r = start_session(c, TPM2_SE_HMAC, true, &session);
        if (r < 0)
                return r;

        /* TPM2_GetRandom with response encryption: the secret never crosses the bus in the
         * clear. */
        r = session_attributes(c, session.h, TPMA_SESSION_ENCRYPT | TPMA_SESSION_CONTINUESESSION);
        if (r < 0)
                return r;
        while (sens.sensitive.data.size < size) {
                TPM2B_DIGEST *random = NULL;
                size_t n;

                rc = Esys_GetRandom(c->esys, session.h, ESYS_TR_NONE, ESYS_TR_NONE,
                                    (UINT16) (size - sens.sensitive.data.size), &random);
                if (rc != TSS2_RC_SUCCESS) {
                        explicit_bzero(&sens, sizeof sens);
                        return fail_rc(c, rc, "TPM2_GetRandom");
                }
                n = MIN((size_t) random->size, size - sens.sensitive.data.size);
                memcpy(sens.sensitive.data.buffer + sens.sensitive.data.size, random->buffer, n);
                sens.sensitive.data.size += (UINT16) n;
                explicit_bzero(random, sizeof *random);
                Esys_Free(random);
        }

        /* TPM2_Create with command encryption of inSensitive. */
        r = session_attributes(c, session.h, TPMA_SESSION_DECRYPT | TPMA_SESSION_CONTINUESESSION);
        if (r >= 0) {
                rc = Esys_Create(c->esys, parent, session.h, ESYS_TR_NONE, ESYS_TR_NONE, &sens,
                                 &template, &outside, &none, &priv, &pub, NULL, NULL, NULL);
                if (rc != TSS2_RC_SUCCESS)
                        r = fail_rc(c, rc, "TPM2_Create(sealed secret)");
        }
        explicit_bzero(&sens, sizeof sens);
        if (r < 0)
                return r;
        r = blob_marshal(c, pub, priv, ret_blob, ret_blob_size);
        Esys_Free(pub);
        Esys_Free(priv);
        return r;
}

int tpm2_provision_finish(Tpm2Context *c, const void *new_owner_auth, size_t new_owner_auth_size) {
        _cleanup_tr_ Tr session = TR(c, TR_TRANSIENT);
        TPM2B_AUTH a = {};
        uint32_t permanent;
        Tpm2Layout l;
        TSS2_RC rc;
        int r;

        r = require_owner(c);
        if (r < 0)
                return r;
        r = tpm2_layout_read(c, &l);
        if (r < 0)
                return r;
        if (!handle_exists(c, MOS_TPM_NV_CERTIFICATE))
                return fail(c, -ENOKEY, "no identity certificate stored yet");
        if (l.stage != TPM2_STAGE_COMPLETE) {
                r = layout_write(c, TPM2_STAGE_COMPLETE, l.policy_key_name, true);
                if (r < 0)
                        return r;
        }

        r = get_property(c, TPM2_PT_PERMANENT, &permanent);
        if (r < 0)
                return r;
        if (!new_owner_auth && (permanent & TPMA_PERMANENT_OWNERAUTHSET))
                return 0; /* ownership was taken (with a value nobody keeps) */

        if (new_owner_auth) {
                if (new_owner_auth_size == 0 || new_owner_auth_size > TPM2_OWNER_AUTH_MAX)
                        return fail(c, -EINVAL, "the owner authorization has 1 to %u bytes",
                                    TPM2_OWNER_AUTH_MAX);
                memcpy(a.buffer, new_owner_auth, new_owner_auth_size);
                a.size = (UINT16) new_owner_auth_size;
        } else {
                TPM2B_DIGEST *random = NULL;
                rc = Esys_GetRandom(c->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                                    TPM2_OWNER_AUTH_MAX, &random);
                if (rc != TSS2_RC_SUCCESS)
                        return fail_rc(c, rc, "TPM2_GetRandom");
                a.size = random->size;
                memcpy(a.buffer, random->buffer, random->size);
                explicit_bzero(random, sizeof *random);
                Esys_Free(random);
        }

        /* TPM2_HierarchyChangeAuth (Part 3, 24.8) with the new value encrypted in a salted
         * session, so it never crosses the bus in the clear. */
        r = start_session(c, TPM2_SE_HMAC, true, &session);
        if (r >= 0)
                r = session_attributes(c, session.h,
                                       TPMA_SESSION_DECRYPT | TPMA_SESSION_CONTINUESESSION);
        if (r >= 0) {
                rc = Esys_HierarchyChangeAuth(c->esys, ESYS_TR_RH_OWNER, session.h, ESYS_TR_NONE,
                                              ESYS_TR_NONE, &a);
                if (rc != TSS2_RC_SUCCESS)
                        r = fail_rc(c, rc, "TPM2_HierarchyChangeAuth(owner)");
        }
        if (r >= 0 && !(permanent & TPMA_PERMANENT_LOCKOUTAUTHSET)) {
                rc = Esys_HierarchyChangeAuth(c->esys, ESYS_TR_RH_LOCKOUT, session.h, ESYS_TR_NONE,
                                              ESYS_TR_NONE, &a);
                if (rc != TSS2_RC_SUCCESS)
                        r = fail_rc(c, rc, "TPM2_HierarchyChangeAuth(lockout)");
        }
        if (r >= 0 && new_owner_auth)
                r = tpm2_context_set_owner_auth(c, a.buffer, a.size);
        explicit_bzero(&a, sizeof a);
        return r;
}

/* ---- policy sessions ---- */

static int counter_index(Tpm2Counter which) {
        return which == TPM2_COUNTER_POLICY_REVISION ? (int) MOS_TPM_NV_POLICY_REVISION
                                                     : (int) MOS_TPM_NV_MIN_RELEASE;
}

const char *tpm2_counter_name(Tpm2Counter which) {
        return which == TPM2_COUNTER_POLICY_REVISION ? "policy revision" : "minimum release";
}

static int counter_read_tr(Tpm2Context *c, ESYS_TR nv, uint64_t *ret) {
        uint8_t b[8];
        int r;

        r = nv_read(c, nv, sizeof b, b);
        if (r < 0)
                return r;
        *ret = be64_get(b);
        return 0;
}

int tpm2_counter_read(Tpm2Context *c, Tpm2Counter which, uint64_t *ret) {
        _cleanup_tr_ Tr t = TR(c, TR_CLOSE);
        int r;

        r = tr_from_handle(c, (TPM2_HANDLE) counter_index(which), "counter", &t);
        if (r < 0)
                return r;
        return counter_read_tr(c, t.h, ret);
}

/* TPM2_VerifySignature with the policy's key loaded in the OWNER hierarchy (a NULL-hierarchy
 * key gives a NULL ticket that TPM2_PolicyAuthorize rejects). */
static int verify_policy(Tpm2Context *c, const TpmSignedPolicy *p, TPMT_TK_VERIFIED **ret) {
        _cleanup_tr_ Tr key = TR(c, TR_TRANSIENT);
        uint8_t m[256], ahash[SHA256_DIGEST_SIZE];
        TPM2B_PUBLIC pub = {};
        TPM2B_DIGEST digest = { .size = SHA256_DIGEST_SIZE };
        TPMT_SIGNATURE sig = { .sigAlg = TPM2_ALG_ECDSA,
                               .signature.ecdsa = { .hash = TPM2_ALG_SHA256,
                                                    .signatureR.size = 32,
                                                    .signatureS.size = 32 } };
        size_t n, off = 0;
        TSS2_RC rc;
        int r;

        tpm_policy_point_public(p->key_x, p->key_y, m, &n);
        rc = Tss2_MU_TPMT_PUBLIC_Unmarshal(m, n, &off, &pub.publicArea);
        if (rc != TSS2_RC_SUCCESS)
                return fail_rc(c, rc, "unmarshalling the policy key");
        rc = Esys_LoadExternal(c->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, NULL, &pub,
                               ESYS_TR_RH_OWNER, &key.h);
        if (rc != TSS2_RC_SUCCESS)
                return fail_rc(c, rc, "TPM2_LoadExternal(policy key)");
        r = check_name(c, key.h, p->key_name, "policy key");
        if (r < 0)
                return r;

        tpm_policy_ahash(p->approved, ahash);
        memcpy(digest.buffer, ahash, sizeof ahash);
        memcpy(sig.signature.ecdsa.signatureR.buffer, p->sig_r, 32);
        memcpy(sig.signature.ecdsa.signatureS.buffer, p->sig_s, 32);
        rc = Esys_VerifySignature(c->esys, key.h, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &digest,
                                  &sig, ret);
        if (rc != TSS2_RC_SUCCESS)
                return fail_rc(c, rc, "TPM2_VerifySignature(policy)");
        return 0;
}

/* PolicyPCR, PolicyNV, PolicyAuthorize: afterwards the session's digest is PolicyAuthorize(key)
 * if and only if PCR 7 and the revision counter satisfy the signed policy. */
static int policy_run(Tpm2Context *c, ESYS_TR session, ESYS_TR revision_nv,
                      const TpmSignedPolicy *p, const TPMT_TK_VERIFIED *ticket) {
        TPM2B_DIGEST pcr_digest = { .size = SHA256_DIGEST_SIZE },
                     approved = { .size = SHA256_DIGEST_SIZE };
        TPM2B_OPERAND operand = { .size = 8 };
        TPM2B_NONCE ref = {};
        TPM2B_NAME key_name = { .size = TPM_NAME_SIZE };
        TSS2_RC rc;
        int r;

        r = crypto_sha256(p->pcr7, SHA256_DIGEST_SIZE, pcr_digest.buffer);
        if (r < 0)
                return r;
        rc = Esys_PolicyPCR(c->esys, session, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &pcr_digest,
                            &pcr7_selection);
        if (rc != TSS2_RC_SUCCESS)
                return fail_rc(c, rc, "TPM2_PolicyPCR");

        for (int i = 0; i < 8; i++)
                operand.buffer[i] = (uint8_t) (p->revision >> (56 - 8 * i));
        rc = Esys_PolicyNV(c->esys, revision_nv, revision_nv, session, ESYS_TR_PASSWORD,
                           ESYS_TR_NONE, ESYS_TR_NONE, &operand, 0, TPM2_EO_UNSIGNED_LE);
        if (rc != TSS2_RC_SUCCESS)
                return fail_rc(c, rc, "TPM2_PolicyNV(policy revision)");

        memcpy(approved.buffer, p->approved, SHA256_DIGEST_SIZE);
        memcpy(key_name.name, p->key_name, TPM_NAME_SIZE);
        rc = Esys_PolicyAuthorize(c->esys, session, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                                  &approved, &ref, &key_name, ticket);
        if (rc != TSS2_RC_SUCCESS)
                return fail_rc(c, rc, "TPM2_PolicyAuthorize");
        return 0;
}

static int choose(Tpm2Context *c, const TpmPolicySet *policies, const uint8_t pcr7[32],
                  const uint8_t auth_policy[32], uint64_t revision, const char *what,
                  const TpmSignedPolicy **ret) {
        _cleanup_free_ char *hex = hexmem(pcr7, SHA256_DIGEST_SIZE);
        const TpmSignedPolicy *p;

        switch (tpm_policy_set_choose(policies, pcr7, auth_policy, revision, &p)) {
        case TPM_POLICY_MATCH:
                *ret = p;
                return 0;
        case TPM_POLICY_REVOKED:
                return fail(c, -ESTALE,
                            "policy '%s' has revision %" PRIu64 ", below the TPM's policy "
                            "revision counter %" PRIu64 " (revoked)",
                            strempty(p->path), p->revision, revision);
        case TPM_POLICY_WRONG_KEY:
                return fail(c, -EKEYREJECTED,
                            "policy '%s' is for this PCR 7 but signed by a key other than the "
                            "tpm-policy key the %s is bound to",
                            strempty(p->path), what);
        case TPM_POLICY_NO_PCR:
        default:
                return fail(c, -EPERM,
                            "PCR 7 is %s: none of the %zu signed policies is for this "
                            "boot state",
                            strempty(hex), policies->n);
        }
}

/* ---- unlocking ---- */

static int unseal_once(Tpm2Context *c, const TPM2B_PUBLIC *pub, const TPM2B_PRIVATE *priv,
                       const TpmPolicySet *policies, SecretBuffer *ret_secret,
                       const TpmSignedPolicy **ret_used) {
        _cleanup_tr_ Tr nv = TR(c, TR_CLOSE), object = TR(c, TR_TRANSIENT),
                        session = TR(c, TR_TRANSIENT);
        uint8_t pcr7[SHA256_DIGEST_SIZE];
        const TpmSignedPolicy *p;
        TPMT_TK_VERIFIED *ticket = NULL;
        TPM2B_SENSITIVE_DATA *out = NULL;
        uint64_t revision;
        ESYS_TR parent;
        TSS2_RC rc;
        int r;

        r = srk(c, &parent);
        if (r < 0)
                return r;
        r = tpm2_pcr7_read(c, pcr7);
        if (r < 0)
                return r;
        r = tr_from_handle(c, MOS_TPM_NV_POLICY_REVISION, "policy revision counter", &nv);
        if (r < 0)
                return r;
        /* The counter is read only when PolicyNV fails, to say why: the highest revision
         * signed for this PCR 7 is the one that has a chance. */
        r = choose(c, policies, pcr7, pub->publicArea.authPolicy.buffer, 0, "sealed secret", &p);
        if (r < 0)
                return r;

        rc = Esys_Load(c->esys, parent, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, priv, pub,
                       &object.h);
        if (rc != TSS2_RC_SUCCESS) {
                r = tpm2_rc_to_errno(rc);
                if (r == -EKEYREJECTED || r == -EIO)
                        return fail(c, -EKEYREJECTED,
                                    "the sealed secret was not made by this TPM (%s)",
                                    Tss2_RC_Decode(rc));
                return fail_rc(c, rc, "TPM2_Load(sealed secret)");
        }

        r = verify_policy(c, p, &ticket);
        if (r >= 0)
                r = start_session(c, TPM2_SE_POLICY, true, &session);
        if (r >= 0)
                r = policy_run(c, session.h, nv.h, p, ticket);
        Esys_Free(ticket);
        if (r == -EPERM && counter_read_tr(c, nv.h, &revision) >= 0 && p->revision < revision)
                return fail(c, -ESTALE,
                            "policy '%s' has revision %" PRIu64 ", below the TPM's policy "
                            "revision counter %" PRIu64 " (revoked)",
                            strempty(p->path), p->revision, revision);
        if (r < 0)
                return r;

        /* Response encryption for the unsealed data; continueSession clear, so the TPM
         * flushes the session when the command succeeds. */
        r = session_attributes(c, session.h, TPMA_SESSION_ENCRYPT);
        if (r < 0)
                return r;
        rc = Esys_Unseal(c->esys, object.h, session.h, ESYS_TR_NONE, ESYS_TR_NONE, &out);
        if (rc != TSS2_RC_SUCCESS)
                return fail_rc(c, rc, "TPM2_Unseal");
        session.kind = TR_CLOSE; /* gone from the TPM */

        ret_secret->data = malloc(out->size ?: 1);
        if (!ret_secret->data) {
                explicit_bzero(out, sizeof *out);
                Esys_Free(out);
                return -ENOMEM;
        }
        memcpy(ret_secret->data, out->buffer, out->size);
        ret_secret->size = out->size;
        explicit_bzero(out, sizeof *out);
        Esys_Free(out);
        if (ret_used)
                *ret_used = p;
        return 0;
}

int tpm2_unseal(Tpm2Context *c, const void *blob, size_t blob_size, const TpmPolicySet *policies,
                SecretBuffer *ret_secret, const TpmSignedPolicy **ret_used) {
        TPM2B_PUBLIC pub;
        TPM2B_PRIVATE priv;
        int r;

        r = blob_unmarshal(blob, blob_size, &pub, &priv);
        if (r < 0)
                return fail(c, r, "not a MachineOS sealed secret (docs/tpm.md)");
        r = unseal_once(c, &pub, &priv, policies, ret_secret, ret_used);
        if (r == -ENOSPC && !c->flushed) {
                /* Another process left objects or sessions loaded in a TPM without resource
                 * manager: flush them and try once more. */
                r = flush_leftovers(c);
                if (r >= 0)
                        r = unseal_once(c, &pub, &priv, policies, ret_secret, ret_used);
        }
        return r;
}

/* ---- counters ---- */

int tpm2_counter_advance(Tpm2Context *c, Tpm2Counter which, uint64_t target,
                         const TpmPolicySet *policies) {
        _cleanup_tr_ Tr nv = TR(c, TR_CLOSE), revision_nv = TR(c, TR_CLOSE),
                        session = TR(c, TR_TRANSIENT);
        const TpmSignedPolicy *p = NULL;
        TPMT_TK_VERIFIED *ticket = NULL;
        TPM2B_DIGEST auth_policy;
        uint64_t current, revision;
        uint16_t size;
        ESYS_TR rev_tr;
        TSS2_RC rc;
        int r;

        r = flush_leftovers(c);
        if (r < 0)
                return r;
        r = tr_from_handle(c, (TPM2_HANDLE) counter_index(which), "counter", &nv);
        if (r < 0)
                return r;
        r = counter_read_tr(c, nv.h, &current);
        if (r < 0)
                return r;
        if (target < current)
                return fail(c, -ESTALE,
                            "the %s counter is %" PRIu64 "; it never moves back to %" PRIu64,
                            tpm2_counter_name(which), current, target);
        if (target == current)
                return 0;
        if (target - current > TPM2_COUNTER_STEP_MAX)
                return fail(c, -E2BIG,
                            "moving the %s counter from %" PRIu64 " to %" PRIu64 " takes more "
                            "than %u increments",
                            tpm2_counter_name(which), current, target, TPM2_COUNTER_STEP_MAX);

        if (!policies) {
                r = require_owner(c);
                if (r < 0)
                        return r;
                for (uint64_t v = current; v < target; v++) {
                        rc = Esys_NV_Increment(c->esys, ESYS_TR_RH_OWNER, nv.h, ESYS_TR_PASSWORD,
                                               ESYS_TR_NONE, ESYS_TR_NONE);
                        if (rc != TSS2_RC_SUCCESS)
                                return fail_rc(c, rc, "TPM2_NV_Increment");
                }
                return 0;
        }

        /* The vendor's path: a policy session that satisfies the signed policy for the current
         * PCR 7 value. */
        if (which == TPM2_COUNTER_POLICY_REVISION) {
                rev_tr = nv.h;
                revision = current;
        } else {
                r = tr_from_handle(c, MOS_TPM_NV_POLICY_REVISION, "policy revision counter",
                                   &revision_nv);
                if (r < 0)
                        return r;
                rev_tr = revision_nv.h;
                r = counter_read_tr(c, rev_tr, &revision);
                if (r < 0)
                        return r;
        }
        r = nv_size(c, nv.h, &size, &auth_policy);
        if (r < 0)
                return r;
        if (auth_policy.size != SHA256_DIGEST_SIZE)
                return fail(c, -ENOTRECOVERABLE, "the %s counter has no PolicyAuthorize policy",
                            tpm2_counter_name(which));
        {
                uint8_t pcr7[SHA256_DIGEST_SIZE];
                r = tpm2_pcr7_read(c, pcr7);
                if (r < 0)
                        return r;
                r = choose(c, policies, pcr7, auth_policy.buffer, revision, "counter", &p);
                if (r < 0)
                        return r;
        }
        if (which == TPM2_COUNTER_POLICY_REVISION && target > p->revision)
                return fail(c, -ESTALE,
                            "policy '%s' has revision %" PRIu64 "; it cannot move the policy "
                            "revision counter past itself to %" PRIu64,
                            strempty(p->path), p->revision, target);

        r = verify_policy(c, p, &ticket);
        if (r >= 0)
                r = start_session(c, TPM2_SE_POLICY, false, &session);
        if (r >= 0)
                r = session_attributes(c, session.h, TPMA_SESSION_CONTINUESESSION);
        for (uint64_t v = current; r >= 0 && v < target; v++) {
                if (v > current) {
                        rc = Esys_PolicyRestart(c->esys, session.h, ESYS_TR_NONE, ESYS_TR_NONE,
                                                ESYS_TR_NONE);
                        if (rc != TSS2_RC_SUCCESS) {
                                r = fail_rc(c, rc, "TPM2_PolicyRestart");
                                break;
                        }
                }
                r = policy_run(c, session.h, rev_tr, p, ticket);
                if (r < 0)
                        break;
                rc = Esys_NV_Increment(c->esys, nv.h, nv.h, session.h, ESYS_TR_NONE, ESYS_TR_NONE);
                if (rc != TSS2_RC_SUCCESS)
                        r = fail_rc(c, rc, "TPM2_NV_Increment");
        }
        Esys_Free(ticket);
        return r;
}
