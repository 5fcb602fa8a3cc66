/* std::http's text forms (std_http.h): Hale's lenient parse_request, header lookups over a
 * CRLF-joined block, reason phrases, and the response writer the Server and write_response
 * share. Fuzzed by http_text_fuzz.c. */
#include <stdio.h>
#include <string.h>

#include "std_http.h"
#include "str.h"

static hale_str empty(void) {
    return (hale_str){"", 0};
}

static int64_t find(hale_str s, int64_t from, const char *needle) {
    hale_str rest = {s.ptr + from, s.len - from};
    int64_t at = hale_str_index_of(rest, (hale_str){needle, (int64_t)strlen(needle)});
    return at < 0 ? -1 : from + at;
}

void hale_http_parse_request(hale_str raw, hale_http_request *out) {
    memset(out, 0, sizeof *out);
    out->method = out->path = out->version = out->headers = out->body = empty();
    out->conn_fd = -1;
    int64_t eol = find(raw, 0, "\r\n");
    if (eol < 0) {
        return; /* not even a request line */
    }
    /* the request line: METHOD SP TARGET [SP VERSION]; one word alone is not a request */
    hale_str line = {raw.ptr, eol};
    int64_t sp1 = hale_str_index_of(line, HALE_STR_LIT(" "));
    if (sp1 > 0) {
        out->method = (hale_str){line.ptr, sp1};
        hale_str rest = {line.ptr + sp1 + 1, line.len - sp1 - 1};
        int64_t sp2 = hale_str_index_of(rest, HALE_STR_LIT(" "));
        if (sp2 < 0) {
            out->path = rest;
        } else {
            out->path = (hale_str){rest.ptr, sp2};
            out->version = (hale_str){rest.ptr + sp2 + 1, rest.len - sp2 - 1};
        }
    }
    /* the header block runs to the blank line; the body is everything after it */
    int64_t head = eol + 2;
    int64_t blank = find(raw, eol, "\r\n\r\n");
    if (blank < 0) {
        out->headers = (hale_str){raw.ptr + head, raw.len - head};
        return;
    }
    out->headers = blank > eol ? (hale_str){raw.ptr + head, blank - head} : empty();
    out->body = (hale_str){raw.ptr + blank + 4, raw.len - blank - 4};
}

static bool same_name(hale_str a, hale_str b) {
    if (a.len != b.len) {
        return false;
    }
    for (int64_t i = 0; i < a.len; i++) {
        unsigned char x = (unsigned char)a.ptr[i], y = (unsigned char)b.ptr[i];
        if (x >= 'A' && x <= 'Z') {
            x += 32;
        }
        if (y >= 'A' && y <= 'Z') {
            y += 32;
        }
        if (x != y) {
            return false;
        }
    }
    return true;
}

hale_str hale_http_header_in(hale_str headers, hale_str name) {
    int64_t i = 0;
    while (i < headers.len) {
        int64_t eol = find(headers, i, "\r\n");
        int64_t end = eol < 0 ? headers.len : eol;
        hale_str line = {headers.ptr + i, end - i};
        int64_t colon = hale_str_index_of(line, HALE_STR_LIT(":"));
        if (colon > 0 && same_name(hale_str_trim((hale_str){line.ptr, colon}), name)) {
            return hale_str_trim((hale_str){line.ptr + colon + 1, line.len - colon - 1});
        }
        if (eol < 0) {
            break;
        }
        i = eol + 2;
    }
    return empty();
}

hale_str hale_http_request_header(const hale_http_request *r, hale_str name) {
    return hale_http_header_in(r->headers, name);
}

hale_str hale_http_response_header(const hale_http_response *r, hale_str name) {
    return hale_http_header_in(r->headers, name);
}

const char *hale_http_status_phrase(int64_t status) {
    static const struct {
        int code;
        const char *phrase;
    } phrases[] = {
        {100, "Continue"},
        {101, "Switching Protocols"},
        {200, "OK"},
        {201, "Created"},
        {202, "Accepted"},
        {204, "No Content"},
        {206, "Partial Content"},
        {301, "Moved Permanently"},
        {302, "Found"},
        {303, "See Other"},
        {304, "Not Modified"},
        {307, "Temporary Redirect"},
        {308, "Permanent Redirect"},
        {400, "Bad Request"},
        {401, "Unauthorized"},
        {403, "Forbidden"},
        {404, "Not Found"},
        {405, "Method Not Allowed"},
        {408, "Request Timeout"},
        {409, "Conflict"},
        {411, "Length Required"},
        {413, "Payload Too Large"},
        {415, "Unsupported Media Type"},
        {422, "Unprocessable Entity"},
        {429, "Too Many Requests"},
        {431, "Request Header Fields Too Large"},
        {500, "Internal Server Error"},
        {501, "Not Implemented"},
        {502, "Bad Gateway"},
        {503, "Service Unavailable"},
        {504, "Gateway Timeout"},
    };
    for (size_t i = 0; i < sizeof phrases / sizeof phrases[0]; i++) {
        if (phrases[i].code == status) {
            return phrases[i].phrase;
        }
    }
    return "Unknown";
}

hale_str hale_http_status_phrase_str(int64_t status) {
    const char *p = hale_http_status_phrase(status);
    return (hale_str){p, (int64_t)strlen(p)};
}

static void put(hale_bytes_builder *out, const char *s) {
    hale_bytes_builder_append_raw(out, s, (int64_t)strlen(s));
}

/* Appends `s` with CR and LF dropped (a handler's value cannot split the head). */
static void put_field(hale_bytes_builder *out, hale_str s) {
    int64_t from = 0;
    for (int64_t i = 0; i <= s.len; i++) {
        if (i == s.len || s.ptr[i] == '\r' || s.ptr[i] == '\n') {
            hale_bytes_builder_append_raw(out, s.ptr + from, i - from);
            from = i + 1;
        }
    }
}

void hale_http_write_response(hale_bytes_builder *out, const hale_http_response *r,
                              bool keep_alive) {
    if (r->takeover_raw) {
        return;
    }
    int64_t status = r->status >= 100 && r->status <= 999 ? r->status : 500;
    char line[96];
    int n = snprintf(line, sizeof line, "HTTP/1.1 %lld %s\r\n", (long long)status,
                     hale_http_status_phrase(status));
    hale_bytes_builder_append_raw(out, line, n);
    if (!r->takeover) {
        put(out, "Content-Type: ");
        put_field(out, r->content_type.len ? r->content_type : HALE_STR_LIT("text/plain"));
        n = snprintf(line, sizeof line, "\r\nContent-Length: %lld\r\n", (long long)r->body.len);
        hale_bytes_builder_append_raw(out, line, n);
    }
    if (r->headers.len) {
        hale_bytes_builder_append_raw(out, r->headers.ptr, r->headers.len);
        put(out, "\r\n");
    }
    if (!r->takeover) {
        put(out, keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n");
    }
    put(out, "\r\n");
    if (!r->takeover) {
        hale_bytes_builder_append_raw(out, r->body.ptr, r->body.len);
    }
}

hale_str hale_http_response_text(hale_region *r, const hale_http_response *resp) {
    hale_bytes_builder b;
    hale_bytes_builder_init(&b, r, 256);
    hale_http_write_response(&b, resp, false);
    hale_bytes v = hale_bytes_builder_finish(&b, r);
    hale_bytes_builder_destroy(&b);
    return (hale_str){(const char *)v.ptr, v.len};
}
