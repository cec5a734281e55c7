#pragma once

// A guest's vector state (V spec 1.0) while it is not in the registers: the
// four CSRs a guest can change, then v0..v31, 32 * vlenb bytes. Allocated
// per guest (kernel/Guest.cpp) the first time the guest uses V, sized from
// the hart's vlenb (VLEN 128/256/512: 512/1024/2048 bytes of registers).
//
// k23_vector_save/k23_vector_restore are in arch/riscv64/VectorState.S
// (assembled for rv64gcv; the rest of the kernel is rv64gc). Both need
// sstatus.VS != Off (privileged spec 1.12 §4.1.1.5); save leaves every
// register and CSR as it found it, restore leaves them as saved.

#include <base/Integers.h>

namespace k23::riscv64 {

struct VectorState {
    u64 vl;
    u64 vtype;  // the reset-like state is vill (bit 63) with vl = 0
    u64 vstart;
    u64 vcsr;   // vxrm and vxsat
    alignas(16) u8 v[]; // v0..v31, each vlenb bytes

    static constexpr u64 vtype_vill = 1ull << 63;
    [[nodiscard]] static constexpr usize size_for(u64 vlenb) noexcept { return 32 + 32 * vlenb; }
};

static_assert(__builtin_offsetof(VectorState, v) == 32);

} // namespace k23::riscv64

extern "C" {
// Stores vl, vtype, vstart, vcsr and v0..v31 (whole-register stores, so the
// current vtype does not matter) into `state`.
void k23_vector_save(k23::riscv64::VectorState* state) noexcept;
// Loads v0..v31 and then vl/vtype (vsetvl), vcsr and vstart from `state`.
void k23_vector_restore(const k23::riscv64::VectorState* state) noexcept;
}
