/*
 * make_demo.c - builds Fixtures/demo from the real ISBI 2012 membrane labels (MIT, copied in
 * Fixtures/real/isbi2012-membrane-unet). Run by `make fixtures`; the product never needs it.
 *
 * Ground truth (gt/slice_NN.png, 8-bit gray label maps, 512x512), from label NN of ISBI:
 *   1 membrane      ISBI value 0
 *   2 small cell    a 4-connected cell region (ISBI 255) of fewer than 1500 pixels
 *   3 large cell    a cell region of more than 6000 pixels
 *   0 background    the other cell regions
 * Predictions (pred/slice_NN.png, 8-bit palette PNGs: the indices are the labels) are the ground
 * truth with deterministic errors: the membrane grown or shrunk by one pixel, some small cells
 * missed, some large cells predicted as background, and a few spurious small-cell blobs.
 * pred/slice_99.png has no ground truth: it shows up as an unmatched prediction.
 *
 * Build: cc -O2 -o make_demo make_demo.c $(pkg-config --cflags --libs libpng)
 */
#include <png.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { W = 512, H = 512, N = W * H, SLICES = 8 };

static uint32_t rng_state;

static uint32_t next_random(void) {
    rng_state = rng_state * 1664525u + 1013904223u;
    return rng_state >> 8;
}

static void fail(const char *what) {
    fprintf(stderr, "make_demo: %s\n", what);
    exit(1);
}

static void read_gray(const char *path, uint8_t *out) {
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&image, path)) fail(image.message);
    if (image.width != W || image.height != H) fail("unexpected ISBI size");
    image.format = PNG_FORMAT_GRAY;
    if (!png_image_finish_read(&image, NULL, out, 0, NULL)) fail(image.message);
}

static void write_png(const char *path, const uint8_t *labels, int palette) {
    FILE *file = fopen(path, "wb");
    if (!file) fail("cannot create a demo PNG");
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    if (setjmp(png_jmpbuf(png))) fail("libpng write error");
    png_init_io(png, file);
    png_set_IHDR(png, info, W, H, 8, palette ? PNG_COLOR_TYPE_PALETTE : PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (palette) {
        png_color colors[4] = {{20, 20, 20}, {240, 240, 240}, {230, 80, 60}, {60, 120, 230}};
        png_set_PLTE(png, info, colors, 4);
    }
    png_write_info(png, info);
    for (int y = 0; y < H; y++) png_write_row(png, (png_const_bytep)(labels + (size_t)y * W));
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    fclose(file);
}

/* Labels cell regions: component id per pixel (0 = membrane), and each component's area. */
static int components(const uint8_t *isbi, int *component, int *area, int capacity) {
    static int stack[N];
    int count = 0;
    for (int i = 0; i < N; i++) component[i] = -1;
    for (int start = 0; start < N; start++) {
        if (isbi[start] == 0 || component[start] >= 0) continue;
        if (count == capacity) fail("too many components");
        int top = 0;
        stack[top++] = start;
        component[start] = count;
        area[count] = 0;
        while (top > 0) {
            int p = stack[--top];
            area[count]++;
            int x = p % W, y = p / W;
            int neighbours[4] = {x > 0 ? p - 1 : -1, x < W - 1 ? p + 1 : -1, y > 0 ? p - W : -1, y < H - 1 ? p + W : -1};
            for (int k = 0; k < 4; k++) {
                int q = neighbours[k];
                if (q >= 0 && isbi[q] != 0 && component[q] < 0) {
                    component[q] = count;
                    stack[top++] = q;
                }
            }
        }
        count++;
    }
    return count;
}

static int class_of_area(int area) { return area < 1500 ? 2 : area > 6000 ? 3 : 0; }

int main(int argc, char **argv) {
    const char *root = argc > 1 ? argv[1] : "Fixtures";
    char path[512];
    snprintf(path, sizeof path, "%s/demo", root);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/demo/gt", root);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/demo/pred", root);
    mkdir(path, 0755);

    static uint8_t isbi[N], truth[N], prediction[N];
    static int component[N];
    static int area[8192];
    for (int slice = 0; slice < SLICES; slice++) {
        rng_state = 20260 + (uint32_t)slice * 7919u;
        snprintf(path, sizeof path, "%s/real/isbi2012-membrane-unet/gt/%d.png", root, slice);
        read_gray(path, isbi);
        int count = components(isbi, component, area, 8192);
        for (int i = 0; i < N; i++) truth[i] = isbi[i] == 0 ? 1 : (uint8_t)class_of_area(area[component[i]]);

        /* Per-component decisions: miss a quarter of the small cells, merge a third of the large
         * cells into the background. */
        static uint8_t fate[8192];
        for (int c = 0; c < count; c++) {
            int cls = class_of_area(area[c]);
            fate[c] = (uint8_t)cls;
            if (cls == 2 && next_random() % 4 == 0) fate[c] = 0;
            if (cls == 3 && next_random() % 3 == 0) fate[c] = 0;
        }
        int grow = slice % 2 == 0; /* membrane one pixel thicker on even slices, thinner on odd */
        for (int i = 0; i < N; i++) {
            int x = i % W, y = i / W;
            int near_membrane = 0, all_membrane = 1;
            for (int dy = -1; dy <= 1; dy++) {
                for (int dx = -1; dx <= 1; dx++) {
                    int xx = x + dx, yy = y + dy;
                    if (xx < 0 || yy < 0 || xx >= W || yy >= H) continue;
                    if (isbi[yy * W + xx] == 0) near_membrane = 1; else all_membrane = 0;
                }
            }
            int membrane = grow ? near_membrane : (isbi[i] == 0 && all_membrane);
            prediction[i] = membrane ? 1 : (isbi[i] == 0 ? 0 : fate[component[i]]);
        }
        /* A few spurious small-cell blobs. */
        for (int blob = 0; blob < 3; blob++) {
            int cx = (int)(next_random() % (W - 40)) + 20, cy = (int)(next_random() % (H - 40)) + 20;
            for (int dy = -6; dy <= 6; dy++)
                for (int dx = -6; dx <= 6; dx++)
                    if (dx * dx + dy * dy <= 36) prediction[(cy + dy) * W + cx + dx] = 2;
        }
        snprintf(path, sizeof path, "%s/demo/gt/slice_%02d.png", root, slice);
        write_png(path, truth, 0);
        snprintf(path, sizeof path, "%s/demo/pred/slice_%02d.png", root, slice);
        write_png(path, prediction, 1);
    }
    /* An unmatched prediction: the last prediction again under a name with no ground truth. */
    snprintf(path, sizeof path, "%s/demo/pred/slice_99.png", root);
    write_png(path, prediction, 1);
    return 0;
}
