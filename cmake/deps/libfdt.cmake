# libfdt, built freestanding from the upstream copy inside Debian's qemu 7.2
# source package (roms/opensbi/lib/utils/libfdt), which `./k23 setup`
# unpacks under K23_DEPS_DIR. Defines the static library `k23_libfdt`; its
# users include <libfdt.h>.
include_guard(GLOBAL)

set(K23_LIBFDT_DIR "${K23_DEPS_DIR}/qemu/roms/opensbi/lib/utils/libfdt")
set(_k23_libfdt_sources fdt.c fdt_ro.c fdt_wip.c fdt_sw.c fdt_rw.c fdt_strerror.c
    fdt_empty_tree.c fdt_addresses.c fdt_check.c)

foreach(_source IN LISTS _k23_libfdt_sources)
  if(NOT EXISTS "${K23_LIBFDT_DIR}/${_source}")
    message(FATAL_ERROR "libfdt sources missing (${K23_LIBFDT_DIR}/${_source}): run ./k23 setup")
  endif()
endforeach()

list(TRANSFORM _k23_libfdt_sources PREPEND "${K23_LIBFDT_DIR}/")
add_library(k23_libfdt STATIC ${_k23_libfdt_sources})

set(_k23_libfdt_env_dir "${CMAKE_CURRENT_LIST_DIR}/libfdt")
# Our libfdt_env.h first, for <libfdt_env.h>; -include for the quoted
# includes in libfdt's .c files, which would otherwise find OpenSBI's copy.
target_include_directories(k23_libfdt BEFORE PUBLIC "${_k23_libfdt_env_dir}")
target_include_directories(k23_libfdt PUBLIC "${K23_LIBFDT_DIR}")
target_compile_options(k23_libfdt PRIVATE
  -include "${_k23_libfdt_env_dir}/libfdt_env.h"
  -w) # third-party code: its warnings are not ours to fix
