# Finds the Debian-packaged libraries the product builds on and gives each an imported target
# (hale::nng, hale::sodium, hale::msgpackc, hale::ev, hale::cmocka, hale::systemd, and for the
# standard library hale::ssl, hale::crypto, hale::yaml, hale::http_parser, hale::z).
# A missing one stops the configure with the package to install.

function(hale_find_dep target lib header package)
  find_library(${target}_LIBRARY NAMES ${lib})
  find_path(${target}_INCLUDE_DIR NAMES ${header})
  if(NOT ${target}_LIBRARY OR NOT ${target}_INCLUDE_DIR)
    message(FATAL_ERROR "lib${lib} not found: install the Debian package ${package} "
                        "(or run deploy/install-deps.sh)")
  endif()
  add_library(hale::${target} UNKNOWN IMPORTED)
  set_target_properties(hale::${target} PROPERTIES
    IMPORTED_LOCATION ${${target}_LIBRARY}
    INTERFACE_INCLUDE_DIRECTORIES ${${target}_INCLUDE_DIR})
endfunction()

hale_find_dep(nng nng nng/nng.h libnng-dev)

# nng before 1.6 stops serving a listener after one peer connects and closes during the SP
# header exchange (Debian 12 ships 1.5.2). There, deploy/build-nng.sh builds Debian's own nng
# source with our fix into HALE_NNG_PREFIX, and everything links that: our libraries, the tests,
# the supervisor, and every program `hale build` compiles (the archive is staged and installed as
# lib/hale/libnng.a, which the compiler's link line prefers to -lnng). See deploy/README.md.
set(HALE_NNG_PREFIX ${CMAKE_SOURCE_DIR}/build/deps/nng CACHE PATH
    "Where deploy/build-nng.sh installs nng when the system's has the negotiation bug")
file(STRINGS ${nng_INCLUDE_DIR}/nng/nng.h nng_version_lines
     REGEX "^#define NNG_(MAJOR|MINOR|PATCH)_VERSION")
string(REGEX REPLACE ".*MAJOR_VERSION ([0-9]+).*MINOR_VERSION ([0-9]+).*PATCH_VERSION ([0-9]+).*"
       "\\1.\\2.\\3" HALE_SYSTEM_NNG_VERSION "${nng_version_lines}")
set(HALE_BUNDLED_NNG "")
set(hale_nng_cflags "")
if(HALE_TSAN)
  # ThreadSanitizer must see nng's own synchronisation, or the hand-offs between nng's threads
  # and ours read as races: the TSan build gets an instrumented copy
  set(HALE_NNG_PREFIX ${HALE_NNG_PREFIX}-tsan)
  set(hale_nng_cflags "-fsanitize=thread")
endif()
if(HALE_SYSTEM_NNG_VERSION VERSION_LESS 1.6)
  execute_process(COMMAND sh ${CMAKE_SOURCE_DIR}/deploy/build-nng.sh ${HALE_NNG_PREFIX}
                          "${hale_nng_cflags}"
                  RESULT_VARIABLE nng_rc)
  if(NOT nng_rc EQUAL 0 OR NOT EXISTS ${HALE_NNG_PREFIX}/lib/libnng.a)
    message(FATAL_ERROR "the system nng ${HALE_SYSTEM_NNG_VERSION} has the negotiation bug and "
                        "deploy/build-nng.sh could not build the fixed one (see above)")
  endif()
  set(HALE_BUNDLED_NNG ${CMAKE_BINARY_DIR}/lib/hale/libnng.a)
  configure_file(${HALE_NNG_PREFIX}/lib/libnng.a ${HALE_BUNDLED_NNG} COPYONLY)
  install(FILES ${HALE_BUNDLED_NNG} DESTINATION lib/hale)
  set_target_properties(hale::nng PROPERTIES
    IMPORTED_LOCATION ${HALE_BUNDLED_NNG}
    INTERFACE_INCLUDE_DIRECTORIES ${HALE_NNG_PREFIX}/include)
  message(STATUS "nng: system ${HALE_SYSTEM_NNG_VERSION} has the negotiation bug; "
                 "linking the fixed build from ${HALE_NNG_PREFIX}")
endif()
hale_find_dep(sodium sodium sodium.h libsodium-dev)
hale_find_dep(msgpackc msgpackc msgpack.h libmsgpack-dev)
hale_find_dep(ev ev ev.h libev-dev)
hale_find_dep(cmocka cmocka cmocka.h libcmocka-dev)
hale_find_dep(systemd systemd systemd/sd-daemon.h libsystemd-dev)
hale_find_dep(ssl ssl openssl/ssl.h libssl-dev)
hale_find_dep(crypto crypto openssl/evp.h libssl-dev)
hale_find_dep(yaml yaml yaml.h libyaml-dev)
hale_find_dep(http_parser http_parser http_parser.h libhttp-parser-dev)
hale_find_dep(z z zlib.h zlib1g-dev)

set(THREADS_PREFER_PTHREAD_FLAG ON)
find_package(Threads REQUIRED)
