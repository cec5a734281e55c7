#pragma once

// Random numbers for guest ASLR (kernel/mm/GuestSpace.h). Every guest
// placement needs a few random words; the platform's HMAC-DRBG
// (platform_random_bytes, kernel/Platform.cpp) costs about 50,000
// instructions a call, more than the rest of a guest's creation. So the DRBG
// seeds a ChaCha20 key once (and again every aslr_reseed_interval refills),
// and words come from ChaCha20 blocks (RFC 8439) with fast key erasure: each
// refill computes two blocks, the first 32 bytes become the next key and the
// other 96 the next twelve words, so earlier outputs cannot be recovered from
// the state. Without entropy from the loader the key stays a fixed one:
// placements still differ between guests, not between boots.

#include <base/Integers.h>

namespace k23::kernel {

inline constexpr usize aslr_reseed_interval = 4096;

[[nodiscard]] u64 aslr_random_u64() noexcept;
// A uniformly distributed value in [0, bound) (bound > 0).
[[nodiscard]] u64 aslr_random_below(u64 bound) noexcept;

// One ChaCha20 block (RFC 8439 §2.3): key, block counter and nonce as
// little-endian words, 64 bytes out. For the KTEST against §2.3.2.
void chacha20_block(u32 const key[8], u32 counter, u32 const nonce[3], u8 out[64]) noexcept;

} // namespace k23::kernel
