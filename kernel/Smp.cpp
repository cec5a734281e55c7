#include <arch/riscv64/Csr.h>
#include <arch/riscv64/Sbi.h>
#include <base/Log.h>
#include <kernel/Boot.h>
#include <kernel/Console.h>
#include <kernel/DeviceTree.h>
#include <kernel/Smp.h>
#include <kernel/Trap.h>

// What k23_secondary_entry (arch/riscv64/entry.S) reads with the MMU off.
struct SecondaryStart {
    u64 satp;       // the kernel's
    u64 stack_top;  // virtual
    u64 hart_local; // virtual, for tp
    u64 resume;     // virtual: where the hart continues once satp is on
};
static_assert(__builtin_offsetof(SecondaryStart, satp) == 0);
static_assert(__builtin_offsetof(SecondaryStart, stack_top) == 8);
static_assert(__builtin_offsetof(SecondaryStart, hart_local) == 16);
static_assert(__builtin_offsetof(SecondaryStart, resume) == 24);

extern "C" {
[[gnu::visibility("hidden")]] extern u8 k23_secondary_entry[];
[[gnu::visibility("hidden")]] extern u8 k23_secondary_resume[];
}

namespace k23::kernel {

namespace {

constexpr usize max_secondary = 16;
constexpr usize stack_size = 16 * 1024;

struct Secondary {
    SecondaryStart start;
    HartLocal local;
    HartReport report;
    alignas(16) u8 stack[stack_size];
};

Secondary s_harts[max_secondary];
HartReport s_boot_report;
usize s_report_count = 0;
SmpStatus s_status;
u32 s_online = 0; // harts that reported in, written with amoadd

u64 read_sp() noexcept
{
    u64 sp;
    asm volatile("mv %0, sp" : "=r"(sp));
    return sp;
}

void fill_report(HartReport& report, u64 hart_id, u64 stack_bottom, u64 stack_top) noexcept
{
    using namespace riscv64;
    report.hart_id = hart_id;
    report.tp = reinterpret_cast<u64>(&current_hart());
    report.sp = read_sp();
    report.stack_bottom = stack_bottom;
    report.stack_top = stack_top;
    report.stvec = read_csr<Csr::Stvec>();
    report.vector_enabled = (read_csr<Csr::Sstatus>() & Sstatus::VS_MASK) != 0;
    const auto* hart = g_platform.hart(hart_id);
    report.expects_vector = hart != nullptr ? hart->has_vector : g_platform.isa_has('v');
}

} // namespace

// sstatus.VS is enabled only when the device tree says the hart has V: on a
// hart without V the field may be read-only zero or, worse, writable
// (privileged spec §3.1.6.6), so writing it proves nothing. Per hart: a
// board may mix harts with and without V.
void enable_vector_unit_for(u64 hart_id) noexcept
{
    using namespace riscv64;
    const auto* hart = g_platform.hart(hart_id);
    bool has_vector = hart != nullptr ? hart->has_vector : g_platform.isa_has('v');
    if (has_vector)
        set_csr_bits<Csr::Sstatus>(Sstatus::EXTENSION_INITIAL << Sstatus::VS_SHIFT);
}

// A secondary hart, on its own stack with the kernel's page tables, tp and
// trap vector (k23_secondary_resume): report in, then park. Interrupts stay
// off (sie = 0), so wfi only returns spuriously; a scheduler will replace the
// loop.
extern "C" [[noreturn]] void k23_secondary_main(u64 hart_id) noexcept
{
    auto& local = current_hart();
    local.hart_id = hart_id;
    enable_vector_unit_for(hart_id);
    Secondary* self = nullptr;
    for (auto& slot : s_harts) {
        if (&slot.local == &local)
            self = &slot;
    }
    if (self != nullptr) {
        fill_report(self->report, hart_id, reinterpret_cast<u64>(self->stack), reinterpret_cast<u64>(self->stack + stack_size));
        self->report.online = true;
    }
    __atomic_fetch_add(&s_online, 1, __ATOMIC_RELEASE);
    for (;;)
        asm volatile("wfi");
}

SmpStatus start_secondary_harts() noexcept
{
    using namespace riscv64;
    u64 boot_hart = current_hart().hart_id;
    SmpStatus status;
    status.started = status.online = 1;
    fill_report(s_boot_report, boot_hart, 0, 0);
    s_boot_report.online = true;
    s_report_count = 0;
    u64 satp = read_csr<Csr::Satp>();
    bool have_hsm = sbi::probe_extension(sbi::Eid::Hsm);
    usize next = 0;
    for (usize i = 0; i < g_platform.hart_count; ++i) {
        const auto& hart = g_platform.harts[i];
        if (!hart.usable)
            continue;
        ++status.usable;
        if (hart.hart_id == boot_hart)
            continue;
        if (!have_hsm) {
            kprintln("smp: no SBI HSM extension: hart {} stays off"_sv, hart.hart_id);
            continue;
        }
        if (next == max_secondary) {
            kprintln("smp: hart {} not started: at most {} secondary harts"_sv, hart.hart_id, max_secondary);
            continue;
        }
        auto& slot = s_harts[next];
        slot.local = HartLocal {};
        slot.local.hart_id = hart.hart_id;
        slot.report = HartReport {};
        slot.report.hart_id = hart.hart_id;
        slot.start = { satp, reinterpret_cast<u64>(slot.stack + stack_size), reinterpret_cast<u64>(&slot.local),
            reinterpret_cast<u64>(k23_secondary_resume) };
        // The hart reads SecondaryStart with the MMU off: make it visible first.
        asm volatile("fence rw, rw" ::: "memory");
        // SBI spec §9.1 sbi_hart_start(hartid, start_addr, opaque): the hart
        // begins at start_addr (physical) in S-mode, satp = 0, a0 = hartid,
        // a1 = opaque.
        auto result = sbi::call(sbi::Eid::Hsm, 0, hart.hart_id, virt_to_phys(k23_secondary_entry), virt_to_phys(&slot.start));
        if (result.error != 0) {
            kprintln("smp: SBI hart_start of hart {} failed: error {}"_sv, hart.hart_id, result.error);
            continue;
        }
        ++next;
        ++status.started;
    }
    s_report_count = next;
    // Wait for each to report in: five seconds of timebase ticks at most
    // (QEMU's harts are host threads: on a loaded machine a second was
    // seen to be too short for 8 of them; the wait ends when all are in).
    u64 ticks = 5 * (g_platform.timebase_frequency != 0 ? g_platform.timebase_frequency : 10'000'000);
    u64 deadline = read_csr<Csr::Time>() + ticks;
    while (__atomic_load_n(&s_online, __ATOMIC_ACQUIRE) + 1 < status.started && read_csr<Csr::Time>() < deadline)
        asm volatile("nop");
    status.online = __atomic_load_n(&s_online, __ATOMIC_ACQUIRE) + 1;
    s_status = status;
    return status;
}

SmpStatus smp_status() noexcept { return s_status; }

usize hart_report_count() noexcept { return s_report_count + 1; }

const HartReport& hart_report(usize index) noexcept
{
    return index == 0 ? s_boot_report : s_harts[index - 1].report;
}

} // namespace k23::kernel
