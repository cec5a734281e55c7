// Guests in U-mode: user address spaces, entering and leaving U-mode,
// system calls, checked user copies, faults, isolation, leaks, and the
// page-table audit. The guests are tiny programs written with the project's
// assembler (arch/riscv64/asm), mapped U+RX at code_va with a U+RW stack page.

#include <arch/riscv64/Csr.h>
#include <arch/riscv64/Sbi.h>
#include <arch/riscv64/asm/Assembler.h>
#include <arch/riscv64/asm/CodeHolder.h>
#include <base/Memory.h>
#include <kernel/Boot.h>
#include <kernel/DeviceTree.h>
#include <kernel/Guest.h>
#include <kernel/Heap.h>
#include <kernel/KTest.h>
#include <kernel/Trap.h>
#include <kernel/UserCopy.h>
#include <kernel/mm/PageTableAudit.h>
#include <kernel/mm/PhysicalMemory.h>
#include <kernel/mm/UserAddressSpace.h>
#include <kernel/mm/VirtualMemory.h>

using namespace k23;
using namespace k23::kernel;
using namespace k23::riscv64;

namespace {

constexpr u64 code_va = 0x10000;
constexpr u64 data_va = 0x30000;
constexpr u64 stack_va = 0x7fff'0000;
constexpr u64 stack_top = stack_va + PAGE_SIZE;
constexpr u64 unmapped_user_va = 0x4000'0000;

constexpr u32 csr_fcsr = 0x003; // unprivileged spec, F extension: fcsr

struct Program {
    u8 bytes[2048];
    usize size { 0 };
    bool ok { false };
};

template<typename Emit>
Program assemble(Emit emit)
{
    Program program;
    CodeHolder code(CpuFeatures::rv64gc().with(Extension::V), CodeOptions { .compress = false });
    Assembler a(code);
    emit(a);
    if (code.finalize().is_error() || code.code_size() > sizeof program.bytes)
        return program;
    program.size = code.code_size();
    program.ok = !code.copy_to(Span<u8>(program.bytes, program.size)).is_error();
    return program;
}

// exit(status) from the guest.
void emit_exit(Assembler& a, i64 status)
{
    a.li(a0, status);
    a.li(a7, static_cast<i64>(system_call_exit));
    a.ecall();
}

// A fresh guest with `program` at code_va (U+RX) and one stack page (U+RW).
bool start_guest(Guest& guest, const Program& program)
{
    if (!program.ok || guest.create().is_error())
        return false;
    auto& space = guest.address_space();
    if (space.map_new(code_va, PAGE_SIZE, Protection::ReadExecute).is_error())
        return false;
    if (space.write(code_va, Span<u8 const>(program.bytes, program.size)).is_error())
        return false;
    if (space.map_new(stack_va, PAGE_SIZE, Protection::ReadWrite).is_error())
        return false;
    guest.reset(code_va, stack_top);
    return true;
}

GuestExit run_program(const Program& program, SystemCallHandler handler = nullptr, void* cookie = nullptr)
{
    Guest guest;
    if (!start_guest(guest, program)) {
        ktest_fail(__FILE__, __LINE__, "could not start the guest"_sv, true);
        return {};
    }
    return guest.run(handler, cookie);
}

constexpr u64 system_call_add_two = 1;
constexpr u64 system_call_sum_bytes = 2; // (pointer, length) -> sum of the bytes, or -EFAULT
constexpr u64 system_call_fill = 3;      // (pointer, length) -> writes 0xa5..., 0 or -EFAULT
constexpr u64 system_call_poll = 4;      // -> 1 once the test's condition holds

struct Calls {
    usize count { 0 };
    u64 last_args[6] {};
    i64 results[16] {};
    usize result_count { 0 };
    u64 timer_before { 0 };
    bool clobber_fp { false };
    u64 kernel_frm_seen { 0 }; // OR of frm in the kernel at each call
};

i64 test_handler(Guest& guest, const SystemCall& call, void* cookie) noexcept
{
    auto& calls = *static_cast<Calls*>(cookie);
    ++calls.count;
    copy_bytes(calls.last_args, call.args, sizeof calls.last_args);
    u64 frm;
    asm volatile("frrm %0" : "=r"(frm));
    calls.kernel_frm_seen |= frm;
    if (calls.clobber_fp) {
        // The kernel may use every FP register; the guest's must survive.
        asm volatile("fmv.d.x ft1, zero\n fmv.d.x fs1, zero\n csrw fcsr, zero" ::: "ft1", "fs1");
    }
    i64 result = static_cast<i64>(GuestErrno::NoSystemCall);
    switch (call.number) {
    case system_call_add_two:
        result = static_cast<i64>(call.args[0] + 2);
        break;
    case system_call_sum_bytes: {
        u8 buffer[64];
        if (call.args[1] > sizeof buffer) {
            result = static_cast<i64>(GuestErrno::InvalidArgument);
            break;
        }
        if (copy_from_user(guest.address_space(), buffer, call.args[0], call.args[1]).is_error()) {
            result = static_cast<i64>(GuestErrno::Fault);
            break;
        }
        result = 0;
        for (u64 i = 0; i < call.args[1]; ++i)
            result += buffer[i];
        break;
    }
    case system_call_fill: {
        u8 buffer[64];
        if (call.args[1] > sizeof buffer) {
            result = static_cast<i64>(GuestErrno::InvalidArgument);
            break;
        }
        fill_bytes(buffer, 0xa5, sizeof buffer);
        result = copy_to_user(guest.address_space(), call.args[0], buffer, call.args[1]).is_error()
            ? static_cast<i64>(GuestErrno::Fault)
            : 0;
        break;
    }
    case system_call_poll:
        result = (current_hart().timer_interrupts != calls.timer_before || calls.count > 2'000'000) ? 1 : 0;
        break;
    default:
        break;
    }
    if (calls.result_count < 16)
        calls.results[calls.result_count++] = result;
    return result;
}

u64 kernel_text_address() { return reinterpret_cast<u64>(&test_handler); }

} // namespace

KTEST(guest_system_call_add_two_then_exit)
{
    // li a7, 1; li a0, 40; ecall  -> a0 = 42; then a0 += 100; exit(a0).
    auto program = assemble([](Assembler& a) {
        a.li(a7, system_call_add_two);
        a.li(a0, 40);
        a.ecall();
        a.addi(a0, a0, 100); // runs only if the guest resumed after the ecall
        a.li(a7, system_call_exit);
        a.ecall();
    });
    Calls calls;
    auto exit = run_program(program, test_handler, &calls);
    KASSERT(exit.exited());
    KEXPECT_EQ(calls.count, 1u);
    KEXPECT_EQ(calls.last_args[0], 40u);
    KEXPECT_EQ(calls.results[0], 42);
    KEXPECT_EQ(exit.status, 142u);
    KEXPECT_EQ(exit.system_calls, 2u);
}

KTEST(guest_unknown_system_call_is_enosys)
{
    auto program = assemble([](Assembler& a) {
        a.li(a7, 999);
        a.ecall();
        a.li(a7, system_call_exit); // exit with what the kernel returned
        a.ecall();
    });
    auto exit = run_program(program); // no handler at all
    KASSERT(exit.exited());
    KEXPECT_EQ(static_cast<i64>(exit.status), static_cast<i64>(GuestErrno::NoSystemCall));
}

KTEST(guest_faults_end_the_guest_not_the_kernel)
{
    struct Case {
        const char* what;
        Exception cause;
        Exception or_cause; // an implementation may report either (e.g. a misaligned AMO)
        u64 stval; // ~0: not checked
        void (*emit)(Assembler&, u64 address);
        u64 address;
    };
    auto load = [](Assembler& a, u64 address) {
        a.li(t0, static_cast<i64>(address));
        a.ld(t1, t0, 0);
        emit_exit(a, 0);
    };
    auto store = [](Assembler& a, u64 address) {
        a.li(t0, static_cast<i64>(address));
        a.sd(t0, t0, 0);
        emit_exit(a, 0);
    };
    auto jump = [](Assembler& a, u64 address) {
        a.li(t0, static_cast<i64>(address));
        a.jalr(zero, t0, 0);
    };
    auto illegal = [](Assembler& a, u64) {
        a.emit_word(0); // the all-zero word is illegal (unprivileged spec §1.5)
        emit_exit(a, 0);
    };
    auto breakpoint = [](Assembler& a, u64) {
        a.ebreak();
        emit_exit(a, 0);
    };
    auto privileged = [](Assembler& a, u64) {
        a.csrr(t0, static_cast<u32>(Csr::Sstatus)); // an S-mode CSR from U-mode
        emit_exit(a, 0);
    };
    auto misaligned_amo = [](Assembler& a, u64) {
        // AMOs must be naturally aligned (unprivileged spec §8.4); the
        // privileged spec's Table 4.2 would call it a store/AMO address
        // misaligned, QEMU 7.2 reports a load address misaligned.
        a.addi(t0, sp, -13);
        a.amoadd_d(t1, t1, t0);
        emit_exit(a, 0);
    };
    u64 direct_map = phys_to_virt(boot_info().kernel_physical_base);
    Case const cases[] = {
        { "load from kernel text", Exception::LoadPageFault, Exception::LoadPageFault, kernel_text_address(), load, kernel_text_address() },
        { "load from the direct map", Exception::LoadPageFault, Exception::LoadPageFault, direct_map, load, direct_map },
        { "load from unmapped user memory", Exception::LoadPageFault, Exception::LoadPageFault, unmapped_user_va, load, unmapped_user_va },
        { "store to its own code", Exception::StorePageFault, Exception::StorePageFault, code_va + 8, store, code_va + 8 },
        { "store to kernel data", Exception::StorePageFault, Exception::StorePageFault, direct_map, store, direct_map },
        { "jump into kernel text", Exception::InstructionPageFault, Exception::InstructionPageFault, kernel_text_address(), jump, kernel_text_address() },
        { "jump to unmapped memory", Exception::InstructionPageFault, Exception::InstructionPageFault, unmapped_user_va, jump, unmapped_user_va },
        { "illegal instruction", Exception::IllegalInstruction, Exception::IllegalInstruction, ~0ull, illegal, 0 },
        { "breakpoint", Exception::Breakpoint, Exception::Breakpoint, ~0ull, breakpoint, 0 },
        { "supervisor CSR", Exception::IllegalInstruction, Exception::IllegalInstruction, ~0ull, privileged, 0 },
        { "misaligned AMO", Exception::StoreAddressMisaligned, Exception::LoadAddressMisaligned, stack_top - 13, misaligned_amo, 0 },
    };
    auto good = assemble([](Assembler& a) { emit_exit(a, 7); });
    for (const auto& c : cases) {
        u64 address = c.address;
        auto program = assemble([&](Assembler& a) { c.emit(a, address); });
        auto exit = run_program(program);
        if (!exit.faulted() || (exit.scause != static_cast<u64>(c.cause) && exit.scause != static_cast<u64>(c.or_cause))) {
            ktest_failf(__FILE__, __LINE__, false, "{}: exited {} status {} scause {}"_sv, c.what, exit.exited(),
                exit.status, exit.scause);
            continue;
        }
        if (c.stval != ~0ull)
            KEXPECT_EQ(exit.stval, c.stval);
        // The next guest runs fine.
        auto next = run_program(good);
        KEXPECT(next.exited() && next.status == 7);
    }
}

// Vector state: tests/kernel/GuestVectorTests.cpp.

KTEST(guest_system_call_pointers_are_checked)
{
    u64 kernel_pointer = kernel_text_address();
    u64 direct_map = phys_to_virt(boot_info().kernel_physical_base);
    auto program = assemble([&](Assembler& a) {
        // 8 bytes 1..8 at sp - 16.
        a.li(t0, 0x0807'0605'0403'0201);
        a.sd(t0, sp, -16);
        auto sum = [&](i64 pointer_or_sp_offset, bool from_sp, i64 length) {
            if (from_sp)
                a.addi(a0, sp, static_cast<i32>(pointer_or_sp_offset));
            else
                a.li(a0, pointer_or_sp_offset);
            a.li(a1, length);
            a.li(a7, system_call_sum_bytes);
            a.ecall();
        };
        sum(-16, true, 8);                          // 0: valid: 36
        sum(static_cast<i64>(kernel_pointer), false, 8); // 1: kernel text
        sum(static_cast<i64>(direct_map), false, 8);     // 2: direct map
        sum(static_cast<i64>(unmapped_user_va), false, 8); // 3: unmapped
        sum(-4, true, 8);                           // 4: runs off the stack page
        sum(0, false, 8);                           // 5: null
        sum(-1, false, 8);                          // 6: the top of the address space
        sum(static_cast<i64>(code_va), false, 8);   // 7: code is readable: fine
        a.li(a0, code_va);                          // 8: code is not writable
        a.li(a1, 8);
        a.li(a7, system_call_fill);
        a.ecall();
        a.addi(a0, sp, -32);                        // 9: the stack is
        a.li(a1, 8);
        a.li(a7, system_call_fill);
        a.ecall();
        a.ld(a0, sp, -32);
        a.li(a7, system_call_exit);
        a.ecall();
    });
    Calls calls;
    auto exit = run_program(program, test_handler, &calls);
    KASSERT(exit.exited());
    KASSERT_EQ(calls.result_count, 10u);
    i64 const efault = static_cast<i64>(GuestErrno::Fault);
    KEXPECT_EQ(calls.results[0], 36);
    for (usize i = 1; i <= 6; ++i) {
        if (calls.results[i] != efault)
            ktest_failf(__FILE__, __LINE__, false, "call {}: {} instead of EFAULT"_sv, i, calls.results[i]);
    }
    KEXPECT_GT(calls.results[7], 0);
    KEXPECT_EQ(calls.results[8], efault);
    KEXPECT_EQ(calls.results[9], 0);
    KEXPECT_EQ(exit.status, 0xa5a5'a5a5'a5a5'a5a5ull);
    // SUM is off again in the kernel.
    KEXPECT_EQ(read_csr<Csr::Sstatus>() & Sstatus::SUM, 0u);
}

KTEST(guest_address_spaces_are_isolated)
{
    // Both guests load from data_va, store 333 there, and exit with what
    // they loaded first; each sees its own frame.
    auto program = assemble([](Assembler& a) {
        a.li(t0, data_va);
        a.ld(a0, t0, 0);
        a.li(t1, 333);
        a.sd(t1, t0, 0);
        a.li(a7, system_call_exit);
        a.ecall();
    });
    Guest first;
    Guest second;
    KASSERT(start_guest(first, program));
    KASSERT(start_guest(second, program));
    KASSERT(!first.address_space().map_new(data_va, PAGE_SIZE, Protection::ReadWrite).is_error());
    KASSERT(!second.address_space().map_new(data_va, PAGE_SIZE, Protection::ReadWrite).is_error());
    u64 one = 111, two = 222;
    KASSERT(!first.address_space().write(data_va, Span<u8 const>(reinterpret_cast<const u8*>(&one), 8)).is_error());
    KASSERT(!second.address_space().write(data_va, Span<u8 const>(reinterpret_cast<const u8*>(&two), 8)).is_error());
    u64 first_frame = first.address_space().translate(data_va).value().physical;
    u64 second_frame = second.address_space().translate(data_va).value().physical;
    KEXPECT_NE(first_frame, second_frame);
    auto a = first.run();
    auto b = second.run();
    KEXPECT(a.exited() && a.status == 111);
    KEXPECT(b.exited() && b.status == 222); // not the 333 the first one stored
    first.reset(code_va, stack_top);
    auto again = first.run();
    KEXPECT(again.exited() && again.status == 333);
}

KTEST(guest_registers_are_not_inherited)
{
    // The first guest sets every integer and FP register and fcsr; the
    // second ORs together all it starts with (except sp) and exits with it.
    auto dirty = assemble([](Assembler& a) {
        for (u8 n = 1; n < 32; ++n)
            a.li(GpReg(n), static_cast<i64>(0x1111'0000ull + n));
        for (u8 n = 0; n < 32; ++n)
            a.fmv_d_x(FpReg(n), GpReg(static_cast<u8>(1 + n % 31)));
        a.csrrw(zero, csr_fcsr, t0); // flags and rounding mode
        a.li(a7, system_call_exit);
        a.ecall();
    });
    auto check = assemble([](Assembler& a) {
        for (u8 n = 1; n < 32; ++n) {
            if (n != 2 && n != 10)
                a.or_(a0, a0, GpReg(n));
        }
        for (u8 n = 0; n < 32; ++n) {
            a.fmv_x_d(t0, FpReg(n));
            a.or_(a0, a0, t0);
        }
        a.csrr(t0, csr_fcsr);
        a.or_(a0, a0, t0);
        a.li(a7, system_call_exit);
        a.ecall();
    });
    auto first = run_program(dirty);
    KASSERT(first.exited());
    KEXPECT_EQ(first.status, 0x1111'0000ull + 10);
    auto second = run_program(check);
    KASSERT(second.exited());
    KEXPECT_EQ(second.status, 0u);
}

KTEST(guest_fp_state_survives_system_calls)
{
    // f1 (ft1) and f9 (fs1) and fcsr's rounding mode set before an ecall
    // whose handler zeroes them in the kernel; read back after it.
    auto program = assemble([](Assembler& a) {
        a.li(t0, 0x4003'0000'0000'0001);
        a.fmv_d_x(FpReg(1), t0);
        a.li(t0, 0x1234'5678'9abc'def0);
        a.fmv_d_x(FpReg(9), t0);
        a.li(t0, 0x40); // frm = 2 (RDN) in fcsr bits 7:5
        a.csrrw(zero, csr_fcsr, t0);
        a.li(a7, system_call_add_two);
        a.ecall();
        // A second call without FP writes in between: FS stays Clean, the
        // vector skips the save, and the context's copy must still be right.
        a.li(a7, system_call_add_two);
        a.ecall();
        a.fmv_x_d(a0, FpReg(1));
        a.fmv_x_d(t1, FpReg(9));
        a.xor_(a0, a0, t1);
        a.csrr(t1, csr_fcsr);
        a.xor_(a0, a0, t1);
        a.li(a7, system_call_exit);
        a.ecall();
    });
    Calls calls;
    calls.clobber_fp = true;
    auto exit = run_program(program, test_handler, &calls);
    KASSERT(exit.exited());
    KEXPECT_EQ(calls.count, 2u);
    KEXPECT_EQ(exit.status, 0x4003'0000'0000'0001ull ^ 0x1234'5678'9abc'def0ull ^ 0x40);
}

// Caught: with lazy FP (the guest's f registers stay in the hart after its
// trap) the kernel would have rounded its own FP arithmetic the guest's way.
KTEST(guest_fp_registers_stay_in_the_hart_but_not_its_rounding_mode)
{
    // f1, f9 and frm = RUP set once, then system calls whose handler writes
    // no FP register: the guest's values must survive (from the hart or the
    // context), and the kernel must see frm = 0 (round to nearest) each time.
    auto program = assemble([](Assembler& a) {
        a.li(t0, 0x4003'0000'0000'0001);
        a.fmv_d_x(FpReg(1), t0);
        a.li(t0, 0x1234'5678'9abc'def0);
        a.fmv_d_x(FpReg(9), t0);
        a.li(t0, 0x60); // frm = 3 (RUP) in fcsr bits 7:5
        a.csrrw(zero, csr_fcsr, t0);
        for (int i = 0; i < 3; ++i) {
            a.li(a7, system_call_add_two);
            a.ecall();
        }
        a.fmv_x_d(a0, FpReg(1));
        a.fmv_x_d(t1, FpReg(9));
        a.xor_(a0, a0, t1);
        a.csrr(t1, csr_fcsr);
        a.xor_(a0, a0, t1);
        a.li(a7, system_call_exit);
        a.ecall();
    });
    Calls calls;
    auto exit = run_program(program, test_handler, &calls);
    KASSERT(exit.exited());
    KEXPECT_EQ(calls.count, 3u);
    KEXPECT_EQ(calls.kernel_frm_seen, 0u);
    KEXPECT_EQ(exit.status, 0x4003'0000'0000'0001ull ^ 0x1234'5678'9abc'def0ull ^ 0x60);
}

KTEST(guest_timer_interrupt_in_user_mode_resumes_the_guest)
{
    // The guest spins in U-mode, asking now and then (poll) whether a timer
    // interrupt was handled; it counts its polls in s1 and exits with that
    // count, which must equal the kernel's count of polls: s1 survived the
    // interrupt.
    auto program = assemble([](Assembler& a) {
        auto outer = a.new_label();
        auto inner = a.new_label();
        a.bind(outer);
        a.li(t0, 20000);
        a.bind(inner);
        a.addi(t0, t0, -1);
        a.bnez(t0, inner);
        a.addi(s1, s1, 1);
        a.li(a7, system_call_poll);
        a.ecall();
        a.beqz(a0, outer);
        a.mv(a0, s1);
        a.li(a7, system_call_exit);
        a.ecall();
    });
    Guest guest;
    KASSERT(start_guest(guest, program));
    auto& hart = current_hart();
    Calls calls;
    calls.timer_before = hart.timer_interrupts;
    u64 ticks = g_platform.timebase_frequency / 1000; // 1 ms
    KASSERT(ticks > 0);
    set_csr_bits<Csr::Sie>(Interrupt::STIE);
    KASSERT_EQ(sbi::set_timer(read_time() + ticks).error, 0);
    auto exit = guest.run(test_handler, &calls);
    clear_csr_bits<Csr::Sie>(Interrupt::STIE);
    KASSERT(exit.exited());
    KEXPECT_GE(exit.interrupts, 1u);
    KEXPECT_EQ(hart.timer_interrupts - calls.timer_before, exit.interrupts);
    KEXPECT_GE(calls.count, 1u);
    KEXPECT_EQ(exit.status, calls.count);
    KEXPECT_EQ(exit.system_calls, calls.count + 1); // the polls and the exit
    KEXPECT_LT(calls.count, 2'000'000u);
}

KTEST(guest_runaway_loop_is_killed_at_its_time_limit)
{
    // `j .` forever: only the timer gets the kernel back.
    auto runaway = assemble([](Assembler& a) {
        auto self = a.new_label();
        a.bind(self);
        a.j(self);
    });
    u64 limit = g_platform.timebase_frequency / 100; // 10 ms
    KASSERT(limit > 0);
    u64 start = read_time();
    Guest guest;
    KASSERT(start_guest(guest, runaway));
    auto exit = guest.run(nullptr, nullptr, limit);
    KEXPECT(exit.killed());
    KEXPECT_GE(exit.interrupts, 1u);
    KEXPECT_GE(read_time() - start, limit);
    KEXPECT_EQ(exit.sepc, code_va);
    KEXPECT_EQ(read_csr<Csr::Sie>() & Interrupt::STIE, 0u);
    // A guest that exits in time is not killed. Its limit is 10 s, not
    // 10 ms: QEMU's clock is the host's, and a stalled host once let 10 ms
    // pass before this one-instruction guest ran (a failure on a loaded
    // machine, not a kernel bug).
    auto good = assemble([](Assembler& a) { emit_exit(a, 9); });
    Guest next;
    KASSERT(start_guest(next, good));
    auto fine = next.run(nullptr, nullptr, limit * 1000);
    KEXPECT(fine.exited() && fine.status == 9);
}

KTEST(guest_thousand_guests_leak_nothing)
{
    auto program = assemble([](Assembler& a) {
        a.li(a7, system_call_add_two);
        a.li(a0, 40);
        a.ecall();
        a.li(a7, system_call_exit);
        a.ecall();
    });
    KASSERT(program.ok);
    // Warm up (first-touch allocations of the test itself), then measure.
    {
        Calls calls;
        (void)run_program(program, test_handler, &calls);
    }
    heap_collect();
    usize frames_before = physical_memory().free_frame_count();
    usize heap_before = heap_stats().committed_pages;
    usize failures = 0;
    for (u32 i = 0; i < 1000; ++i) {
        Calls calls;
        Guest guest;
        if (!start_guest(guest, program)) {
            ++failures;
            continue;
        }
        auto exit = guest.run(test_handler, &calls);
        if (!exit.exited() || exit.status != 42)
            ++failures;
        guest.destroy();
    }
    heap_collect();
    KEXPECT_EQ(failures, 0u);
    KEXPECT_EQ(physical_memory().free_frame_count(), frames_before);
    KEXPECT_EQ(heap_stats().committed_pages, heap_before);
}

KTEST(page_table_audit_after_boot_and_after_100_guests)
{
    auto kernel_audit = audit_kernel_page_tables();
    if (kernel_audit.violations() != 0 || kernel_audit.user_leaves != 0)
        print_page_table_audit("kernel after boot", kernel_audit);
    KEXPECT_EQ(kernel_audit.violations(), 0u);
    KEXPECT_EQ(kernel_audit.user_leaves, 0u);
    KEXPECT_GT(kernel_audit.leaves, 0u);

    auto program = assemble([](Assembler& a) {
        a.li(t0, data_va);
        a.sd(t0, t0, 0);
        emit_exit(a, 5);
    });
    usize bad = 0;
    for (u32 i = 0; i < 100; ++i) {
        Guest guest;
        KASSERT(start_guest(guest, program));
        KASSERT(!guest.address_space().map_new(data_va, 4 * PAGE_SIZE, Protection::ReadWrite).is_error());
        auto exit = guest.run();
        if (!exit.exited() || exit.status != 5)
            ++bad;
        auto audit = audit_user_page_tables(guest.address_space());
        if (audit.violations() != 0 || audit.user_leaves != 6) {
            print_page_table_audit("guest", audit);
            ++bad;
        }
    }
    KEXPECT_EQ(bad, 0u);
    kernel_audit = audit_kernel_page_tables();
    if (kernel_audit.violations() != 0 || kernel_audit.user_leaves != 0)
        print_page_table_audit("kernel after 100 guests", kernel_audit);
    KEXPECT_EQ(kernel_audit.violations(), 0u);
    KEXPECT_EQ(kernel_audit.user_leaves, 0u); // no user mapping survived its guest
}

namespace {

struct StackSeen {
    Guest* guest { nullptr };
    u64 sp { 0 };
};

i64 record_kernel_sp(Guest&, const SystemCall&, void* cookie) noexcept
{
    u64 sp = 0;
    asm volatile("mv %0, sp" : "=r"(sp));
    static_cast<StackSeen*>(cookie)->sp = sp;
    return 0;
}

} // namespace

KTEST(guest_system_calls_run_on_the_guests_own_kernel_stack)
{
    auto program = assemble([](Assembler& a) {
        a.li(a7, 9);
        a.ecall();
        emit_exit(a, 0);
    });
    Guest guest;
    KASSERT(start_guest(guest, program));
    const auto& stack = guest.kernel_stack();
    KASSERT(stack.size == guest_kernel_stack_size);
    // The guest's saved registers sit at the top of its kernel stack.
    u64 context = reinterpret_cast<u64>(&guest.context());
    KEXPECT(context >= stack.base && context + sizeof(riscv64::UserContext) <= stack.top());
    // Its guard page below is not mapped.
    KEXPECT(kernel_virtual_memory().translate(stack.base - PAGE_SIZE).is_error());
    StackSeen seen { &guest, 0 };
    auto exit = guest.run(record_kernel_sp, &seen);
    KEXPECT(exit.exited());
    // The system call ran below the context, on that stack, not on ours.
    KEXPECT(seen.sp >= stack.base && seen.sp < context);
    guest.destroy();
    KEXPECT(kernel_virtual_memory().translate(stack.base).is_error());
}
