/*
 * NIfTI-1 and NIfTI-2 single files (`.nii`, and `.nii.gz` through zlib), either byte order.
 *
 * Header first: the header (and only the header) is inflated by cmask_nifti_open, the declared
 * size is checked against the caller's limits, and the voxel data is inflated by cmask_nifti_read
 * in 64 KB chunks straight into the caller's buffer, so a gzip bomb declaring 2^31 voxels is
 * refused before any of its data is inflated. The data must be exactly as long as the header
 * says: a stream that ends early or holds more is an error, never zero-filled or cut.
 *
 * Speed: a .nii.gz whose compressed file and declared contents are each at most 256 MiB is
 * inflated in one call by libdeflate (several times faster than zlib's streaming inflate; the gzip
 * header and trailer are read by gunzip_member, the CRC checked by cmask_crc32) into a
 * scratch buffer of exactly the declared size (`info.scratch_bytes` counts it and the compressed
 * file, for the caller's memory budget), which the voxels are then read from. When the stored
 * voxels are the output bytes and the caller's buffer has room for the whole contents
 * (cmask_read_into, `info.read_room_bytes`), the file is inflated straight into that buffer and
 * the data moved to its start (or left after the header for a caller of cmask_read_placed): no
 * scratch buffer, no copy between buffers. Each thread keeps its
 * last scratch buffer of at most 32 MiB for its next file (freed when the thread ends): a fresh
 * buffer per file costs more in page faults than the inflation itself. libdeflate succeeds
 * only when the file is one gzip member inflating to exactly the declared length with a good CRC;
 * anything else (truncated, longer, multi-member, corrupt) goes through the zlib stream, whose
 * messages say what is wrong. The one exception: a caller of cmask_read_placed_unchecked whose
 * samples are left after the header gets the CRC to check itself (`cmask_crc_check`, with the
 * samples in the same pass), and a file whose CRC then fails is that caller's to refuse.
 *
 * Values: integer data are labels (uint8/int8 → 8-bit, int16/uint16 → 16-bit, 32- and 64-bit
 * integers → 32-bit; a negative value or one above 2^32 − 1 is an error naming the voxel); float
 * data and scaled data (scl_slope ≠ 0 and finite, other than slope 1 and intercept 0) are 32-bit
 * floats (float64 rounded, but an integer value 32-bit float cannot hold exactly is an error).
 * A 4th dimension > 1 becomes interleaved channels; trailing singleton dimensions are ignored.
 */
#include "codecs_internal.h"

#include <float.h>
#include <libdeflate.h>
#include <pthread.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

enum {
    NIFTI1_HEADER = 348,
    NIFTI2_HEADER = 540,
    CHUNK = 64 * 1024,
    /** Bytes of a gzip-compressed file skipped between the header and vox_offset at most. */
    MAX_EXTENSION_BYTES = 256 * 1024 * 1024,
};

/** The largest compressed file, and the largest declared contents, inflated whole by libdeflate. */
#define WHOLE_GZIP_LIMIT ((uint64_t)256 * 1024 * 1024)
/** The largest scratch buffer a thread keeps for its next file. */
#define KEPT_SCRATCH_LIMIT ((size_t)32 * 1024 * 1024)

/** A thread's kept scratch buffer, freed by the key's destructor when the thread ends. */
typedef struct {
    uint8_t *bytes;
    size_t size;
} kept_scratch;

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;
static int scratch_key_ok;

static void free_kept(void *value) {
    kept_scratch *kept = value;
    if (kept == NULL) return;
    free(kept->bytes);
    free(kept);
}

static void make_scratch_key(void) { scratch_key_ok = pthread_key_create(&scratch_key, free_kept) == 0; }

/** A buffer of at least `size` bytes: the thread's kept one when it is large enough, else a new one. */
static uint8_t *take_scratch(size_t size) {
    pthread_once(&scratch_once, make_scratch_key);
    kept_scratch *kept = scratch_key_ok ? pthread_getspecific(scratch_key) : NULL;
    if (kept != NULL && kept->bytes != NULL && kept->size >= size) {
        uint8_t *bytes = kept->bytes;
        kept->bytes = NULL;
        return bytes;
    }
    return malloc(size > 0 ? size : 1);
}

/** Keeps `bytes` (of `size`) for the thread's next file when it is small enough, else frees it. */
static void give_scratch(uint8_t *bytes, size_t size) {
    if (bytes == NULL) return;
    kept_scratch *kept = scratch_key_ok ? pthread_getspecific(scratch_key) : NULL;
    if (kept == NULL && scratch_key_ok && size <= KEPT_SCRATCH_LIMIT) {
        kept = calloc(1, sizeof *kept);
        if (kept != NULL && pthread_setspecific(scratch_key, kept) != 0) {
            free(kept);
            kept = NULL;
        }
    }
    if (kept == NULL || size > KEPT_SCRATCH_LIMIT) {
        free(bytes);
        return;
    }
    free(kept->bytes);
    kept->bytes = bytes;
    kept->size = size;
}

struct cmask_nifti_state {
    cmask_source *source;
    int gz;
    z_stream zs;
    int zinit;
    int stream_ended;
    /** Next file offset: of raw data (not gz) or of compressed input (gz). */
    uint64_t offset;
    uint8_t *in;
    uint8_t *chunk;
    int swap;
    uint32_t datatype;
    uint32_t item_bytes;
    int scaled;
    double slope, inter;
    uint64_t nvox; /* voxels of one volume */
    uint64_t volumes;
    uint64_t data_offset;
    /** Data bytes still to be read through the stream when the header is done (not gz: skip). */
    uint64_t consumed;
    /** The whole inflated file when libdeflate inflated it (owned), its length, its buffer's
     * capacity, and the next byte read. */
    uint8_t *whole;
    uint64_t whole_size;
    size_t whole_capacity;
    uint64_t whole_at;
};

/** Whether the stored voxels are the output bytes (one volume, no scaling, no conversion). */
static int stored_is_output(const cmask_nifti_state *s) {
    return !s->scaled && s->volumes == 1 &&
           (s->datatype == 2 || (!s->swap && (s->datatype == 512 || s->datatype == 768 || s->datatype == 16)));
}

static int host_little(void) {
    const uint16_t probe = 1;
    uint8_t first;
    memcpy(&first, &probe, 1);
    return first == 1;
}

/** Reads up to `count` bytes of the (decompressed) file into `out`; returns the bytes read. */
static size_t stream_read(cmask_nifti_state *s, uint8_t *out, size_t count, cmask_message *message, int *failed) {
    if (s->whole != NULL) {
        uint64_t left = s->whole_size - s->whole_at;
        size_t got = left < count ? (size_t)left : count;
        memcpy(out, s->whole + s->whole_at, got);
        s->whole_at += got;
        s->consumed += got;
        return got;
    }
    if (!s->gz) {
        size_t got = cmask_source_read(s->source, s->offset, out, count);
        s->offset += got;
        s->consumed += got;
        return got;
    }
    size_t done = 0;
    while (done < count && !s->stream_ended) {
        if (s->zs.avail_in == 0) {
            size_t got = cmask_source_read(s->source, s->offset, s->in, CHUNK);
            if (got == 0) {
                cmask_set_error(message, "truncated gzip stream (the file ends before the stream does)");
                *failed = 1;
                break;
            }
            s->offset += got;
            s->zs.next_in = s->in;
            s->zs.avail_in = (uInt)got;
        }
        s->zs.next_out = out + done;
        s->zs.avail_out = (uInt)(count - done);
        int z = inflate(&s->zs, Z_NO_FLUSH);
        done = count - s->zs.avail_out;
        if (z == Z_STREAM_END) {
            /* A multi-member gzip file (pigz, cat a.gz b.gz): go on with the next member. */
            uint8_t next[2];
            int more = s->zs.avail_in >= 2 ? (memcpy(next, s->zs.next_in, 2), 1)
                                           : (cmask_source_read(s->source, s->offset - s->zs.avail_in, next, 2) == 2);
            if (more && next[0] == 0x1f && next[1] == 0x8b) {
                inflateReset(&s->zs);
                continue;
            }
            s->stream_ended = 1;
            break;
        }
        if (z != Z_OK && z != Z_BUF_ERROR) {
            cmask_set_error(message, "broken gzip stream (zlib: %s)", s->zs.msg != NULL ? s->zs.msg : "error");
            *failed = 1;
            break;
        }
    }
    s->consumed += done;
    return done;
}

static uint16_t get16(const uint8_t *p, int swap) {
    uint16_t v;
    memcpy(&v, p, 2);
    return swap ? (uint16_t)((v >> 8) | (v << 8)) : v;
}

static uint32_t get32(const uint8_t *p, int swap) {
    uint32_t v;
    memcpy(&v, p, 4);
    return swap ? __builtin_bswap32(v) : v;
}

static uint64_t get64(const uint8_t *p, int swap) {
    uint64_t v;
    memcpy(&v, p, 8);
    return swap ? __builtin_bswap64(v) : v;
}

static float getf32(const uint8_t *p, int swap) {
    uint32_t bits = get32(p, swap);
    float v;
    memcpy(&v, &bits, 4);
    return v;
}

static double getf64(const uint8_t *p, int swap) {
    uint64_t bits = get64(p, swap);
    double v;
    memcpy(&v, &bits, 8);
    return v;
}

/** The name of a NIfTI datatype code, or NULL when segscore does not read it. */
static const char *datatype_name(uint32_t code, uint32_t *bytes) {
    switch (code) {
    case 2: *bytes = 1; return "uint8";
    case 256: *bytes = 1; return "int8";
    case 4: *bytes = 2; return "int16";
    case 512: *bytes = 2; return "uint16";
    case 8: *bytes = 4; return "int32";
    case 768: *bytes = 4; return "uint32";
    case 1024: *bytes = 8; return "int64";
    case 1280: *bytes = 8; return "uint64";
    case 16: *bytes = 4; return "float32";
    case 64: *bytes = 8; return "float64";
    default: *bytes = 0; return NULL;
    }
}

/** Known NIfTI datatypes segscore does not read, for a clearer message. */
static const char *unsupported_datatype(uint32_t code) {
    switch (code) {
    case 1: return "binary (1-bit)";
    case 32: return "complex64";
    case 128: return "rgb24";
    case 1536: return "float128";
    case 1792: return "complex128";
    case 2048: return "complex256";
    case 2304: return "rgba32";
    default: return NULL;
    }
}

cmask_status cmask_nifti_open(cmask_decoder *decoder, uint64_t max_samples, cmask_message *message) {
    cmask_nifti_state *s = calloc(1, sizeof *s);
    if (s == NULL) {
        cmask_set_error(message, "out of memory");
        return CMASK_ERR_NOMEM;
    }
    decoder->nifti = s;
    s->source = &decoder->source;
    uint8_t magic[2] = {0, 0};
    cmask_source_read(s->source, 0, magic, 2);
    s->gz = magic[0] == 0x1f && magic[1] == 0x8b;
    s->chunk = malloc(CHUNK);
    if (s->chunk == NULL) {
        cmask_set_error(message, "out of memory");
        return CMASK_ERR_NOMEM;
    }
    if (s->gz) {
        s->in = malloc(CHUNK);
        if (s->in == NULL) {
            cmask_set_error(message, "out of memory");
            return CMASK_ERR_NOMEM;
        }
        /* 16 + MAX_WBITS: a gzip wrapper only (a raw zlib stream is not a .nii.gz). */
        if (inflateInit2(&s->zs, 16 + MAX_WBITS) != Z_OK) {
            cmask_set_error(message, "zlib: could not start inflating");
            return CMASK_ERR_NOMEM;
        }
        s->zinit = 1;
    }
    uint8_t h[NIFTI2_HEADER];
    memset(h, 0, sizeof h);
    int failed = 0;
    size_t got = stream_read(s, h, 4, message, &failed);
    if (failed) return CMASK_ERR_CORRUPT;
    if (got < 4) {
        cmask_set_error(message, "file ends inside the NIfTI header (%zu bytes)", got);
        return s->gz ? CMASK_ERR_CORRUPT : CMASK_ERR_FORMAT;
    }
    uint32_t size_le = get32(h, !host_little());
    uint32_t size_be = get32(h, host_little());
    int version;
    int file_little;
    if (size_le == NIFTI1_HEADER || size_le == NIFTI2_HEADER) {
        version = size_le == NIFTI1_HEADER ? 1 : 2;
        file_little = 1;
    } else if (size_be == NIFTI1_HEADER || size_be == NIFTI2_HEADER) {
        version = size_be == NIFTI1_HEADER ? 1 : 2;
        file_little = 0;
    } else {
        cmask_set_error(message, "bad NIfTI sizeof_hdr %d (NIfTI-1 has 348, NIfTI-2 540, in either byte order)",
                        (int32_t)size_le);
        return s->gz ? CMASK_ERR_CORRUPT : CMASK_ERR_FORMAT;
    }
    s->swap = file_little != host_little();
    int swap = s->swap;
    size_t header_bytes = version == 1 ? NIFTI1_HEADER : NIFTI2_HEADER;
    got += stream_read(s, h + 4, header_bytes - 4, message, &failed);
    if (failed) return CMASK_ERR_CORRUPT;
    if (got < header_bytes) {
        cmask_set_error(message, "file ends inside the NIfTI-%d header (%zu of %zu bytes)", version, got, header_bytes);
        return CMASK_ERR_CORRUPT;
    }
    int64_t dim[8];
    double pixdim[8];
    double vox_offset_value;
    uint32_t datatype;
    if (version == 1) {
        const uint8_t *m = h + 344;
        if (memcmp(m, "ni1\0", 4) == 0) {
            cmask_set_error(message, "a NIfTI-1 header/image pair (.hdr/.img) is not read; convert it to a single .nii");
            return CMASK_ERR_UNSUPPORTED;
        }
        if (memcmp(m, "n+1\0", 4) != 0) {
            cmask_set_error(message, "bad NIfTI-1 magic (expected \"n+1\")");
            return CMASK_ERR_CORRUPT;
        }
        for (int i = 0; i < 8; i++) dim[i] = (int16_t)get16(h + 40 + 2 * i, swap);
        for (int i = 0; i < 8; i++) pixdim[i] = getf32(h + 76 + 4 * i, swap);
        datatype = get16(h + 70, swap);
        vox_offset_value = getf32(h + 108, swap);
        s->slope = getf32(h + 112, swap);
        s->inter = getf32(h + 116, swap);
        decoder->info.xyzt_units = h[123];
        decoder->info.qform_code = (int16_t)get16(h + 252, swap);
        decoder->info.sform_code = (int16_t)get16(h + 254, swap);
        decoder->info.bit_depth = get16(h + 72, swap);
        decoder->info.qfac = getf32(h + 76, swap);
        for (int i = 0; i < 3; i++) decoder->info.quatern[i] = getf32(h + 256 + 4 * i, swap);
        for (int i = 0; i < 3; i++) decoder->info.qoffset[i] = getf32(h + 268 + 4 * i, swap);
        for (int i = 0; i < 12; i++) decoder->info.srow[i] = getf32(h + 280 + 4 * i, swap);
    } else {
        if (memcmp(h + 4, "n+2\0\r\n\032\n", 8) != 0) {
            if (memcmp(h + 4, "ni2\0", 4) == 0) {
                cmask_set_error(message, "a NIfTI-2 header/image pair (.hdr/.img) is not read; convert it to a single .nii");
                return CMASK_ERR_UNSUPPORTED;
            }
            cmask_set_error(message, "bad NIfTI-2 magic (expected \"n+2\" and \\r\\n\\032\\n)");
            return CMASK_ERR_CORRUPT;
        }
        datatype = get16(h + 12, swap);
        decoder->info.bit_depth = get16(h + 14, swap);
        for (int i = 0; i < 8; i++) dim[i] = (int64_t)get64(h + 16 + 8 * i, swap);
        for (int i = 0; i < 8; i++) pixdim[i] = getf64(h + 104 + 8 * i, swap);
        int64_t offset = (int64_t)get64(h + 168, swap);
        vox_offset_value = (double)offset;
        s->slope = getf64(h + 176, swap);
        s->inter = getf64(h + 184, swap);
        decoder->info.qform_code = (int32_t)get32(h + 344, swap);
        decoder->info.sform_code = (int32_t)get32(h + 348, swap);
        decoder->info.xyzt_units = get32(h + 500, swap);
        decoder->info.qfac = getf64(h + 104, swap);
        for (int i = 0; i < 3; i++) decoder->info.quatern[i] = getf64(h + 352 + 8 * i, swap);
        for (int i = 0; i < 3; i++) decoder->info.qoffset[i] = getf64(h + 376 + 8 * i, swap);
        for (int i = 0; i < 12; i++) decoder->info.srow[i] = getf64(h + 400 + 8 * i, swap);
    }
    decoder->info.nifti_version = (uint32_t)version;
    decoder->info.nifti_datatype = datatype;
    decoder->info.gzip = (uint32_t)s->gz;
    decoder->info.big_endian = (uint32_t)!file_little;
    for (int i = 0; i < 3; i++) decoder->info.pixdim[i] = pixdim[i + 1];
    decoder->info.scl_slope = s->slope;
    decoder->info.scl_inter = s->inter;

    /* Dimensions: dim[0] in 1..7, each used dim ≥ 1, at most 4 beyond which all must be 1. */
    int64_t ndim = dim[0];
    if (ndim < 1 || ndim > 7) {
        cmask_set_error(message, "bad NIfTI dim[0] %lld (the number of dimensions is 1 to 7)", (long long)ndim);
        return CMASK_ERR_CORRUPT;
    }
    decoder->info.dims = (uint32_t)ndim;
    for (int i = 1; i <= ndim; i++) {
        if (dim[i] <= 0) {
            cmask_set_error(message, "bad NIfTI dim[%d] %lld (dimensions are at least 1)", i, (long long)dim[i]);
            return CMASK_ERR_CORRUPT;
        }
    }
    uint64_t extent[4] = {1, 1, 1, 1};
    for (int i = 1; i <= ndim; i++) {
        if (i <= 4) {
            extent[i - 1] = (uint64_t)dim[i];
        } else if (dim[i] != 1) {
            cmask_set_error(message, "NIfTI dim[%d] is %lld: data beyond 4 dimensions are not read", i,
                            (long long)dim[i]);
            return CMASK_ERR_UNSUPPORTED;
        }
    }
    for (int i = 0; i < 4; i++) {
        if (extent[i] > UINT32_MAX) {
            cmask_set_error(message, "NIfTI dim[%d] %llu: more than the limit of %u", i + 1,
                            (unsigned long long)extent[i], (unsigned)UINT32_MAX);
            return CMASK_ERR_TOO_LARGE;
        }
    }
    const char *type_name = datatype_name(datatype, &s->item_bytes);
    if (type_name == NULL) {
        const char *known = unsupported_datatype(datatype);
        if (known != NULL) {
            cmask_set_error(message, "NIfTI datatype %u (%s) is not a mask type", datatype, known);
            return CMASK_ERR_UNSUPPORTED;
        }
        cmask_set_error(message, "unknown NIfTI datatype %u", datatype);
        return CMASK_ERR_CORRUPT;
    }
    s->datatype = datatype;

    /* scl_slope 0 (or not finite) means no scaling; slope 1 and intercept 0 change nothing. */
    s->scaled = isfinite(s->slope) && s->slope != 0 && !(s->slope == 1 && (s->inter == 0 || !isfinite(s->inter)));
    if (s->scaled && !isfinite(s->inter)) s->inter = 0;
    decoder->info.scaled = (uint32_t)s->scaled;

    cmask_sample sample;
    if (s->scaled || datatype == 16 || datatype == 64) {
        sample = CMASK_SAMPLE_F32;
    } else if (s->item_bytes == 1) {
        sample = CMASK_SAMPLE_U8;
    } else if (s->item_bytes == 2) {
        sample = CMASK_SAMPLE_U16;
    } else {
        sample = CMASK_SAMPLE_U32;
    }

    if (!(vox_offset_value >= (double)header_bytes) || vox_offset_value != floor(vox_offset_value) ||
        vox_offset_value > 9.0e18) {
        cmask_set_error(message, "bad NIfTI vox_offset %g (at least %zu, a whole number)", vox_offset_value,
                        header_bytes);
        return CMASK_ERR_CORRUPT;
    }
    s->data_offset = (uint64_t)vox_offset_value;
    decoder->info.vox_offset = s->data_offset;

    uint64_t samples = 0;
    cmask_status status = cmask_check_size(extent[0], extent[1], extent[2], extent[3], max_samples, &samples, message);
    if (status != CMASK_OK) return status;
    status = cmask_check_budget(extent[0], extent[1], extent[2], 0, extent[3], cmask_sample_bytes(sample),
                                decoder->max_bytes, message);
    if (status != CMASK_OK) return status;
    s->nvox = extent[0] * extent[1] * extent[2];
    s->volumes = extent[3];

    if (s->gz) {
        if (s->data_offset - header_bytes > MAX_EXTENSION_BYTES) {
            cmask_set_error(message, "NIfTI vox_offset %llu leaves more than 256 MiB of extensions to inflate",
                            (unsigned long long)s->data_offset);
            return CMASK_ERR_UNSUPPORTED;
        }
        uint64_t contents = s->data_offset + samples * s->item_bytes;
        if (contents <= WHOLE_GZIP_LIMIT && s->source->size <= WHOLE_GZIP_LIMIT) {
            decoder->info.scratch_bytes = contents + s->source->size;
            if (stored_is_output(s)) decoder->info.read_room_bytes = contents;
        }
    } else {
        /* Uncompressed: the file's length must be exactly the header's promise. */
        uint64_t need = samples * s->item_bytes;
        uint64_t size = s->source->size;
        uint64_t have = size > s->data_offset ? size - s->data_offset : 0;
        if (have < need) {
            cmask_set_error(message, "truncated NIfTI data: the header declares %llu bytes after offset %llu, the file holds %llu",
                            (unsigned long long)need, (unsigned long long)s->data_offset, (unsigned long long)have);
            return CMASK_ERR_CORRUPT;
        }
        if (have > need) {
            cmask_set_error(message, "NIfTI data longer than declared: %llu bytes after offset %llu where the header declares %llu",
                            (unsigned long long)have, (unsigned long long)s->data_offset, (unsigned long long)need);
            return CMASK_ERR_CORRUPT;
        }
    }

    decoder->info.width = (uint32_t)extent[0];
    decoder->info.height = (uint32_t)extent[1];
    decoder->info.pages = (uint32_t)extent[2];
    decoder->info.channels = (uint32_t)extent[3];
    decoder->info.sample = sample;
    decoder->info.color = extent[3] > 1 ? CMASK_COLOR_MULTI : CMASK_COLOR_GRAY;
    decoder->info.compression = s->gz ? 8 : 1;
    decoder->info.predictor = 1;
    decoder->info.planar = 1;
    decoder->info.photometric = 1;
    decoder->info.data_bytes = samples * cmask_sample_bytes(sample);
    return CMASK_OK;
}

/** Where voxel `i` of the file goes in the output (channels interleaved). */
typedef struct {
    uint64_t nvox, volumes;
    uint64_t v, t; /* voxel in volume, volume */
} placement;

static inline uint64_t place(placement *p) {
    uint64_t at = p->volumes == 1 ? p->v : p->v * p->volumes + p->t;
    if (++p->v == p->nvox) {
        p->v = 0;
        p->t++;
    }
    return at;
}

/** Writes "voxel (x, y, z[, t])" of the voxel at position `v`, `t` of the file. */
static void voxel_text(const cmask_decoder *d, uint64_t v, uint64_t t, char *text, size_t size) {
    uint64_t w = d->info.width, h = d->info.height;
    if (d->info.channels > 1)
        snprintf(text, size, "voxel (%llu, %llu, %llu, %llu)", (unsigned long long)(v % w),
                 (unsigned long long)(v / w % h), (unsigned long long)(v / w / h), (unsigned long long)t);
    else
        snprintf(text, size, "voxel (%llu, %llu, %llu)", (unsigned long long)(v % w), (unsigned long long)(v / w % h),
                 (unsigned long long)(v / w / h));
}

/** Stores `value` (a double of a scaled or float voxel) as a 32-bit float, or fails. */
static int store_float(double value, float *out, const cmask_decoder *d, const placement *p, cmask_message *message) {
    float f = (float)value;
    if (isfinite(value) && (!isfinite(f) || (value == floor(value) && (double)f != value))) {
        char where[96];
        uint64_t v = p->v == 0 ? p->nvox - 1 : p->v - 1;
        uint64_t t = p->v == 0 ? p->t - 1 : p->t;
        voxel_text(d, v, t, where, sizeof where);
        cmask_set_error(message, "%s holds %.17g, which a 32-bit float cannot hold exactly", where, value);
        return 0;
    }
    *out = f;
    return 1;
}

/**
 * 1 when `in` (`size` bytes) is exactly one gzip member whose data inflate to exactly `contents`
 * bytes into `dest` with the trailer's CRC-32 and ISIZE; 0 otherwise. The checks, in their order,
 * are libdeflate_gzip_decompress_ex's (1.14: the header's flags, lengths and fields; the header
 * CRC16 is skipped, not checked), with the CRC computed by cmask_crc32 (about 3× faster on 8 MB
 * than the libdeflate_crc32 that call uses), and nothing may follow the trailer. With `deferred`,
 * the CRC is not computed but left there for the caller (cmask_read_placed_unchecked).
 */
static int gunzip_member(struct libdeflate_decompressor *d, const uint8_t *in, size_t size, uint8_t *dest,
                         size_t contents, cmask_crc_check *deferred) {
    enum { ID1 = 0x1f, ID2 = 0x8b, CM_DEFLATE = 8, FHCRC = 0x02, FEXTRA = 0x04, FNAME = 0x08, FCOMMENT = 0x10,
           FRESERVED = 0xe0, FOOTER = 8, MIN_OVERHEAD = 10 + FOOTER };
    if (size < MIN_OVERHEAD || in[0] != ID1 || in[1] != ID2 || in[2] != CM_DEFLATE) return 0;
    uint8_t flags = in[3];
    if (flags & FRESERVED) return 0;
    const uint8_t *next = in + 10;
    const uint8_t *end = in + size;
    if (flags & FEXTRA) {
        size_t extra = (size_t)next[0] | (size_t)next[1] << 8;
        next += 2;
        if ((size_t)(end - next) < extra + FOOTER) return 0;
        next += extra;
    }
    for (int field = 0; field < 2; field++) {
        if (!(flags & (field == 0 ? FNAME : FCOMMENT))) continue;
        while (*next++ != 0 && next != end) {
        }
        if (end - next < FOOTER) return 0;
    }
    if (flags & FHCRC) {
        next += 2;
        if (end - next < FOOTER) return 0;
    }
    size_t in_used = 0, out_made = 0;
    if (libdeflate_deflate_decompress_ex(d, next, (size_t)(end - FOOTER - next), dest, contents, &in_used,
                                         &out_made) != LIBDEFLATE_SUCCESS ||
        out_made != contents)
        return 0;
    next += in_used;
    uint32_t crc = (uint32_t)next[0] | (uint32_t)next[1] << 8 | (uint32_t)next[2] << 16 | (uint32_t)next[3] << 24;
    uint32_t isize = (uint32_t)next[4] | (uint32_t)next[5] << 8 | (uint32_t)next[6] << 16 | (uint32_t)next[7] << 24;
    if (next + FOOTER != end || isize != (uint32_t)contents) return 0;
    if (deferred != NULL) {
        *deferred = (cmask_crc_check){1, crc, contents};
        return 1;
    }
    return cmask_crc32(0, dest, contents) == crc;
}

/**
 * Inflates the whole file with libdeflate into `dest` (`contents` bytes). 1 when the file is one
 * gzip member inflating to exactly `contents` bytes with a good CRC (or, with `deferred`, with the
 * CRC left there unchecked); 0 otherwise (`dest` then
 * holds anything, and the zlib stream reads the file and names what is wrong with it).
 */
static int gunzip_exact(cmask_nifti_state *s, uint8_t *dest, uint64_t contents, cmask_crc_check *deferred) {
    uint64_t size = s->source->size;
    const uint8_t *input = cmask_source_whole(s->source);
    uint8_t *copy = NULL;
    if (input == NULL) {
        copy = malloc(size > 0 ? (size_t)size : 1);
        if (copy == NULL || cmask_source_read(s->source, 0, copy, (size_t)size) != size) {
            free(copy);
            return 0;
        }
        input = copy;
    }
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    int whole = d != NULL && gunzip_member(d, input, (size_t)size, dest, (size_t)contents, deferred);
    libdeflate_free_decompressor(d);
    free(copy);
    return whole;
}

/**
 * Inflates the whole file into a scratch buffer, `s->whole`, when it is one gzip member of exactly
 * `contents` bytes; leaves `s->whole` NULL otherwise.
 */
static void inflate_whole(cmask_nifti_state *s, uint64_t contents) {
    uint8_t *inflated = take_scratch((size_t)contents);
    if (inflated != NULL && gunzip_exact(s, inflated, contents, NULL)) {
        s->whole = inflated;
        s->whole_size = contents;
        s->whole_capacity = (size_t)contents;
        /* The header was read through zlib already: go on from where the stream is. */
        s->whole_at = s->consumed;
    } else {
        give_scratch(inflated, (size_t)contents);
    }
}

cmask_status cmask_nifti_read(cmask_decoder *decoder, void *out, uint64_t capacity, uint64_t *offset,
                              cmask_message *message) {
    cmask_nifti_state *s = decoder->nifti;
    if (s == NULL) {
        cmask_set_error(message, "NIfTI decoder not open");
        return CMASK_ERR_USAGE;
    }
    int failed = 0;
    uint64_t total = s->nvox * s->volumes;
    uint64_t need = total * s->item_bytes;
    /* The plain case: stored bytes are the output bytes. */
    int direct = stored_is_output(s);
    if (s->gz && decoder->info.scratch_bytes > 0) {
        uint64_t contents = s->data_offset + need;
        if (direct && capacity >= contents) {
            /* Straight into the caller's buffer, header first; then the data moves to its start,
             * unless the caller takes the samples where they are (aligned for their type). */
            int in_place = offset != NULL && s->data_offset % s->item_bytes == 0;
            cmask_crc_check *deferred = in_place && decoder->defer_crc ? &decoder->crc_check : NULL;
            if (gunzip_exact(s, out, contents, deferred)) {
                if (in_place) {
                    *offset = s->data_offset;
                } else {
                    memmove(out, (uint8_t *)out + s->data_offset, (size_t)need);
                }
                return CMASK_OK;
            }
        } else {
            inflate_whole(s, contents);
        }
    }
    /* Skip to vox_offset (extensions). */
    if (s->gz) {
        while (s->consumed < s->data_offset) {
            uint64_t left = s->data_offset - s->consumed;
            size_t want = left < CHUNK ? (size_t)left : CHUNK;
            size_t got = stream_read(s, s->chunk, want, message, &failed);
            if (failed) return CMASK_ERR_CORRUPT;
            if (got < want) {
                cmask_set_error(message, "truncated NIfTI data: the gzip stream ends before vox_offset %llu",
                                (unsigned long long)s->data_offset);
                return CMASK_ERR_CORRUPT;
            }
        }
    } else {
        s->offset = s->data_offset;
        s->consumed = s->data_offset;
    }
    uint64_t done = 0;
    placement p = {s->nvox, s->volumes, 0, 0};
    int swap = s->swap;
    cmask_sample sample = decoder->info.sample;
    while (done < need) {
        uint64_t left = need - done;
        size_t want = left < CHUNK ? (size_t)left : CHUNK;
        uint8_t *buffer = direct ? (uint8_t *)out + done : s->chunk;
        if (direct && (!s->gz || s->whole != NULL)) want = left > (1u << 30) ? (1u << 30) : (size_t)left;
        size_t got = stream_read(s, buffer, want, message, &failed);
        if (failed) return CMASK_ERR_CORRUPT;
        if (got < want) {
            cmask_set_error(message, "truncated NIfTI data: the data ends after %llu of %llu bytes",
                            (unsigned long long)(done + got), (unsigned long long)need);
            return CMASK_ERR_CORRUPT;
        }
        done += got;
        if (direct) continue;
        size_t items = got / s->item_bytes;
        for (size_t k = 0; k < items; k++) {
            const uint8_t *at = buffer + k * s->item_bytes;
            int64_t iv = 0;
            double dv = 0;
            int is_float = 0;
            switch (s->datatype) {
            case 2: iv = at[0]; break;
            case 256: iv = (int8_t)at[0]; break;
            case 4: iv = (int16_t)get16(at, swap); break;
            case 512: iv = get16(at, swap); break;
            case 8: iv = (int32_t)get32(at, swap); break;
            case 768: iv = get32(at, swap); break;
            case 1024: iv = (int64_t)get64(at, swap); break;
            case 1280: {
                uint64_t u = get64(at, swap);
                iv = u > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)u;
                break;
            }
            case 16: dv = getf32(at, swap); is_float = 1; break;
            default: dv = getf64(at, swap); is_float = 1; break;
            }
            uint64_t v = p.v, t = p.t;
            uint64_t index = place(&p);
            if (sample == CMASK_SAMPLE_F32) {
                double value = is_float ? dv : (double)iv;
                if (s->scaled) value = value * s->slope + s->inter;
                if (!store_float(value, (float *)out + index, decoder, &p, message)) return CMASK_ERR_UNSUPPORTED;
                continue;
            }
            uint64_t limit = sample == CMASK_SAMPLE_U8 ? 255 : sample == CMASK_SAMPLE_U16 ? 65535 : UINT32_MAX;
            if (iv < 0 || (uint64_t)iv > limit) {
                char where[96];
                voxel_text(decoder, v, t, where, sizeof where);
                if (iv < 0)
                    cmask_set_error(message, "%s holds %lld: integer NIfTI data are labels, which cannot be negative",
                                    where, (long long)iv);
                else
                    cmask_set_error(message, "%s holds %lld: more than the largest label, %llu", where, (long long)iv,
                                    (unsigned long long)limit);
                return CMASK_ERR_UNSUPPORTED;
            }
            switch (sample) {
            case CMASK_SAMPLE_U8: ((uint8_t *)out)[index] = (uint8_t)iv; break;
            case CMASK_SAMPLE_U16: ((uint16_t *)out)[index] = (uint16_t)iv; break;
            default: ((uint32_t *)out)[index] = (uint32_t)iv; break;
            }
        }
    }
    /* Nothing may follow the data. */
    if (s->gz) {
        size_t extra = stream_read(s, s->chunk, 1, message, &failed);
        if (failed) return CMASK_ERR_CORRUPT;
        if (extra > 0) {
            cmask_set_error(message, "NIfTI data longer than declared: the gzip stream goes on past %llu data bytes",
                            (unsigned long long)need);
            return CMASK_ERR_CORRUPT;
        }
    }
    /* The thread's next file may use the scratch buffer now (this handle may stay open a while). */
    give_scratch(s->whole, s->whole_capacity);
    s->whole = NULL;
    return CMASK_OK;
}

void cmask_nifti_close(cmask_decoder *decoder) {
    cmask_nifti_state *s = decoder->nifti;
    if (s == NULL) return;
    if (s->zinit) inflateEnd(&s->zs);
    give_scratch(s->whole, s->whole_capacity);
    free(s->in);
    free(s->chunk);
    free(s);
    decoder->nifti = NULL;
}
