// The supervisor timer (kernel/Timer.h).

#include <arch/riscv64/Csr.h>
#include <arch/riscv64/Sbi.h>
#include <kernel/DeviceTree.h>
#include <kernel/Timer.h>
#include <kernel/Trap.h>

namespace k23::kernel {

using namespace riscv64;

namespace {

enum class TimerKind : u8 {
    Unknown,
    Sstc,
    Sbi,
};
TimerKind s_kind = TimerKind::Unknown;

TimerKind detect() noexcept
{
    // The ISA string lists Sstc; M-mode must also have set menvcfg.STCE,
    // or stimecmp is an illegal instruction (Sstc 1.0): probe it once.
    if (!g_platform.isa_has_extension("sstc"_sv))
        return TimerKind::Sbi;
    bool trapped = catch_trap([] { write_csr<Csr::Stimecmp>(timer_never); });
    return trapped ? TimerKind::Sbi : TimerKind::Sstc;
}

} // namespace

bool timer_uses_sstc() noexcept
{
    if (s_kind == TimerKind::Unknown)
        s_kind = detect();
    return s_kind == TimerKind::Sstc;
}

void timer_set(u64 deadline) noexcept
{
    if (timer_uses_sstc())
        write_csr<Csr::Stimecmp>(deadline);
    else
        (void)sbi::set_timer(deadline);
}

void timer_clear() noexcept
{
    if (s_kind == TimerKind::Sstc)
        write_csr<Csr::Stimecmp>(timer_never);
    else
        (void)sbi::set_timer(timer_never);
}

u64 timer_now() noexcept { return read_csr<Csr::Time>(); }

u64 timer_frequency() noexcept { return g_platform.timebase_frequency ? g_platform.timebase_frequency : 10'000'000; }

} // namespace k23::kernel
