# libzstd's decompressor (lib/decompress + lib/common), built freestanding
# from Debian's libzstd 1.5.4 source, which `./k23 setup` unpacks under
# K23_DEPS_DIR/zstd. Defines the static library `k23_zstd`; its users include
# <zstd.h> (with ZSTD_STATIC_LINKING_ONLY for ZSTD_initStaticDCtx).
include_guard(GLOBAL)

set(K23_ZSTD_DIR "${K23_DEPS_DIR}/zstd/lib")
set(_k23_zstd_sources
  common/debug.c common/entropy_common.c common/error_private.c
  common/fse_decompress.c common/zstd_common.c common/xxhash.c
  decompress/huf_decompress.c decompress/zstd_ddict.c
  decompress/zstd_decompress.c decompress/zstd_decompress_block.c)

foreach(_source IN LISTS _k23_zstd_sources)
  if(NOT EXISTS "${K23_ZSTD_DIR}/${_source}")
    message(FATAL_ERROR "zstd sources missing (${K23_ZSTD_DIR}/${_source}): run ./k23 setup")
  endif()
endforeach()

list(TRANSFORM _k23_zstd_sources PREPEND "${K23_ZSTD_DIR}/")
add_library(k23_zstd STATIC ${_k23_zstd_sources})
target_include_directories(k23_zstd PUBLIC "${K23_ZSTD_DIR}")
target_include_directories(k23_zstd PRIVATE "${PROJECT_SOURCE_DIR}/libc/include")
target_compile_definitions(k23_zstd PUBLIC ZSTD_STATIC_LINKING_ONLY)
target_compile_definitions(k23_zstd PRIVATE
  ZSTD_DISABLE_ASM        # no huf_decompress_amd64.S (and we are not x86)
  ZSTD_NO_INTRINSICS      # portable C only
  ZSTD_LEGACY_SUPPORT=0   # no pre-1.0 frame formats
  ZSTD_TRACE=0            # no weak tracing hooks
  ZSTD_MULTITHREAD_NO     # (no threading code is compiled at all)
  XXH_NO_STDLIB
  DEBUGLEVEL=0)
target_compile_options(k23_zstd PRIVATE
  -include "${CMAKE_CURRENT_LIST_DIR}/zstd/zstd_freestanding.h"
  -O2
  -w) # third-party code: its warnings are not ours to fix
# zstd reads and copies through 8- and 16-byte __builtin_memcpy at any
# alignment. For a target without fast misaligned access (rv64gc's default)
# clang expands each into single-byte loads and stores: 157 M instructions
# to decompress the 1.4 MB kernel, 80% of the boot. RISC-V lets harts do
# misaligned loads and stores to main memory (unprivileged spec §2.6, and
# RVA22's Zicclsm requires them; a hart may trap and have the SBI emulate
# them, slowly but correctly), and zstd only touches RAM: compile it for
# misaligned word accesses.
if(CMAKE_SYSTEM_PROCESSOR MATCHES "riscv64")
  target_compile_options(k23_zstd PRIVATE "SHELL:-Xclang -target-feature -Xclang +unaligned-scalar-mem")
endif()
