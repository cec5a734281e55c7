/* BearSSL's SHA-224/SHA-256 (hash/sha2small.c) compiled a second time, for
 * harts with Zbb (cmake/deps/bearssl.cmake adds -march=rv64gc_zbb to this
 * file alone): its 32-bit rotations become one rorw/roriw instead of three
 * instructions. The loader hashes the signed payload with these when the
 * device tree lists zbb for the boot hart (boot/Image.h, sha256_use_zbb).
 * Every external name gets a k23_zbb_ prefix so both copies link. */
#define br_sha224_IV k23_zbb_sha224_IV
#define br_sha256_IV k23_zbb_sha256_IV
#define br_sha2small_round k23_zbb_sha2small_round
#define br_sha224_init k23_zbb_sha224_init
#define br_sha224_update k23_zbb_sha224_update
#define br_sha224_out k23_zbb_sha224_out
#define br_sha224_state k23_zbb_sha224_state
#define br_sha224_set_state k23_zbb_sha224_set_state
#define br_sha256_init k23_zbb_sha256_init
#define br_sha256_out k23_zbb_sha256_out
#define br_sha224_vtable k23_zbb_sha224_vtable
#define br_sha256_vtable k23_zbb_sha256_vtable
#include "hash/sha2small.c"
