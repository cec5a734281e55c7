// The vector unit is on exactly when the device tree says the hart has V.

#include <arch/riscv64/Csr.h>
#include <kernel/DeviceTree.h>
#include <kernel/KTest.h>
#include <kernel/Trap.h>

using namespace k23;
using namespace k23::kernel;
using namespace k23::riscv64;

namespace {
// The kernel is compiled for rv64gc, so V instructions are spelled as words.
// vsetivli a0, 16, e8, m1, ta, ma: V spec 1.0 §6.1 (encoding: zimm10 = vtype
// 0xc0, uimm = 16, rd = a0 (x10), funct3 = 111, opcode OP-V 1010111).
constexpr u32 vsetivli_a0_16_e8 = (3u << 30) | (0xc0u << 20) | (16u << 15) | (7u << 12) | (10u << 7) | 0x57u;

[[gnu::noinline]] u64 vsetivli_16_e8() noexcept
{
    register u64 vl asm("a0");
    asm volatile(".4byte %1" : "=r"(vl) : "i"(vsetivli_a0_16_e8));
    return vl;
}
}

KTEST(vector_unit_matches_device_tree)
{
    u64 vs = (read_csr<Csr::Sstatus>() & Sstatus::VS_MASK) >> Sstatus::VS_SHIFT;
    CaughtTrap trap;
    u64 vl = 0;
    bool trapped = catch_trap([&] { vl = vsetivli_16_e8(); }, &trap);
    if (g_platform.isa_has('v')) {
        KEXPECT_NE(vs, 0u);
        KASSERT(!trapped);
        // VLEN >= 128 (DESIGN.md), so 16 bytes fit in one register at LMUL 1.
        KEXPECT_EQ(vl, 16u);
        KEXPECT_GE(read_csr<Csr::Vlenb>(), 16u);
    } else {
        KEXPECT_EQ(vs, 0u);
        KEXPECT(trapped);
        KEXPECT_EQ(trap.scause, static_cast<u64>(Exception::IllegalInstruction));
    }
}
