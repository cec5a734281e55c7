// The scalar SIMD helper as a system call (jit/UserMode.cpp): a memory
// form's address must lie in the guest's linear memory (the spec suite's
// lane loads and stores use it), any other operand in the guest stack, and
// a crafted call — a kernel address, a range past the memory's end, null
// operands — is refused or harmless, never a kernel fault.

#include <arch/riscv64/Csr.h>
#include <base/Memory.h>
#include <jit/Helpers.h>
#include <jit/UserMode.h>
#include <kernel/KTest.h>
#include <kernel/WasmGuest.h>
#include <kernel/mm/GuestSpace.h>
#include <wasm/Opcodes.h>
#include <wasm/Runtime.h>

using namespace k23;
using namespace k23::kernel;

namespace {

// (module (memory (export "memory") 1 4) ...): the module of
// SpecRunnerTests.cpp.
constexpr u8 memory_module[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0c, 0x02, 0x60,
    0x02, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x03, 0x03,
    0x02, 0x00, 0x01, 0x05, 0x04, 0x01, 0x01, 0x01, 0x04, 0x07, 0x17, 0x03,
    0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x03, 0x61, 0x64,
    0x64, 0x00, 0x00, 0x04, 0x6c, 0x6f, 0x61, 0x64, 0x00, 0x01, 0x0a, 0x11,
    0x02, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b, 0x07, 0x00, 0x20,
    0x00, 0x2d, 0x00, 0x00, 0x0b, 0x0b, 0x09, 0x01, 0x00, 0x41, 0x10, 0x0b,
    0x03, 0x6b, 0x32, 0x33
};

jit::UserCallOutcome simd_call(WasmGuest& guest, wasm::Opcode op, u64 dst, u64 a, u64 b = 0, u64 imm = 0) noexcept
{
    u64 regs[8] = { u64(op), dst, a, b, 0, imm, 0, jit::user_call::helper_base + u64(jit::HelperId::SimdScalar) };
    GuestSpace::Scope scope(guest.space());
    riscv64::set_csr_bits<riscv64::Csr::Sstatus>(riscv64::Sstatus::SUM);
    auto outcome = guest.engine().user_call(regs);
    riscv64::clear_csr_bits<riscv64::Csr::Sstatus>(riscv64::Sstatus::SUM);
    return outcome;
}

} // namespace

KTEST(simd_helper_system_call_checks_memory_operands)
{
    WasmGuest guest;
    KASSERT(!guest.create().is_error());
    auto instance = guest.instantiate(ReadonlyBytes(memory_module, sizeof memory_module));
    KASSERT(!instance.is_error());
    u64 base = 0, size = 0;
    {
        GuestSpace::Scope scope(guest.space());
        const auto* exported = instance.value()->find_export("memory"_sv);
        KASSERT(exported != nullptr);
        base = u64(exported->value.memory()->data());
        size = exported->value.memory()->size_in_bytes();
    }
    KASSERT(size == 65536);
    using O = wasm::Opcode;
    using jit::UserCallOutcome;
    u64 kernel_bytes[4] = { 1, 2, 3, 4 };
    // A store lane into the guest's memory: in bounds at its last byte, not past it.
    KEXPECT(simd_call(guest, O::V128Store8Lane, base + size - 1, 0) == UserCallOutcome::Resume);
    KEXPECT(simd_call(guest, O::V128Store8Lane, base + size, 0) == UserCallOutcome::Trapped);
    KEXPECT(simd_call(guest, O::V128Store64Lane, base + size - 7, 0) == UserCallOutcome::Trapped);
    // Into kernel memory, or from it: refused.
    KEXPECT(simd_call(guest, O::V128Store8Lane, u64(kernel_bytes), 0) == UserCallOutcome::Trapped);
    KEXPECT(simd_call(guest, O::V128Load64Splat, 0, u64(kernel_bytes)) == UserCallOutcome::Trapped);
    KEXPECT(simd_call(guest, O::V128Load8Lane, 0, u64(kernel_bytes)) == UserCallOutcome::Trapped);
    KEXPECT(simd_call(guest, O::V128Load8Lane, 0, base - 1) == UserCallOutcome::Trapped);
    // A memory operand where a stack slot belongs: refused.
    KEXPECT(simd_call(guest, O::I32x4Add, 0, base) == UserCallOutcome::Trapped);
    KEXPECT(simd_call(guest, O::V128Load8Lane, 0, base, base) == UserCallOutcome::Trapped);
    // Null operands: harmless (a zeroed scratch slot), not a kernel fault.
    KEXPECT(simd_call(guest, O::I32x4Add, 0, 0, 0) == UserCallOutcome::Resume);
    KEXPECT(simd_call(guest, O::V128Load8Splat, 0, base + 16) == UserCallOutcome::Resume);
    KEXPECT(simd_call(guest, O::V128Store8Lane, base, 0) == UserCallOutcome::Resume);
    KEXPECT(kernel_bytes[0] == 1 && kernel_bytes[3] == 4);
    guest.destroy();
}
