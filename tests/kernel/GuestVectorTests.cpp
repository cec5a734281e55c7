// Guests' FP and vector state (kernel/Guest.h): a guest's first vector
// instruction gets it the vector unit with zeroed registers, its state
// survives system calls, other guests and the kernel's own use of the
// vector unit, and no guest ever sees another's FP or vector registers. On a
// hart without V, vector instructions stay illegal-instruction faults. The
// guests are tiny programs written with the project's assembler.

#include <arch/riscv64/Csr.h>
#include <arch/riscv64/Sbi.h>
#include <arch/riscv64/asm/Assembler.h>
#include <arch/riscv64/asm/CodeHolder.h>
#include <kernel/DeviceTree.h>
#include <kernel/Guest.h>
#include <kernel/KTest.h>
#include <kernel/Trap.h>
#include <kernel/mm/UserAddressSpace.h>

using namespace k23;
using namespace k23::kernel;
using namespace k23::riscv64;

namespace {

constexpr u64 code_va = 0x10000;
constexpr u64 stack_va = 0x7fff'0000;
constexpr u64 stack_top = stack_va + PAGE_SIZE;

constexpr u32 csr_fcsr = 0x003;
constexpr u32 csr_vl = 0xC20;    // V spec 1.0 §3.5
constexpr u32 csr_vtype = 0xC21; // §3.4
constexpr u64 vtype_e64_m8 = 0xdb; // vsew = e64, vlmul = m8, ta, ma (§3.4.1)

// The system calls of these guests (run_raw handler below).
constexpr u64 call_exit = 0;
constexpr u64 call_yield = 1;         // ends this run; the next run resumes after it
constexpr u64 call_kernel_uses_v = 2; // the kernel writes every v register, then resumes
constexpr u64 call_poll = 3;          // a0 = 1 once a timer interrupt was handled

// Four 64-bit patterns, one per register group v0/v8/v16/v24 at LMUL 8.
constexpr i64 patterns[4] = { 0x1111'2222'3333'4444, 0x0a0b'0c0d'0e0f'1011, -0x0123'4567'89ab'cdef, 0x5a5a'a5a5'5a5a'a5a5 };

struct Program {
    u8 bytes[4096];
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

void emit_call(Assembler& a, u64 number)
{
    a.li(a7, static_cast<i64>(number));
    a.ecall();
}

bool start_guest(Guest& guest, const Program& program)
{
    if (!program.ok || guest.create().is_error())
        return false;
    auto& space = guest.address_space();
    if (space.map_new(code_va, PAGE_SIZE, Protection::ReadExecute).is_error())
        return false;
    if (space.map_new(code_va + PAGE_SIZE, PAGE_SIZE, Protection::ReadExecute).is_error())
        return false;
    if (space.write(code_va, Span<u8 const>(program.bytes, program.size)).is_error())
        return false;
    if (space.map_new(stack_va, PAGE_SIZE, Protection::ReadWrite).is_error())
        return false;
    guest.reset(code_va, stack_top);
    return true;
}

// S-mode vector instructions, spelled as words (the kernel is rv64gc):
// vsetvli t0, zero, e64, m8, ta, ma and vmv.v.i vd, -1 (V spec 1.0 §6.1,
// §11.16; OP-V = 1010111).
constexpr u32 vsetvli_t0_vlmax_e64_m8 = (static_cast<u32>(vtype_e64_m8) << 20) | (7u << 12) | (5u << 7) | 0x57u;
constexpr u32 vmv_v_i_minus_1(u32 vd) { return (0x17u << 26) | (1u << 25) | (0x1fu << 15) | (3u << 12) | (vd << 7) | 0x57u; }

void kernel_writes_every_v_register() noexcept
{
    asm volatile(".4byte %0\n .4byte %1\n .4byte %2\n .4byte %3\n .4byte %4" ::"i"(vsetvli_t0_vlmax_e64_m8),
        "i"(vmv_v_i_minus_1(0)), "i"(vmv_v_i_minus_1(8)), "i"(vmv_v_i_minus_1(16)), "i"(vmv_v_i_minus_1(24))
        : "t0", "memory");
}

struct Log {
    usize kernel_uses = 0;
    u64 timer_before = 0;
    usize polls = 0;
};

SystemCallAction handler(Guest& guest, void* cookie, GuestExit& exit) noexcept
{
    auto& context = guest.context();
    switch (context.a7()) {
    case call_exit:
        exit.kind = GuestExit::Kind::Exited;
        exit.status = context.a(0);
        return SystemCallAction::Stop;
    case call_yield:
        return SystemCallAction::Stop;
    case call_kernel_uses_v:
        ++static_cast<Log*>(cookie)->kernel_uses;
        kernel_writes_every_v_register();
        return SystemCallAction::Resume;
    case call_poll: {
        auto& log = *static_cast<Log*>(cookie);
        ++log.polls;
        context.a(0) = (current_hart().timer_interrupts != log.timer_before || log.polls > 100'000) ? 1 : 0;
        return SystemCallAction::Resume;
    }
    default:
        context.a(0) = static_cast<u64>(GuestErrno::NoSystemCall);
        return SystemCallAction::Resume;
    }
}

// v0..v31 as e64 at LMUL 8 with vl = VLMAX: OR-ed into v0..v7, and a0 =
// the number of non-zero elements. Clobbers v0..v15.
void emit_count_nonzero_elements(Assembler& a)
{
    a.vor_vv(v0, v0, v8);
    a.vor_vv(v0, v0, VecReg(16));
    a.vor_vv(v0, v0, VecReg(24));
    a.vmsne_vi(v8, v0, 0);
    a.vcpop_m(a0, v8);
}

bool hart_has_vector() { return g_platform.isa_has('v'); }

} // namespace

KTEST(guest_vector_instructions_get_the_vector_unit_on_first_use)
{
    // vl = 4 at e32; v1 = 5, v2 = 0,1,2,3, v3 = v1 + v2 stored at sp - 64;
    // exit with the sum of the four words (5+6+7+8 = 26) + 100 * vl.
    auto program = assemble([](Assembler& a) {
        a.li(t0, 4);
        a.vsetvli(s1, t0, VType { .sew = Sew::E32 });
        a.li(t0, 5);
        a.vmv_v_x(v1, t0);
        a.vid_v(v2);
        a.vadd_vv(v3, v1, v2);
        a.addi(t1, sp, -64);
        a.vse(Sew::E32, v3, t1);
        a.lw(a0, sp, -64);
        for (i32 i = 1; i < 4; ++i) {
            a.lw(t2, sp, -64 + 4 * i);
            a.add(a0, a0, t2);
        }
        a.li(t0, 100);
        a.mul(t0, t0, s1);
        a.add(a0, a0, t0);
        emit_call(a, call_exit);
    });
    Guest guest;
    KASSERT(start_guest(guest, program));
    Log log;
    auto exit = guest.run_raw(&handler, &log);
    if (!hart_has_vector()) {
        // No V on this hart: the guest's fault, as any illegal instruction.
        KASSERT(exit.faulted());
        KEXPECT_EQ(exit.scause, static_cast<u64>(Exception::IllegalInstruction));
        KEXPECT_EQ(exit.sepc, code_va + 4); // the vsetvli after one li
        KEXPECT(guest.vector_state() == nullptr);
        guest.destroy();
        return;
    }
    KASSERT(exit.exited());
    KEXPECT_EQ(exit.status, 26u + 400u);
    KASSERT(guest.vector_state() != nullptr);
    KEXPECT_EQ(guest.vector_state()->vl, 4u);
    // The kernel's own vector unit is on after the guest.
    KEXPECT_NE(read_csr<Csr::Sstatus>() & Sstatus::VS_MASK, 0u);
    guest.destroy();

    // A genuinely illegal instruction with the unit already on is a fault.
    auto illegal = assemble([](Assembler& a) {
        a.vsetvli(t0, zero, VType {});
        a.emit32(0); // all zeros: illegal in every encoding
        emit_call(a, call_exit);
    });
    Guest second;
    KASSERT(start_guest(second, illegal));
    auto fault = second.run_raw(&handler, &log);
    KASSERT(fault.faulted());
    KEXPECT_EQ(fault.scause, static_cast<u64>(Exception::IllegalInstruction));
    KEXPECT_EQ(fault.sepc, code_va + 4);
    second.destroy();
}

KTEST(guest_vector_registers_are_never_seen_by_another_guest)
{
    // A: a pattern in every v register (e64, m8, vl = VLMAX), yield; then a
    // system call in which the kernel writes every v register itself, yield
    // again; then check the pattern, vl and vtype: exit(0) if all intact.
    auto program_a = assemble([](Assembler& a) {
        a.vsetvli(s1, zero, VType { .sew = Sew::E64, .lmul = Lmul::M8 });
        for (u32 g = 0; g < 4; ++g) {
            a.li(t0, patterns[g]);
            a.vmv_v_x(VecReg(static_cast<u8>(8 * g)), t0);
        }
        emit_call(a, call_yield);
        emit_call(a, call_kernel_uses_v);
        emit_call(a, call_yield);
        a.csrr(s2, csr_vl);
        a.xor_(s2, s2, s1);
        a.csrr(s3, csr_vtype);
        a.xori(s3, s3, static_cast<i32>(vtype_e64_m8));
        for (u32 g = 0; g < 4; ++g) {
            a.li(t0, patterns[g]);
            VecReg group(static_cast<u8>(8 * g));
            a.vxor_vx(group, group, t0);
        }
        emit_count_nonzero_elements(a);
        a.add(a0, a0, s2);
        a.add(a0, a0, s3);
        emit_call(a, call_exit);
    });
    // B: reads vl and vtype (its first vector access), then every v
    // register; exit(0) if it saw only the initial state (vl 0, vtype vill,
    // zeros). Then it writes all ones everywhere (its state is Dirty when it
    // leaves).
    auto program_b = assemble([](Assembler& a) {
        a.csrr(s1, csr_vl);
        a.csrr(s2, csr_vtype);
        a.vsetvli(s4, zero, VType { .sew = Sew::E64, .lmul = Lmul::M8 });
        emit_count_nonzero_elements(a);
        a.add(a0, a0, s1);
        a.li(t0, static_cast<i64>(VectorState::vtype_vill));
        a.xor_(s2, s2, t0);
        a.add(a0, a0, s2);
        for (u32 g = 0; g < 4; ++g)
            a.vmv_v_i(VecReg(static_cast<u8>(8 * g)), -1);
        emit_call(a, call_exit);
    });
    Guest guest_a;
    KASSERT(start_guest(guest_a, program_a));
    Log log;
    auto first = guest_a.run_raw(&handler, &log);
    if (!hart_has_vector()) {
        KASSERT(first.faulted());
        KEXPECT_EQ(first.scause, static_cast<u64>(Exception::IllegalInstruction));
        guest_a.destroy();
        return;
    }
    KASSERT(first.kind == GuestExit::Kind::Stopped);
    // A's state was saved at the yield (VS Dirty): vl = VLMAX(e64, m8) =
    // VLEN / 8 = vlenb, and v0's first element is the pattern.
    const auto* saved = guest_a.vector_state();
    KASSERT(saved != nullptr);
    u64 vlenb = read_csr<Csr::Vlenb>();
    KEXPECT_EQ(saved->vl, vlenb);
    KEXPECT_EQ(saved->vtype, vtype_e64_m8);
    u64 first_element = 0;
    copy_bytes(&first_element, saved->v, 8);
    KEXPECT_EQ(first_element, static_cast<u64>(patterns[0]));
    copy_bytes(&first_element, saved->v + 24 * vlenb, 8);
    KEXPECT_EQ(first_element, static_cast<u64>(patterns[3]));

    // B runs while A's registers are in the hart's v registers.
    Guest guest_b;
    KASSERT(start_guest(guest_b, program_b));
    auto b = guest_b.run_raw(&handler, &log);
    KASSERT(b.exited());
    KEXPECT_EQ(b.status, 0u);

    // A again, after B dirtied every register and the kernel did too (in
    // A's system call), up to its second yield.
    auto second = guest_a.run_raw(&handler, &log);
    KASSERT(second.kind == GuestExit::Kind::Stopped);
    KEXPECT_EQ(log.kernel_uses, 1u);

    // The kernel writes the v registers, then a guest that never uses V
    // runs: A must still get its own state back, not what the kernel left.
    kernel_writes_every_v_register();
    auto plain = assemble([](Assembler& a) {
        a.li(a0, 7);
        emit_call(a, call_exit);
    });
    Guest guest_d;
    KASSERT(start_guest(guest_d, plain));
    auto d = guest_d.run_raw(&handler, &log);
    KASSERT(d.exited());
    KEXPECT_EQ(d.status, 7u);
    KEXPECT(guest_d.vector_state() == nullptr);
    guest_d.destroy();

    auto third = guest_a.run_raw(&handler, &log);
    KASSERT(third.exited());
    KEXPECT_EQ(third.status, 0u);

    // A new guest (maybe at B's address) after both: zeros again.
    guest_b.destroy();
    Guest guest_c;
    KASSERT(start_guest(guest_c, program_b));
    auto c = guest_c.run_raw(&handler, &log);
    KASSERT(c.exited());
    KEXPECT_EQ(c.status, 0u);
    guest_c.destroy();
    guest_a.destroy();
}

KTEST(guest_fp_registers_are_never_seen_by_another_guest)
{
    // A: f0..f31 = P, P+1, ..., fcsr = 0x60 (frm = RUP), yield, check.
    constexpr i64 p = 0x4000'1234'5678'9000;
    auto program_a = assemble([&](Assembler& a) {
        a.li(t0, p);
        for (u8 i = 0; i < 32; ++i) {
            a.fmv_d_x(FpReg(i), t0);
            a.addi(t0, t0, 1);
        }
        a.li(t0, 0x60);
        a.csrrw(zero, csr_fcsr, t0);
        emit_call(a, call_yield);
        a.li(a0, 0);
        a.li(t0, p);
        for (u8 i = 0; i < 32; ++i) {
            a.fmv_x_d(t1, FpReg(i));
            a.xor_(t1, t1, t0);
            a.or_(a0, a0, t1);
            a.addi(t0, t0, 1);
        }
        a.csrr(t1, csr_fcsr);
        a.xori(t1, t1, 0x60);
        a.or_(a0, a0, t1);
        emit_call(a, call_exit);
    });
    // B: exit(OR of f0..f31 and fcsr), after which it writes all ones.
    auto program_b = assemble([](Assembler& a) {
        a.csrr(a0, csr_fcsr);
        for (u8 i = 0; i < 32; ++i) {
            a.fmv_x_d(t1, FpReg(i));
            a.or_(a0, a0, t1);
        }
        a.li(t0, -1);
        for (u8 i = 0; i < 32; ++i)
            a.fmv_d_x(FpReg(i), t0);
        a.li(t0, 0x80); // frm = RMM
        a.csrrw(zero, csr_fcsr, t0);
        emit_call(a, call_exit);
    });
    Guest guest_a, guest_b;
    KASSERT(start_guest(guest_a, program_a));
    KASSERT(start_guest(guest_b, program_b));
    Log log;
    auto first = guest_a.run_raw(&handler, &log);
    KASSERT(first.kind == GuestExit::Kind::Stopped);
    auto b = guest_b.run_raw(&handler, &log);
    KASSERT(b.exited());
    KEXPECT_EQ(b.status, 0u);
    auto second = guest_a.run_raw(&handler, &log);
    KASSERT(second.exited());
    KEXPECT_EQ(second.status, 0u);
    guest_a.destroy();
    guest_b.destroy();
}

KTEST(guest_vector_state_survives_timer_interrupts)
{
    if (!hart_has_vector())
        return;
    // The guest adds 1 to every e32 element of v0..v31 (m8 groups) in a
    // loop, counting the rounds in s1, polling now and then until a timer
    // interrupt has been handled; then every element must equal s1. Exit
    // status: the number of elements that do not, plus 1000 * (vl changed).
    auto program = assemble([](Assembler& a) {
        auto outer = a.new_label();
        auto inner = a.new_label();
        a.vsetvli(s2, zero, VType { .sew = Sew::E32, .lmul = Lmul::M8 });
        a.bind(outer);
        a.li(t0, 2000);
        a.bind(inner);
        for (u32 g = 0; g < 4; ++g) {
            VecReg group(static_cast<u8>(8 * g));
            a.vadd_vi(group, group, 1);
        }
        a.addi(s1, s1, 1);
        a.addi(t0, t0, -1);
        a.bnez(t0, inner);
        emit_call(a, call_poll);
        a.beqz(a0, outer);
        for (u32 g = 0; g < 4; ++g) {
            VecReg group(static_cast<u8>(8 * g));
            a.vxor_vx(group, group, s1);
        }
        emit_count_nonzero_elements(a);
        a.csrr(t1, csr_vl);
        a.sub(t1, t1, s2);
        a.snez(t1, t1);
        a.li(t2, 1000);
        a.mul(t1, t1, t2);
        a.add(a0, a0, t1);
        emit_call(a, call_exit);
    });
    Guest guest;
    KASSERT(start_guest(guest, program));
    Log log;
    auto& hart = current_hart();
    log.timer_before = hart.timer_interrupts;
    u64 ticks = g_platform.timebase_frequency / 1000; // 1 ms
    KASSERT(ticks > 0);
    set_csr_bits<Csr::Sie>(Interrupt::STIE);
    KASSERT_EQ(sbi::set_timer(read_time() + ticks).error, 0);
    auto exit = guest.run_raw(&handler, &log);
    clear_csr_bits<Csr::Sie>(Interrupt::STIE);
    KASSERT(exit.exited());
    KEXPECT_GE(exit.interrupts, 1u);
    KEXPECT_EQ(exit.status, 0u);
    KEXPECT_LE(log.polls, 100'000u);
    guest.destroy();
}
