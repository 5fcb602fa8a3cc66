/* Hand-written type descriptors shaped like the ones the compiler emits, shared by the unit tests
 * of the runtime (copy, slots, forms, codecs, the bus) and of the transport (frames, bindings).
 * Included only by *_test.c files. */
#ifndef HALE_RUNTIME_TEST_TYPES_H
#define HALE_RUNTIME_TEST_TYPES_H

#include <stddef.h>

#include "value.h"

/* type Point { x: Float; y: Float; }  (flat) */
typedef struct {
    double x;
    double y;
} Point;

static const hale_field point_fields[] = {
    {"x", offsetof(Point, x), &hale_type_float},
    {"y", offsetof(Point, y), &hale_type_float},
};
static const hale_type T_Point = {.kind = HALE_T_RECORD,
                                  .name = "Point",
                                  .size = sizeof(Point),
                                  .align = _Alignof(Point),
                                  .flat = true,
                                  .fields = point_fields,
                                  .nfields = 2};

/* type Entry { id: Int; name: String; } */
typedef struct {
    int64_t id;
    hale_str name;
} Entry;

static const hale_field entry_fields[] = {
    {"id", offsetof(Entry, id), &hale_type_int},
    {"name", offsetof(Entry, name), &hale_type_string},
};
static const hale_type T_Entry = {.kind = HALE_T_RECORD,
                                  .name = "Entry",
                                  .size = sizeof(Entry),
                                  .align = _Alignof(Entry),
                                  .flat = false,
                                  .fields = entry_fields,
                                  .nfields = 2};

/* [String] */
static const hale_type T_Strings = {.kind = HALE_T_ARRAY,
                                    .name = "[String]",
                                    .size = sizeof(hale_array),
                                    .align = _Alignof(hale_array),
                                    .flat = false,
                                    .elem = &hale_type_string};

/* [Point] */
static const hale_type T_Points = {.kind = HALE_T_ARRAY,
                                   .name = "[Point]",
                                   .size = sizeof(hale_array),
                                   .align = _Alignof(hale_array),
                                   .flat = false,
                                   .elem = &T_Point};

/* bounded[String; 3] */
typedef struct {
    int64_t len;
    hale_str items[3];
} Recent;

static const hale_type T_Recent = {.kind = HALE_T_BOUNDED,
                                   .name = "bounded[String; 3]",
                                   .size = sizeof(Recent),
                                   .align = _Alignof(Recent),
                                   .flat = false,
                                   .elem = &hale_type_string,
                                   .capacity = 3,
                                   .items_offset = offsetof(Recent, items)};

/* enum Level { Debug, Info, Warn } */
static const char *const level_variants[] = {"Debug", "Info", "Warn"};
static const hale_type T_Level = {.kind = HALE_T_ENUM,
                                  .name = "Level",
                                  .size = sizeof(int64_t),
                                  .align = _Alignof(int64_t),
                                  .flat = true,
                                  .variants = level_variants,
                                  .nvariants = 3};

/* type Msg { room: String; tags: [String]; at: Point; recent: bounded[String; 3]; level: Level;
 *            urgent: Bool; } */
typedef struct {
    hale_str room;
    hale_array tags;
    Point at;
    Recent recent;
    int64_t level;
    bool urgent;
} Msg;

static const hale_field msg_fields[] = {
    {"room", offsetof(Msg, room), &hale_type_string},
    {"tags", offsetof(Msg, tags), &T_Strings},
    {"at", offsetof(Msg, at), &T_Point},
    {"recent", offsetof(Msg, recent), &T_Recent},
    {"level", offsetof(Msg, level), &T_Level},
    {"urgent", offsetof(Msg, urgent), &hale_type_bool},
};
static const hale_type T_Msg = {.kind = HALE_T_RECORD,
                                .name = "Msg",
                                .size = sizeof(Msg),
                                .align = _Alignof(Msg),
                                .flat = false,
                                .fields = msg_fields,
                                .nfields = 6};

/* [Msg] */
static const hale_type T_Msgs = {.kind = HALE_T_ARRAY,
                                 .name = "[Msg]",
                                 .size = sizeof(hale_array),
                                 .align = _Alignof(hale_array),
                                 .flat = false,
                                 .elem = &T_Msg};

/* type Tick { n: Int; }  (flat: the smallest payload) */
typedef struct {
    int64_t n;
} Tick;
static const hale_field tick_fields[] = {{"n", offsetof(Tick, n), &hale_type_int}};
static const hale_type T_Tick = {.kind = HALE_T_RECORD,
                                 .name = "Tick",
                                 .size = sizeof(Tick),
                                 .align = _Alignof(Tick),
                                 .flat = true,
                                 .fields = tick_fields,
                                 .nfields = 1};

/* type Note { n: Int; text: String; }  (a numbered line; the fingerprint a build would give it) */
typedef struct {
    int64_t n;
    hale_str text;
} Note;
static const hale_field note_fields[] = {
    {"n", offsetof(Note, n), &hale_type_int},
    {"text", offsetof(Note, text), &hale_type_string},
};
static const hale_type T_Note = {.kind = HALE_T_RECORD,
                                 .name = "Note",
                                 .size = sizeof(Note),
                                 .align = _Alignof(Note),
                                 .fingerprint = 0xabc,
                                 .fields = note_fields,
                                 .nfields = 2};

#endif
