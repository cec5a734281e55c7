# mimalloc 2.0.9, the kernel heap, built freestanding from Debian's source
# package (unpacked by `./k23 setup` under K23_DEPS_DIR) through k23's port
# layer: cmake/deps/mimalloc/ (a force-included port.h and the few C headers
# mimalloc includes) and kernel/heap/MimallocPort.cpp (the functions behind
# them: "OS memory" from the frame allocator, output to the console).
# Defines the static library `k23_mimalloc`.
#
# Build-time edits (our own, applied to copies in the build tree; the
# unpacked source is never modified). mimalloc keeps its default heap in a
# __thread variable; the kernel keeps it per hart in the HartLocal block tp
# points at. Each edit must match exactly once, or configuration fails:
#   include/mimalloc-internal.h
#     1. `mi_decl_thread` (gcc/clang branch) expands to nothing: the kernel
#        has no TLS segment. Its two users are the unused _mi_heap_default
#        and options.c's output recursion guard (global: one hart).
#     2. mi_get_default_heap() returns k23_mimalloc_default_heap() (port.h)
#        instead of _mi_heap_default.
#     3. _mi_thread_id() returns k23_mimalloc_thread_id() (the hart block).
#   src/init.c
#     4. _mi_heap_set_default_direct stores through k23_mimalloc_set_default_heap().
#   src/arena.c
#     5. A segment from the OS is reported as not zero-filled: the port does
#        not clear segment-aligned mappings (kernel/heap/MimallocPort.cpp;
#        clearing the first 32 MiB segment cost 6 M instructions at boot),
#        so mimalloc clears the segment header itself, and pages never
#        count as zero-initialized in 2.0.9 (mi_zalloc clears what it hands out).
#     6. mi_reserve_os_memory_ex clears the range it reserves, as its arena
#        bitmaps assume zeroed memory (the kernel never reserves arenas).
include_guard(GLOBAL)

set(K23_MIMALLOC_DIR "${K23_DEPS_DIR}/mimalloc")
set(_k23_mi_sources stats.c random.c os.c bitmap.c segment-cache.c segment.c
    page.c heap.c alloc.c alloc-aligned.c options.c)
foreach(_source IN LISTS _k23_mi_sources ITEMS init.c arena.c)
  if(NOT EXISTS "${K23_MIMALLOC_DIR}/src/${_source}")
    message(FATAL_ERROR "mimalloc sources missing (${K23_MIMALLOC_DIR}/src/${_source}): run ./k23 setup")
  endif()
endforeach()

set(_k23_mi_patched "${CMAKE_CURRENT_BINARY_DIR}/mimalloc-patched")

# Replaces `old` by `new` in the variable named `var`; `old` must occur
# exactly once. (Named arguments: the texts contain ';', which CMake would
# split in a list.)
function(k23_mimalloc_replace var old new)
  string(FIND "${${var}}" "${old}" _first)
  string(FIND "${${var}}" "${old}" _final REVERSE)
  if(_first EQUAL -1 OR NOT _first EQUAL _final)
    message(FATAL_ERROR "mimalloc patch: '${old}' must occur exactly once")
  endif()
  string(REPLACE "${old}" "${new}" _text "${${var}}")
  set(${var} "${_text}" PARENT_SCOPE)
endfunction()

set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
  "${K23_MIMALLOC_DIR}/include/mimalloc-internal.h" "${K23_MIMALLOC_DIR}/src/init.c"
  "${K23_MIMALLOC_DIR}/src/arena.c")

file(READ "${K23_MIMALLOC_DIR}/include/mimalloc-internal.h" _k23_mi_text)
k23_mimalloc_replace(_k23_mi_text
  "#define mi_decl_thread          __thread\n#define mi_decl_cache_align     __attribute__"
  "#define mi_decl_thread          /* k23: per hart, see port.h */\n#define mi_decl_cache_align     __attribute__")
k23_mimalloc_replace(_k23_mi_text
  "  return _mi_heap_default;\n#endif\n}"
  "  return k23_mimalloc_default_heap();\n#endif\n}")
k23_mimalloc_replace(_k23_mi_text
  "  return (uintptr_t)&_mi_heap_default;"
  "  return k23_mimalloc_thread_id();")
file(CONFIGURE OUTPUT "${_k23_mi_patched}/include/mimalloc-internal.h" CONTENT "${_k23_mi_text}" @ONLY)

file(READ "${K23_MIMALLOC_DIR}/src/init.c" _k23_mi_text)
k23_mimalloc_replace(_k23_mi_text
  "  _mi_heap_default = heap;"
  "  k23_mimalloc_set_default_heap(heap);")
file(CONFIGURE OUTPUT "${_k23_mi_patched}/src/init.c" CONTENT "${_k23_mi_text}" @ONLY)

file(READ "${K23_MIMALLOC_DIR}/src/arena.c" _k23_mi_text)
k23_mimalloc_replace(_k23_mi_text
  "  *is_zero = true;\n  *memid   = MI_MEMID_OS;"
  "  *is_zero = false; /* k23: segment mappings are not zero-filled */\n  _Static_assert(MI_SEGMENT_SHIFT == 25, \"k23: segment_alignment_log in MimallocPort.cpp\");\n  *memid   = MI_MEMID_OS;")
k23_mimalloc_replace(_k23_mi_text
  "  if (start==NULL) return ENOMEM;\n  if (!mi_manage_os_memory_ex("
  "  if (start==NULL) return ENOMEM;\n  memset(start, 0, size); /* k23: not zero-filled */\n  if (!mi_manage_os_memory_ex(")
file(CONFIGURE OUTPUT "${_k23_mi_patched}/src/arena.c" CONTENT "${_k23_mi_text}" @ONLY)

list(TRANSFORM _k23_mi_sources PREPEND "${K23_MIMALLOC_DIR}/src/")
add_library(k23_mimalloc STATIC ${_k23_mi_sources} "${_k23_mi_patched}/src/init.c"
  "${_k23_mi_patched}/src/arena.c")
set(_k23_mi_port "${CMAKE_CURRENT_LIST_DIR}/mimalloc")
target_include_directories(k23_mimalloc BEFORE PRIVATE
  "${_k23_mi_patched}/include" "${_k23_mi_port}/include" "${PROJECT_SOURCE_DIR}/libc/include"
  "${K23_MIMALLOC_DIR}/src") # bitmap.h, for the patched arena.c
target_include_directories(k23_mimalloc PUBLIC "${K23_MIMALLOC_DIR}/include")
target_compile_definitions(k23_mimalloc PRIVATE MI_DEBUG=0 MI_SECURE=0 MI_STAT=0
  MI_NO_GETENV) # no environment: mimalloc's defaults, set in code if ever needed
target_compile_options(k23_mimalloc PRIVATE
  -include "${_k23_mi_port}/port.h"
  -w) # third-party code: its warnings are not ours to fix
