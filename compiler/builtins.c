/* See builtins.h. */
#include "builtins.h"

#include <assert.h>
#include <string.h>

static const hc_builtin table[] = {
    {"print", BI_PRINT, NULL, NULL, NULL, NULL, 0, 0},
    {"println", BI_PRINTLN, NULL, NULL, NULL, NULL, 0, 0},
    {"eprint", BI_EPRINT, NULL, NULL, NULL, NULL, 0, 0},
    {"eprintln", BI_EPRINTLN, NULL, NULL, NULL, NULL, 0, 0},
    {"len", BI_LEN, NULL, NULL, NULL, NULL, 0, 0},
    {"to_string", BI_TO_STRING, NULL, NULL, NULL, NULL, 1, 0},
    {"min", BI_MIN, NULL, NULL, NULL, NULL, 0, 0},
    {"max", BI_MAX, NULL, NULL, NULL, NULL, 0, 0},
    {"abs", BI_ABS, NULL, NULL, NULL, NULL, 0, 0},
    {"push", BI_PUSH, NULL, NULL, "CapacityError", NULL, 0, 0},
    {"at", BI_AT, NULL, NULL, "IndexError", "out_of_bounds", 0, 0},
    {"set", BI_SET, NULL, NULL, "IndexError", "out_of_bounds", 0, 0},
    {"count", BI_COUNT, NULL, NULL, NULL, NULL, 0, 0},
    {"clear", BI_CLEAR, NULL, NULL, NULL, NULL, 0, 0},
    {"truncate", BI_TRUNCATE, NULL, NULL, NULL, NULL, 0, 0},
    {"check_closures", BI_CHECK_CLOSURES, NULL, NULL, NULL, NULL, 0, 0},
    /* string helpers also reachable without a path (Hale's early built-ins) */
    {"contains", BI_SIG, "SS>B", "hale_str_contains", NULL, NULL, 0, 0},
    {"starts_with", BI_SIG, "SS>B", "hale_str_starts_with", NULL, NULL, 0, 0},
    {"ends_with", BI_SIG, "SS>B", "hale_str_ends_with", NULL, NULL, 0, 0},
    /* std::str */
    {"std::str::parse_int", BI_SIG, "S>I", "hale_str_parse_int", "ParseError", "parse_int", 0, 0},
    {"std::str::parse_float", BI_SIG, "S>F", "hale_str_parse_float", "ParseError", "parse_float", 0,
     0},
    {"std::str::can_parse_int", BI_SIG, "S>B", "hale_str_can_parse_int", NULL, NULL, 0, 0},
    {"std::str::can_parse_float", BI_SIG, "S>B", "hale_str_can_parse_float", NULL, NULL, 0, 0},
    {"std::str::contains", BI_SIG, "SS>B", "hale_str_contains", NULL, NULL, 0, 0},
    {"std::str::starts_with", BI_SIG, "SS>B", "hale_str_starts_with", NULL, NULL, 0, 0},
    {"std::str::ends_with", BI_SIG, "SS>B", "hale_str_ends_with", NULL, NULL, 0, 0},
    {"std::str::index_of", BI_SIG, "SS>I", "hale_str_index_of", NULL, NULL, 0, 0},
    {"std::str::substring", BI_SIG, "SII>S", "hale_str_substring", NULL, NULL, 0, 0},
    {"std::str::trim", BI_SIG, "S>S", "hale_str_trim", NULL, NULL, 0, 0},
    {"std::str::trim_start", BI_SIG, "S>S", "hale_str_trim_start", NULL, NULL, 0, 0},
    {"std::str::trim_end", BI_SIG, "S>S", "hale_str_trim_end", NULL, NULL, 0, 0},
    {"std::str::lower", BI_SIG, "S>S", "hale_str_lower", NULL, NULL, 1, 0},
    {"std::str::upper", BI_SIG, "S>S", "hale_str_upper", NULL, NULL, 1, 0},
    {"std::str::replace", BI_SIG, "SSS>S", "hale_str_replace", NULL, NULL, 1, 0},
    {"std::str::repeat", BI_SIG, "SI>S", "hale_str_repeat", NULL, NULL, 1, 0},
    {"std::str::pad_left", BI_SIG, "SIS>S", "hale_str_pad_left", NULL, NULL, 1, 0},
    {"std::str::pad_right", BI_SIG, "SIS>S", "hale_str_pad_right", NULL, NULL, 1, 0},
    {"std::str::byte_at", BI_SIG, "SI>I", "hale_str_byte_at", NULL, NULL, 0, 0},
    {"std::str::from_char_code", BI_SIG, "I>S", "hale_str_from_byte", NULL, NULL, 1, 0},
    {"std::str::clone", BI_SIG, "S>S", "hale_str_copy", NULL, NULL, 1, 0},
    {"std::str::byte_at_unchecked", BI_SIG, "SI>I", "hale_str_byte_at", NULL, NULL, 0, 0},
    /* std::str, runtime/std_text.h: split/join over a @form(vec), ranges, builders, UTF-8 */
    {"std::str::split_into", BI_SIG, "SSV>U", "hale_str_split_into", NULL, NULL, 0, 0},
    {"std::str::join", BI_SIG, "VS>S", "hale_str_join", NULL, NULL, 1, 0},
    {"std::str::range_eq", BI_SIG, "SIIS>B", "hale_str_range_eq", NULL, NULL, 0, 0},
    {"std::str::range_parse_int", BI_SIG, "SII>I", "hale_str_range_parse_int", "ParseError",
     "parse_int", 0, 0},
    {"std::str::builder_new", BI_SIG, ">{StrBuilder}", "hale_str_builder_new", NULL, NULL, 0, 0},
    {"std::str::builder_append", BI_SIG, "{StrBuilder}S>{StrBuilder}", "hale_str_builder_append",
     NULL, NULL, 0, 0},
    {"std::str::builder_len", BI_SIG, "{StrBuilder}>I", "hale_str_builder_len", NULL, NULL, 0, 0},
    {"std::str::builder_finish", BI_SIG, "{StrBuilder}>S", "hale_str_builder_finish", NULL, NULL, 1,
     0},
    {"std::str::cp_count", BI_SIG, "S>I", "hale_str_cp_count", NULL, NULL, 0, 0},
    {"std::str::cp_at", BI_SIG, "SI>I", "hale_str_cp_at", NULL, NULL, 0, 0},
    {"std::str::cp_size", BI_SIG, "SI>I", "hale_str_cp_size", NULL, NULL, 0, 0},
    /* std::text byte classes and tokens (runtime/std_text.h) */
    {"std::text::is_alpha", BI_SIG, "I>B", "hale_text_is_alpha", NULL, NULL, 0, 0},
    {"std::text::is_digit", BI_SIG, "I>B", "hale_text_is_digit", NULL, NULL, 0, 0},
    {"std::text::is_alnum", BI_SIG, "I>B", "hale_text_is_alnum", NULL, NULL, 0, 0},
    {"std::text::is_whitespace", BI_SIG, "I>B", "hale_text_is_whitespace", NULL, NULL, 0, 0},
    {"std::text::is_word_char", BI_SIG, "I>B", "hale_text_is_word_char", NULL, NULL, 0, 0},
    {"std::text::tokenize_words_into", BI_SIG, "SV>U", "hale_text_tokenize_words_into", NULL, NULL,
     0, 0},
    {"std::str::is_utf8", BI_SIG, "S>B", "hale_str_is_utf8", NULL, NULL, 0, 0},
    /* std::env */
    {"std::env::args_count", BI_SIG, ">I", "hale_env_args_count", NULL, NULL, 0, 0},
    {"std::env::arg", BI_SIG, "I>S", "hale_env_arg", NULL, NULL, 0, 0},
    {"std::env::arg_or", BI_SIG, "IS>S", "hale_env_arg_or", NULL, NULL, 0, 0},
    {"std::env::var", BI_SIG, "S>S", "hale_env_var", NULL, NULL, 0, 0},
    {"std::env::var_or", BI_SIG, "SS>S", "hale_env_var_or", NULL, NULL, 0, 0},
    {"std::env::var_exists", BI_SIG, "S>B", "hale_env_var_exists", NULL, NULL, 0, 0},
    /* std::process */
    {"std::process::exit", BI_SIG, "I>!", "hale_process_exit", NULL, NULL, 0, 0},
    {"std::process::pid", BI_SIG, ">I", "hale_process_pid", NULL, NULL, 0, 0},
    {"std::process::rss_bytes", BI_SIG, ">I", "hale_process_rss_bytes", NULL, NULL, 0, 0},
    {"std::process::dump_arena_residency", BI_SIG, ">I", "hale_process_dump_arena_residency", NULL,
     NULL, 0, 0},
    /* std::process (runtime/std_process.h): run to completion, or a Child kept alive */
    {"std::process::run", BI_SIG, "S>{ProcessOutput}", "hale_process_run", "IoError", NULL, 1, 0},
    {"std::process::spawn", BI_SIG, "S>{Child}", "hale_child_spawn", "IoError", NULL, 1, 0},
    {"std::process::wait", BI_SIG, "{Child}>I", "hale_child_wait", "IoError", NULL, 1, 0},
    {"std::process::try_wait", BI_SIG, "{Child}>I", "hale_child_try_wait", "IoError", NULL, 1, 0},
    {"std::process::kill", BI_SIG, "{Child}>U", "hale_child_kill", "IoError", NULL, 1, 0},
    {"std::process::signal", BI_SIG, "{Child}I>U", "hale_child_signal", "IoError", NULL, 1, 0},
    {"std::process::write_stdin", BI_SIG, "{Child}S>I", "hale_child_write_stdin", "IoError", NULL,
     1, 0},
    {"std::process::close_stdin", BI_SIG, "{Child}>U", "hale_child_close_stdin", "IoError", NULL, 1,
     0},
    {"std::process::read_stdout", BI_SIG, "{Child}>S", "hale_child_read_stdout", "IoError", NULL, 1,
     0},
    {"std::process::read_stderr", BI_SIG, "{Child}>S", "hale_child_read_stderr", "IoError", NULL, 1,
     0},
    {"std::process::peak_rss_bytes", BI_SIG, ">I", "hale_process_peak_rss_bytes", NULL, NULL, 0, 0},
    /* std::time */
    {"std::time::monotonic", BI_SIG, ">D", "hale_time_monotonic", NULL, NULL, 0, 0},
    {"std::time::monotonic_ns", BI_SIG, ">I", "hale_time_monotonic", NULL, NULL, 0, 0},
    {"std::time::now", BI_SIG, ">I", "hale_time_now", NULL, NULL, 0, 0},
    {"std::time::sleep", BI_SIG, "D>U", "hale_locus_sleep", NULL, NULL, 0, 0},
    {"std::time::time_from_unix", BI_SIG, "I>S", "hale_time_from_unix", NULL, NULL, 1, 0},
    {"std::time::parse_iso8601", BI_SIG, "S>I", "hale_time_parse_iso8601", "ParseError",
     "parse_iso8601", 0, 0},
    {"std::time::can_parse_iso8601", BI_SIG, "S>B", "hale_time_can_parse_iso8601", NULL, NULL, 0,
     0},
    /* std::os, std::rand (runtime/std_os.h) */
    {"std::os::getrandom", BI_SIG, "I>Y", "hale_os_getrandom", "IoError", NULL, 1, 0},
    {"std::rand::next_int", BI_SIG, "I>I", "hale_rand_next_int", NULL, NULL, 0, 0},
    {"std::rand::seed_from_time", BI_SIG, ">U", "hale_rand_seed_from_time", NULL, NULL, 0, 0},
    /* std::text::base64, std::crypto (runtime/std_codec.h) */
    {"std::text::base64::encode", BI_SIG, "Y>S", "hale_base64_encode", NULL, NULL, 1, 0},
    {"std::text::base64::url_encode", BI_SIG, "Y>S", "hale_base64_url_encode", NULL, NULL, 1, 0},
    {"std::text::base64::decode", BI_SIG, "S>Y", "hale_base64_decode", NULL, NULL, 1, 0},
    {"std::text::hex::encode", BI_SIG, "Y>S", "hale_hex_encode", NULL, NULL, 1, 0},
    {"std::crypto::sha1", BI_SIG, "Y>Y", "hale_crypto_sha1", NULL, NULL, 1, 0},
    {"std::crypto::sha256", BI_SIG, "Y>Y", "hale_crypto_sha256", NULL, NULL, 1, 0},
    {"std::crypto::sha512", BI_SIG, "Y>Y", "hale_crypto_sha512", NULL, NULL, 1, 0},
    {"std::crypto::hmac_sha256", BI_SIG, "YY>Y", "hale_crypto_hmac_sha256", NULL, NULL, 1, 0},
    {"std::crypto::hmac_sha512", BI_SIG, "YY>Y", "hale_crypto_hmac_sha512", NULL, NULL, 1, 0},
    {"std::crypto::crc32", BI_SIG, "Y>I", "hale_crypto_crc32", NULL, NULL, 0, 0},
    /* std::io::stdin, std::io::stdout, std::term (runtime/std_term.h) */
    {"std::io::stdin::read_line", BI_SIG, ">S", "hale_stdin_read_line", NULL, NULL, 1, 0},
    {"std::io::stdin::read_line_status", BI_SIG, ">I", "hale_stdin_read_line_status", NULL, NULL, 0,
     0},
    {"std::io::stdin::read_byte", BI_SIG, "I>I", "hale_stdin_read_byte", NULL, NULL, 0, 0},
    {"std::io::stdout::write_bytes", BI_SIG, "S>I", "hale_stdout_write_bytes", NULL, NULL, 0, 0},
    {"std::term::is_tty", BI_SIG, "I>B", "hale_term_is_tty", NULL, NULL, 0, 0},
    {"std::term::size", BI_SIG, ">{TermSize}", "hale_term_size_get", NULL, NULL, 0, 0},
    /* std::test (runtime/std_misc.h) */
    {"std::test::assert", BI_SIG, "BS>U", "hale_test_assert", NULL, NULL, 0, 0},
    {"std::test::assert_eq_int", BI_SIG, "IIS>U", "hale_test_assert_eq_int", NULL, NULL, 0, 0},
    {"std::test::assert_eq_str", BI_SIG, "SSS>U", "hale_test_assert_eq_str", NULL, NULL, 0, 0},
    /* std::math */
    {"std::math::sqrt", BI_SIG, "F>F", "sqrt", NULL, NULL, 0, 0},
    {"std::math::exp", BI_SIG, "F>F", "exp", NULL, NULL, 0, 0},
    {"std::math::log", BI_SIG, "F>F", "log", NULL, NULL, 0, 0},
    {"std::math::floor", BI_SIG, "F>F", "floor", NULL, NULL, 0, 0},
    {"std::math::ceil", BI_SIG, "F>F", "ceil", NULL, NULL, 0, 0},
    {"std::math::pow", BI_SIG, "FF>F", "pow", NULL, NULL, 0, 0},
    {"std::math::sin", BI_SIG, "F>F", "sin", NULL, NULL, 0, 0},
    {"std::math::cos", BI_SIG, "F>F", "cos", NULL, NULL, 0, 0},
    {"std::math::tan", BI_SIG, "F>F", "tan", NULL, NULL, 0, 0},
    {"std::math::asin", BI_SIG, "F>F", "asin", NULL, NULL, 0, 0},
    {"std::math::acos", BI_SIG, "F>F", "acos", NULL, NULL, 0, 0},
    {"std::math::atan", BI_SIG, "F>F", "atan", NULL, NULL, 0, 0},
    {"std::math::atan2", BI_SIG, "FF>F", "atan2", NULL, NULL, 0, 0},
    {"std::math::tanh", BI_SIG, "F>F", "tanh", NULL, NULL, 0, 0},
    {"std::math::is_nan", BI_SIG, "F>B", "hale_math_is_nan", NULL, NULL, 0, 0},
    {"std::math::nan", BI_SIG, ">F", "hale_math_nan", NULL, NULL, 0, 0},
    {"std::math::inf", BI_SIG, ">F", "hale_math_inf", NULL, NULL, 0, 0},
    {"std::str::parse_decimal", BI_SIG, "S>X", "hale_str_parse_decimal", "ParseError",
     "parse_decimal", 0, 0},
    {"std::str::range_parse_decimal", BI_SIG, "SII>X", "hale_str_range_parse_decimal", "ParseError",
     "parse_decimal", 0, 0},
    {"std::decimal::format", BI_SIG, "XI>S", "hale_decimal_format", NULL, NULL, 1, 0},
    {"std::decimal::to_float", BI_SIG, "X>F", "hale_dec_to_float", NULL, NULL, 0, 0},
    {"std::decimal::from_int", BI_SIG, "I>X", "hale_dec_from_int", NULL, NULL, 0, 0},
    {"std::math::k_max", BI_SIG, "FFFF>F", "hale_math_k_max", NULL, NULL, 0, 0},
    {"std::math::int_to_float", BI_SIG, "I>F", "hale_math_int_to_float", NULL, NULL, 0, 0},
    {"std::math::float_to_int", BI_SIG, "F>I", "hale_math_float_to_int", NULL, NULL, 0, 0},
    {"std::math::trunc", BI_SIG, "F>I", "hale_math_float_to_int", NULL, NULL, 0, 0},
    {"std::math::round", BI_SIG, "F>I", "hale_math_round", NULL, NULL, 0, 0},
    /* std::diag */
    {"std::diag::heap_alloc_count", BI_SIG, ">I", "hale_diag_heap_alloc_count", NULL, NULL, 0, 0},
    {"std::diag::syscall_count", BI_SIG, "S>I", "hale_diag_syscall_count", NULL, NULL, 0, 0},
    {"std::diag::region_bytes", BI_SIG, ">I", "hale_locus_region_bytes", NULL, NULL, 0, 0},
    {"std::diag::escape_bytes_copied", BI_SIG, ">I", "hale_escape_bytes_copied", NULL, NULL, 0, 0},
    {"std::diag::guard_checks", BI_SIG, ">I", "hale_guard_checks", NULL, NULL, 0, 0},
    {"std::diag::guard_failures", BI_SIG, ">I", "hale_guard_failures", NULL, NULL, 0, 0},
    {"std::diag::hoisted_allocations", BI_SIG, ">I", "hale_hoisted_allocations", NULL, NULL, 0, 0},
    /* std::bytes */
    {"std::bytes::from_string", BI_SIG, "S>Y", "hale_bytes_from_string", NULL, NULL, 0, 0},
    {"std::bytes::slice", BI_SIG, "YII>Y", "hale_bytes_slice", NULL, NULL, 0, 0},
    {"std::bytes::at", BI_SIG, "YI>I", "hale_bytes_at", "IndexError", "out_of_bounds", 0,
     HC_BI_BARE},
    {"std::bytes::from_int", BI_SIG, "I>Y", "hale_bytes_from_int", NULL, NULL, 1, 0},
    {"std::bytes::concat", BI_SIG, "YY>Y", "hale_bytes_concat", NULL, NULL, 1, 0},
    {"std::bytes::clone", BI_SIG, "Y>Y", "hale_bytes_copy_into", NULL, NULL, 1, 0},
    {"std::bytes::find_byte", BI_SIG, "YII>I", "hale_bytes_find_byte", NULL, NULL, 0, 0},
    {"std::bytes::read_u8", BI_SIG, "YI>I", "hale_bytes_read_u8", "IndexError", "out_of_bounds", 0,
     0},
    {"std::bytes::read_i8", BI_SIG, "YI>I", "hale_bytes_read_i8", "IndexError", "out_of_bounds", 0,
     0},
    {"std::bytes::read_u16_le", BI_SIG, "YI>I", "hale_bytes_read_u16_le", "IndexError",
     "out_of_bounds", 0, 0},
    {"std::bytes::read_u16_be", BI_SIG, "YI>I", "hale_bytes_read_u16_be", "IndexError",
     "out_of_bounds", 0, 0},
    {"std::bytes::read_i16_le", BI_SIG, "YI>I", "hale_bytes_read_i16_le", "IndexError",
     "out_of_bounds", 0, 0},
    {"std::bytes::read_i16_be", BI_SIG, "YI>I", "hale_bytes_read_i16_be", "IndexError",
     "out_of_bounds", 0, 0},
    {"std::bytes::read_u32_le", BI_SIG, "YI>I", "hale_bytes_read_u32_le", "IndexError",
     "out_of_bounds", 0, 0},
    {"std::bytes::read_u32_be", BI_SIG, "YI>I", "hale_bytes_read_u32_be", "IndexError",
     "out_of_bounds", 0, 0},
    {"std::bytes::read_i32_le", BI_SIG, "YI>I", "hale_bytes_read_i32_le", "IndexError",
     "out_of_bounds", 0, 0},
    {"std::bytes::read_i32_be", BI_SIG, "YI>I", "hale_bytes_read_i32_be", "IndexError",
     "out_of_bounds", 0, 0},
    {"std::bytes::read_u64_le", BI_SIG, "YI>I", "hale_bytes_read_u64_le", "IndexError",
     "out_of_bounds", 0, 0},
    {"std::bytes::read_u64_be", BI_SIG, "YI>I", "hale_bytes_read_u64_be", "IndexError",
     "out_of_bounds", 0, 0},
    {"std::bytes::read_i64_le", BI_SIG, "YI>I", "hale_bytes_read_u64_le", "IndexError",
     "out_of_bounds", 0, 0},
    {"std::bytes::read_i64_be", BI_SIG, "YI>I", "hale_bytes_read_u64_be", "IndexError",
     "out_of_bounds", 0, 0},
    {"std::bytes::read_f32_le", BI_SIG, "YI>F", "hale_bytes_read_f32_le", "IndexError",
     "out_of_bounds", 0, 0},
    {"std::bytes::read_f64_le", BI_SIG, "YI>F", "hale_bytes_read_f64_le", "IndexError",
     "out_of_bounds", 0, 0},
    {"std::bytes::read_f64_be", BI_SIG, "YI>F", "hale_bytes_read_f64_be", "IndexError",
     "out_of_bounds", 0, 0},
    {"std::str::from_bytes", BI_SIG, "Y>S", "hale_str_from_bytes", NULL, NULL, 0, 0},
    /* std::json's readers (runtime/json_scan.h) */
    {"std::json::escape_string", BI_SIG, "S>S", "hale_json_escape", NULL, NULL, 1, 0},
    {"std::json::unescape_string", BI_SIG, "S>S", "hale_json_unescape_or_self", NULL, NULL, 1, 0},
    {"std::json::find_field_raw", BI_SIG, "SS>S", "hale_json_find_field_raw", NULL, NULL, 0, 0},
    {"std::json::find_field_raw_in", BI_SIG, "SSII>S", "hale_json_find_field_raw_in", NULL, NULL, 0,
     0},
    {"std::json::find_string_field", BI_SIG, "SS>S", "hale_json_find_string_field", NULL, NULL, 1,
     0},
    {"std::json::find_int_field", BI_SIG, "SS>I", "hale_json_find_int_field", NULL, NULL, 0, 0},
    {"std::json::find_bool_field", BI_SIG, "SS>B", "hale_json_find_bool_field", NULL, NULL, 0, 0},
    {"std::json::array_first", BI_SIG, "S>{ArrayIter}", "hale_json_array_first", NULL, NULL, 0, 0},
    {"std::json::array_next", BI_SIG, "{ArrayIter}>{ArrayIter}", "hale_json_array_next", NULL, NULL,
     0, 0},
    {"std::json::array_first_span", BI_SIG, "S>{ArrayIterSpan}", "hale_json_array_first_span", NULL,
     NULL, 0, 0},
    {"std::json::array_next_span", BI_SIG, "{ArrayIterSpan}S>{ArrayIterSpan}",
     "hale_json_array_next_span", NULL, NULL, 0, 0},
    {"std::json::iter_substring", BI_SIG, "{ArrayIterSpan}S>S", "hale_json_iter_substring", NULL,
     NULL, 0, 0},
    {"std::json::iter_find_field_raw", BI_SIG, "{ArrayIterSpan}SS>S",
     "hale_json_iter_find_field_raw", NULL, NULL, 0, 0},
    {"std::json::iter_find_string_field", BI_SIG, "{ArrayIterSpan}SS>S",
     "hale_json_iter_find_string_field", NULL, NULL, 1, 0},
    {"std::json::iter_find_int_field", BI_SIG, "{ArrayIterSpan}SS>I",
     "hale_json_iter_find_int_field", NULL, NULL, 0, 0},
    {"std::json::iter_find_bool_field", BI_SIG, "{ArrayIterSpan}SS>B",
     "hale_json_iter_find_bool_field", NULL, NULL, 0, 0},
    {"std::json::iter_find_field_range", BI_SIG, "{ArrayIterSpan}SS>{JsonFieldRange}",
     "hale_json_iter_find_field_range", NULL, NULL, 0, 0},
    {"std::json::iter_find_string_field_range", BI_SIG, "{ArrayIterSpan}SS>{JsonFieldRange}",
     "hale_json_iter_find_string_field_range", NULL, NULL, 0, 0},
    {"std::json::object_first", BI_SIG, "S>{ObjectIterSpan}", "hale_json_object_first", NULL, NULL,
     0, 0},
    {"std::json::object_next", BI_SIG, "{ObjectIterSpan}S>{ObjectIterSpan}",
     "hale_json_object_next", NULL, NULL, 0, 0},
    {"std::json::obj_key_eq", BI_SIG, "{ObjectIterSpan}SS>B", "hale_json_obj_key_eq", NULL, NULL, 0,
     0},
    {"std::json::obj_key_len", BI_SIG, "{ObjectIterSpan}>I", "hale_json_obj_key_len", NULL, NULL, 0,
     0},
    {"std::json::obj_key_string", BI_SIG, "{ObjectIterSpan}S>S", "hale_json_obj_key_string", NULL,
     NULL, 1, 0},
    {"std::json::obj_value_raw", BI_SIG, "{ObjectIterSpan}S>S", "hale_json_obj_value_raw", NULL,
     NULL, 0, 0},
    {"std::json::obj_value_string", BI_SIG, "{ObjectIterSpan}S>S", "hale_json_obj_value_string",
     NULL, NULL, 1, 0},
    {"std::json::obj_value_int", BI_SIG, "{ObjectIterSpan}S>I", "hale_json_obj_value_int", NULL,
     NULL, 0, 0},
    {"std::json::obj_value_bool", BI_SIG, "{ObjectIterSpan}S>B", "hale_json_obj_value_bool", NULL,
     NULL, 0, 0},
    /* std::http's text forms (runtime/std_http.h); `header` reads a Request or a Response */
    {"std::http::parse_request", BI_SIG, "S>{HttpRequest}", "hale_http_parse_request", NULL, NULL,
     0, 0},
    {"std::http::header", BI_SIG, "{HttpRequest}S>S", "hale_http_request_header", NULL, NULL, 0, 0},
    {"std::http::header", BI_SIG, "{HttpResponse}S>S", "hale_http_response_header", NULL, NULL, 0,
     0},
    {"std::http::write_response", BI_SIG, "{HttpResponse}>S", "hale_http_response_text", NULL, NULL,
     1, 0},
    {"std::http::get", BI_SIG, "S>{ClientResponse}", "hale_http_get", "HttpError", NULL, 1, 0},
    {"std::http::post", BI_SIG, "SYS>{ClientResponse}", "hale_http_post", "HttpError", NULL, 1, 0},
    {"std::http::parse_url", BI_SIG, "S>{Url}", "hale_http_parse_url", "HttpError", NULL, 1, 0},
    {"std::http::path_param", BI_SIG, "{RouteParams}S>S", "hale_http_path_param", NULL, NULL, 0, 0},
    {"std::http::query_param", BI_SIG, "{RouteParams}S>S", "hale_http_query_param", NULL, NULL, 0,
     0},
    {"std::http::build_context", BI_SIG, "{HttpRequest}>{HttpContext}", "hale_http_build_context",
     NULL, NULL, 0, 0},
    {"std::http::is_route", BI_SIG, "{HttpContext}SS>B", "hale_http_is_route", NULL, NULL, 0, 0},
    {"std::http::status_phrase", BI_SIG, "I>S", "hale_http_status_phrase_str", NULL, NULL, 0, 0},
    /* std::io::tcp (runtime/std_tcp.c); IoError calls fill a hale_io_error */
    {"std::io::tcp::listen", BI_SIG, "SI>I", "hale_tcpx_listen", "IoError", NULL, 1, 0},
    {"std::io::tcp::listen_socket", BI_SIG, "SI>I", "hale_tcpx_listen", "IoError", NULL, 1, 0},
    {"std::io::tcp::accept", BI_SIG, "I>I", "hale_tcpx_accept", "IoError", NULL, 0, 0},
    {"std::io::tcp::accept_one", BI_SIG, "I>I", "hale_tcpx_accept", "IoError", NULL, 0, 0},
    {"std::io::tcp::connect", BI_SIG, "SI>I", "hale_tcpx_connect", "IoError", NULL, 1, 0},
    {"std::io::tcp::set_nodelay", BI_SIG, "IB>U", "hale_tcpx_set_nodelay", "IoError", NULL, 0, 0},
    {"std::io::tcp::local_port", BI_SIG, "I>I", "hale_tcpx_local_port", NULL, NULL, 0, 0},
    {"std::io::tcp::close_fd", BI_SIG, "I>I", "hale_tcpx_close_fd", NULL, NULL, 0, 0},
    /* std::io::udp, std::io::sockopt (runtime/std_udp.h) */
    {"std::io::udp::bind", BI_SIG, "SI>I", "hale_udp_bind", "IoError", NULL, 1, 0},
    {"std::io::udp::close", BI_SIG, "I>I", "hale_udp_close", NULL, NULL, 0, 0},
    {"std::io::udp::local_port", BI_SIG, "I>I", "hale_udp_local_port", NULL, NULL, 0, 0},
    {"std::io::udp::send", BI_SIG, "ISIS>U", "hale_udp_send", "IoError", NULL, 1, 0},
    {"std::io::udp::send_bytes", BI_SIG, "ISIY>U", "hale_udp_send_bytes", "IoError", NULL, 1, 0},
    {"std::io::udp::recv", BI_SIG, "II>Y", "hale_udp_recv", "IoError", NULL, 1, 0},
    {"std::io::udp::recv_with_source", BI_SIG, "II>Y", "hale_udp_recv_with_source", "IoError", NULL,
     1, 0},
    {"std::io::udp::recv_into", BI_SIG, "I{BytesBuilder}I>I", "hale_udp_recv_into", NULL, NULL, 0,
     0},
    {"std::io::udp::last_source_host", BI_SIG, ">S", "hale_udp_last_source_host", NULL, NULL, 0, 0},
    {"std::io::udp::last_source_port", BI_SIG, ">I", "hale_udp_last_source_port", NULL, NULL, 0, 0},
    {"std::io::udp::join_group", BI_SIG, "ISS>U", "hale_udp_join_group", "IoError", NULL, 1, 0},
    {"std::io::udp::leave_group", BI_SIG, "ISS>U", "hale_udp_leave_group", "IoError", NULL, 1, 0},
    {"std::io::udp::set_multicast_ttl", BI_SIG, "II>U", "hale_udp_set_multicast_ttl", "IoError",
     NULL, 1, 0},
    {"std::io::udp::set_multicast_loop", BI_SIG, "IB>U", "hale_udp_set_multicast_loop", "IoError",
     NULL, 1, 0},
    {"std::io::udp::set_multicast_iface", BI_SIG, "IS>U", "hale_udp_set_multicast_iface", "IoError",
     NULL, 1, 0},
    {"std::io::udp::set_recv_timeout", BI_SIG, "ID>U", "hale_udp_set_recv_timeout", "IoError", NULL,
     1, 0},
    {"std::io::udp::set_send_timeout", BI_SIG, "ID>U", "hale_udp_set_send_timeout", "IoError", NULL,
     1, 0},
    {"std::io::udp::set_option_int", BI_SIG, "IIII>U", "hale_udp_set_option_int", "IoError", NULL,
     1, 0},
    {"std::io::udp::set_option_bool", BI_SIG, "IIIB>U", "hale_udp_set_option_bool", "IoError", NULL,
     1, 0},
    {"std::io::udp::get_option_int", BI_SIG, "III>I", "hale_udp_get_option_int", "IoError", NULL, 1,
     0},
    {"std::io::sockopt::SOL_SOCKET", BI_SIG, ">I", "hale_sockopt_SOL_SOCKET", NULL, NULL, 0, 0},
    {"std::io::sockopt::IPPROTO_IP", BI_SIG, ">I", "hale_sockopt_IPPROTO_IP", NULL, NULL, 0, 0},
    {"std::io::sockopt::IPPROTO_IPV6", BI_SIG, ">I", "hale_sockopt_IPPROTO_IPV6", NULL, NULL, 0, 0},
    {"std::io::sockopt::IPPROTO_TCP", BI_SIG, ">I", "hale_sockopt_IPPROTO_TCP", NULL, NULL, 0, 0},
    {"std::io::sockopt::IPPROTO_UDP", BI_SIG, ">I", "hale_sockopt_IPPROTO_UDP", NULL, NULL, 0, 0},
    {"std::io::sockopt::SO_REUSEADDR", BI_SIG, ">I", "hale_sockopt_SO_REUSEADDR", NULL, NULL, 0, 0},
    {"std::io::sockopt::SO_REUSEPORT", BI_SIG, ">I", "hale_sockopt_SO_REUSEPORT", NULL, NULL, 0, 0},
    {"std::io::sockopt::SO_RCVBUF", BI_SIG, ">I", "hale_sockopt_SO_RCVBUF", NULL, NULL, 0, 0},
    {"std::io::sockopt::SO_SNDBUF", BI_SIG, ">I", "hale_sockopt_SO_SNDBUF", NULL, NULL, 0, 0},
    {"std::io::sockopt::SO_RCVTIMEO", BI_SIG, ">I", "hale_sockopt_SO_RCVTIMEO", NULL, NULL, 0, 0},
    {"std::io::sockopt::SO_SNDTIMEO", BI_SIG, ">I", "hale_sockopt_SO_SNDTIMEO", NULL, NULL, 0, 0},
    {"std::io::sockopt::SO_BROADCAST", BI_SIG, ">I", "hale_sockopt_SO_BROADCAST", NULL, NULL, 0, 0},
    {"std::io::sockopt::SO_KEEPALIVE", BI_SIG, ">I", "hale_sockopt_SO_KEEPALIVE", NULL, NULL, 0, 0},
    {"std::io::sockopt::SO_LINGER", BI_SIG, ">I", "hale_sockopt_SO_LINGER", NULL, NULL, 0, 0},
    {"std::io::sockopt::SO_PRIORITY", BI_SIG, ">I", "hale_sockopt_SO_PRIORITY", NULL, NULL, 0, 0},
    {"std::io::sockopt::SO_BINDTODEVICE", BI_SIG, ">I", "hale_sockopt_SO_BINDTODEVICE", NULL, NULL,
     0, 0},
    {"std::io::sockopt::IP_TTL", BI_SIG, ">I", "hale_sockopt_IP_TTL", NULL, NULL, 0, 0},
    {"std::io::sockopt::IP_TOS", BI_SIG, ">I", "hale_sockopt_IP_TOS", NULL, NULL, 0, 0},
    {"std::io::sockopt::IP_MULTICAST_TTL", BI_SIG, ">I", "hale_sockopt_IP_MULTICAST_TTL", NULL,
     NULL, 0, 0},
    {"std::io::sockopt::IP_MULTICAST_LOOP", BI_SIG, ">I", "hale_sockopt_IP_MULTICAST_LOOP", NULL,
     NULL, 0, 0},
    {"std::io::sockopt::IP_MULTICAST_IF", BI_SIG, ">I", "hale_sockopt_IP_MULTICAST_IF", NULL, NULL,
     0, 0},
    {"std::io::sockopt::IP_ADD_MEMBERSHIP", BI_SIG, ">I", "hale_sockopt_IP_ADD_MEMBERSHIP", NULL,
     NULL, 0, 0},
    {"std::io::sockopt::IP_DROP_MEMBERSHIP", BI_SIG, ">I", "hale_sockopt_IP_DROP_MEMBERSHIP", NULL,
     NULL, 0, 0},
    {"std::io::sockopt::IP_PKTINFO", BI_SIG, ">I", "hale_sockopt_IP_PKTINFO", NULL, NULL, 0, 0},
    {"std::io::sockopt::IP_MTU_DISCOVER", BI_SIG, ">I", "hale_sockopt_IP_MTU_DISCOVER", NULL, NULL,
     0, 0},
    {"std::io::sockopt::IP_PMTUDISC_DONT", BI_SIG, ">I", "hale_sockopt_IP_PMTUDISC_DONT", NULL,
     NULL, 0, 0},
    {"std::io::sockopt::IP_PMTUDISC_WANT", BI_SIG, ">I", "hale_sockopt_IP_PMTUDISC_WANT", NULL,
     NULL, 0, 0},
    {"std::io::sockopt::IP_PMTUDISC_DO", BI_SIG, ">I", "hale_sockopt_IP_PMTUDISC_DO", NULL, NULL, 0,
     0},
    {"std::io::sockopt::IP_PMTUDISC_PROBE", BI_SIG, ">I", "hale_sockopt_IP_PMTUDISC_PROBE", NULL,
     NULL, 0, 0},
    {"std::io::sockopt::TCP_NODELAY", BI_SIG, ">I", "hale_sockopt_TCP_NODELAY", NULL, NULL, 0, 0},
    /* std::io::tls (runtime/std_tls.h): client TLS as Int handles */
    {"std::io::tls::connect", BI_SIG, "SI>I", "hale_tls_connect", "IoError", NULL, 1, 0},
    {"std::io::tls::upgrade", BI_SIG, "ISB>I", "hale_tls_upgrade", "IoError", NULL, 1, 0},
    {"std::io::tls::send_bytes", BI_SIG, "IY>I", "hale_tls_send_bytes", NULL, NULL, 0, 0},
    {"std::io::tls::recv_bytes", BI_SIG, "II>Y", "hale_tls_recv_bytes", NULL, NULL, 1, 0},
    {"std::io::tls::recv_into", BI_SIG, "I{BytesBuilder}I>I", "hale_tls_recv_into", NULL, NULL, 0,
     0},
    {"std::io::tls::set_recv_timeout", BI_SIG, "ID>U", "hale_tls_set_recv_timeout", "IoError", NULL,
     1, 0},
    {"std::io::tls::set_send_timeout", BI_SIG, "ID>U", "hale_tls_set_send_timeout", "IoError", NULL,
     1, 0},
    {"std::io::tls::set_nodelay", BI_SIG, "IB>U", "hale_tls_set_nodelay", "IoError", NULL, 1, 0},
    {"std::io::tls::close", BI_SIG, "I>I", "hale_tls_close", NULL, NULL, 0, 0},
    /* std::io::fs (runtime/std_fs.h): whole files, directories, names; bare calls answer a
     * sentinel ("" / -1 / 0) */
    {"std::io::fs::read_file", BI_SIG, "S>S", "hale_fs_read_file", "IoError", NULL, 1, HC_BI_BARE},
    {"std::io::fs::read_bytes", BI_SIG, "S>Y", "hale_fs_read_bytes", "IoError", NULL, 1,
     HC_BI_BARE},
    {"std::io::fs::write_file", BI_SIG, "SS>U", "hale_fs_write_file", "IoError", NULL, 1,
     HC_BI_BARE},
    {"std::io::fs::write_bytes", BI_SIG, "SY>U", "hale_fs_write_bytes", "IoError", NULL, 1,
     HC_BI_BARE},
    {"std::io::fs::write_file_append", BI_SIG, "SS>I", "hale_fs_write_file_append", "IoError", NULL,
     1, HC_BI_BARE},
    {"std::io::fs::file_size", BI_SIG, "S>I", "hale_fs_file_size", "IoError", NULL, 1, HC_BI_BARE},
    {"std::io::fs::file_exists", BI_SIG, "S>B", "hale_fs_file_exists", NULL, NULL, 0, 0},
    {"std::io::fs::mkdir", BI_SIG, "S>U", "hale_fs_mkdir", "IoError", NULL, 1, HC_BI_BARE},
    {"std::io::fs::rename", BI_SIG, "SS>U", "hale_fs_rename", "IoError", NULL, 1, HC_BI_BARE},
    {"std::io::fs::unlink", BI_SIG, "S>U", "hale_fs_unlink", "IoError", NULL, 1, HC_BI_BARE},
    {"std::io::fs::rmdir", BI_SIG, "S>U", "hale_fs_rmdir", "IoError", NULL, 1, HC_BI_BARE},
    {"std::io::fs::mktemp", BI_SIG, "SS>S", "hale_fs_mktemp", "IoError", NULL, 1, HC_BI_BARE},
    {"std::io::fs::list_dir_count", BI_SIG, "S>I", "hale_fs_list_dir_count", "IoError", NULL, 1,
     HC_BI_BARE},
    {"std::io::fs::list_dir_at", BI_SIG, "SI>S", "hale_fs_list_dir_at", "IoError", NULL, 1,
     HC_BI_BARE},
    {"std::io::fs::extension", BI_SIG, "S>S", "hale_fs_extension", NULL, NULL, 0, 0},
    /* std::io::file (runtime/std_file.h): a File locus held open */
    {"std::io::file::open", BI_SIG, "SS>{File}", "hale_file_open", "IoError", NULL, 1, 0},
    {"std::io::file::read_line", BI_SIG, "{File}>S", "hale_file_read_line", NULL, NULL, 1, 0},
    {"std::io::file::at_eof", BI_SIG, "{File}>B", "hale_file_at_eof", NULL, NULL, 0, 0},
    {"std::io::file::write_line", BI_SIG, "{File}S>U", "hale_file_write_line", "IoError", NULL, 1,
     0},
    {"std::io::file::write_bytes", BI_SIG, "{File}Y>U", "hale_file_write_bytes", "IoError", NULL, 1,
     0},
    {"std::io::file::seek", BI_SIG, "{File}I>U", "hale_file_seek", "IoError", NULL, 1, 0},
};

/* Records of the built-in seed that runtime functions read or fill, and the runtime's C struct
 * of the same layout (the generated code checks the two agree). */
static const struct {
    const char *record, *ctype;
} std_ctypes[] = {
    {"ProcessOutput", "hale_process_output"},
    {"StrBuilder", "hale_str_builder_ref"},
    {"TermSize", "hale_term_size"},
    {"ArrayIter", "hale_json_array_iter"},
    {"ArrayIterSpan", "hale_json_array_span"},
    {"ObjectIterSpan", "hale_json_object_span"},
    {"JsonFieldRange", "hale_json_field_range"},
    {"HttpRequest", "hale_http_request"},
    {"HttpResponse", "hale_http_response"},
    {"RouteParams", "hale_http_route_params"},
    {"HttpContext", "hale_http_context"},
    {"ClientResponse", "hale_http_client_response"},
    {"Url", "hale_http_url"},
    {"HttpError", "hale_http_error"},
};

const char *hc_builtin_std_ctype(const char *record) {
    for (size_t i = 0; i < sizeof std_ctypes / sizeof std_ctypes[0]; i++) {
        if (strcmp(std_ctypes[i].record, record) == 0) {
            return std_ctypes[i].ctype;
        }
    }
    return NULL;
}

const hc_builtin *hc_builtin_find(const char *path) {
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (strcmp(table[i].path, path) == 0) {
            return &table[i];
        }
    }
    return NULL;
}

const hc_builtin *hc_builtin_json(const char *method) {
    static const hc_builtin from = {"from_json", BI_FROM_JSON, NULL, NULL, "JsonError", NULL, 1, 0};
    static const hc_builtin to = {"to_json", BI_TO_JSON, NULL, NULL, NULL, NULL, 1, 0};
    return strcmp(method, "from_json") == 0 ? &from : strcmp(method, "to_json") == 0 ? &to : NULL;
}

const hc_builtin *hc_builtin_next(const hc_builtin *bi) {
    const hc_builtin *end = table + sizeof table / sizeof table[0];
    for (const hc_builtin *x = bi + 1; x < end; x++) {
        if (strcmp(x->path, bi->path) == 0) {
            return x;
        }
    }
    return NULL;
}

const char *hc_builtin_suggest(const char *path) {
    const char *best = NULL;
    int bestd = 3;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        int dd = hc_edit_distance(path, table[i].path);
        if (dd < bestd) {
            bestd = dd;
            best = table[i].path;
        }
    }
    return best;
}

static const char *parse_code(hc_arena *a, const char *p, char *code, const char **tname) {
    if (*p == '{') {
        const char *end = strchr(p, '}');
        assert(end);
        *code = 'T';
        *tname = hc_strndup(a, p + 1, (size_t)(end - p - 1));
        return end + 1;
    }
    *code = *p;
    *tname = NULL;
    return p + 1;
}

void hc_builtin_parse_sig(hc_arena *a, const char *sig, hc_builtin_sig *out) {
    memset(out, 0, sizeof *out);
    const char *p = sig;
    while (*p && *p != '>') {
        assert(out->n < HC_BUILTIN_MAXP);
        p = parse_code(a, p, &out->code[out->n], &out->tname[out->n]);
        out->n++;
    }
    assert(*p == '>');
    parse_code(a, p + 1, &out->ret, &out->ret_tname);
}

hc_type *hc_builtin_code_type(hc_types *t, char code) {
    switch (code) {
    case 'I':
        return hc_ty_prim(t, TY_INT);
    case 'F':
        return hc_ty_prim(t, TY_FLOAT);
    case 'B':
        return hc_ty_prim(t, TY_BOOL);
    case 'S':
        return hc_ty_prim(t, TY_STRING);
    case 'D':
        return hc_ty_prim(t, TY_DURATION);
    case 'X':
        return hc_ty_prim(t, TY_DECIMAL);
    case 'Y':
        return hc_ty_prim(t, TY_BYTES);
    case '!':
        return hc_ty_prim(t, TY_NEVER);
    default:
        return hc_ty_prim(t, TY_UNIT);
    }
}
