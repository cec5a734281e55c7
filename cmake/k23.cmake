# Flags shared by every k23 target. Engine code (base/, wasm/, jit/,
# arch/riscv64/asm) is freestanding C++20: no exceptions, no RTTI, and it
# never depends on libc beyond mem*/str* (DESIGN.md, "Rules of the house").

set(K23_VERSION "${PROJECT_VERSION}")

# Flags for freestanding engine libraries, on every target.
set(K23_ENGINE_CXX_FLAGS -fno-exceptions -fno-rtti -fno-threadsafe-statics
    -Wall -Wextra -Werror=return-type -Wno-unused-parameter)

if(K23_TARGET STREQUAL "host")
  # Host unit tests run under AddressSanitizer and UndefinedBehaviorSanitizer.
  set(K23_SANITIZE_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all
      -fno-omit-frame-pointer)
  add_compile_options(${K23_SANITIZE_FLAGS})
  add_link_options(${K23_SANITIZE_FLAGS})
elseif(K23_TARGET STREQUAL "riscv64-linux")
  # Static binaries run under qemu-riscv64 without a sysroot (-L).
  add_link_options(-static)
elseif(K23_TARGET STREQUAL "kernel")
  # set by cmake/toolchain-riscv64-kernel.cmake
else()
  message(FATAL_ERROR "unknown K23_TARGET '${K23_TARGET}'")
endif()

# k23_engine_library(NAME SOURCES...): a freestanding library built for the
# current target.
function(k23_engine_library name)
  add_library(${name} STATIC ${ARGN})
  target_compile_options(${name} PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:${K23_ENGINE_CXX_FLAGS}>)
  target_include_directories(${name} PUBLIC ${CMAKE_SOURCE_DIR})
endfunction()
