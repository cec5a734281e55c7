#include <hosted/CpuDetect.h>

#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace k23::hosted {

using riscv64::CpuFeatures;
using riscv64::Extension;

StringView cpu_feature_source_name(CpuFeatureSource source) noexcept
{
    switch (source) {
    case CpuFeatureSource::Hwprobe: return "riscv_hwprobe";
    case CpuFeatureSource::Probing: return "probing";
    case CpuFeatureSource::NotRiscv: return "not riscv64";
    }
    return "?";
}

#if defined(__riscv) && __riscv_xlen == 64

namespace {

sigjmp_buf s_probe_jump;

void on_sigill(int, siginfo_t*, void*)
{
    siglongjmp(s_probe_jump, 1);
}

// One instruction of each extension, written as bytes so the assembler need
// not know the extension; results go to x0 (rd = 0).
void run_probe(Extension extension)
{
    switch (extension) {
    case Extension::V: asm volatile(".4byte 0xcc00f057" ::: "memory"); break; // vsetivli x0, 1, e8, m1, ta, ma
    case Extension::Zba: asm volatile(".4byte 0x20002033" ::: "memory"); break; // sh1add x0, x0, x0
    case Extension::Zbb: asm volatile(".4byte 0x40007033" ::: "memory"); break; // andn x0, x0, x0
    case Extension::Zbc: asm volatile(".4byte 0x0a001033" ::: "memory"); break; // clmul x0, x0, x0
    case Extension::Zbs: asm volatile(".4byte 0x28001033" ::: "memory"); break; // bset x0, x0, x0
    case Extension::Zicond: asm volatile(".4byte 0x0e005033" ::: "memory"); break; // czero.eqz x0, x0, x0
    default: break;
    }
}

struct HwprobePair {
    i64 key;
    u64 value;
};

constexpr i64 hwprobe_key_base_behavior = 3;
constexpr u64 hwprobe_base_behavior_ima = 1;
constexpr i64 hwprobe_key_ima_ext_0 = 4;
constexpr long syscall_riscv_hwprobe = 258;

bool detect_with_hwprobe(CpuFeatures& out)
{
    HwprobePair pairs[2] = { { hwprobe_key_base_behavior, 0 }, { hwprobe_key_ima_ext_0, 0 } };
    if (syscall(syscall_riscv_hwprobe, pairs, 2, 0, nullptr, 0) != 0)
        return false;
    if (pairs[0].key < 0 || !(pairs[0].value & hwprobe_base_behavior_ima) || pairs[1].key < 0)
        return false;
    u64 ext = pairs[1].value;
    CpuFeatures features = CpuFeatures::rv64i().with(Extension::M).with(Extension::A).with(Extension::Zicsr).with(Extension::Zifencei);
    struct Bit {
        u32 bit;
        Extension extension;
    };
    static constexpr Bit bits[] = {
        { 1, Extension::C }, { 2, Extension::V }, { 3, Extension::Zba }, { 4, Extension::Zbb }, { 5, Extension::Zbs },
        { 6, Extension::Zicboz }, { 7, Extension::Zbc }, { 27, Extension::Zfh }, { 35, Extension::Zicond },
        { 36, Extension::Zihintpause },
    };
    if (ext & 1) // IMA_FD
        features = features.with(Extension::F).with(Extension::D);
    for (const Bit& b : bits) {
        if (ext & (u64(1) << b.bit))
            features = features.with(b.extension);
    }
    out = features;
    return true;
}

} // namespace

bool probe_extension(Extension extension) noexcept
{
    switch (extension) {
    case Extension::V:
    case Extension::Zba:
    case Extension::Zbb:
    case Extension::Zbc:
    case Extension::Zbs:
    case Extension::Zicond:
        break;
    default:
        return false;
    }
    struct sigaction action;
    struct sigaction previous;
    memset(&action, 0, sizeof(action));
    action.sa_sigaction = on_sigill;
    action.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGILL, &action, &previous) != 0)
        return false;
    bool supported = false;
    if (sigsetjmp(s_probe_jump, 1) == 0) {
        run_probe(extension);
        supported = true;
    }
    sigaction(SIGILL, &previous, nullptr);
    return supported;
}

DetectedCpu detect_cpu_features() noexcept
{
    DetectedCpu result;
    if (detect_with_hwprobe(result.features)) {
        result.source = CpuFeatureSource::Hwprobe;
        return result;
    }
    // Zihintpause is a HINT: harmless on any hart, so always usable.
    CpuFeatures features = CpuFeatures::rv64gc().with(Extension::Zihintpause);
    static constexpr Extension probed[] = { Extension::V, Extension::Zba, Extension::Zbb, Extension::Zbc, Extension::Zbs, Extension::Zicond };
    for (Extension e : probed) {
        if (probe_extension(e))
            features = features.with(e);
    }
    result.features = features;
    result.source = CpuFeatureSource::Probing;
    return result;
}

#else

bool probe_extension(Extension) noexcept
{
    return false;
}

DetectedCpu detect_cpu_features() noexcept
{
    return { CpuFeatures::rv64gc(), CpuFeatureSource::NotRiscv };
}

#endif

} // namespace k23::hosted
