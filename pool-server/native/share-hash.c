/*
 * The share hasher: one call per submitted share folds coinbase -> txid ->
 * merkle branch -> 80-byte header -> sha256d. Node's crypto.hash costs ~0.7 us
 * of call overhead per digest and a share needs ~28 digests; here the whole
 * chain runs in one call, on SHA-NI where the CPU has it (BENCHMARKS.md).
 *
 * The byte layouts of the two buffers are defined in
 * src/work/share-work-layout.ts; keep both files in step.
 */
#include <node_api.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define HW_X86 1
#endif

/* Job buffer (see share-work-layout.ts). */
#define JOB_COINB1_LEN 0
#define JOB_COINB2_LEN 4
#define JOB_BRANCH_COUNT 8
#define JOB_BITS 12
#define JOB_PREVHASH 16
#define JOB_VARIABLE 48

/* Share buffer. */
#define SHARE_EN1_LEN 0
#define SHARE_EN2_LEN 4
#define SHARE_EN1 8
#define SHARE_EN2 16
#define SHARE_VERSION 24
#define SHARE_NTIME 28
#define SHARE_NONCE 32
#define SHARE_HEADER_OUT 64
#define SHARE_HASH_OUT 144
#define SHARE_SIZE 176

#define EXTRANONCE_MAX 8
/* A merkle tree of 2^32 leaves is far beyond any block; 32 levels bound it. */
#define BRANCH_MAX 32

typedef void (*compress_fn)(uint32_t state[8], const uint8_t block[64]);

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static const uint32_t H0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                               0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

static inline uint32_t read_be32(const uint8_t *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline void write_be32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

static inline uint32_t read_le32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline void write_le32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}

static inline uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

/* FIPS 180-4 section 6.2.2, portable C. */
static void compress_scalar(uint32_t state[8], const uint8_t block[64]) {
  uint32_t w[64];
  for (int t = 0; t < 16; t++) w[t] = read_be32(block + 4 * t);
  for (int t = 16; t < 64; t++) {
    uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
    uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
    w[t] = w[t - 16] + s0 + w[t - 7] + s1;
  }
  uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
  uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
  for (int t = 0; t < 64; t++) {
    uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + (g ^ (e & (f ^ g))) + K[t] + w[t];
    uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) | (c & (a | b)));
    h = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  state[0] += a;
  state[1] += b;
  state[2] += c;
  state[3] += d;
  state[4] += e;
  state[5] += f;
  state[6] += g;
  state[7] += h;
}

#ifdef HW_X86
/*
 * Intel SHA extensions. sha256rnds2 keeps the working variables as two
 * registers, ABEF and CDGH, and does two rounds per instruction; sha256msg1/2
 * extend the message schedule four words at a time:
 * W[j] = msg2(msg1(W[j-4], W[j-3]) + alignr(W[j-1], W[j-2]), W[j-1]).
 */
__attribute__((target("sha,sse4.1"))) static void compress_shani(uint32_t state[8],
                                                                   const uint8_t block[64]) {
  const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  __m128i dcba = _mm_loadu_si128((const __m128i *)&state[0]);
  __m128i hgfe = _mm_loadu_si128((const __m128i *)&state[4]);
  __m128i cdab = _mm_shuffle_epi32(dcba, 0xB1);
  __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
  __m128i abef = _mm_alignr_epi8(cdab, efgh, 8);
  __m128i cdgh = _mm_blend_epi16(efgh, cdab, 0xF0);
  const __m128i abef_in = abef, cdgh_in = cdgh;

  __m128i w[4];
  for (int j = 0; j < 4; j++) {
    w[j] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(block + 16 * j)), bswap);
  }
#pragma GCC unroll 16
  for (int j = 0; j < 16; j++) {
    if (j >= 4) {
      __m128i t = _mm_add_epi32(_mm_sha256msg1_epu32(w[j & 3], w[(j - 3) & 3]),
                                _mm_alignr_epi8(w[(j - 1) & 3], w[(j - 2) & 3], 4));
      w[j & 3] = _mm_sha256msg2_epu32(t, w[(j - 1) & 3]);
    }
    __m128i msg = _mm_add_epi32(w[j & 3], _mm_loadu_si128((const __m128i *)&K[4 * j]));
    cdgh = _mm_sha256rnds2_epu32(cdgh, abef, msg);
    abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(msg, 0x0E));
  }

  abef = _mm_add_epi32(abef, abef_in);
  cdgh = _mm_add_epi32(cdgh, cdgh_in);
  __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
  __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
  _mm_storeu_si128((__m128i *)&state[0], _mm_blend_epi16(feba, dchg, 0xF0));
  _mm_storeu_si128((__m128i *)&state[4], _mm_alignr_epi8(dchg, feba, 8));
}
#endif

/* Streaming SHA-256 over the pieces of a coinbase (coinb1, extranonces, coinb2). */
typedef struct {
  uint32_t state[8];
  uint8_t block[64];
  size_t fill;
  uint64_t total;
  compress_fn compress;
} sha256_ctx;

static void sha256_init(sha256_ctx *ctx, compress_fn compress) {
  memcpy(ctx->state, H0, sizeof H0);
  ctx->fill = 0;
  ctx->total = 0;
  ctx->compress = compress;
}

static void sha256_update(sha256_ctx *ctx, const uint8_t *data, size_t len) {
  ctx->total += len;
  if (ctx->fill > 0) {
    size_t take = 64 - ctx->fill < len ? 64 - ctx->fill : len;
    memcpy(ctx->block + ctx->fill, data, take);
    ctx->fill += take;
    data += take;
    len -= take;
    if (ctx->fill < 64) return;
    ctx->compress(ctx->state, ctx->block);
    ctx->fill = 0;
  }
  while (len >= 64) {
    ctx->compress(ctx->state, data);
    data += 64;
    len -= 64;
  }
  memcpy(ctx->block, data, len);
  ctx->fill = len;
}

static void sha256_final(sha256_ctx *ctx, uint8_t out[32]) {
  uint64_t bits = ctx->total * 8;
  ctx->block[ctx->fill++] = 0x80;
  if (ctx->fill > 56) {
    memset(ctx->block + ctx->fill, 0, 64 - ctx->fill);
    ctx->compress(ctx->state, ctx->block);
    ctx->fill = 0;
  }
  memset(ctx->block + ctx->fill, 0, 56 - ctx->fill);
  write_be32(ctx->block + 56, (uint32_t)(bits >> 32));
  write_be32(ctx->block + 60, (uint32_t)bits);
  ctx->compress(ctx->state, ctx->block);
  for (int i = 0; i < 8; i++) write_be32(out + 4 * i, ctx->state[i]);
}

/* The second SHA-256 of sha256d: one block holding the 32-byte first digest. */
static void sha256_of_digest(compress_fn compress, const uint8_t digest[32], uint8_t out[32]) {
  uint8_t block[64] = {0};
  uint32_t state[8];
  memcpy(block, digest, 32);
  block[32] = 0x80;
  block[62] = 0x01; /* 256 bits */
  memcpy(state, H0, sizeof H0);
  compress(state, block);
  for (int i = 0; i < 8; i++) write_be32(out + 4 * i, state[i]);
}

/* sha256d of exactly 64 bytes (a merkle node): the padding block is constant. */
static void sha256d_64(compress_fn compress, const uint8_t data[64], uint8_t out[32]) {
  static const uint8_t pad[64] = {0x80, [62] = 0x02 /* 512 bits */};
  uint32_t state[8];
  uint8_t digest[32];
  memcpy(state, H0, sizeof H0);
  compress(state, data);
  compress(state, pad);
  for (int i = 0; i < 8; i++) write_be32(digest + 4 * i, state[i]);
  sha256_of_digest(compress, digest, out);
}

static void sha256d_header(compress_fn compress, const uint8_t header[80], uint8_t out[32]) {
  uint8_t block[64] = {0};
  uint32_t state[8];
  uint8_t digest[32];
  memcpy(state, H0, sizeof H0);
  compress(state, header);
  memcpy(block, header + 64, 16);
  block[16] = 0x80;
  block[62] = 0x02;
  block[63] = 0x80; /* 640 bits */
  compress(state, block);
  for (int i = 0; i < 8; i++) write_be32(digest + 4 * i, state[i]);
  sha256_of_digest(compress, digest, out);
}

/* Returns NULL on success, or the reason the buffers are inconsistent. */
static const char *hash_share(compress_fn compress, const uint8_t *job, size_t job_len,
                              uint8_t *share, size_t share_len) {
  if (job_len < JOB_VARIABLE) return "job buffer shorter than its fixed part";
  if (share_len < SHARE_SIZE) return "share buffer too short";
  uint32_t coinb1_len = read_le32(job + JOB_COINB1_LEN);
  uint32_t coinb2_len = read_le32(job + JOB_COINB2_LEN);
  uint32_t branches = read_le32(job + JOB_BRANCH_COUNT);
  uint32_t en1_len = read_le32(share + SHARE_EN1_LEN);
  uint32_t en2_len = read_le32(share + SHARE_EN2_LEN);
  if (branches > BRANCH_MAX) return "too many merkle branches";
  if (en1_len > EXTRANONCE_MAX || en2_len > EXTRANONCE_MAX) return "extranonce too long";
  uint64_t need = (uint64_t)JOB_VARIABLE + 32ull * branches + coinb1_len + coinb2_len;
  if (need > job_len) return "job buffer shorter than its declared parts";

  const uint8_t *branch = job + JOB_VARIABLE;
  const uint8_t *coinb1 = branch + 32 * branches;
  const uint8_t *coinb2 = coinb1 + coinb1_len;

  sha256_ctx ctx;
  uint8_t node[64];
  sha256_init(&ctx, compress);
  sha256_update(&ctx, coinb1, coinb1_len);
  sha256_update(&ctx, share + SHARE_EN1, en1_len);
  sha256_update(&ctx, share + SHARE_EN2, en2_len);
  sha256_update(&ctx, coinb2, coinb2_len);
  sha256_final(&ctx, node);
  sha256_of_digest(compress, node, node); /* node[0..32) = coinbase txid */

  for (uint32_t i = 0; i < branches; i++) { /* [stratum] the coinbase is always the left node */
    memcpy(node + 32, branch + 32 * i, 32);
    sha256d_64(compress, node, node);
  }

  uint8_t *header = share + SHARE_HEADER_OUT;
  memcpy(header, share + SHARE_VERSION, 4);
  memcpy(header + 4, job + JOB_PREVHASH, 32);
  memcpy(header + 36, node, 32);
  memcpy(header + 68, share + SHARE_NTIME, 4);
  memcpy(header + 72, job + JOB_BITS, 4);
  memcpy(header + 76, share + SHARE_NONCE, 4);
  sha256d_header(compress, header, share + SHARE_HASH_OUT);
  return NULL;
}

static int has_shani(void) {
#ifdef HW_X86
  __builtin_cpu_init();
  return __builtin_cpu_supports("sha") && __builtin_cpu_supports("sse4.1");
#else
  return 0;
#endif
}

static napi_value call_hash_share(napi_env env, napi_callback_info info, compress_fn compress) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 2) {
    napi_throw_type_error(env, NULL, "hashShare(job, share) takes two Uint8Arrays");
    return NULL;
  }
  void *data[2];
  size_t len[2];
  for (int i = 0; i < 2; i++) {
    napi_typedarray_type type;
    if (napi_get_typedarray_info(env, argv[i], &type, &len[i], &data[i], NULL, NULL) != napi_ok ||
        type != napi_uint8_array) {
      napi_throw_type_error(env, NULL, "hashShare(job, share) takes two Uint8Arrays");
      return NULL;
    }
  }
  const char *error = hash_share(compress, data[0], len[0], data[1], len[1]);
  if (error != NULL) napi_throw_range_error(env, NULL, error);
  return NULL;
}

static napi_value hash_share_scalar(napi_env env, napi_callback_info info) {
  return call_hash_share(env, info, compress_scalar);
}

#ifdef HW_X86
static napi_value hash_share_shani(napi_env env, napi_callback_info info) {
  return call_hash_share(env, info, compress_shani);
}
#endif

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "hashShareScalar", NAPI_AUTO_LENGTH, hash_share_scalar, NULL, &fn);
  napi_set_named_property(env, exports, "hashShareScalar", fn);
#ifdef HW_X86
  if (has_shani()) {
    napi_create_function(env, "hashShareShaNi", NAPI_AUTO_LENGTH, hash_share_shani, NULL, &fn);
    napi_set_named_property(env, exports, "hashShareShaNi", fn);
  }
#endif
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
