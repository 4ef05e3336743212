#include "ArchwayCodecs.h"

#include <bzlib.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

struct archway_decoder {
  archway_codec codec;
  const uint8_t *input;
  size_t size;
  size_t used;  // input consumed by finished streams and the current one
  int ended;
  const char *reason;
  z_stream zlib;
  lzma_stream xz;
  ZSTD_DStream *zstd;
  bz_stream bzip2;
};

static int fail(archway_decoder *decoder, const char *reason) {
  decoder->reason = reason;
  return -1;
}

static int zlib_start(archway_decoder *decoder) {
  memset(&decoder->zlib, 0, sizeof decoder->zlib);
  // 15 + 16: a gzip header and trailer; -15: raw deflate, as zip stores it.
  int bits = decoder->codec == ARCHWAY_CODEC_GZIP ? 15 + 16 : -15;
  return inflateInit2(&decoder->zlib, bits) == Z_OK ? 0 : -1;
}

static int bzip2_start(archway_decoder *decoder) {
  memset(&decoder->bzip2, 0, sizeof decoder->bzip2);
  return BZ2_bzDecompressInit(&decoder->bzip2, 0, 0) == BZ_OK ? 0 : -1;
}

archway_decoder *archway_decoder_new(archway_codec codec, const void *input, size_t size, uint64_t memory_limit) {
  archway_decoder *decoder = calloc(1, sizeof *decoder);
  if (!decoder) return NULL;
  decoder->codec = codec;
  decoder->input = input;
  decoder->size = size;
  int started = -1;
  switch (codec) {
    case ARCHWAY_CODEC_GZIP:
    case ARCHWAY_CODEC_DEFLATE: started = zlib_start(decoder); break;
    case ARCHWAY_CODEC_XZ: {
      lzma_stream blank = LZMA_STREAM_INIT;
      decoder->xz = blank;
      started = lzma_stream_decoder(&decoder->xz, memory_limit, LZMA_CONCATENATED) == LZMA_OK ? 0 : -1;
      break;
    }
    case ARCHWAY_CODEC_ZSTD: {
      decoder->zstd = ZSTD_createDStream();
      if (!decoder->zstd) break;
      // The window a frame may ask for: 2^log bytes, at most the limit (zstd's default is 2^27).
      int log = 10;
      while (log < 31 && (1ull << (log + 1)) <= memory_limit) log++;
      started = ZSTD_isError(ZSTD_DCtx_setParameter(decoder->zstd, ZSTD_d_windowLogMax, log)) ? -1 : 0;
      break;
    }
    case ARCHWAY_CODEC_BZIP2: started = bzip2_start(decoder); break;
  }
  if (started != 0) {
    archway_decoder_free(decoder);
    return NULL;
  }
  return decoder;
}

/// After a gzip or bzip2 stream ended: whether another one follows (gzip and bzip2 both allow
/// streams one after another), else the end. Zero bytes after the last stream (a tape's padding)
/// end it too.
static int next_stream(archway_decoder *decoder, const uint8_t *magic, size_t length) {
  size_t left = decoder->size - decoder->used;
  if (left >= length && memcmp(decoder->input + decoder->used, magic, length) == 0) return 0;
  for (size_t i = decoder->used; i < decoder->size; i++) {
    if (decoder->input[i] != 0) return fail(decoder, "bytes after the end of the compressed data");
  }
  decoder->ended = 1;
  return 1;
}

static int run_zlib(archway_decoder *decoder, void *out, size_t capacity, size_t *made) {
  z_stream *z = &decoder->zlib;
  size_t left = decoder->size - decoder->used;
  z->next_in = (Bytef *)(decoder->input + decoder->used);
  z->avail_in = left > UINT32_MAX ? UINT32_MAX : (uInt)left;
  z->next_out = out;
  z->avail_out = capacity > UINT32_MAX ? UINT32_MAX : (uInt)capacity;
  int status = inflate(z, Z_NO_FLUSH);
  size_t consumed = (size_t)(z->next_in - (decoder->input + decoder->used));
  decoder->used += consumed;
  *made = (size_t)((uint8_t *)z->next_out - (uint8_t *)out);
  switch (status) {
    case Z_OK: break;
    case Z_BUF_ERROR:
      if (*made == 0 && decoder->used == decoder->size) return fail(decoder, "the compressed data is cut short");
      break;
    case Z_STREAM_END: {
      if (decoder->codec == ARCHWAY_CODEC_DEFLATE) {
        decoder->ended = 1;
        return 1;
      }
      static const uint8_t gzip[] = {0x1f, 0x8b};
      int next = next_stream(decoder, gzip, sizeof gzip);
      if (next != 0) return next;
      inflateReset(z);
      break;
    }
    case Z_MEM_ERROR: return fail(decoder, "out of memory");
    default: return fail(decoder, z->msg ? z->msg : "corrupt compressed data");
  }
  if (*made == 0 && consumed == 0 && decoder->used == decoder->size) return fail(decoder, "the compressed data is cut short");
  return 0;
}

static int run_xz(archway_decoder *decoder, void *out, size_t capacity, size_t *made) {
  lzma_stream *x = &decoder->xz;
  x->next_in = decoder->input + decoder->used;
  x->avail_in = decoder->size - decoder->used;
  x->next_out = out;
  x->avail_out = capacity;
  lzma_ret status = lzma_code(x, LZMA_FINISH);
  decoder->used = decoder->size - x->avail_in;
  *made = capacity - x->avail_out;
  switch (status) {
    case LZMA_OK: return 0;
    case LZMA_STREAM_END: decoder->ended = 1; return 1;
    case LZMA_MEMLIMIT_ERROR: return fail(decoder, "its dictionary is larger than the memory limit");
    case LZMA_BUF_ERROR: return fail(decoder, "the compressed data is cut short");
    case LZMA_FORMAT_ERROR: return fail(decoder, "not xz data");
    case LZMA_MEM_ERROR: return fail(decoder, "out of memory");
    default: return fail(decoder, "corrupt compressed data");
  }
}

static int run_zstd(archway_decoder *decoder, void *out, size_t capacity, size_t *made) {
  ZSTD_inBuffer in = {decoder->input, decoder->size, decoder->used};
  ZSTD_outBuffer output = {out, capacity, 0};
  size_t status = ZSTD_decompressStream(decoder->zstd, &output, &in);
  size_t consumed = in.pos - decoder->used;
  decoder->used = in.pos;
  *made = output.pos;
  if (ZSTD_isError(status)) {
    if (ZSTD_getErrorCode(status) == ZSTD_error_frameParameter_windowTooLarge)
      return fail(decoder, "its window is larger than the memory limit");
    return fail(decoder, "corrupt compressed data");
  }
  if (decoder->used == decoder->size && output.pos < capacity) {
    if (status == 0) {
      decoder->ended = 1;
      return 1;
    }
    if (consumed == 0 && output.pos == 0) return fail(decoder, "the compressed data is cut short");
  }
  return 0;
}

static int run_bzip2(archway_decoder *decoder, void *out, size_t capacity, size_t *made) {
  bz_stream *b = &decoder->bzip2;
  size_t left = decoder->size - decoder->used;
  b->next_in = (char *)(decoder->input + decoder->used);
  b->avail_in = left > UINT32_MAX ? UINT32_MAX : (unsigned)left;
  b->next_out = out;
  b->avail_out = capacity > UINT32_MAX ? UINT32_MAX : (unsigned)capacity;
  int status = BZ2_bzDecompress(b);
  size_t consumed = (size_t)((const uint8_t *)b->next_in - (decoder->input + decoder->used));
  decoder->used += consumed;
  *made = (size_t)((char *)b->next_out - (char *)out);
  switch (status) {
    case BZ_OK:
      if (*made == 0 && consumed == 0 && decoder->used == decoder->size)
        return fail(decoder, "the compressed data is cut short");
      return 0;
    case BZ_STREAM_END: {
      static const uint8_t bzip2[] = {'B', 'Z', 'h'};
      int next = next_stream(decoder, bzip2, sizeof bzip2);
      if (next != 0) return next;
      BZ2_bzDecompressEnd(b);
      return bzip2_start(decoder) == 0 ? 0 : fail(decoder, "out of memory");
    }
    case BZ_MEM_ERROR: return fail(decoder, "out of memory");
    default: return fail(decoder, "corrupt compressed data");
  }
}

int archway_decoder_run(archway_decoder *decoder, void *out, size_t capacity, size_t *made) {
  *made = 0;
  if (decoder->ended) return 1;
  if (decoder->reason) return -1;
  switch (decoder->codec) {
    case ARCHWAY_CODEC_GZIP:
    case ARCHWAY_CODEC_DEFLATE: return run_zlib(decoder, out, capacity, made);
    case ARCHWAY_CODEC_XZ: return run_xz(decoder, out, capacity, made);
    case ARCHWAY_CODEC_ZSTD: return run_zstd(decoder, out, capacity, made);
    case ARCHWAY_CODEC_BZIP2: return run_bzip2(decoder, out, capacity, made);
  }
  return fail(decoder, "unknown compression");
}

const char *archway_decoder_reason(const archway_decoder *decoder) {
  return decoder->reason ? decoder->reason : "no error";
}

uint64_t archway_decoder_consumed(const archway_decoder *decoder) { return decoder->used; }

void archway_decoder_free(archway_decoder *decoder) {
  if (!decoder) return;
  switch (decoder->codec) {
    case ARCHWAY_CODEC_GZIP:
    case ARCHWAY_CODEC_DEFLATE: inflateEnd(&decoder->zlib); break;
    case ARCHWAY_CODEC_XZ: lzma_end(&decoder->xz); break;
    case ARCHWAY_CODEC_ZSTD: ZSTD_freeDStream(decoder->zstd); break;
    case ARCHWAY_CODEC_BZIP2: BZ2_bzDecompressEnd(&decoder->bzip2); break;
  }
  free(decoder);
}

uint32_t archway_crc32(uint32_t crc, const void *bytes, size_t count) {
  while (count > 0) {
    uInt part = count > UINT32_MAX ? UINT32_MAX : (uInt)count;
    crc = (uint32_t)crc32(crc, bytes, part);
    bytes = (const uint8_t *)bytes + part;
    count -= part;
  }
  return crc;
}
