/* std::log: named Loggers in a dotted hierarchy and the sinks their events go to.
 *
 * A Logger { name, parent_path } writes events at five levels (trace, debug, info, warn, error)
 * under the path `parent_path.name`. Every sink alive in the process gets every event, in the
 * order the sinks were made; with no sink alive an event goes nowhere. A sink is a locus: it
 * takes events from its instantiation until it dissolves (it lives to the end of the scope that
 * made it, as a bus subscriber does), so `std::log::StdoutSink { };` at the top of main is the
 * usual way to turn logging on.
 *   StdoutSink { }          "[INFO app.db] message": trace/debug/info on stdout, warn/error on
 *                           stderr
 *   ConsoleSink { color, show_time }   "HH:MM:SS INFO  app.db message", the level badge five
 *                           wide, colored when `color` and stderr is a terminal (NO_COLOR turns
 *                           it off, FORCE_COLOR / CLICOLOR_FORCE on); warn/error on stderr
 *   FileSink { path, max_size_bytes, keep_files }   appends "ISO-TIME LEVEL path message"
 *                           lines; past max_size_bytes (0: never) the file becomes path.1, path.1
 *                           becomes path.2 ... up to keep_files, and a new file starts. A write
 *                           that fails is counted (failures()) and the event dropped, never an
 *                           error of the logging code.
 * The registry takes a mutex per event; output goes through the program's own buffered stdout
 * and stderr (io.h), so log lines and println lines never interleave mid-line. */
#ifndef HALE_RUNTIME_STD_LOG_H
#define HALE_RUNTIME_STD_LOG_H

#include <stdbool.h>
#include <stdint.h>

#include "region.h"
#include "value.h"

enum { HALE_LOG_TRACE, HALE_LOG_DEBUG, HALE_LOG_INFO, HALE_LOG_WARN, HALE_LOG_ERROR };

typedef struct hale_log_sink hale_log_sink;
struct hale_log_sink {
    hale_log_sink *next;
    int kind; /* stdout, console, file */
    bool color, show_time;
    char path[512];
    int64_t max_size, keep;
    int64_t failures;
};

typedef struct {
    hale_str path; /* parent_path.name, in the Logger's region */
} hale_logger;

void hale_logger_init(hale_logger *l, hale_region *r, hale_str name, hale_str parent_path);
void hale_logger_trace(hale_logger *l, hale_str msg);
void hale_logger_debug(hale_logger *l, hale_str msg);
void hale_logger_info(hale_logger *l, hale_str msg);
void hale_logger_warn(hale_logger *l, hale_str msg);
void hale_logger_error(hale_logger *l, hale_str msg);
hale_str hale_logger_path(hale_logger *l, hale_region *r);
/* One event to every sink (the Loggers' common path; any thread). */
void hale_log_emit(int level, hale_str path, hale_str msg);

void hale_log_stdout_init(hale_log_sink *s);
void hale_log_console_init(hale_log_sink *s, bool color, bool show_time);
void hale_log_file_init(hale_log_sink *s, hale_str path, int64_t max_size, int64_t keep);
/* A sink's dissolve: it takes no more events. */
void hale_log_sink_dissolve(hale_log_sink *s);
int64_t hale_log_sink_failures(hale_log_sink *s);

#endif
