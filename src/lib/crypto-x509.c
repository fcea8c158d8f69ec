/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* X.509 certificates: issuing the keyset's certificates, reading their fields, checking their
 * profile and their chain to one CA. RFC 5280 is the reference for every extension below. */

#include <errno.h>
#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdarg.h>
#include <stdio.h>

#include "crypto-openssl.h"
#include "error-util.h"
#include "fileio.h"
#include "log.h"
#include "string-util.h"
#include "uuid-util.h"

#define CERT_FILE_MAX (64u * 1024)

static const char *const profile_names[_CERT_PROFILE_MAX] = {
        [CERT_PROFILE_UEFI_PK] = "UEFI platform key",
        [CERT_PROFILE_UEFI_KEK] = "UEFI key exchange key",
        [CERT_PROFILE_UEFI_DB] = "UEFI db code signing",
        [CERT_PROFILE_CA] = "certificate authority",
        [CERT_PROFILE_MANIFEST_SIGNER] = "manifest signing",
        [CERT_PROFILE_DEVICE_IDENTITY] = "device identity",
};

const char *cert_profile_name(CertProfile p) {
        return (size_t) p < ELEMENTSOF(profile_names) ? profile_names[p] : NULL;
}

static inline void ASN1_OBJECT_freep(ASN1_OBJECT **o) {
        ASN1_OBJECT_free(*o);
}
static inline void ASN1_OCTET_STRING_freep(ASN1_OCTET_STRING **o) {
        ASN1_OCTET_STRING_free(*o);
}
static inline void ASN1_UTF8STRING_freep(ASN1_UTF8STRING **o) {
        ASN1_UTF8STRING_free(*o);
}
static inline void BASIC_CONSTRAINTS_freep(BASIC_CONSTRAINTS **b) {
        BASIC_CONSTRAINTS_free(*b);
}
static inline void EXTENDED_KEY_USAGE_freep(EXTENDED_KEY_USAGE **e) {
        EXTENDED_KEY_USAGE_free(*e);
}
static inline void AUTHORITY_KEYID_freep(AUTHORITY_KEYID **a) {
        AUTHORITY_KEYID_free(*a);
}
static inline void BN_freep(BIGNUM **b) {
        BN_free(*b);
}
static inline void ASN1_BIT_STRING_freep(ASN1_BIT_STRING **b) {
        ASN1_BIT_STRING_free(*b);
}
static inline void X509_NAME_freep(X509_NAME **n) {
        X509_NAME_free(*n);
}
static inline void X509_STORE_freep(X509_STORE **s) {
        X509_STORE_free(*s);
}
static inline void X509_STORE_CTX_freep(X509_STORE_CTX **s) {
        X509_STORE_CTX_free(*s);
}

int openssl_buffer_to_malloc(unsigned char *data, int n, uint8_t **ret, size_t *ret_size) {
        uint8_t *copy;

        if (n <= 0 || !data) {
                OPENSSL_free(data);
                return -EIO;
        }
        copy = malloc((size_t) n);
        if (copy)
                memcpy(copy, data, (size_t) n);
        OPENSSL_free(data);
        if (!copy)
                return -ENOMEM;
        *ret = copy;
        *ret_size = (size_t) n;
        return 0;
}

CryptoCert *crypto_cert_free(CryptoCert *c) {
        if (!c)
                return NULL;
        X509_free(c->x509);
        free(c);
        return NULL;
}

int crypto_cert_wrap(X509 *x, CryptoCert **ret) {
        CryptoCert *c = calloc(1, sizeof *c);

        if (!c) {
                X509_free(x);
                return -ENOMEM;
        }
        c->x509 = x;
        *ret = c;
        return 0;
}

static ASN1_OBJECT *oid(const char *text) {
        return OBJ_txt2obj(text, 1 /* numerical form only */);
}

/* ---- issuing ---- */

static int key_type_of(const CryptoKey *k, KeyType *ret) {
        return crypto_key_get_type(k, ret);
}

static int random_serial(X509 *x) {
        _cleanup_(BN_freep) BIGNUM *bn = NULL;
        uint8_t b[16];
        int r;

        /* RFC 5280 section 4.1.2.2: positive, at most 20 octets. 127 random bits. */
        r = crypto_random_bytes(b, sizeof b);
        if (r < 0)
                return r;
        b[0] &= 0x7f;
        b[0] |= 0x40; /* never zero, fixed length */
        bn = BN_bin2bn(b, sizeof b, NULL);
        if (!bn || !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)))
                return openssl_error("BN_to_ASN1_INTEGER");
        return 0;
}

static int set_name(X509_NAME *n, const CertRequest *req) {
        if (req->organization &&
            X509_NAME_add_entry_by_NID(n, NID_organizationName, MBSTRING_UTF8,
                                       (const unsigned char *) req->organization, -1, -1, 0) != 1)
                return openssl_error_errno(EINVAL, "X509_NAME_add_entry(O)");
        if (req->serial_number &&
            X509_NAME_add_entry_by_NID(n, NID_serialNumber, MBSTRING_ASC,
                                       (const unsigned char *) req->serial_number, -1, -1, 0) != 1)
                return openssl_error_errno(EINVAL, "X509_NAME_add_entry(serialNumber)");
        if (X509_NAME_add_entry_by_NID(n, NID_commonName, MBSTRING_UTF8,
                                       (const unsigned char *) req->common_name, -1, -1, 0) != 1)
                return openssl_error_errno(EINVAL, "X509_NAME_add_entry(CN)");
        return 0;
}

static int add_basic_constraints(X509 *x, bool ca, int pathlen) {
        _cleanup_(BASIC_CONSTRAINTS_freep) BASIC_CONSTRAINTS *bc = BASIC_CONSTRAINTS_new();

        if (!bc)
                return -ENOMEM;
        bc->ca = ca ? 0xff : 0;
        if (ca && pathlen >= 0) {
                bc->pathlen = ASN1_INTEGER_new();
                if (!bc->pathlen || ASN1_INTEGER_set(bc->pathlen, pathlen) != 1)
                        return -ENOMEM;
        }
        /* RFC 5280 section 4.2.1.9: critical in CA certificates; we mark it critical always. */
        if (X509_add1_ext_i2d(x, NID_basic_constraints, bc, 1, X509V3_ADD_DEFAULT) != 1)
                return openssl_error("X509_add1_ext_i2d(basicConstraints)");
        return 0;
}

static int add_key_usage(X509 *x, unsigned bits) {
        _cleanup_(ASN1_BIT_STRING_freep) ASN1_BIT_STRING *ku = ASN1_BIT_STRING_new();

        if (!ku)
                return -ENOMEM;
        /* Bit numbers of RFC 5280 section 4.2.1.3 KeyUsage. */
        for (int i = 0; i < 9; i++)
                if (bits & (1u << i))
                        if (ASN1_BIT_STRING_set_bit(ku, i, 1) != 1)
                                return -ENOMEM;
        if (X509_add1_ext_i2d(x, NID_key_usage, ku, 1, X509V3_ADD_DEFAULT) != 1)
                return openssl_error("X509_add1_ext_i2d(keyUsage)");
        return 0;
}

/* Bits to set (RFC 5280 numbering); OpenSSL's KU_* values used for checking are different. */
#define KU_BIT_DIGITAL_SIGNATURE (1u << 0)
#define KU_BIT_KEY_CERT_SIGN (1u << 5)
#define KU_BIT_CRL_SIGN (1u << 6)

static int add_eku(X509 *x, const char *const *oids) {
        _cleanup_(EXTENDED_KEY_USAGE_freep) EXTENDED_KEY_USAGE *eku = sk_ASN1_OBJECT_new_null();

        if (!eku)
                return -ENOMEM;
        for (const char *const *o = oids; *o; o++) {
                ASN1_OBJECT *obj = oid(*o);
                if (!obj || sk_ASN1_OBJECT_push(eku, obj) <= 0) {
                        ASN1_OBJECT_free(obj);
                        return -ENOMEM;
                }
        }
        if (X509_add1_ext_i2d(x, NID_ext_key_usage, eku, 0, X509V3_ADD_DEFAULT) != 1)
                return openssl_error("X509_add1_ext_i2d(extendedKeyUsage)");
        return 0;
}

static int add_key_identifiers(X509 *x, X509 *issuer) {
        _cleanup_(ASN1_OCTET_STRING_freep) ASN1_OCTET_STRING *ski = ASN1_OCTET_STRING_new();
        _cleanup_(AUTHORITY_KEYID_freep) AUTHORITY_KEYID *aki = AUTHORITY_KEYID_new();
        const ASN1_OCTET_STRING *issuer_ski;
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned n;

        if (!ski || !aki)
                return -ENOMEM;
        /* RFC 5280 section 4.2.1.2, method (1): SHA-1 of the subjectPublicKey BIT STRING. */
        if (X509_pubkey_digest(x, EVP_sha1(), md, &n) != 1 ||
            ASN1_OCTET_STRING_set(ski, md, (int) n) != 1)
                return openssl_error("X509_pubkey_digest");
        if (X509_add1_ext_i2d(x, NID_subject_key_identifier, ski, 0, X509V3_ADD_DEFAULT) != 1)
                return openssl_error("X509_add1_ext_i2d(subjectKeyIdentifier)");

        /* Section 4.2.1.1: the issuer's subject key identifier. */
        issuer_ski = issuer ? X509_get0_subject_key_id(issuer) : ski;
        if (!issuer_ski)
                return -EINVAL;
        aki->keyid = ASN1_OCTET_STRING_dup(issuer_ski);
        if (!aki->keyid)
                return -ENOMEM;
        if (X509_add1_ext_i2d(x, NID_authority_key_identifier, aki, 0, X509V3_ADD_DEFAULT) != 1)
                return openssl_error("X509_add1_ext_i2d(authorityKeyIdentifier)");
        return 0;
}

static int add_product(X509 *x, const uint8_t uuid[16]) {
        _cleanup_(ASN1_OBJECT_freep) ASN1_OBJECT *obj = oid(MOS_OID_PRODUCT);
        _cleanup_(ASN1_UTF8STRING_freep) ASN1_UTF8STRING *s = ASN1_UTF8STRING_new();
        _cleanup_(ASN1_OCTET_STRING_freep) ASN1_OCTET_STRING *value = ASN1_OCTET_STRING_new();
        X509_EXTENSION *ext;
        char text[UUID_STRING_MAX];
        unsigned char *der = NULL;
        int n, ok;

        if (!obj || !s || !value)
                return -ENOMEM;
        uuid_to_string(uuid, text);
        if (ASN1_STRING_set(s, text, (int) strlen(text)) != 1)
                return -ENOMEM;
        n = i2d_ASN1_UTF8STRING(s, &der);
        if (n <= 0)
                return openssl_error("i2d_ASN1_UTF8STRING");
        ok = ASN1_OCTET_STRING_set(value, der, n);
        OPENSSL_free(der);
        if (ok != 1)
                return -ENOMEM;
        /* Not critical: `openssl verify` and other generic verifiers must still accept the
         * certificate; MachineOS reads the extension itself. */
        ext = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, value);
        if (!ext)
                return openssl_error("X509_EXTENSION_create_by_OBJ");
        ok = X509_add_ext(x, ext, -1);
        X509_EXTENSION_free(ext);
        return ok == 1 ? 0 : openssl_error("X509_add_ext(product)");
}

static int profile_extensions(X509 *x, const CertRequest *req) {
        static const char *const eku_code_signing[] = { "1.3.6.1.5.5.7.3.3", NULL };
        static const char *const eku_manifest[] = { MOS_OID_EKU_MANIFEST_SIGNING, NULL };
        /* clientAuth too, so the identity key can authenticate the device to vendor services. */
        static const char *const eku_device[] = { MOS_OID_EKU_DEVICE_IDENTITY, "1.3.6.1.5.5.7.3.2",
                                                  NULL };
        int r;

        switch (req->profile) {
        case CERT_PROFILE_UEFI_PK:
        case CERT_PROFILE_UEFI_KEK:
                /* The PK and KEK sign authenticated variable updates (digitalSignature) and,
                 * in the keyset, the certificate below them. */
                r = add_basic_constraints(x, true, req->profile == CERT_PROFILE_UEFI_PK ? 1 : 0);
                if (r >= 0)
                        r = add_key_usage(x, KU_BIT_DIGITAL_SIGNATURE | KU_BIT_KEY_CERT_SIGN |
                                                     KU_BIT_CRL_SIGN);
                return r;
        case CERT_PROFILE_CA:
                r = add_basic_constraints(x, true, 0);
                if (r >= 0)
                        r = add_key_usage(x, KU_BIT_KEY_CERT_SIGN | KU_BIT_CRL_SIGN);
                return r;
        case CERT_PROFILE_UEFI_DB:
                r = add_basic_constraints(x, false, -1);
                if (r >= 0)
                        r = add_key_usage(x, KU_BIT_DIGITAL_SIGNATURE);
                if (r >= 0)
                        r = add_eku(x, eku_code_signing);
                return r;
        case CERT_PROFILE_MANIFEST_SIGNER:
        case CERT_PROFILE_DEVICE_IDENTITY:
                r = add_basic_constraints(x, false, -1);
                if (r >= 0)
                        r = add_key_usage(x, KU_BIT_DIGITAL_SIGNATURE);
                if (r >= 0)
                        r = add_eku(x, req->profile == CERT_PROFILE_MANIFEST_SIGNER ? eku_manifest
                                                                                    : eku_device);
                if (r >= 0)
                        r = add_product(x, req->product_uuid);
                return r;
        default:
                return -EINVAL;
        }
}

bool cert_serial_number_is_valid(const char *s) {
        size_t n = s ? strlen(s) : 0;

        /* The characters of a PrintableString (X.680 section 41.4) minus space and the
         * punctuation that would need quoting in file names and messages. */
        if (n == 0 || n > CERT_SERIAL_NUMBER_MAX)
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = s[i];
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      (i > 0 && (c == '-' || c == '.'))))
                        return false;
        }
        return true;
}

static int check_request(const CertRequest *req) {
        KeyType subject_type, issuer_type;
        bool rsa = req->profile == CERT_PROFILE_UEFI_PK || req->profile == CERT_PROFILE_UEFI_KEK ||
                   req->profile == CERT_PROFILE_UEFI_DB;
        bool needs_product = req->profile == CERT_PROFILE_MANIFEST_SIGNER ||
                             req->profile == CERT_PROFILE_DEVICE_IDENTITY;
        bool self_signed = req->profile == CERT_PROFILE_UEFI_PK || req->profile == CERT_PROFILE_CA;

        if ((size_t) req->profile >= _CERT_PROFILE_MAX || isempty(req->common_name) ||
            !req->public_key || !req->issuer_key || req->not_after <= req->not_before)
                return -EINVAL;
        if (key_type_of(req->public_key, &subject_type) < 0 ||
            key_type_of(req->issuer_key, &issuer_type) < 0)
                return -EINVAL;
        if (subject_type != (rsa ? KEY_RSA_2048 : KEY_EC_P256))
                return -EINVAL;
        if (!crypto_key_is_private(req->issuer_key))
                return -EINVAL;
        if (needs_product != !!req->product_uuid)
                return -EINVAL;
        if ((req->profile == CERT_PROFILE_DEVICE_IDENTITY) != !!req->serial_number)
                return -EINVAL;
        if (req->serial_number && !cert_serial_number_is_valid(req->serial_number))
                return -EINVAL;
        if (self_signed != !req->issuer)
                return -EINVAL;
        if (req->issuer) {
                if (crypto_cert_matches_key(req->issuer, req->issuer_key) < 0)
                        return -EINVAL;
                if (X509_check_ca(req->issuer->x509) != 1)
                        return -EINVAL;
        } else if (crypto_key_public_equal(req->public_key, req->issuer_key) < 0)
                return -EINVAL;
        return 0;
}

int crypto_cert_issue(const CertRequest *req, CryptoCert **ret) {
        _cleanup_(X509_freep) X509 *x = NULL;
        _cleanup_(X509_NAME_freep) X509_NAME *name = NULL;
        int r;

        r = check_request(req);
        if (r < 0)
                return r;

        x = X509_new();
        name = X509_NAME_new();
        if (!x || !name)
                return -ENOMEM;
        if (X509_set_version(x, X509_VERSION_3) != 1)
                return openssl_error("X509_set_version");
        r = random_serial(x);
        if (r < 0)
                return r;
        r = set_name(name, req);
        if (r < 0)
                return r;
        if (X509_set_subject_name(x, name) != 1 ||
            X509_set_issuer_name(x, req->issuer ? X509_get_subject_name(req->issuer->x509)
                                                : name) != 1)
                return openssl_error("X509_set_subject_name");
        /* ASN1_TIME_set() picks UTCTime up to 2049 and GeneralizedTime after, as RFC 5280
         * section 4.1.2.5 requires. */
        if (!ASN1_TIME_set(X509_getm_notBefore(x), (time_t) req->not_before) ||
            !ASN1_TIME_set(X509_getm_notAfter(x), (time_t) req->not_after))
                return openssl_error("ASN1_TIME_set");
        if (X509_set_pubkey(x, req->public_key->pkey) != 1)
                return openssl_error("X509_set_pubkey");
        r = add_key_identifiers(x, req->issuer ? req->issuer->x509 : NULL);
        if (r < 0)
                return r;
        r = profile_extensions(x, req);
        if (r < 0)
                return r;
        if (X509_sign(x, req->issuer_key->pkey, EVP_sha256()) <= 0)
                return openssl_error("X509_sign");
        return crypto_cert_wrap(TAKE_PTR(x), ret);
}

/* ---- loading and saving ---- */

int crypto_cert_from_data(const void *data, size_t size, CryptoCert **ret) {
        static const char pem_begin[] = "-----BEGIN CERTIFICATE-----";
        const unsigned char *p = data;
        X509 *x;

        if (size > CERT_FILE_MAX)
                return -EFBIG;
        if (size == 0)
                return -EBADMSG;
        if (size >= sizeof pem_begin - 1 && memcmp(data, pem_begin, sizeof pem_begin - 1) == 0) {
                _cleanup_(BIO_freep) BIO *b = BIO_new_mem_buf(data, (int) size);
                char rest[2];

                if (!b)
                        return -ENOMEM;
                x = PEM_read_bio_X509(b, NULL, NULL, NULL);
                if (!x)
                        return openssl_error_errno(EBADMSG, "PEM_read_bio_X509");
                /* One certificate, then at most white space. */
                for (;;) {
                        int n = BIO_read(b, rest, 1);
                        if (n <= 0)
                                break;
                        if (!strchr(" \t\r\n", rest[0])) {
                                X509_free(x);
                                return -EBADMSG;
                        }
                }
        } else {
                x = d2i_X509(NULL, &p, (long) size);
                if (!x)
                        return openssl_error_errno(EBADMSG, "d2i_X509");
                if (p != (const unsigned char *) data + size) {
                        X509_free(x);
                        return -EBADMSG;
                }
        }
        return crypto_cert_wrap(x, ret);
}

int crypto_cert_load(const char *path, CryptoCert **ret) {
        _cleanup_free_ char *buf = NULL;
        size_t n;
        int r;

        r = read_full_file(path, CERT_FILE_MAX, &buf, &n);
        if (r < 0)
                return r;
        return crypto_cert_from_data(buf, n, ret);
}

int crypto_cert_to_pem(const CryptoCert *c, char **ret, size_t *ret_size) {
        _cleanup_(BIO_freep) BIO *b = BIO_new(BIO_s_mem());

        if (!b)
                return -ENOMEM;
        if (PEM_write_bio_X509(b, c->x509) != 1)
                return openssl_error("PEM_write_bio_X509");
        return openssl_bio_to_buffer(b, ret, ret_size, true);
}

int crypto_cert_to_der(const CryptoCert *c, uint8_t **ret, size_t *ret_size) {
        unsigned char *der = NULL;
        int n = i2d_X509(c->x509, &der);

        return openssl_buffer_to_malloc(der, n, ret, ret_size);
}

int crypto_cert_save_pem(const CryptoCert *c, const char *path) {
        _cleanup_free_ char *pem = NULL;
        size_t n;
        int r;

        r = crypto_cert_to_pem(c, &pem, &n);
        if (r < 0)
                return r;
        return write_file_atomic(path, pem, n, 0644, WRITE_NO_REPLACE);
}

/* ---- fields ---- */

int crypto_cert_fingerprint(const CryptoCert *c, uint8_t ret[SHA256_DIGEST_SIZE]) {
        unsigned n = SHA256_DIGEST_SIZE;

        if (X509_digest(c->x509, EVP_sha256(), ret, &n) != 1)
                return openssl_error("X509_digest");
        return 0;
}

static int name_to_string(const X509_NAME *name, char **ret) {
        _cleanup_(BIO_freep) BIO *b = BIO_new(BIO_s_mem());

        if (!b)
                return -ENOMEM;
        /* "C = x, O = y, CN = z": forward order, UTF-8 kept, control characters escaped. */
        if (X509_NAME_print_ex(b, name, 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB) < 0)
                return openssl_error("X509_NAME_print_ex");
        return openssl_bio_to_buffer(b, ret, NULL, true);
}

int crypto_cert_subject(const CryptoCert *c, char **ret) {
        return name_to_string(X509_get_subject_name(c->x509), ret);
}

int crypto_cert_issuer(const CryptoCert *c, char **ret) {
        return name_to_string(X509_get_issuer_name(c->x509), ret);
}

int crypto_cert_serial(const CryptoCert *c, char **ret) {
        const ASN1_INTEGER *i = X509_get0_serialNumber(c->x509);
        char *s;

        /* The content octets of the INTEGER, as printed by most tools. */
        s = hexmem(ASN1_STRING_get0_data(i), (size_t) ASN1_STRING_length(i));
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

static int asn1_time_to_epoch(const ASN1_TIME *t, int64_t *ret) {
        struct tm tm;

        if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
                return -EBADMSG;
        *ret = (int64_t) timegm(&tm);
        return 0;
}

int crypto_cert_validity(const CryptoCert *c, int64_t *ret_not_before, int64_t *ret_not_after) {
        int64_t nb, na;

        if (asn1_time_to_epoch(X509_get0_notBefore(c->x509), &nb) < 0 ||
            asn1_time_to_epoch(X509_get0_notAfter(c->x509), &na) < 0)
                return -EBADMSG;
        if (ret_not_before)
                *ret_not_before = nb;
        if (ret_not_after)
                *ret_not_after = na;
        return 0;
}

int crypto_cert_public_key(const CryptoCert *c, CryptoKey **ret) {
        EVP_PKEY *pkey = X509_get_pubkey(c->x509);

        if (!pkey)
                return openssl_error_errno(EBADMSG, "X509_get_pubkey");
        return crypto_key_wrap(pkey, ret);
}

int crypto_cert_matches_key(const CryptoCert *c, const CryptoKey *k) {
        EVP_PKEY *pkey = X509_get0_pubkey(c->x509);

        if (!pkey || EVP_PKEY_eq(pkey, k->pkey) != 1) {
                ERR_clear_error();
                return -EKEYREJECTED;
        }
        return 0;
}

int crypto_cert_product_uuid(const CryptoCert *c, uint8_t ret[16]) {
        _cleanup_(ASN1_OBJECT_freep) ASN1_OBJECT *obj = oid(MOS_OID_PRODUCT);
        _cleanup_(ASN1_UTF8STRING_freep) ASN1_UTF8STRING *s = NULL;
        const ASN1_OCTET_STRING *value;
        const unsigned char *p, *end;
        char text[UUID_STRING_MAX];
        X509_EXTENSION *ext;
        int i;

        if (!obj)
                return -ENOMEM;
        i = X509_get_ext_by_OBJ(c->x509, obj, -1);
        if (i < 0)
                return -ENODATA;
        if (X509_get_ext_by_OBJ(c->x509, obj, i) >= 0)
                return -EBADMSG; /* twice: which one would count? */
        ext = X509_get_ext(c->x509, i);
        value = ext ? X509_EXTENSION_get_data(ext) : NULL;
        if (!value)
                return -EBADMSG;
        p = ASN1_STRING_get0_data(value);
        end = p + ASN1_STRING_length(value);
        s = d2i_ASN1_UTF8STRING(NULL, &p, end - p);
        if (!s || p != end || ASN1_STRING_length(s) != UUID_STRING_MAX - 1) {
                ERR_clear_error();
                return -EBADMSG;
        }
        memcpy(text, ASN1_STRING_get0_data(s), UUID_STRING_MAX - 1);
        text[UUID_STRING_MAX - 1] = '\0';
        if (!uuid_string_is_canonical(text))
                return -EBADMSG;
        return uuid_from_string(text, ret) < 0 ? -EBADMSG : 0;
}

int crypto_cert_device_serial(const CryptoCert *c, char **ret) {
        const X509_NAME *name = X509_get_subject_name(c->x509);
        const ASN1_STRING *s;
        X509_NAME_ENTRY *e;
        char *copy;
        int i, n;

        i = X509_NAME_get_index_by_NID(name, NID_serialNumber, -1);
        if (i < 0)
                return -ENODATA;
        if (X509_NAME_get_index_by_NID(name, NID_serialNumber, i) >= 0)
                return -EBADMSG;
        e = X509_NAME_get_entry(name, i);
        s = e ? X509_NAME_ENTRY_get_data(e) : NULL;
        if (!s || ASN1_STRING_type(s) != V_ASN1_PRINTABLESTRING)
                return -EBADMSG;
        n = ASN1_STRING_length(s);
        if (n <= 0 || n > CERT_SERIAL_NUMBER_MAX)
                return -EBADMSG;
        copy = strndup((const char *) ASN1_STRING_get0_data(s), (size_t) n);
        if (!copy)
                return -ENOMEM;
        if (strlen(copy) != (size_t) n || !cert_serial_number_is_valid(copy)) {
                free(copy);
                return -EBADMSG;
        }
        *ret = copy;
        return 0;
}

int crypto_cert_data_product_uuid(const void *data, size_t size, uint8_t ret[16]) {
        _cleanup_(crypto_cert_freep) CryptoCert *c = NULL;
        int r;

        r = crypto_cert_from_data(data, size, &c);
        if (r < 0)
                return r;
        return crypto_cert_product_uuid(c, ret);
}

int crypto_cert_data_device_serial(const void *data, size_t size, char **ret) {
        _cleanup_(crypto_cert_freep) CryptoCert *c = NULL;
        int r;

        r = crypto_cert_from_data(data, size, &c);
        if (r < 0)
                return r;
        return crypto_cert_device_serial(c, ret);
}

/* ---- checking ---- */

static int eku_contains(X509 *x, const char *oid_text, bool *ret) {
        _cleanup_(EXTENDED_KEY_USAGE_freep) EXTENDED_KEY_USAGE *eku = NULL;
        _cleanup_(ASN1_OBJECT_freep) ASN1_OBJECT *want = oid(oid_text);
        int crit = 0;

        if (!want)
                return -ENOMEM;
        eku = X509_get_ext_d2i(x, NID_ext_key_usage, &crit, NULL);
        if (!eku) {
                /* crit == -1: absent; anything else: malformed or repeated. */
                ERR_clear_error();
                if (crit != -1)
                        return -EBADMSG;
                *ret = false;
                return 0;
        }
        for (int i = 0; i < sk_ASN1_OBJECT_num(eku); i++)
                if (OBJ_cmp(sk_ASN1_OBJECT_value(eku, i), want) == 0) {
                        *ret = true;
                        return 0;
                }
        *ret = false;
        return 0;
}

int crypto_cert_check_profile(const CryptoCert *c, CertProfile p, char **ret_error) {
        X509 *x = c->x509;
        const char *want_eku = NULL, *name = cert_profile_name(p);
        _cleanup_(crypto_key_freep) CryptoKey *key = NULL;
        bool ca_wanted, has_eku = false, rsa_wanted;
        uint32_t flags, ku;
        uint8_t product[16];
        KeyType t;
        int r;

        if (!name)
                return -EINVAL;
        ca_wanted = p == CERT_PROFILE_UEFI_PK || p == CERT_PROFILE_UEFI_KEK || p == CERT_PROFILE_CA;
        rsa_wanted = p == CERT_PROFILE_UEFI_PK || p == CERT_PROFILE_UEFI_KEK ||
                     p == CERT_PROFILE_UEFI_DB;

        /* Computes the cached extension flags; EXFLAG_INVALID marks unparsable or repeated
         * extensions. */
        flags = X509_get_extension_flags(x);
        if (flags & EXFLAG_INVALID)
                return error_set(ret_error, -EKEYREJECTED, "certificate has malformed extensions");
        if (X509_get_version(x) != X509_VERSION_3)
                return error_set(ret_error, -EKEYREJECTED, "not an X.509 v3 certificate");

        if (crypto_cert_public_key(c, &key) < 0 || crypto_key_get_type(key, &t) < 0 ||
            t != (rsa_wanted ? KEY_RSA_2048 : KEY_EC_P256))
                return error_set(ret_error, -EKEYREJECTED, "not a %s certificate: key is not %s",
                                 name, rsa_wanted ? "RSA-2048" : "EC P-256");

        if (ca_wanted != (X509_check_ca(x) == 1))
                return error_set(ret_error, -EKEYREJECTED, "not a %s certificate: %s", name,
                                 ca_wanted ? "not a CA" : "it is a CA certificate");

        ku = X509_get_key_usage(x);
        if (ca_wanted && !(ku & KU_KEY_CERT_SIGN))
                return error_set(ret_error, -EKEYREJECTED,
                                 "not a %s certificate: key usage lacks keyCertSign", name);
        if (!ca_wanted && (!(flags & EXFLAG_KUSAGE) || !(ku & KU_DIGITAL_SIGNATURE) ||
                           (ku & (KU_KEY_CERT_SIGN | KU_CRL_SIGN))))
                return error_set(ret_error, -EKEYREJECTED,
                                 "not a %s certificate: key usage is not digitalSignature", name);

        switch (p) {
        case CERT_PROFILE_UEFI_DB:
                want_eku = "1.3.6.1.5.5.7.3.3";
                break;
        case CERT_PROFILE_MANIFEST_SIGNER:
                want_eku = MOS_OID_EKU_MANIFEST_SIGNING;
                break;
        case CERT_PROFILE_DEVICE_IDENTITY:
                want_eku = MOS_OID_EKU_DEVICE_IDENTITY;
                break;
        default:
                break;
        }
        if (want_eku) {
                r = eku_contains(x, want_eku, &has_eku);
                if (r < 0 || !has_eku)
                        return error_set(ret_error, -EKEYREJECTED,
                                         "not a %s certificate: extended key usage lacks %s", name,
                                         p == CERT_PROFILE_UEFI_DB ? "codeSigning"
                                                                   : "the MachineOS purpose");
        }
        if (p == CERT_PROFILE_MANIFEST_SIGNER || p == CERT_PROFILE_DEVICE_IDENTITY) {
                /* The other MachineOS purpose must not be there as well: one key, one job. */
                const char *other = p == CERT_PROFILE_MANIFEST_SIGNER
                                            ? MOS_OID_EKU_DEVICE_IDENTITY
                                            : MOS_OID_EKU_MANIFEST_SIGNING;
                r = eku_contains(x, other, &has_eku);
                if (r < 0 || has_eku)
                        return error_set(ret_error, -EKEYREJECTED,
                                         "not a %s certificate: it is also valid for another "
                                         "MachineOS purpose",
                                         name);
                r = crypto_cert_product_uuid(c, product);
                if (r < 0)
                        return error_set(ret_error, -EKEYREJECTED,
                                         "not a %s certificate: %s MachineOS product field", name,
                                         r == -ENODATA ? "no" : "malformed");
        }
        if (p == CERT_PROFILE_DEVICE_IDENTITY) {
                _cleanup_free_ char *serial = NULL;
                r = crypto_cert_device_serial(c, &serial);
                if (r < 0)
                        return error_set(ret_error, -EKEYREJECTED,
                                         "not a %s certificate: %s subject serialNumber", name,
                                         r == -ENODATA ? "no" : "malformed");
        }
        return 0;
}

static char *time_string(const ASN1_TIME *t) {
        int64_t e;
        char buf[32];
        struct tm tm;
        time_t tt;

        if (asn1_time_to_epoch(t, &e) < 0)
                return strdup("?");
        tt = (time_t) e;
        if (!gmtime_r(&tt, &tm) || strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
                return strdup("?");
        return strdup(buf);
}

int crypto_cert_verify_issued(const CryptoCert *leaf, const CryptoCert *ca, int64_t at,
                              char **ret_error) {
        _cleanup_(X509_STORE_freep) X509_STORE *store = NULL;
        _cleanup_(X509_STORE_CTX_freep) X509_STORE_CTX *ctx = NULL;
        _cleanup_free_ char *subject = NULL, *ca_subject = NULL, *when = NULL;
        X509_VERIFY_PARAM *param;
        int err, depth, ok;

        (void) crypto_cert_subject(leaf, &subject);
        (void) crypto_cert_subject(ca, &ca_subject);

        if (X509_check_ca(ca->x509) != 1)
                return error_set(ret_error, -EKEYREJECTED, "CA certificate '%s' is not a CA",
                                 strempty(ca_subject));

        store = X509_STORE_new();
        ctx = X509_STORE_CTX_new();
        if (!store || !ctx)
                return -ENOMEM;
        /* The CA is the only trust anchor: no default paths are loaded into this store, and no
         * untrusted intermediates are offered. PARTIAL_CHAIN lets a CA that is not self-signed
         * be the anchor too. X509_STRICT refuses certificates that violate RFC 5280 encoding
         * rules. */
        if (X509_STORE_add_cert(store, ca->x509) != 1)
                return openssl_error("X509_STORE_add_cert");
        if (X509_STORE_CTX_init(ctx, store, leaf->x509, NULL) != 1)
                return openssl_error("X509_STORE_CTX_init");
        param = X509_STORE_CTX_get0_param(ctx);
        X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN | X509_V_FLAG_X509_STRICT);
        if (at == CRYPTO_NO_CHECK_TIME)
                X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_NO_CHECK_TIME);
        else
                X509_VERIFY_PARAM_set_time(param, (time_t) at);
        /* Usage is checked by crypto_cert_check_profile() against our own profiles. */
        X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_ANY);

        ok = X509_verify_cert(ctx);
        if (ok == 1) {
                /* Exactly leaf -> CA (or the CA alone, when asked about itself). */
                int n = X509_STORE_CTX_get0_chain(ctx) ? sk_X509_num(X509_STORE_CTX_get0_chain(ctx))
                                                       : 0;
                if (n != 2 && !(n == 1 && X509_cmp(leaf->x509, ca->x509) == 0))
                        return error_set(ret_error, -EKEYREJECTED,
                                         "certificate '%s' is not issued directly by CA '%s'",
                                         strempty(subject), strempty(ca_subject));
                return 0;
        }
        err = X509_STORE_CTX_get_error(ctx);
        depth = X509_STORE_CTX_get_error_depth(ctx);
        ERR_clear_error();
        log_debug("X509_verify_cert: %s at depth %d", X509_verify_cert_error_string(err), depth);
        switch (err) {
        case X509_V_ERR_CERT_HAS_EXPIRED:
        case X509_V_ERR_CERT_NOT_YET_VALID: {
                X509 *bad = X509_STORE_CTX_get_current_cert(ctx);
                _cleanup_free_ char *bad_subject = NULL;
                CryptoCert tmp = { .x509 = bad ?: leaf->x509 };
                bool expired = err == X509_V_ERR_CERT_HAS_EXPIRED;

                (void) crypto_cert_subject(&tmp, &bad_subject);
                when = time_string(expired ? X509_get0_notAfter(tmp.x509)
                                           : X509_get0_notBefore(tmp.x509));
                return error_set(ret_error, -EKEYEXPIRED,
                                 expired ? "certificate '%s' expired at %s"
                                         : "certificate '%s' is not valid before %s",
                                 strempty(bad_subject), strempty(when));
        }
        default:
                return error_set(ret_error, -EKEYREJECTED,
                                 "certificate '%s' does not chain to CA '%s': %s",
                                 strempty(subject), strempty(ca_subject),
                                 X509_verify_cert_error_string(err));
        }
}
