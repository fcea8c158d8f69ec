/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Detached CMS (RFC 5652) signatures over the exact bytes of a document. */

#include <errno.h>
#include <openssl/cms.h>
#include <stdarg.h>
#include <stdio.h>

#include "crypto-openssl.h"
#include "error-util.h"
#include "log.h"

static inline void CMS_ContentInfo_freep(CMS_ContentInfo **c) {
        CMS_ContentInfo_free(*c);
}

/* Drops OpenSSL's error queue (its reasons are not for users) and sets *ret_error. */
_printf_(3, 4) static int fail(char **ret_error, int error, const char *fmt, ...) {
        va_list ap;

        ERR_clear_error();
        va_start(ap, fmt);
        error = error_setv(ret_error, error, fmt, ap);
        va_end(ap);
        return error;
}

int crypto_cms_sign_detached(const CryptoCert *signer, const CryptoKey *key, const void *data,
                             size_t size, uint8_t **ret, size_t *ret_size) {
        _cleanup_(BIO_freep) BIO *in = NULL;
        _cleanup_(CMS_ContentInfo_freep) CMS_ContentInfo *cms = NULL;
        unsigned char *der = NULL;
        int n;

        if (size > INT_MAX)
                return -EFBIG;
        if (crypto_cert_matches_key(signer, key) < 0 || !crypto_key_is_private(key))
                return -EINVAL;
        in = BIO_new_mem_buf(data, (int) size);
        if (!in)
                return -ENOMEM;
        /* CMS_BINARY: the bytes as they are, no MIME canonicalisation of line ends.
         * CMS_NOSMIMECAP: no S/MIME capabilities attribute, it means nothing here. */
        cms = CMS_sign(signer->x509, key->pkey, NULL, in,
                       CMS_DETACHED | CMS_BINARY | CMS_NOSMIMECAP);
        if (!cms)
                return openssl_error("CMS_sign");
        n = i2d_CMS_ContentInfo(cms, &der);
        return openssl_buffer_to_malloc(der, n, ret, ret_size);
}

/* Reads one DER header at *p (not beyond end) and checks its tag; on success *p points at the
 * content and *ret_len is its length. Indefinite lengths (BER) are refused. */
static int der_enter(const unsigned char **p, const unsigned char *end, int tag, int class,
                     long *ret_len) {
        int t, c, flags;
        long len;

        if (*p >= end)
                return -EBADMSG;
        flags = ASN1_get_object(p, &len, &t, &c, end - *p);
        if ((flags & 0x80) || flags == 0x21 || t != tag || c != class || len > end - *p)
                return -EBADMSG;
        *ret_len = len;
        return 0;
}

/* The parts of a SignedData that its signature does not cover, which OpenSSL does not check:
 * the SignedData and SignerInfo versions (RFC 5652 sections 5.1 and 5.3: 1 for id-data content
 * with an issuerAndSerialNumber signer) and the digestAlgorithms set (exactly the signer's
 * digest algorithm). Checked so that no byte of a signature can change without the signature
 * being refused. */
static int check_unsigned_parts(const unsigned char *der, size_t size, CMS_SignerInfo *si) {
        const unsigned char *p = der, *end = der + size, *set;
        unsigned char *alg_der = NULL;
        X509_ALGOR *digest = NULL;
        long len;
        int n, r;

        if (der_enter(&p, end, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL, &len) < 0) /* ContentInfo */
                return -EBADMSG;
        if (der_enter(&p, end, V_ASN1_OBJECT, V_ASN1_UNIVERSAL, &len) < 0) /* contentType */
                return -EBADMSG;
        p += len;
        if (der_enter(&p, end, 0, V_ASN1_CONTEXT_SPECIFIC, &len) < 0 ||        /* [0] content */
            der_enter(&p, end, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL, &len) < 0 || /* SignedData */
            der_enter(&p, end, V_ASN1_INTEGER, V_ASN1_UNIVERSAL, &len) < 0 || len != 1 || p[0] != 1)
                return -EBADMSG;
        p += len;
        if (der_enter(&p, end, V_ASN1_SET, V_ASN1_UNIVERSAL, &len) < 0) /* digestAlgorithms */
                return -EBADMSG;
        set = p;
        p += len;
        CMS_SignerInfo_get0_algs(si, NULL, NULL, &digest, NULL);
        n = digest ? i2d_X509_ALGOR(digest, &alg_der) : -1;
        r = n > 0 && n == len && memcmp(alg_der, set, (size_t) n) == 0 ? 0 : -EBADMSG;
        OPENSSL_free(alg_der);
        if (r < 0)
                return r;
        if (der_enter(&p, end, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL, &len) < 0) /* encapContent */
                return -EBADMSG;
        p += len;
        while (p < end && (*p & 0xc0) == 0x80) { /* [0] certificates, [1] crls */
                int t, c;
                if (ASN1_get_object(&p, &len, &t, &c, end - p) & 0x80 || len > end - p)
                        return -EBADMSG;
                p += len;
        }
        if (der_enter(&p, end, V_ASN1_SET, V_ASN1_UNIVERSAL, &len) < 0 ||      /* signerInfos */
            der_enter(&p, end, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL, &len) < 0 || /* SignerInfo */
            der_enter(&p, end, V_ASN1_INTEGER, V_ASN1_UNIVERSAL, &len) < 0 || len != 1 || p[0] != 1)
                return -EBADMSG;
        return 0;
}

static bool sid_matches_exactly(CMS_SignerInfo *si, X509 *signer) {
        ASN1_OCTET_STRING *keyid = NULL;
        X509_NAME *issuer = NULL;
        ASN1_INTEGER *serial = NULL;
        unsigned char *a = NULL, *b = NULL;
        int na, nb;
        bool same;

        if (CMS_SignerInfo_get0_signer_id(si, &keyid, &issuer, &serial) != 1 || !issuer || !serial)
                return false;
        if (ASN1_INTEGER_cmp(serial, X509_get0_serialNumber(signer)) != 0)
                return false;
        na = i2d_X509_NAME(issuer, &a);
        nb = i2d_X509_NAME(X509_get_issuer_name(signer), &b);
        same = na > 0 && na == nb && memcmp(a, b, (size_t) na) == 0;
        OPENSSL_free(a);
        OPENSSL_free(b);
        return same;
}

int crypto_cms_verify_detached(const void *sig, size_t sig_size, const void *data, size_t size,
                               CryptoCert **ret_signer, char **ret_error) {
        _cleanup_(CMS_ContentInfo_freep) CMS_ContentInfo *cms = NULL;
        _cleanup_(BIO_freep) BIO *in = NULL;
        const unsigned char *p = sig;
        STACK_OF(CMS_SignerInfo) * infos;
        STACK_OF(X509) *signers = NULL;
        X509_ALGOR *digest = NULL, *sigalg = NULL;
        unsigned long e;
        X509 *signer;
        int nid, signid;

        if (sig_size > CMS_SIGNATURE_MAX)
                return fail(ret_error, -EFBIG, "signature is larger than %u bytes",
                            CMS_SIGNATURE_MAX);
        if (sig_size == 0)
                return fail(ret_error, -EBADMSG, "signature is empty");
        if (size > INT_MAX)
                return fail(ret_error, -EFBIG, "signed data is too large");

        cms = d2i_CMS_ContentInfo(NULL, &p, (long) sig_size);
        if (!cms)
                return fail(ret_error, -EBADMSG, "signature is not a DER CMS structure");
        if (p != (const unsigned char *) sig + sig_size)
                return fail(ret_error, -EBADMSG, "signature has %zu bytes of trailing data",
                            sig_size - (size_t) (p - (const unsigned char *) sig));
        if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed)
                return fail(ret_error, -EBADMSG, "signature is not a CMS SignedData");
        /* RFC 5652 section 5.2: the content is plain data (id-data). */
        if (OBJ_obj2nid(CMS_get0_eContentType(cms)) != NID_pkcs7_data)
                return fail(ret_error, -EBADMSG, "signature is not over plain data (id-data)");
        if (CMS_is_detached(cms) != 1)
                return fail(ret_error, -EBADMSG,
                            "signature embeds its content, expected a detached signature");
        infos = CMS_get0_SignerInfos(cms);
        if (!infos || sk_CMS_SignerInfo_num(infos) != 1)
                return fail(ret_error, -EBADMSG, "signature has %d signers, expected exactly one",
                            infos ? sk_CMS_SignerInfo_num(infos) : 0);
        CMS_SignerInfo_get0_algs(sk_CMS_SignerInfo_value(infos, 0), NULL, NULL, &digest, &sigalg);
        nid = digest ? OBJ_obj2nid(digest->algorithm) : NID_undef;
        if (nid != NID_sha256 && nid != NID_sha384 && nid != NID_sha512)
                return fail(ret_error, -EBADMSG, "signature uses digest '%s', expected SHA-2",
                            nid == NID_undef ? "unknown" : OBJ_nid2sn(nid));
        /* ECDSA with the same SHA-2 (RFC 5753 section 7.1.3). OpenSSL itself picks the
         * algorithm from the key and would ignore a changed identifier here. */
        signid = sigalg ? OBJ_obj2nid(sigalg->algorithm) : NID_undef;
        if (signid != (nid == NID_sha256   ? NID_ecdsa_with_SHA256
                       : nid == NID_sha384 ? NID_ecdsa_with_SHA384
                                           : NID_ecdsa_with_SHA512))
                return fail(ret_error, -EBADMSG,
                            "signature algorithm '%s' is not ECDSA with the message digest",
                            signid == NID_undef ? "unknown" : OBJ_nid2sn(signid));

        {
                /* DER, not BER: the structure encodes back to exactly the bytes given. */
                unsigned char *again = NULL;
                int n = i2d_CMS_ContentInfo(cms, &again);
                bool same = n > 0 && (size_t) n == sig_size && memcmp(again, sig, sig_size) == 0;
                OPENSSL_free(again);
                if (!same)
                        return fail(ret_error, -EBADMSG, "signature is not in DER encoding");
        }
        if (check_unsigned_parts(sig, sig_size, sk_CMS_SignerInfo_value(infos, 0)) < 0)
                return fail(ret_error, -EBADMSG,
                            "signature has unexpected versions or digest algorithms");
        {
                STACK_OF(X509) *certs = CMS_get1_certs(cms);
                int n = certs ? sk_X509_num(certs) : 0;
                sk_X509_pop_free(certs, X509_free);
                if (n != 1)
                        return fail(ret_error, -EBADMSG,
                                    "signature includes %d certificates, expected only the "
                                    "signer's",
                                    n);
        }

        in = BIO_new_mem_buf(data, (int) size);
        if (!in)
                return -ENOMEM;
        /* CMS_NO_SIGNER_CERT_VERIFY: only the signature here; the caller verifies the chain
         * against its one CA, with its own profile checks. The signer certificate must be in
         * the SignedData (no certificates are offered from outside). */
        if (CMS_verify(cms, NULL, NULL, in, NULL, CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) != 1) {
                e = ERR_peek_last_error();
                log_debug("CMS_verify: %s", ERR_reason_error_string(e) ?: "unknown");
                if (ERR_GET_LIB(e) == ERR_LIB_CMS &&
                    ERR_GET_REASON(e) == CMS_R_SIGNER_CERTIFICATE_NOT_FOUND)
                        return fail(ret_error, -EBADMSG,
                                    "signature does not include the signer's certificate");
                return fail(ret_error, -EKEYREJECTED, "signature does not match the signed data");
        }
        signers = CMS_get0_signers(cms);
        signer = signers && sk_X509_num(signers) == 1 ? sk_X509_value(signers, 0) : NULL;
        if (!signer || X509_up_ref(signer) != 1) {
                sk_X509_free(signers);
                return fail(ret_error, -EBADMSG, "signature has no signer certificate");
        }
        sk_X509_free(signers);
        /* OpenSSL finds the signer by comparing names case-insensitively (canonical form):
         * insist on the exact encoding, so the identifier cannot be changed either. */
        if (!sid_matches_exactly(sk_CMS_SignerInfo_value(infos, 0), signer)) {
                X509_free(signer);
                return fail(ret_error, -EBADMSG,
                            "signer identifier does not match the signer's certificate exactly");
        }
        return crypto_cert_wrap(signer, ret_signer);
}
