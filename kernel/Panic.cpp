#include <arch/riscv64/Csr.h>
#include <kernel/Backtrace.h>
#include <base/Assertions.h>
#include <kernel/Console.h>
#include <kernel/Panic.h>
#include <kernel/Shutdown.h>

namespace k23::kernel {

namespace {

bool s_panicking = false;

// A panic while printing a panic (a fault in the console, say) must not
// recurse forever: the second one shuts down without printing.
void enter_panic() noexcept
{
    riscv64::clear_csr_bits<riscv64::Csr::Sstatus>(riscv64::Sstatus::SIE);
    if (s_panicking)
        shutdown(1);
    s_panicking = true;
}

constexpr const char* register_names[32] = {
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2",
    "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
    "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7",
    "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"
};

} // namespace

// noinline: the walk starts at this function's own frame record, whose
// return address is the panicking caller.
[[gnu::noinline]] void panic_message(StringView message) noexcept
{
    enter_panic();
    kprintln("panic: {}"_sv, message);
    kprintln("backtrace:"_sv);
    print_backtrace(current_frame_pointer());
    shutdown(1);
}

void panic_with_trap_frame(const riscv64::TrapFrame& frame) noexcept
{
    enter_panic();
    kprintln("panic: {} at sepc={:#018x} stval={:#018x}"_sv,
        riscv64::scause_name(frame.scause), frame.sepc, frame.stval);
    kprintln("  scause={:#018x} sstatus={:#018x}"_sv, frame.scause, frame.sstatus);
    for (usize i = 0; i < 32; i += 4) {
        kprintln("  {:>4}={:#018x} {:>4}={:#018x} {:>4}={:#018x} {:>4}={:#018x}"_sv,
            register_names[i], i == 0 ? 0 : frame.x[i],
            register_names[i + 1], frame.x[i + 1],
            register_names[i + 2], frame.x[i + 2],
            register_names[i + 3], frame.x[i + 3]);
    }
    // Frame #0 is the trapping pc; the chain goes on from the interrupted
    // code's fp (s0), which the vector saved untouched.
    kprintln("backtrace:"_sv);
    print_backtrace(frame.x[8], frame.sepc);
    shutdown(1);
}

} // namespace k23::kernel

// base/Assertions.h: VERIFY failures end up here.
void k23::platform_panic(const char* message, const char* file, int line) noexcept
{
    kernel::panic("{} at {}:{}"_sv, message, file, line);
}
