/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The vendor's keyset directory (docs/keyset.md, format 1): creating it, reading it, adding
 * products and issuing device identity certificates. File names and formats are a contract with
 * the other vendor-side verbs; the constants below are the only place they are spelled. */

#include <stdbool.h>
#include <stdint.h>

#include "crypto.h"
#include "macro.h"
#include "uuid-util.h"

#define KEYSET_FORMAT 1
#define KEYSET_JSON "keyset.json"
#define KEYSET_PRODUCTS_DIR "products"
#define KEYSET_PRODUCT_JSON "product.json"
#define KEYSET_PRODUCT_KEY "manifest.key"
#define KEYSET_PRODUCT_CRT "manifest.crt"
#define KEYSET_PRODUCT_DEVICES_DIR "devices"
#define KEYSET_TPM_POLICY_KEY "tpm-policy.key"
#define KEYSET_TPM_POLICY_PUB "tpm-policy.pub"

/* Files written by `mos device add` into OUTDIR. */
#define DEVICE_CRT "device.crt" /* PEM */
#define DEVICE_DER "device.der" /* the same certificate in DER, as stored in TPM NV */
#define DEVICE_KEY "device.key" /* only when the key was generated (tests) */

#define KEYSET_ORG_MAX 40
#define KEYSET_PRODUCT_NAME_MAX 32
#define KEYSET_DEFAULT_ORG "MachineOS"

/* The certificates of a keyset, in the order `mos keyset show` lists them. */
typedef enum KeysetCert {
        KEYSET_UEFI_PK,
        KEYSET_UEFI_KEK,
        KEYSET_UEFI_DB,
        KEYSET_UEFI_DB_PROVISION,
        KEYSET_MANIFEST_CA,
        KEYSET_SUDI_CA,
        _KEYSET_CERT_MAX,
} KeysetCert;

const char *keyset_cert_name(KeysetCert c); /* "uefi-pk", ... (file stem) */
CertProfile keyset_cert_profile(KeysetCert c);
/* The certificate that issued it (itself for self-signed ones). */
KeysetCert keyset_cert_issuer(KeysetCert c);

typedef struct Keyset {
        char *dir;
        char *org;
        uint8_t owner_guid[UUID_SIZE];
        char *created; /* RFC 3339 */
} Keyset;

Keyset *keyset_free(Keyset *k);
DEFINE_TRIVIAL_CLEANUP_FUNC(Keyset *, keyset_free);

/* True for an organisation name we put into certificate subjects: 1..KEYSET_ORG_MAX printable
 * ASCII characters, no leading or trailing space. */
bool keyset_org_is_valid(const char *org);
/* True for a product name: 1..32 of [a-z0-9-], starting with a letter or digit. */
bool keyset_product_name_is_valid(const char *name);

/* Creates a complete keyset at dir: built in a temporary directory beside it and renamed into
 * place, so dir either does not change or holds the whole keyset. -ENOTEMPTY when dir exists
 * and is not empty, -ENOTDIR when it is not a directory. */
int keyset_create(const char *dir, const char *org);

/* Opens an existing keyset: reads and checks keyset.json (strict: unknown fields, another
 * format or a malformed owner GUID are -EBADMSG). */
int keyset_open(const char *dir, Keyset **ret);

/* Path of a file of the keyset ("uefi-pk.crt"...): newly allocated, NULL on OOM. */
char *keyset_path(const Keyset *k, const char *name);
int keyset_load_cert(const Keyset *k, KeysetCert c, CryptoCert **ret);
int keyset_load_key(const Keyset *k, KeysetCert c, CryptoKey **ret);

/* ---- products ---- */

typedef struct KeysetProduct {
        char *name;
        uint8_t uuid[UUID_SIZE];
        CryptoCert *cert; /* manifest-signing certificate */
} KeysetProduct;

KeysetProduct *keyset_product_free(KeysetProduct *p);
DEFINE_TRIVIAL_CLEANUP_FUNC(KeysetProduct *, keyset_product_free);

/* Adds a product: a UUID (uuid, or a random one when NULL) and a manifest-signing certificate
 * issued by manifest-ca carrying it. Atomic: products/<NAME>/ appears complete or not at all.
 * -EEXIST when the name exists, -EADDRINUSE when another product has the UUID, -EINVAL for a bad
 * name. */
int keyset_product_add(const Keyset *k, const char *name, const uint8_t *uuid, KeysetProduct **ret);

/* Loads a product and checks it: product.json strict, the certificate carries the same UUID,
 * has the manifest-signing profile and was issued by this keyset's manifest-ca. -ENOENT when
 * there is no such product; -EBADMSG/-EKEYREJECTED when it is inconsistent. */
int keyset_product_load(const Keyset *k, const char *name, KeysetProduct **ret);
/* The product's private signing key (checked to match its certificate). */
int keyset_product_load_key(const Keyset *k, const KeysetProduct *p, CryptoKey **ret);

/* Names of all products, sorted. */
int keyset_product_list(const Keyset *k, char ***ret);

/* ---- devices ---- */

/* Issues a device identity certificate from sudi-ca for product/serial and writes OUTDIR/
 * device.crt and device.der, and, when pubkey is NULL, a new key as OUTDIR/device.key (0600).
 * A copy is kept as products/<NAME>/devices/<SERIAL>.crt: a serial number is issued once per
 * product (-EADDRINUSE otherwise). Existing files in OUTDIR are never replaced (-EEXIST).
 * -EINVAL for a bad serial number or a public key that is not EC P-256. */
int keyset_device_add(const Keyset *k, const char *product, const char *serial, const char *outdir,
                      const CryptoKey *pubkey, CryptoCert **ret);
