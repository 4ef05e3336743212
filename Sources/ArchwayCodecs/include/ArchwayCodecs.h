#ifndef ARCHWAY_CODECS_H
#define ARCHWAY_CODECS_H

#include <stddef.h>
#include <stdint.h>

/// The compressions an archive or a package may use, each decoded by the system's own library
/// (zlib, liblzma, libzstd, libbz2).
typedef enum {
  ARCHWAY_CODEC_GZIP = 1,     ///< gzip (RFC 1952), members one after another as gzip allows
  ARCHWAY_CODEC_DEFLATE = 2,  ///< raw deflate (RFC 1951), a zip member's
  ARCHWAY_CODEC_XZ = 3,       ///< xz, streams one after another
  ARCHWAY_CODEC_ZSTD = 4,     ///< Zstandard, frames one after another
  ARCHWAY_CODEC_BZIP2 = 5,    ///< bzip2, streams one after another
} archway_codec;

typedef struct archway_decoder archway_decoder;

/// A decoder of `codec` over the whole compressed input (`input`, `size` bytes), which must stay
/// valid until the decoder is freed. It holds at most about `memory_limit` bytes of its own (xz's
/// and zstd's windows; gzip and bzip2 need a few MiB at most). NULL when out of memory.
archway_decoder *archway_decoder_new(archway_codec codec, const void *input, size_t size, uint64_t memory_limit);

/// Decodes into `out` (`capacity` bytes), setting `*made` to the bytes written. Returns 1 at the end
/// of the input's last stream, 0 when there is more to come (call again), -1 on an error, whose
/// reason `archway_decoder_reason` gives (a truncated or corrupt stream, a window above the limit).
int archway_decoder_run(archway_decoder *decoder, void *out, size_t capacity, size_t *made);

/// Why the last run returned -1.
const char *archway_decoder_reason(const archway_decoder *decoder);

/// The compressed bytes consumed so far.
uint64_t archway_decoder_consumed(const archway_decoder *decoder);

void archway_decoder_free(archway_decoder *decoder);

/// zlib's CRC-32 of `count` bytes, continuing `crc` (0 to start): what zip and gzip record.
uint32_t archway_crc32(uint32_t crc, const void *bytes, size_t count);

#endif
