#pragma once

// The machine access of each scalar load and store opcode (core spec 2.0
// §4.4.7: its width, and for loads how it extends to the value's type),
// for both tiers' MacroAssembler::load_trapping / store_trapping.

#include <arch/riscv64/asm/MacroAssembler.h>
#include <wasm/Opcodes.h>

namespace k23::jit {

[[nodiscard]] constexpr riscv64::Access load_access(wasm::Opcode op) noexcept
{
    using O = wasm::Opcode;
    using riscv64::Access;
    switch (op) {
    case O::I32Load: case O::I64Load32S: return Access::I32; // i32 stays sign-extended (jit/Abi.h)
    case O::I64Load: return Access::I64;
    case O::F32Load: return Access::F32;
    case O::F64Load: return Access::F64;
    case O::I32Load8S: case O::I64Load8S: return Access::I8;
    case O::I32Load8U: case O::I64Load8U: return Access::U8;
    case O::I32Load16S: case O::I64Load16S: return Access::I16;
    case O::I32Load16U: case O::I64Load16U: return Access::U16;
    default: return Access::U32; // i64.load32_u
    }
}

[[nodiscard]] constexpr riscv64::Access store_access(wasm::Opcode op) noexcept
{
    using O = wasm::Opcode;
    using riscv64::Access;
    switch (op) {
    case O::I32Store: case O::I64Store32: return Access::I32;
    case O::I64Store: return Access::I64;
    case O::F32Store: return Access::F32;
    case O::F64Store: return Access::F64;
    case O::I32Store8: case O::I64Store8: return Access::I8;
    default: return Access::I16; // 16-bit stores
    }
}

} // namespace k23::jit
