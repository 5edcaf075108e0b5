/*
 * What a TIFF's first page says about the size of its pixels and the shape of its array:
 * XResolution/YResolution/ResolutionUnit, ImageJ's `unit=` and `spacing=` description lines, and
 * tifffile's `{"shape": […]}` description.
 */
#include "tiff_internal.h"

#include <stdlib.h>
#include <string.h>

/** ResolutionUnit, or inch (TIFF's default) when absent. */
static uint16_t resolution_unit(TIFF *tif) {
    uint16_t value = RESUNIT_INCH;
    if (!TIFFGetFieldDefaulted(tif, TIFFTAG_RESOLUTIONUNIT, &value)) return RESUNIT_INCH;
    return value;
}

/* ---- physical size ------------------------------------------------------------------------ */

/** The value of `key` (e.g. "spacing=") on a line of ImageJ's description, copied into `out`. */
static int imagej_value(const char *text, const char *key, char *out, size_t out_size) {
    size_t key_length = strlen(key);
    const char *line = text;
    while (line != NULL && *line != '\0') {
        if (strncmp(line, key, key_length) == 0) {
            const char *value = line + key_length;
            size_t n = strcspn(value, "\r\n");
            if (n >= out_size) n = out_size - 1;
            memcpy(out, value, n);
            out[n] = '\0';
            return 1;
        }
        line = strchr(line, '\n');
        if (line != NULL) line++;
    }
    return 0;
}

/**
 * tifffile's description of the array a file holds, `{"shape": [2, 8, 9]}` (more keys may follow),
 * into `info->shaped`; anything else (more than 5 values, a value of 0 or from 2^32 on, no closing
 * bracket) leaves `shaped_dims` 0.
 */
static void read_tifffile_shape(const char *text, cmask_info *info) {
    static const char prefix[] = "{\"shape\": [";
    if (strncmp(text, prefix, sizeof prefix - 1) != 0) return;
    const char *p = text + sizeof prefix - 1;
    uint64_t values[5];
    uint32_t count = 0;
    for (;;) {
        while (*p == ' ') p++;
        if (*p < '0' || *p > '9' || count == 5) return;
        uint64_t value = 0;
        while (*p >= '0' && *p <= '9') {
            value = value * 10 + (uint64_t)(*p - '0');
            if (value >= ((uint64_t)1 << 32)) return;
            p++;
        }
        if (value == 0) return;
        values[count++] = value;
        while (*p == ' ') p++;
        if (*p == ']') break;
        if (*p != ',') return;
        p++;
    }
    memcpy(info->shaped, values, count * sizeof values[0]);
    info->shaped_dims = count;
}

/**
 * Reads the first page's XResolution, YResolution and ResolutionUnit, ImageJ's `unit=` and
 * `spacing=` lines, and tifffile's `{"shape": […]}` description into `info`. Values that are
 * absent, zero, negative or not finite are left 0.
 */
void cmask_tiff_read_physical_size(TIFF *tif, cmask_info *info) {
    if (!TIFFSetDirectory(tif, 0)) return;
    float x = 0, y = 0;
    if (TIFFGetField(tif, TIFFTAG_XRESOLUTION, &x) && TIFFGetField(tif, TIFFTAG_YRESOLUTION, &y) && x > 0 && y > 0 &&
        x < 1e30f && y < 1e30f) {
        info->resolution[0] = x;
        info->resolution[1] = y;
        info->resolution_unit = resolution_unit(tif);
    }
    const char *text = NULL;
    if (!TIFFGetField(tif, TIFFTAG_IMAGEDESCRIPTION, &text) || text == NULL) return;
    read_tifffile_shape(text, info);
    if (strncmp(text, "ImageJ=", 7) != 0) return;
    info->imagej = 1;
    char value[64];
    if (imagej_value(text, "spacing=", value, sizeof value)) {
        char *end = NULL;
        double spacing = strtod(value, &end);
        if (end != value && spacing > 0 && spacing < 1e30) info->imagej_spacing = spacing;
    }
    if (imagej_value(text, "unit=", value, sizeof value)) {
        size_t n = strlen(value);
        if (n >= sizeof info->imagej_unit) n = sizeof info->imagej_unit - 1;
        memcpy(info->imagej_unit, value, n);
        info->imagej_unit[n] = '\0';
    }
}
