#pragma once

// Where the loader's randomness comes from, best first: the firmware's
// /chosen/rng-seed, the Zkr `seed` CSR, timer jitter. The raw bytes are
// never used directly: KASLR and the kernel's BootInfo.entropy each get a
// different SHA-256 derivation of them.

#include <base/Integers.h>
#include <boot/BootInfo.h>
#include <boot/DeviceTree.h>

namespace k23::loader {

struct Entropy {
    boot::EntropySource source { boot::EntropySource::None };
    u8 pool[32] {};
};

[[nodiscard]] Entropy gather_entropy(const boot::PlatformInfo&) noexcept;

[[nodiscard]] const char* entropy_source_name(boot::EntropySource) noexcept;

} // namespace k23::loader
