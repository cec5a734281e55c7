# BearSSL, built freestanding from Debian's bearssl 0.6 source, which
# `./k23 setup` unpacks under K23_DEPS_DIR/bearssl. Only what k23 needs: the
# kernel's random bytes (HMAC-DRBG over SHA-256) and the loader's signature
# check: SHA-256 and ECDSA P-256 verification (i31 big
# integers, the m31 P-256 implementation; the P-384/P-521 curve tables only
# because the generic verifier refers to them). Defines the static library
# `k23_bearssl`; its users include <bearssl.h>.
include_guard(GLOBAL)

set(K23_BEARSSL_DIR "${K23_DEPS_DIR}/bearssl")
set(_k23_bearssl_sources
  hash/sha2small.c mac/hmac.c rand/hmac_drbg.c
  codec/dec32be.c codec/enc32be.c codec/ccopy.c
  ec/ec_p256_m31.c ec/ec_secp256r1.c ec/ec_secp384r1.c ec/ec_secp521r1.c
  ec/ecdsa_i31_vrfy_raw.c ec/ecdsa_i31_vrfy_asn1.c ec/ecdsa_i31_bits.c ec/ecdsa_atr.c
  int/i31_add.c int/i31_bitlen.c int/i31_decmod.c int/i31_decode.c int/i31_decred.c
  int/i31_encode.c int/i31_fmont.c int/i31_iszero.c int/i31_modpow.c int/i31_modpow2.c
  int/i31_montmul.c int/i31_muladd.c int/i31_ninv31.c int/i31_reduce.c
  int/i31_rshift.c int/i31_sub.c int/i31_tmont.c int/i32_div32.c)

foreach(_source IN LISTS _k23_bearssl_sources)
  if(NOT EXISTS "${K23_BEARSSL_DIR}/src/${_source}")
    message(FATAL_ERROR "BearSSL sources missing (${K23_BEARSSL_DIR}/src/${_source}): run ./k23 setup")
  endif()
endforeach()

list(TRANSFORM _k23_bearssl_sources PREPEND "${K23_BEARSSL_DIR}/src/")
add_library(k23_bearssl STATIC ${_k23_bearssl_sources})
# bearssl.h includes <string.h>: its users get libc/include too.
target_include_directories(k23_bearssl PUBLIC "${K23_BEARSSL_DIR}/inc"
  "${PROJECT_SOURCE_DIR}/libc/include")
target_include_directories(k23_bearssl PRIVATE "${K23_BEARSSL_DIR}/src")
# BR_64: rv64 has 64-bit registers; no CPU-specific code (no x86 intrinsics,
# no OS random source: BearSSL's RNG seeders are not compiled).
target_compile_definitions(k23_bearssl PRIVATE BR_64=1 BR_USE_URANDOM=0
  BR_USE_WIN32_RAND=0 BR_USE_UNIX_TIME=0 BR_USE_WIN32_TIME=0 BR_RDRAND=0
  BR_AES_X86NI=0 BR_SSE2=0 BR_POWER8=0 BR_INT128=0 BR_UMUL128=0)
target_compile_options(k23_bearssl PRIVATE -O2 -w)
# SHA-256 a second time for harts with Zbb (see the file): the loader's
# signature check hashes the whole compressed kernel, 31 M of the boot's
# instructions with rv64gc's three-instruction rotations.
if(CMAKE_SYSTEM_PROCESSOR MATCHES "riscv64")
  set(_k23_sha_zbb "${CMAKE_CURRENT_LIST_DIR}/bearssl/sha2small_zbb.c")
  target_sources(k23_bearssl PRIVATE "${_k23_sha_zbb}")
  set_source_files_properties("${_k23_sha_zbb}" PROPERTIES COMPILE_OPTIONS "-march=rv64gc_zbb")
endif()
