/* Whether a screenshot shows something: decodes a PNG (libpng) and measures how much of it
 * differs from its most common colour (the page background) and how many colours it has.
 *
 *   png_check FILE MIN_PERCENT MIN_COLORS   prints "WxH, N colours, P% not background" and
 *                                           exits 1 when P < MIN_PERCENT or N < MIN_COLORS
 *   png_check --write-blank FILE W H        writes a one-colour PNG (the checker's own test)
 *   png_check --write-stripes FILE W H      writes one with coloured stripes (likewise) */
#include <png.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS (1 << 16) /* open-addressing set of colours */

static int write_png(const char *path, int w, int h, int stripes) {
    FILE *f = fopen(path, "wb");
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!f || !info || setjmp(png_jmpbuf(png))) {
        fprintf(stderr, "png_check: cannot write %s\n", path);
        return 1;
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    png_bytep row = malloc((size_t)w * 3);
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            int band = stripes ? (y / 8) % 5 : 0;
            row[x * 3] = (png_byte)(250 - band * 40);
            row[x * 3 + 1] = (png_byte)(250 - (band * 70) % 250);
            row[x * 3 + 2] = (png_byte)(250 - (x * band) % 200);
        }
        png_write_row(png, row);
    }
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    free(row);
    fclose(f);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 5 && strncmp(argv[1], "--write-", 8) == 0) {
        return write_png(argv[2], atoi(argv[3]), atoi(argv[4]),
                         strcmp(argv[1], "--write-stripes") == 0);
    }
    if (argc != 4) {
        fprintf(stderr, "usage: png_check FILE MIN_PERCENT MIN_COLORS\n");
        return 2;
    }
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&img, argv[1])) {
        fprintf(stderr, "png_check: %s: %s\n", argv[1], img.message);
        return 1;
    }
    img.format = PNG_FORMAT_RGBA;
    size_t n = (size_t)img.width * img.height;
    uint32_t *px = malloc(n * 4);
    if (!px || !png_image_finish_read(&img, NULL, px, 0, NULL)) {
        fprintf(stderr, "png_check: %s: %s\n", argv[1], img.message);
        return 1;
    }
    /* distinct colours and their counts */
    uint32_t *key = calloc(SLOTS, sizeof *key);
    uint64_t *count = calloc(SLOTS, sizeof *count);
    unsigned char *used = calloc(SLOTS, 1);
    size_t colours = 0, overflow = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = px[i];
        size_t h = (size_t)((c * 2654435761u) >> 16) % SLOTS;
        size_t probes = 0;
        while (used[h] && key[h] != c && probes < SLOTS) {
            h = (h + 1) % SLOTS;
            probes++;
        }
        if (probes == SLOTS) {
            overflow++;
            continue;
        }
        if (!used[h]) {
            used[h] = 1;
            key[h] = c;
            colours++;
        }
        count[h]++;
    }
    uint64_t top = 0;
    for (size_t h = 0; h < SLOTS; h++) {
        top = count[h] > top ? count[h] : top;
    }
    double other = n ? 100.0 * (double)(n - top) / (double)n : 0;
    printf("%ux%u, %zu colours, %.2f%% not background\n", img.width, img.height,
           colours + (overflow > 0), other);
    free(px);
    free(key);
    free(count);
    free(used);
    return n > 0 && other >= atof(argv[2]) && colours >= (size_t)atoi(argv[3]) ? 0 : 1;
}
