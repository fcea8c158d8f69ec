/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* UEFI signing: PKCS#7 SignedData for time-based authenticated variables (UEFI 2.10 section
 * 8.2.2) and Authenticode signatures of PE images (Windows Authenticode Portable Executable
 * Signature Format 1.0, PKCS#7 = RFC 2315).
 *
 * The SignedData is written here as DER by hand rather than with PKCS7_sign(): OpenSSL adds a
 * signingTime attribute (and S/MIME capabilities) to every signature with authenticated
 * attributes, which would make two builds of the same UKI differ. RSA PKCS#1 v1.5 is
 * deterministic, so the same key and input give the same bytes. Verification uses OpenSSL's
 * own PKCS#7 parser, so the writer is checked by an independent reader (and by sbverify and
 * the firmware in the tests). */

#include <errno.h>
#include <openssl/pkcs7.h>
#include <openssl/x509v3.h>

#include "byte-buffer.h"
#include "crypto-openssl.h"
#include "log.h"
#include "memory-util.h"

#define SIGNATURE_MAX (1024u * 1024)

struct CryptoSigner {
        CryptoKey *key;
        CryptoCert *cert;
};

CryptoSigner *crypto_signer_free(CryptoSigner *s) {
        if (!s)
                return NULL;
        crypto_key_free(s->key);
        crypto_cert_free(s->cert);
        free(s);
        return NULL;
}

int crypto_signer_load(const char *key_path, const char *cert_path, CryptoSigner **ret) {
        _cleanup_(crypto_signer_freep) CryptoSigner *s = NULL;
        int r;

        s = calloc(1, sizeof *s);
        if (!s)
                return -ENOMEM;
        r = crypto_key_load_private_pem(key_path, &s->key);
        if (r < 0)
                return r;
        r = crypto_cert_load(cert_path, &s->cert);
        if (r < 0)
                return r;
        r = crypto_cert_matches_key(s->cert, s->key);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(s);
        return 0;
}

int crypto_signer_cert_der(const CryptoSigner *s, uint8_t **ret, size_t *ret_size) {
        return crypto_cert_to_der(s->cert, ret, ret_size);
}

/* ---- a minimal DER writer (X.690): definite lengths, content built bottom-up ---- */

enum {
        DER_INTEGER = 0x02,
        DER_BIT_STRING = 0x03,
        DER_OCTET_STRING = 0x04,
        DER_NULL = 0x05,
        DER_OID = 0x06,
        DER_SEQUENCE = 0x30,
        DER_SET = 0x31,
        DER_CONTEXT_0 = 0xa0, /* [0] constructed */
        DER_CONTEXT_2 = 0xa2, /* [2] constructed */
        DER_CONTEXT_PRIM_0 = 0x80,
};

static void der_tlv(ByteBuffer *b, uint8_t tag, const void *content, size_t n) {
        uint8_t h[6];
        size_t k = 0;

        h[k++] = tag;
        if (n < 0x80)
                h[k++] = (uint8_t) n;
        else if (n <= 0xff) {
                h[k++] = 0x81;
                h[k++] = (uint8_t) n;
        } else if (n <= 0xffff) {
                h[k++] = 0x82;
                h[k++] = (uint8_t) (n >> 8);
                h[k++] = (uint8_t) n;
        } else if (n <= 0xffffff) {
                h[k++] = 0x83;
                h[k++] = (uint8_t) (n >> 16);
                h[k++] = (uint8_t) (n >> 8);
                h[k++] = (uint8_t) n;
        } else {
                b->error = b->error ?: -EFBIG;
                return;
        }
        byte_buffer_append(b, h, k);
        byte_buffer_append(b, content, n);
}

/* Wraps inner's bytes as the content of one element appended to b, and empties inner. */
static void der_wrap(ByteBuffer *b, uint8_t tag, ByteBuffer *inner) {
        if (inner->error)
                b->error = b->error ?: inner->error;
        else
                der_tlv(b, tag, inner->data, inner->size);
        byte_buffer_done(inner);
}

/* DER encodings of the object identifiers used here (content octets). */
static const uint8_t OID_SHA256[] = { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01 };
static const uint8_t OID_RSA_ENCRYPTION[] = {
        0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01
};
static const uint8_t OID_PKCS7_DATA[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01 };
static const uint8_t OID_PKCS7_SIGNED_DATA[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7,
                                                 0x0d, 0x01, 0x07, 0x02 };
static const uint8_t OID_CONTENT_TYPE[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x03 };
static const uint8_t OID_MESSAGE_DIGEST[] = {
        0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x04
};
/* Authenticode: SPC_INDIRECT_DATA_OBJID 1.3.6.1.4.1.311.2.1.4, SPC_PE_IMAGE_DATAOBJ
 * 1.3.6.1.4.1.311.2.1.15. */
static const uint8_t OID_SPC_INDIRECT_DATA[] = { 0x2b, 0x06, 0x01, 0x04, 0x01,
                                                 0x82, 0x37, 0x02, 0x01, 0x04 };
static const uint8_t OID_SPC_PE_IMAGE_DATA[] = { 0x2b, 0x06, 0x01, 0x04, 0x01,
                                                 0x82, 0x37, 0x02, 0x01, 0x0f };

static void der_algorithm(ByteBuffer *b, const uint8_t *oid, size_t oid_size) {
        ByteBuffer a = BYTE_BUFFER_INIT;
        der_tlv(&a, DER_OID, oid, oid_size);
        der_tlv(&a, DER_NULL, NULL, 0);
        der_wrap(b, DER_SEQUENCE, &a);
}

/* Appends the DER that an i2d_*() call returned (n bytes at *der) and frees it. */
static void der_append_i2d(ByteBuffer *b, int n, unsigned char **der) {
        if (n <= 0 || !*der)
                b->error = b->error ?: -EIO;
        else
                byte_buffer_append(b, *der, (size_t) n);
        OPENSSL_free(*der);
        *der = NULL;
}

/* RSA PKCS#1 v1.5 with SHA-256 over data. */
static int rsa_sign(const CryptoSigner *s, const void *data, size_t n, ByteBuffer *ret_sig) {
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        EVP_PKEY_CTX *pctx = NULL;
        size_t len = 0;
        uint8_t *p;
        int r = 0;

        if (!ctx)
                return -ENOMEM;
        if (EVP_DigestSignInit(ctx, &pctx, EVP_sha256(), NULL, s->key->pkey) != 1 ||
            EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1 ||
            EVP_DigestSign(ctx, NULL, &len, data, n) != 1) {
                r = openssl_error("EVP_DigestSign");
                goto finish;
        }
        p = byte_buffer_reserve(ret_sig, len);
        if (!p) {
                r = byte_buffer_error(ret_sig);
                goto finish;
        }
        if (EVP_DigestSign(ctx, p, &len, data, n) != 1) {
                r = openssl_error("EVP_DigestSign");
                goto finish;
        }
        ret_sig->size += len;
finish:
        EVP_MD_CTX_free(ctx);
        return r;
}

/* SignedData (RFC 2315 section 9.1) with one signer.
 *   content_type/content: the contentInfo (content NULL: detached, as for UEFI variables)
 *   signed_attrs: the DER SET OF Attribute (tag 0x31) or NULL for none; when given, the
 *                 signature covers it, else it covers to_sign. */
static int signed_data_build(const CryptoSigner *s, const uint8_t *content_type,
                             size_t content_type_size, const ByteBuffer *content,
                             const ByteBuffer *signed_attrs, const void *to_sign,
                             size_t to_sign_size, ByteBuffer *ret) {
        ByteBuffer sd = BYTE_BUFFER_INIT, t = BYTE_BUFFER_INIT, si = BYTE_BUFFER_INIT,
                   sig = BYTE_BUFFER_INIT;
        unsigned char *der = NULL;
        int r, n;

        if (signed_attrs)
                r = rsa_sign(s, signed_attrs->data, signed_attrs->size, &sig);
        else
                r = rsa_sign(s, to_sign, to_sign_size, &sig);
        if (r < 0) {
                byte_buffer_done(&sig);
                return r;
        }

        der_tlv(&sd, DER_INTEGER, (const uint8_t[]){ 1 }, 1); /* version */
        der_algorithm(&t, OID_SHA256, sizeof OID_SHA256);
        der_wrap(&sd, DER_SET, &t); /* digestAlgorithms */
        der_tlv(&t, DER_OID, content_type, content_type_size);
        if (content)
                der_tlv(&t, DER_CONTEXT_0, content->data, content->size);
        der_wrap(&sd, DER_SEQUENCE, &t); /* contentInfo */
        n = i2d_X509(s->cert->x509, &der);
        der_append_i2d(&t, n, &der);
        der_wrap(&sd, DER_CONTEXT_0, &t); /* certificates [0] IMPLICIT */

        /* SignerInfo */
        der_tlv(&si, DER_INTEGER, (const uint8_t[]){ 1 }, 1);
        n = i2d_X509_NAME(X509_get_issuer_name(s->cert->x509), &der);
        der_append_i2d(&t, n, &der);
        n = i2d_ASN1_INTEGER(X509_get0_serialNumber(s->cert->x509), &der);
        der_append_i2d(&t, n, &der);
        der_wrap(&si, DER_SEQUENCE, &t); /* issuerAndSerialNumber */
        der_algorithm(&si, OID_SHA256, sizeof OID_SHA256);
        if (signed_attrs) {
                /* authenticatedAttributes [0] IMPLICIT: the SET that was signed, re-tagged. */
                uint8_t *a = byte_buffer_append(&si, signed_attrs->data, signed_attrs->size);
                if (a)
                        a[0] = DER_CONTEXT_0;
        }
        der_algorithm(&si, OID_RSA_ENCRYPTION, sizeof OID_RSA_ENCRYPTION);
        der_tlv(&si, DER_OCTET_STRING, sig.data, sig.size);
        byte_buffer_done(&sig);
        der_wrap(&t, DER_SEQUENCE, &si);
        der_wrap(&sd, DER_SET, &t); /* signerInfos */

        der_wrap(ret, DER_SEQUENCE, &sd);
        return byte_buffer_error(ret);
}

int crypto_pkcs7_sign_uefi_variable(const CryptoSigner *s, const void *payload, size_t size,
                                    uint8_t **ret, size_t *ret_size) {
        ByteBuffer out = BYTE_BUFFER_INIT;
        int r;

        r = signed_data_build(s, OID_PKCS7_DATA, sizeof OID_PKCS7_DATA, NULL, NULL, payload, size,
                              &out);
        if (r < 0) {
                byte_buffer_done(&out);
                return r;
        }
        return byte_buffer_steal(&out, ret, ret_size);
}

/* SpcIndirectDataContent ::= SEQUENCE {
 *     data SpcAttributeTypeAndOptionalValue ::= SEQUENCE { type SPC_PE_IMAGE_DATAOBJ,
 *         value SpcPeImageData ::= SEQUENCE { flags BIT STRING (empty),
 *             file [0] SpcLink ::= [2] file SpcString ::= [0] unicode "<<<Obsolete>>>" } },
 *     messageDigest DigestInfo ::= SEQUENCE { AlgorithmIdentifier sha256, OCTET STRING } }
 * The same bytes sbsign and osslsigncode write. */
static void spc_indirect_data(ByteBuffer *b, const uint8_t digest[SHA256_DIGEST_SIZE]) {
        static const char obsolete[] = "<<<Obsolete>>>";
        ByteBuffer idc = BYTE_BUFFER_INIT, t = BYTE_BUFFER_INIT, pe = BYTE_BUFFER_INIT,
                   s = BYTE_BUFFER_INIT;

        for (const char *c = obsolete; *c; c++) { /* BMPString: UTF-16BE */
                byte_buffer_append_byte(&s, 0);
                byte_buffer_append_byte(&s, (uint8_t) *c);
        }
        der_tlv(&pe, DER_BIT_STRING, (const uint8_t[]){ 0 }, 1);
        der_wrap(&t, DER_CONTEXT_PRIM_0, &s);
        der_wrap(&s, DER_CONTEXT_2, &t);
        der_wrap(&pe, DER_CONTEXT_0, &s);
        der_tlv(&t, DER_OID, OID_SPC_PE_IMAGE_DATA, sizeof OID_SPC_PE_IMAGE_DATA);
        der_wrap(&t, DER_SEQUENCE, &pe);
        der_wrap(&idc, DER_SEQUENCE, &t);

        der_algorithm(&t, OID_SHA256, sizeof OID_SHA256);
        der_tlv(&t, DER_OCTET_STRING, digest, SHA256_DIGEST_SIZE);
        der_wrap(&idc, DER_SEQUENCE, &t);
        der_wrap(b, DER_SEQUENCE, &idc);
}

/* Length of the tag and length octets of the DER element at p (definite lengths only). */
static int der_header_size(const uint8_t *p, size_t n, size_t *ret_header, size_t *ret_content) {
        size_t len, h;

        if (n < 2)
                return -EBADMSG;
        if (p[1] < 0x80) {
                h = 2;
                len = p[1];
        } else {
                size_t k = p[1] & 0x7f;
                if (k == 0 || k > 4 || n < 2 + k)
                        return -EBADMSG;
                len = 0;
                for (size_t i = 0; i < k; i++)
                        len = len << 8 | p[2 + i];
                h = 2 + k;
        }
        if (len > n - h)
                return -EBADMSG;
        *ret_header = h;
        *ret_content = len;
        return 0;
}

int crypto_authenticode_sign(const CryptoSigner *s, const uint8_t digest[SHA256_DIGEST_SIZE],
                             uint8_t **ret, size_t *ret_size) {
        ByteBuffer idc = BYTE_BUFFER_INIT, attrs = BYTE_BUFFER_INIT, a = BYTE_BUFFER_INIT,
                   v = BYTE_BUFFER_INIT, sd = BYTE_BUFFER_INIT, ci = BYTE_BUFFER_INIT,
                   out = BYTE_BUFFER_INIT;
        uint8_t md[SHA256_DIGEST_SIZE];
        size_t h, len;
        int r;

        spc_indirect_data(&idc, digest);
        r = byte_buffer_error(&idc);
        if (r < 0)
                goto fail;
        /* Authenticode: messageDigest is the hash of the SpcIndirectDataContent's content
         * octets, without its own tag and length. */
        r = der_header_size(idc.data, idc.size, &h, &len);
        if (r < 0)
                goto fail;
        r = crypto_sha256(idc.data + h, len, md);
        if (r < 0)
                goto fail;

        /* Authenticated attributes, a DER SET OF sorted by encoding: contentType (30 19 ...)
         * sorts before messageDigest (30 2f ...). */
        der_tlv(&a, DER_OID, OID_CONTENT_TYPE, sizeof OID_CONTENT_TYPE);
        der_tlv(&v, DER_OID, OID_SPC_INDIRECT_DATA, sizeof OID_SPC_INDIRECT_DATA);
        der_wrap(&a, DER_SET, &v);
        der_wrap(&attrs, DER_SEQUENCE, &a);
        der_tlv(&a, DER_OID, OID_MESSAGE_DIGEST, sizeof OID_MESSAGE_DIGEST);
        der_tlv(&v, DER_OCTET_STRING, md, sizeof md);
        der_wrap(&a, DER_SET, &v);
        der_wrap(&attrs, DER_SEQUENCE, &a);
        der_wrap(&a, DER_SET, &attrs);
        r = byte_buffer_error(&a);
        if (r < 0)
                goto fail;

        r = signed_data_build(s, OID_SPC_INDIRECT_DATA, sizeof OID_SPC_INDIRECT_DATA, &idc, &a,
                              NULL, 0, &sd);
        if (r < 0)
                goto fail;
        der_tlv(&ci, DER_OID, OID_PKCS7_SIGNED_DATA, sizeof OID_PKCS7_SIGNED_DATA);
        der_wrap(&ci, DER_CONTEXT_0, &sd);
        der_wrap(&out, DER_SEQUENCE, &ci);
        byte_buffer_done(&idc);
        byte_buffer_done(&a);
        return byte_buffer_steal(&out, ret, ret_size);
fail:
        byte_buffer_done(&idc);
        byte_buffer_done(&a);
        byte_buffer_done(&sd);
        return r;
}

/* ---- verification with OpenSSL's PKCS#7 implementation ---- */

static void PKCS7_freep(PKCS7 **p) {
        PKCS7_free(*p);
}
static void X509_STORE_freep(X509_STORE **s) {
        X509_STORE_free(*s);
}

static int pkcs7_verify(PKCS7 *p7, const uint8_t *content, size_t content_size,
                        const uint8_t *trusted_der, size_t trusted_size) {
        _cleanup_(X509_STORE_freep) X509_STORE *store = NULL;
        _cleanup_(crypto_cert_freep) CryptoCert *trusted = NULL;
        _cleanup_(BIO_freep) BIO *in = NULL;
        STACK_OF(PKCS7_SIGNER_INFO) * signers;
        int r;

        if (!PKCS7_type_is_signed(p7))
                return -EBADMSG;
        signers = PKCS7_get_signer_info(p7);
        if (!signers || sk_PKCS7_SIGNER_INFO_num(signers) != 1)
                return -EBADMSG;

        r = crypto_cert_from_data(trusted_der, trusted_size, &trusted);
        if (r < 0)
                return r;
        store = X509_STORE_new();
        if (!store || X509_STORE_add_cert(store, trusted->x509) != 1)
                return openssl_error_errno(ENOMEM, "X509_STORE_add_cert");
        /* The trusted certificate may be an intermediate (db issued by KEK): partial chains
         * end there. Firmware ignores validity periods and key purposes; so do we. */
        X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN | X509_V_FLAG_NO_CHECK_TIME);
        X509_STORE_set_purpose(store, X509_PURPOSE_ANY);

        in = BIO_new_mem_buf(content, (int) content_size);
        if (!in)
                return -ENOMEM;
        if (PKCS7_verify(p7, NULL, store, in, NULL, PKCS7_BINARY) != 1)
                return openssl_error_errno(EKEYREJECTED, "PKCS7_verify");
        return 0;
}

int crypto_pkcs7_verify_uefi_variable(const uint8_t *signed_data, size_t signed_data_size,
                                      const void *payload, size_t size, const uint8_t *trusted_der,
                                      size_t trusted_size) {
        _cleanup_(PKCS7_freep) PKCS7 *p7 = NULL;
        ByteBuffer ci = BYTE_BUFFER_INIT, t = BYTE_BUFFER_INIT;
        const unsigned char *p;
        int r;

        if (signed_data_size > SIGNATURE_MAX || size > INT_MAX)
                return -EFBIG;
        /* Wrap the bare SignedData into a ContentInfo for d2i_PKCS7(). */
        der_tlv(&t, DER_OID, OID_PKCS7_SIGNED_DATA, sizeof OID_PKCS7_SIGNED_DATA);
        der_tlv(&t, DER_CONTEXT_0, signed_data, signed_data_size);
        der_wrap(&ci, DER_SEQUENCE, &t);
        r = byte_buffer_error(&ci);
        if (r < 0)
                return r;
        p = ci.data;
        p7 = d2i_PKCS7(NULL, &p, (long) ci.size);
        if (!p7 || p != ci.data + ci.size) {
                byte_buffer_done(&ci);
                return openssl_error_errno(EBADMSG, "d2i_PKCS7");
        }
        byte_buffer_done(&ci);
        if (!PKCS7_type_is_signed(p7) || !PKCS7_get_detached(p7))
                return -EBADMSG;
        return pkcs7_verify(p7, payload, size, trusted_der, trusted_size);
}

/* Reads one element with the expected tag; *p and *n advance past it. */
static int der_next(const uint8_t **p, size_t *n, uint8_t tag, const uint8_t **ret_content,
                    size_t *ret_size) {
        size_t h, len;
        int r;

        if (*n < 1 || (*p)[0] != tag)
                return -EBADMSG;
        r = der_header_size(*p, *n, &h, &len);
        if (r < 0)
                return r;
        if (ret_content)
                *ret_content = *p + h;
        if (ret_size)
                *ret_size = len;
        *p += h + len;
        *n -= h + len;
        return 0;
}

int crypto_authenticode_verify(const uint8_t *sig, size_t size,
                               const uint8_t digest[SHA256_DIGEST_SIZE], const uint8_t *trusted_der,
                               size_t trusted_size) {
        _cleanup_(PKCS7_freep) PKCS7 *p7 = NULL;
        const unsigned char *p = sig;
        const uint8_t *idc, *c, *d, *alg, *oid;
        size_t idc_size, h, n, cn, dn, an, on;
        ASN1_TYPE *other;
        int r;

        if (size > SIGNATURE_MAX)
                return -EFBIG;
        p7 = d2i_PKCS7(NULL, &p, (long) size);
        if (!p7)
                return openssl_error_errno(EBADMSG, "d2i_PKCS7");
        if (!PKCS7_type_is_signed(p7) || !p7->d.sign->contents ||
            OBJ_obj2nid(p7->d.sign->contents->type) != NID_undef)
                return -EBADMSG;
        {
                /* The content type must be SPC_INDIRECT_DATA_OBJID. */
                unsigned char *oder = NULL;
                int k = i2d_ASN1_OBJECT(p7->d.sign->contents->type, &oder);
                bool ok =
                        k == (int) (2 + sizeof OID_SPC_INDIRECT_DATA) &&
                        memcmp(oder + 2, OID_SPC_INDIRECT_DATA, sizeof OID_SPC_INDIRECT_DATA) == 0;
                OPENSSL_free(oder);
                if (!ok)
                        return -EBADMSG;
        }
        other = p7->d.sign->contents->d.other;
        if (!other || other->type != V_ASN1_SEQUENCE || !other->value.sequence)
                return -EBADMSG;
        idc = other->value.sequence->data;
        idc_size = (size_t) other->value.sequence->length;

        /* SpcIndirectDataContent: check it is a PE image digest and that it names ours. */
        r = der_header_size(idc, idc_size, &h, &n);
        if (r < 0 || idc[0] != DER_SEQUENCE || h + n != idc_size)
                return -EBADMSG;
        c = idc + h;
        cn = n;
        r = der_next(&c, &cn, DER_SEQUENCE, &d, &dn); /* SpcAttributeTypeAndOptionalValue */
        if (r < 0)
                return r;
        r = der_next(&d, &dn, DER_OID, &oid, &on);
        if (r < 0)
                return r;
        if (on != sizeof OID_SPC_PE_IMAGE_DATA || memcmp(oid, OID_SPC_PE_IMAGE_DATA, on) != 0)
                return -EBADMSG;
        r = der_next(&c, &cn, DER_SEQUENCE, &d, &dn); /* DigestInfo */
        if (r < 0)
                return r;
        r = der_next(&d, &dn, DER_SEQUENCE, &alg, &an);
        if (r < 0)
                return r;
        r = der_next(&alg, &an, DER_OID, &oid, &on);
        if (r < 0)
                return r;
        if (on != sizeof OID_SHA256 || memcmp(oid, OID_SHA256, on) != 0)
                return -EKEYREJECTED; /* another digest algorithm: not what we computed */
        {
                const uint8_t *md;
                size_t mdn;
                r = der_next(&d, &dn, DER_OCTET_STRING, &md, &mdn);
                if (r < 0)
                        return r;
                if (mdn != SHA256_DIGEST_SIZE || memcmp(md, digest, mdn) != 0)
                        return -EKEYREJECTED;
        }
        /* The signature covers the content octets of SpcIndirectDataContent. */
        return pkcs7_verify(p7, idc + h, n, trusted_der, trusted_size);
}
