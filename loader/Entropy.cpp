#include <arch/riscv64/Csr.h>
#include <boot/Image.h>
#include <loader/Entropy.h>

extern "C" bool loader_try_read_seed(u64* out) noexcept;

namespace k23::loader {

using boot::EntropySource;
using boot::sha256;

namespace {

// Zkr `seed` CSR (scalar cryptography spec v1.0, §4.1 "The seed CSR"): bits
// 31:30 are OPST (0b10 = ES16: bits 15:0 hold 16 fresh bits), other states
// (BIST, WAIT, DEAD) carry no entropy.
constexpr u64 SEED_OPST_SHIFT = 30;
constexpr u64 SEED_OPST_ES16 = 0b10;

bool gather_from_seed_csr(u8 (&pool)[32]) noexcept
{
    u8 raw[64];
    usize have = 0;
    for (usize attempts = 0; have < sizeof(raw) && attempts < 100000; ++attempts) {
        u64 value = 0;
        if (!loader_try_read_seed(&value))
            return false; // not accessible from S-mode (mseccfg.SSEED clear)
        u64 state = (value >> SEED_OPST_SHIFT) & 3;
        if (state == 0b11)
            return false; // DEAD
        if (state != SEED_OPST_ES16)
            continue;
        raw[have++] = static_cast<u8>(value);
        raw[have++] = static_cast<u8>(value >> 8);
    }
    if (have < sizeof(raw))
        return false;
    // 512 raw bits conditioned to 256 (the spec asks software to condition).
    sha256(raw, sizeof(raw), pool);
    return true;
}

void gather_from_timer_jitter(u8 (&pool)[32]) noexcept
{
    // Weak: the low bits of rdtime around work whose duration varies with
    // caches and the host. Logged as such; real platforms pass a seed.
    u64 samples[256];
    u64 accumulator = 0;
    for (auto& sample : samples) {
        u64 start = riscv64::read_time();
        for (u64 i = 0; i < (start & 63) + 16; ++i)
            accumulator = accumulator * 6364136223846793005ull + i;
        sample = riscv64::read_time() ^ (accumulator << 17);
    }
    sha256(samples, sizeof(samples), pool);
}

} // namespace

const char* entropy_source_name(EntropySource source) noexcept
{
    switch (source) {
    case EntropySource::DeviceTreeRngSeed:
        return "/chosen/rng-seed";
    case EntropySource::ZkrSeedCsr:
        return "the Zkr seed CSR";
    case EntropySource::TimerJitter:
        return "timer jitter (weak)";
    case EntropySource::None:
        break;
    }
    return "nothing";
}

Entropy gather_entropy(const boot::PlatformInfo& platform) noexcept
{
    Entropy entropy;
    if (platform.rng_seed != nullptr && platform.rng_seed_length >= 16) {
        sha256(platform.rng_seed, platform.rng_seed_length, entropy.pool);
        entropy.source = EntropySource::DeviceTreeRngSeed;
        return entropy;
    }
    if (platform.isa_has_extension("zkr"_sv) && gather_from_seed_csr(entropy.pool)) {
        entropy.source = EntropySource::ZkrSeedCsr;
        return entropy;
    }
    gather_from_timer_jitter(entropy.pool);
    entropy.source = EntropySource::TimerJitter;
    return entropy;
}

} // namespace k23::loader
