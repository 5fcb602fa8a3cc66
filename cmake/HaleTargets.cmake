# Helpers every module's CMakeLists uses, so each stays a few lines:
#   hale_warnings(target)                  our warning policy (-Wall -Wextra -Werror)
#   hale_module_library(name DIR ...)      a static library from a folder's non-test .c files
#   hale_unit_tests(DIR LIBS ...)          one cmocka ctest per NAME_test.c in the folder
#   hale_fuzz_target(name SOURCES LIBS ...) a libFuzzer binary (HALE_FUZZ=ON) and, always, a
#                                          replay test over tests/fuzz/corpus/<name>/

function(hale_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror)
endfunction()

# Static library of every .c in the current folder except *_test.c and *_fuzz.c.
function(hale_module_library name)
  cmake_parse_arguments(ARG "" "" "LIBS;EXCLUDE" ${ARGN})
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.c)
  list(FILTER srcs EXCLUDE REGEX "_(test|fuzz)\\.c$")
  foreach(ex IN LISTS ARG_EXCLUDE)
    list(FILTER srcs EXCLUDE REGEX "/${ex}$")
  endforeach()
  add_library(${name} STATIC ${srcs})
  target_include_directories(${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_LIBS})
  hale_warnings(${name})
endfunction()

# One ctest per NAME_test.c beside the module, labelled "unit" plus the folder name.
function(hale_unit_tests)
  cmake_parse_arguments(ARG "" "" "LIBS;LABELS" ${ARGN})
  get_filename_component(folder ${CMAKE_CURRENT_SOURCE_DIR} NAME)
  file(GLOB tests CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*_test.c)
  foreach(t IN LISTS tests)
    get_filename_component(base ${t} NAME_WE)
    set(exe ${folder}_${base})
    add_executable(${exe} ${t})
    set_target_properties(${exe} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${HALE_TEST_BIN_DIR})
    target_link_libraries(${exe} PRIVATE ${ARG_LIBS} hale::cmocka)
    hale_warnings(${exe})
    add_test(NAME unit/${folder}/${base} COMMAND ${exe})
    set_tests_properties(unit/${folder}/${base} PROPERTIES LABELS "unit;${folder};${ARG_LABELS}"
                         TIMEOUT 600)
  endforeach()
endfunction()

# A fuzz entry point (LLVMFuzzerTestOneInput) becomes:
#  - with HALE_FUZZ: a libFuzzer binary fuzz_<name> (run it with `make fuzz`);
#  - always: replay_<name>, a plain program that feeds every file of the kept corpus to the entry
#    point, registered as a ctest so every crash ever found stays fixed.
function(hale_fuzz_target name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  set(corpus ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/${name})
  add_executable(replay_${name} ${ARG_SOURCES} ${CMAKE_SOURCE_DIR}/tests/fuzz/replay_main.c)
  set_target_properties(replay_${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${HALE_TEST_BIN_DIR})
  target_link_libraries(replay_${name} PRIVATE ${ARG_LIBS})
  hale_warnings(replay_${name})
  add_test(NAME fuzz/${name} COMMAND replay_${name} ${corpus})
  set_tests_properties(fuzz/${name} PROPERTIES LABELS "fuzz" TIMEOUT 600)
  if(HALE_FUZZ)
    add_executable(fuzz_${name} ${ARG_SOURCES})
    target_link_options(fuzz_${name} PRIVATE -fsanitize=fuzzer)
    target_link_libraries(fuzz_${name} PRIVATE ${ARG_LIBS})
    set_target_properties(fuzz_${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz)
    if(NOT TARGET hale_fuzz_targets)
      add_custom_target(hale_fuzz_targets) # every libFuzzer binary, and only what they need
    endif()
    add_dependencies(hale_fuzz_targets fuzz_${name})
  endif()
endfunction()

# Copies a module's public headers into <build>/include/hale/ (where the compiler looks in a build
# tree) and installs them to <prefix>/include/hale/ (where it looks in an installed tree).
function(hale_public_headers target)
  set(staged)
  foreach(h IN LISTS ARGN)
    get_filename_component(hname ${h} NAME)
    set(out ${CMAKE_BINARY_DIR}/include/hale/${hname})
    add_custom_command(OUTPUT ${out}
      COMMAND ${CMAKE_COMMAND} -E copy_if_different ${CMAKE_CURRENT_SOURCE_DIR}/${h} ${out}
      DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${h} VERBATIM)
    list(APPEND staged ${out})
  endforeach()
  add_custom_target(${target}_headers ALL DEPENDS ${staged})
  add_dependencies(${target} ${target}_headers)
  install(FILES ${ARGN} DESTINATION include/hale)
endfunction()
