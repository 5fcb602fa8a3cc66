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
