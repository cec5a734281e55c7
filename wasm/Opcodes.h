#pragma once

// Every WebAssembly opcode k23 decodes, as one X-macro table (core spec 2.0
// §5.4 "Instructions" for the encodings, §3.3 for the typing rules; plus
// tail calls, extended-const and relaxed SIMD from their proposals).
//
//   X(Name, prefix, code, "text", Immediates, Signature, arg)
//
// prefix is 0 for single-byte opcodes, 0xfc or 0xfd otherwise (the code is
// then the LEB128 u32 after the prefix). Signature is the operand/result
// types for the "simple" opcodes (numeric, vector, loads/stores) or Special
// when the decoder types the instruction itself. arg is the natural
// alignment (log2 bytes) of a memory access, or the lane count of a lane op.

#include <base/StringView.h>
#include <base/Integers.h>
#include <wasm/Types.h>

namespace k23::wasm {

enum class Imm : u8 {
    None,
    Block,        // blocktype
    Label,        // labelidx
    LabelTable,   // vec(labelidx) labelidx
    Function,     // funcidx
    CallIndirect, // typeidx tableidx
    Local,
    Global,
    Table,
    Memory,       // memidx (memory.size/grow/fill)
    MemArg,       // align offset (memidx with multi-memory)
    I32,
    I64,
    F32,
    F64,
    V128,
    Lane,         // laneidx
    MemArgLane,   // memarg laneidx
    Shuffle,      // 16 x laneidx
    RefType,      // reftype (ref.null)
    SelectT,      // vec(valtype)
    DataMemory,   // dataidx memidx (memory.init)
    Data,         // dataidx
    MemoryMemory, // memidx memidx (memory.copy)
    ElemTable,    // elemidx tableidx (table.init)
    Elem,         // elemidx
    TableTable,   // tableidx tableidx (table.copy)
};

// Signature names: parameter letters '_' result letters, i=i32 l=i64 f=f32
// d=f64 v=v128; Special = typed by the decoder.
#define K23_WASM_SIGNATURES(S) \
    S(Special, "", "")         \
    S(_, "", "")               \
    S(i_i, "i", "i")           \
    S(ii_i, "ii", "i")         \
    S(l_l, "l", "l")           \
    S(ll_l, "ll", "l")         \
    S(l_i, "l", "i")           \
    S(ll_i, "ll", "i")         \
    S(f_f, "f", "f")           \
    S(ff_f, "ff", "f")         \
    S(ff_i, "ff", "i")         \
    S(d_d, "d", "d")           \
    S(dd_d, "dd", "d")         \
    S(dd_i, "dd", "i")         \
    S(i_l, "i", "l")           \
    S(i_f, "i", "f")           \
    S(i_d, "i", "d")           \
    S(l_f, "l", "f")           \
    S(l_d, "l", "d")           \
    S(f_i, "f", "i")           \
    S(f_l, "f", "l")           \
    S(f_d, "f", "d")           \
    S(d_i, "d", "i")           \
    S(d_l, "d", "l")           \
    S(d_f, "d", "f")           \
    S(i_v, "i", "v")           \
    S(l_v, "l", "v")           \
    S(f_v, "f", "v")           \
    S(d_v, "d", "v")           \
    S(ii_, "ii", "")           \
    S(il_, "il", "")           \
    S(if_, "if", "")           \
    S(id_, "id", "")           \
    S(iv_, "iv", "")           \
    S(iv_v, "iv", "v")         \
    S(v_v, "v", "v")           \
    S(vv_v, "vv", "v")         \
    S(vvv_v, "vvv", "v")       \
    S(v_i, "v", "i")           \
    S(v_l, "v", "l")           \
    S(v_f, "v", "f")           \
    S(v_d, "v", "d")           \
    S(vi_v, "vi", "v")         \
    S(vl_v, "vl", "v")         \
    S(vf_v, "vf", "v")         \
    S(vd_v, "vd", "v")         \
    S(iii_, "iii", "")

enum class Sig : u8 {
#define K23_SIG_ENUM(name, p, r) name,
    K23_WASM_SIGNATURES(K23_SIG_ENUM)
#undef K23_SIG_ENUM
};

// clang-format off
#define K23_WASM_OPCODES(X) \
    /* §5.4.1 control instructions */ \
    X(Unreachable, 0, 0x00, "unreachable", None, Special, 0) \
    X(Nop, 0, 0x01, "nop", None, _, 0) \
    X(Block, 0, 0x02, "block", Block, Special, 0) \
    X(Loop, 0, 0x03, "loop", Block, Special, 0) \
    X(If, 0, 0x04, "if", Block, Special, 0) \
    X(Else, 0, 0x05, "else", None, Special, 0) \
    X(End, 0, 0x0b, "end", None, Special, 0) \
    X(Br, 0, 0x0c, "br", Label, Special, 0) \
    X(BrIf, 0, 0x0d, "br_if", Label, Special, 0) \
    X(BrTable, 0, 0x0e, "br_table", LabelTable, Special, 0) \
    X(Return, 0, 0x0f, "return", None, Special, 0) \
    X(Call, 0, 0x10, "call", Function, Special, 0) \
    X(CallIndirect, 0, 0x11, "call_indirect", CallIndirect, Special, 0) \
    X(ReturnCall, 0, 0x12, "return_call", Function, Special, 0) \
    X(ReturnCallIndirect, 0, 0x13, "return_call_indirect", CallIndirect, Special, 0) \
    /* §5.4.3 parametric instructions */ \
    X(Drop, 0, 0x1a, "drop", None, Special, 0) \
    X(Select, 0, 0x1b, "select", None, Special, 0) \
    X(SelectT, 0, 0x1c, "select", SelectT, Special, 0) \
    /* §5.4.4 variable instructions */ \
    X(LocalGet, 0, 0x20, "local.get", Local, Special, 0) \
    X(LocalSet, 0, 0x21, "local.set", Local, Special, 0) \
    X(LocalTee, 0, 0x22, "local.tee", Local, Special, 0) \
    X(GlobalGet, 0, 0x23, "global.get", Global, Special, 0) \
    X(GlobalSet, 0, 0x24, "global.set", Global, Special, 0) \
    /* §5.4.5 table instructions */ \
    X(TableGet, 0, 0x25, "table.get", Table, Special, 0) \
    X(TableSet, 0, 0x26, "table.set", Table, Special, 0) \
    /* §5.4.6 memory instructions */ \
    X(I32Load, 0, 0x28, "i32.load", MemArg, i_i, 2) \
    X(I64Load, 0, 0x29, "i64.load", MemArg, i_l, 3) \
    X(F32Load, 0, 0x2a, "f32.load", MemArg, i_f, 2) \
    X(F64Load, 0, 0x2b, "f64.load", MemArg, i_d, 3) \
    X(I32Load8S, 0, 0x2c, "i32.load8_s", MemArg, i_i, 0) \
    X(I32Load8U, 0, 0x2d, "i32.load8_u", MemArg, i_i, 0) \
    X(I32Load16S, 0, 0x2e, "i32.load16_s", MemArg, i_i, 1) \
    X(I32Load16U, 0, 0x2f, "i32.load16_u", MemArg, i_i, 1) \
    X(I64Load8S, 0, 0x30, "i64.load8_s", MemArg, i_l, 0) \
    X(I64Load8U, 0, 0x31, "i64.load8_u", MemArg, i_l, 0) \
    X(I64Load16S, 0, 0x32, "i64.load16_s", MemArg, i_l, 1) \
    X(I64Load16U, 0, 0x33, "i64.load16_u", MemArg, i_l, 1) \
    X(I64Load32S, 0, 0x34, "i64.load32_s", MemArg, i_l, 2) \
    X(I64Load32U, 0, 0x35, "i64.load32_u", MemArg, i_l, 2) \
    X(I32Store, 0, 0x36, "i32.store", MemArg, ii_, 2) \
    X(I64Store, 0, 0x37, "i64.store", MemArg, il_, 3) \
    X(F32Store, 0, 0x38, "f32.store", MemArg, if_, 2) \
    X(F64Store, 0, 0x39, "f64.store", MemArg, id_, 3) \
    X(I32Store8, 0, 0x3a, "i32.store8", MemArg, ii_, 0) \
    X(I32Store16, 0, 0x3b, "i32.store16", MemArg, ii_, 1) \
    X(I64Store8, 0, 0x3c, "i64.store8", MemArg, il_, 0) \
    X(I64Store16, 0, 0x3d, "i64.store16", MemArg, il_, 1) \
    X(I64Store32, 0, 0x3e, "i64.store32", MemArg, il_, 2) \
    X(MemorySize, 0, 0x3f, "memory.size", Memory, Special, 0) \
    X(MemoryGrow, 0, 0x40, "memory.grow", Memory, Special, 0) \
    /* §5.4.7 numeric instructions */ \
    X(I32Const, 0, 0x41, "i32.const", I32, Special, 0) \
    X(I64Const, 0, 0x42, "i64.const", I64, Special, 0) \
    X(F32Const, 0, 0x43, "f32.const", F32, Special, 0) \
    X(F64Const, 0, 0x44, "f64.const", F64, Special, 0) \
    X(I32Eqz, 0, 0x45, "i32.eqz", None, i_i, 0) \
    X(I32Eq, 0, 0x46, "i32.eq", None, ii_i, 0) \
    X(I32Ne, 0, 0x47, "i32.ne", None, ii_i, 0) \
    X(I32LtS, 0, 0x48, "i32.lt_s", None, ii_i, 0) \
    X(I32LtU, 0, 0x49, "i32.lt_u", None, ii_i, 0) \
    X(I32GtS, 0, 0x4a, "i32.gt_s", None, ii_i, 0) \
    X(I32GtU, 0, 0x4b, "i32.gt_u", None, ii_i, 0) \
    X(I32LeS, 0, 0x4c, "i32.le_s", None, ii_i, 0) \
    X(I32LeU, 0, 0x4d, "i32.le_u", None, ii_i, 0) \
    X(I32GeS, 0, 0x4e, "i32.ge_s", None, ii_i, 0) \
    X(I32GeU, 0, 0x4f, "i32.ge_u", None, ii_i, 0) \
    X(I64Eqz, 0, 0x50, "i64.eqz", None, l_i, 0) \
    X(I64Eq, 0, 0x51, "i64.eq", None, ll_i, 0) \
    X(I64Ne, 0, 0x52, "i64.ne", None, ll_i, 0) \
    X(I64LtS, 0, 0x53, "i64.lt_s", None, ll_i, 0) \
    X(I64LtU, 0, 0x54, "i64.lt_u", None, ll_i, 0) \
    X(I64GtS, 0, 0x55, "i64.gt_s", None, ll_i, 0) \
    X(I64GtU, 0, 0x56, "i64.gt_u", None, ll_i, 0) \
    X(I64LeS, 0, 0x57, "i64.le_s", None, ll_i, 0) \
    X(I64LeU, 0, 0x58, "i64.le_u", None, ll_i, 0) \
    X(I64GeS, 0, 0x59, "i64.ge_s", None, ll_i, 0) \
    X(I64GeU, 0, 0x5a, "i64.ge_u", None, ll_i, 0) \
    X(F32Eq, 0, 0x5b, "f32.eq", None, ff_i, 0) \
    X(F32Ne, 0, 0x5c, "f32.ne", None, ff_i, 0) \
    X(F32Lt, 0, 0x5d, "f32.lt", None, ff_i, 0) \
    X(F32Gt, 0, 0x5e, "f32.gt", None, ff_i, 0) \
    X(F32Le, 0, 0x5f, "f32.le", None, ff_i, 0) \
    X(F32Ge, 0, 0x60, "f32.ge", None, ff_i, 0) \
    X(F64Eq, 0, 0x61, "f64.eq", None, dd_i, 0) \
    X(F64Ne, 0, 0x62, "f64.ne", None, dd_i, 0) \
    X(F64Lt, 0, 0x63, "f64.lt", None, dd_i, 0) \
    X(F64Gt, 0, 0x64, "f64.gt", None, dd_i, 0) \
    X(F64Le, 0, 0x65, "f64.le", None, dd_i, 0) \
    X(F64Ge, 0, 0x66, "f64.ge", None, dd_i, 0) \
    X(I32Clz, 0, 0x67, "i32.clz", None, i_i, 0) \
    X(I32Ctz, 0, 0x68, "i32.ctz", None, i_i, 0) \
    X(I32Popcnt, 0, 0x69, "i32.popcnt", None, i_i, 0) \
    X(I32Add, 0, 0x6a, "i32.add", None, ii_i, 0) \
    X(I32Sub, 0, 0x6b, "i32.sub", None, ii_i, 0) \
    X(I32Mul, 0, 0x6c, "i32.mul", None, ii_i, 0) \
    X(I32DivS, 0, 0x6d, "i32.div_s", None, ii_i, 0) \
    X(I32DivU, 0, 0x6e, "i32.div_u", None, ii_i, 0) \
    X(I32RemS, 0, 0x6f, "i32.rem_s", None, ii_i, 0) \
    X(I32RemU, 0, 0x70, "i32.rem_u", None, ii_i, 0) \
    X(I32And, 0, 0x71, "i32.and", None, ii_i, 0) \
    X(I32Or, 0, 0x72, "i32.or", None, ii_i, 0) \
    X(I32Xor, 0, 0x73, "i32.xor", None, ii_i, 0) \
    X(I32Shl, 0, 0x74, "i32.shl", None, ii_i, 0) \
    X(I32ShrS, 0, 0x75, "i32.shr_s", None, ii_i, 0) \
    X(I32ShrU, 0, 0x76, "i32.shr_u", None, ii_i, 0) \
    X(I32Rotl, 0, 0x77, "i32.rotl", None, ii_i, 0) \
    X(I32Rotr, 0, 0x78, "i32.rotr", None, ii_i, 0) \
    X(I64Clz, 0, 0x79, "i64.clz", None, l_l, 0) \
    X(I64Ctz, 0, 0x7a, "i64.ctz", None, l_l, 0) \
    X(I64Popcnt, 0, 0x7b, "i64.popcnt", None, l_l, 0) \
    X(I64Add, 0, 0x7c, "i64.add", None, ll_l, 0) \
    X(I64Sub, 0, 0x7d, "i64.sub", None, ll_l, 0) \
    X(I64Mul, 0, 0x7e, "i64.mul", None, ll_l, 0) \
    X(I64DivS, 0, 0x7f, "i64.div_s", None, ll_l, 0) \
    X(I64DivU, 0, 0x80, "i64.div_u", None, ll_l, 0) \
    X(I64RemS, 0, 0x81, "i64.rem_s", None, ll_l, 0) \
    X(I64RemU, 0, 0x82, "i64.rem_u", None, ll_l, 0) \
    X(I64And, 0, 0x83, "i64.and", None, ll_l, 0) \
    X(I64Or, 0, 0x84, "i64.or", None, ll_l, 0) \
    X(I64Xor, 0, 0x85, "i64.xor", None, ll_l, 0) \
    X(I64Shl, 0, 0x86, "i64.shl", None, ll_l, 0) \
    X(I64ShrS, 0, 0x87, "i64.shr_s", None, ll_l, 0) \
    X(I64ShrU, 0, 0x88, "i64.shr_u", None, ll_l, 0) \
    X(I64Rotl, 0, 0x89, "i64.rotl", None, ll_l, 0) \
    X(I64Rotr, 0, 0x8a, "i64.rotr", None, ll_l, 0) \
    X(F32Abs, 0, 0x8b, "f32.abs", None, f_f, 0) \
    X(F32Neg, 0, 0x8c, "f32.neg", None, f_f, 0) \
    X(F32Ceil, 0, 0x8d, "f32.ceil", None, f_f, 0) \
    X(F32Floor, 0, 0x8e, "f32.floor", None, f_f, 0) \
    X(F32Trunc, 0, 0x8f, "f32.trunc", None, f_f, 0) \
    X(F32Nearest, 0, 0x90, "f32.nearest", None, f_f, 0) \
    X(F32Sqrt, 0, 0x91, "f32.sqrt", None, f_f, 0) \
    X(F32Add, 0, 0x92, "f32.add", None, ff_f, 0) \
    X(F32Sub, 0, 0x93, "f32.sub", None, ff_f, 0) \
    X(F32Mul, 0, 0x94, "f32.mul", None, ff_f, 0) \
    X(F32Div, 0, 0x95, "f32.div", None, ff_f, 0) \
    X(F32Min, 0, 0x96, "f32.min", None, ff_f, 0) \
    X(F32Max, 0, 0x97, "f32.max", None, ff_f, 0) \
    X(F32Copysign, 0, 0x98, "f32.copysign", None, ff_f, 0) \
    X(F64Abs, 0, 0x99, "f64.abs", None, d_d, 0) \
    X(F64Neg, 0, 0x9a, "f64.neg", None, d_d, 0) \
    X(F64Ceil, 0, 0x9b, "f64.ceil", None, d_d, 0) \
    X(F64Floor, 0, 0x9c, "f64.floor", None, d_d, 0) \
    X(F64Trunc, 0, 0x9d, "f64.trunc", None, d_d, 0) \
    X(F64Nearest, 0, 0x9e, "f64.nearest", None, d_d, 0) \
    X(F64Sqrt, 0, 0x9f, "f64.sqrt", None, d_d, 0) \
    X(F64Add, 0, 0xa0, "f64.add", None, dd_d, 0) \
    X(F64Sub, 0, 0xa1, "f64.sub", None, dd_d, 0) \
    X(F64Mul, 0, 0xa2, "f64.mul", None, dd_d, 0) \
    X(F64Div, 0, 0xa3, "f64.div", None, dd_d, 0) \
    X(F64Min, 0, 0xa4, "f64.min", None, dd_d, 0) \
    X(F64Max, 0, 0xa5, "f64.max", None, dd_d, 0) \
    X(F64Copysign, 0, 0xa6, "f64.copysign", None, dd_d, 0) \
    X(I32WrapI64, 0, 0xa7, "i32.wrap_i64", None, l_i, 0) \
    X(I32TruncF32S, 0, 0xa8, "i32.trunc_f32_s", None, f_i, 0) \
    X(I32TruncF32U, 0, 0xa9, "i32.trunc_f32_u", None, f_i, 0) \
    X(I32TruncF64S, 0, 0xaa, "i32.trunc_f64_s", None, d_i, 0) \
    X(I32TruncF64U, 0, 0xab, "i32.trunc_f64_u", None, d_i, 0) \
    X(I64ExtendI32S, 0, 0xac, "i64.extend_i32_s", None, i_l, 0) \
    X(I64ExtendI32U, 0, 0xad, "i64.extend_i32_u", None, i_l, 0) \
    X(I64TruncF32S, 0, 0xae, "i64.trunc_f32_s", None, f_l, 0) \
    X(I64TruncF32U, 0, 0xaf, "i64.trunc_f32_u", None, f_l, 0) \
    X(I64TruncF64S, 0, 0xb0, "i64.trunc_f64_s", None, d_l, 0) \
    X(I64TruncF64U, 0, 0xb1, "i64.trunc_f64_u", None, d_l, 0) \
    X(F32ConvertI32S, 0, 0xb2, "f32.convert_i32_s", None, i_f, 0) \
    X(F32ConvertI32U, 0, 0xb3, "f32.convert_i32_u", None, i_f, 0) \
    X(F32ConvertI64S, 0, 0xb4, "f32.convert_i64_s", None, l_f, 0) \
    X(F32ConvertI64U, 0, 0xb5, "f32.convert_i64_u", None, l_f, 0) \
    X(F32DemoteF64, 0, 0xb6, "f32.demote_f64", None, d_f, 0) \
    X(F64ConvertI32S, 0, 0xb7, "f64.convert_i32_s", None, i_d, 0) \
    X(F64ConvertI32U, 0, 0xb8, "f64.convert_i32_u", None, i_d, 0) \
    X(F64ConvertI64S, 0, 0xb9, "f64.convert_i64_s", None, l_d, 0) \
    X(F64ConvertI64U, 0, 0xba, "f64.convert_i64_u", None, l_d, 0) \
    X(F64PromoteF32, 0, 0xbb, "f64.promote_f32", None, f_d, 0) \
    X(I32ReinterpretF32, 0, 0xbc, "i32.reinterpret_f32", None, f_i, 0) \
    X(I64ReinterpretF64, 0, 0xbd, "i64.reinterpret_f64", None, d_l, 0) \
    X(F32ReinterpretI32, 0, 0xbe, "f32.reinterpret_i32", None, i_f, 0) \
    X(F64ReinterpretI64, 0, 0xbf, "f64.reinterpret_i64", None, l_d, 0) \
    X(I32Extend8S, 0, 0xc0, "i32.extend8_s", None, i_i, 0) \
    X(I32Extend16S, 0, 0xc1, "i32.extend16_s", None, i_i, 0) \
    X(I64Extend8S, 0, 0xc2, "i64.extend8_s", None, l_l, 0) \
    X(I64Extend16S, 0, 0xc3, "i64.extend16_s", None, l_l, 0) \
    X(I64Extend32S, 0, 0xc4, "i64.extend32_s", None, l_l, 0) \
    /* §5.4.2 reference instructions */ \
    X(RefNull, 0, 0xd0, "ref.null", RefType, Special, 0) \
    X(RefIsNull, 0, 0xd1, "ref.is_null", None, Special, 0) \
    X(RefFunc, 0, 0xd2, "ref.func", Function, Special, 0) \
    /* 0xfc: saturating truncation, bulk memory, table instructions */ \
    X(I32TruncSatF32S, 0xfc, 0, "i32.trunc_sat_f32_s", None, f_i, 0) \
    X(I32TruncSatF32U, 0xfc, 1, "i32.trunc_sat_f32_u", None, f_i, 0) \
    X(I32TruncSatF64S, 0xfc, 2, "i32.trunc_sat_f64_s", None, d_i, 0) \
    X(I32TruncSatF64U, 0xfc, 3, "i32.trunc_sat_f64_u", None, d_i, 0) \
    X(I64TruncSatF32S, 0xfc, 4, "i64.trunc_sat_f32_s", None, f_l, 0) \
    X(I64TruncSatF32U, 0xfc, 5, "i64.trunc_sat_f32_u", None, f_l, 0) \
    X(I64TruncSatF64S, 0xfc, 6, "i64.trunc_sat_f64_s", None, d_l, 0) \
    X(I64TruncSatF64U, 0xfc, 7, "i64.trunc_sat_f64_u", None, d_l, 0) \
    X(MemoryInit, 0xfc, 8, "memory.init", DataMemory, Special, 0) \
    X(DataDrop, 0xfc, 9, "data.drop", Data, _, 0) \
    X(MemoryCopy, 0xfc, 10, "memory.copy", MemoryMemory, Special, 0) \
    X(MemoryFill, 0xfc, 11, "memory.fill", Memory, Special, 0) \
    X(TableInit, 0xfc, 12, "table.init", ElemTable, iii_, 0) \
    X(ElemDrop, 0xfc, 13, "elem.drop", Elem, _, 0) \
    X(TableCopy, 0xfc, 14, "table.copy", TableTable, iii_, 0) \
    X(TableGrow, 0xfc, 15, "table.grow", Table, Special, 0) \
    X(TableSize, 0xfc, 16, "table.size", Table, Special, 0) \
    X(TableFill, 0xfc, 17, "table.fill", Table, Special, 0) \
    K23_WASM_SIMD_OPCODES(X)

// §5.4.8 vector instructions (0xfd prefix), then relaxed SIMD.
#define K23_WASM_SIMD_OPCODES(X) \
    X(V128Load, 0xfd, 0, "v128.load", MemArg, i_v, 4) \
    X(V128Load8x8S, 0xfd, 1, "v128.load8x8_s", MemArg, i_v, 3) \
    X(V128Load8x8U, 0xfd, 2, "v128.load8x8_u", MemArg, i_v, 3) \
    X(V128Load16x4S, 0xfd, 3, "v128.load16x4_s", MemArg, i_v, 3) \
    X(V128Load16x4U, 0xfd, 4, "v128.load16x4_u", MemArg, i_v, 3) \
    X(V128Load32x2S, 0xfd, 5, "v128.load32x2_s", MemArg, i_v, 3) \
    X(V128Load32x2U, 0xfd, 6, "v128.load32x2_u", MemArg, i_v, 3) \
    X(V128Load8Splat, 0xfd, 7, "v128.load8_splat", MemArg, i_v, 0) \
    X(V128Load16Splat, 0xfd, 8, "v128.load16_splat", MemArg, i_v, 1) \
    X(V128Load32Splat, 0xfd, 9, "v128.load32_splat", MemArg, i_v, 2) \
    X(V128Load64Splat, 0xfd, 10, "v128.load64_splat", MemArg, i_v, 3) \
    X(V128Store, 0xfd, 11, "v128.store", MemArg, iv_, 4) \
    X(V128Const, 0xfd, 12, "v128.const", V128, Special, 0) \
    X(I8x16Shuffle, 0xfd, 13, "i8x16.shuffle", Shuffle, vv_v, 32) \
    X(I8x16Swizzle, 0xfd, 14, "i8x16.swizzle", None, vv_v, 0) \
    X(I8x16Splat, 0xfd, 15, "i8x16.splat", None, i_v, 0) \
    X(I16x8Splat, 0xfd, 16, "i16x8.splat", None, i_v, 0) \
    X(I32x4Splat, 0xfd, 17, "i32x4.splat", None, i_v, 0) \
    X(I64x2Splat, 0xfd, 18, "i64x2.splat", None, l_v, 0) \
    X(F32x4Splat, 0xfd, 19, "f32x4.splat", None, f_v, 0) \
    X(F64x2Splat, 0xfd, 20, "f64x2.splat", None, d_v, 0) \
    X(I8x16ExtractLaneS, 0xfd, 21, "i8x16.extract_lane_s", Lane, v_i, 16) \
    X(I8x16ExtractLaneU, 0xfd, 22, "i8x16.extract_lane_u", Lane, v_i, 16) \
    X(I8x16ReplaceLane, 0xfd, 23, "i8x16.replace_lane", Lane, vi_v, 16) \
    X(I16x8ExtractLaneS, 0xfd, 24, "i16x8.extract_lane_s", Lane, v_i, 8) \
    X(I16x8ExtractLaneU, 0xfd, 25, "i16x8.extract_lane_u", Lane, v_i, 8) \
    X(I16x8ReplaceLane, 0xfd, 26, "i16x8.replace_lane", Lane, vi_v, 8) \
    X(I32x4ExtractLane, 0xfd, 27, "i32x4.extract_lane", Lane, v_i, 4) \
    X(I32x4ReplaceLane, 0xfd, 28, "i32x4.replace_lane", Lane, vi_v, 4) \
    X(I64x2ExtractLane, 0xfd, 29, "i64x2.extract_lane", Lane, v_l, 2) \
    X(I64x2ReplaceLane, 0xfd, 30, "i64x2.replace_lane", Lane, vl_v, 2) \
    X(F32x4ExtractLane, 0xfd, 31, "f32x4.extract_lane", Lane, v_f, 4) \
    X(F32x4ReplaceLane, 0xfd, 32, "f32x4.replace_lane", Lane, vf_v, 4) \
    X(F64x2ExtractLane, 0xfd, 33, "f64x2.extract_lane", Lane, v_d, 2) \
    X(F64x2ReplaceLane, 0xfd, 34, "f64x2.replace_lane", Lane, vd_v, 2) \
    X(I8x16Eq, 0xfd, 35, "i8x16.eq", None, vv_v, 0) \
    X(I8x16Ne, 0xfd, 36, "i8x16.ne", None, vv_v, 0) \
    X(I8x16LtS, 0xfd, 37, "i8x16.lt_s", None, vv_v, 0) \
    X(I8x16LtU, 0xfd, 38, "i8x16.lt_u", None, vv_v, 0) \
    X(I8x16GtS, 0xfd, 39, "i8x16.gt_s", None, vv_v, 0) \
    X(I8x16GtU, 0xfd, 40, "i8x16.gt_u", None, vv_v, 0) \
    X(I8x16LeS, 0xfd, 41, "i8x16.le_s", None, vv_v, 0) \
    X(I8x16LeU, 0xfd, 42, "i8x16.le_u", None, vv_v, 0) \
    X(I8x16GeS, 0xfd, 43, "i8x16.ge_s", None, vv_v, 0) \
    X(I8x16GeU, 0xfd, 44, "i8x16.ge_u", None, vv_v, 0) \
    X(I16x8Eq, 0xfd, 45, "i16x8.eq", None, vv_v, 0) \
    X(I16x8Ne, 0xfd, 46, "i16x8.ne", None, vv_v, 0) \
    X(I16x8LtS, 0xfd, 47, "i16x8.lt_s", None, vv_v, 0) \
    X(I16x8LtU, 0xfd, 48, "i16x8.lt_u", None, vv_v, 0) \
    X(I16x8GtS, 0xfd, 49, "i16x8.gt_s", None, vv_v, 0) \
    X(I16x8GtU, 0xfd, 50, "i16x8.gt_u", None, vv_v, 0) \
    X(I16x8LeS, 0xfd, 51, "i16x8.le_s", None, vv_v, 0) \
    X(I16x8LeU, 0xfd, 52, "i16x8.le_u", None, vv_v, 0) \
    X(I16x8GeS, 0xfd, 53, "i16x8.ge_s", None, vv_v, 0) \
    X(I16x8GeU, 0xfd, 54, "i16x8.ge_u", None, vv_v, 0) \
    X(I32x4Eq, 0xfd, 55, "i32x4.eq", None, vv_v, 0) \
    X(I32x4Ne, 0xfd, 56, "i32x4.ne", None, vv_v, 0) \
    X(I32x4LtS, 0xfd, 57, "i32x4.lt_s", None, vv_v, 0) \
    X(I32x4LtU, 0xfd, 58, "i32x4.lt_u", None, vv_v, 0) \
    X(I32x4GtS, 0xfd, 59, "i32x4.gt_s", None, vv_v, 0) \
    X(I32x4GtU, 0xfd, 60, "i32x4.gt_u", None, vv_v, 0) \
    X(I32x4LeS, 0xfd, 61, "i32x4.le_s", None, vv_v, 0) \
    X(I32x4LeU, 0xfd, 62, "i32x4.le_u", None, vv_v, 0) \
    X(I32x4GeS, 0xfd, 63, "i32x4.ge_s", None, vv_v, 0) \
    X(I32x4GeU, 0xfd, 64, "i32x4.ge_u", None, vv_v, 0) \
    X(F32x4Eq, 0xfd, 65, "f32x4.eq", None, vv_v, 0) \
    X(F32x4Ne, 0xfd, 66, "f32x4.ne", None, vv_v, 0) \
    X(F32x4Lt, 0xfd, 67, "f32x4.lt", None, vv_v, 0) \
    X(F32x4Gt, 0xfd, 68, "f32x4.gt", None, vv_v, 0) \
    X(F32x4Le, 0xfd, 69, "f32x4.le", None, vv_v, 0) \
    X(F32x4Ge, 0xfd, 70, "f32x4.ge", None, vv_v, 0) \
    X(F64x2Eq, 0xfd, 71, "f64x2.eq", None, vv_v, 0) \
    X(F64x2Ne, 0xfd, 72, "f64x2.ne", None, vv_v, 0) \
    X(F64x2Lt, 0xfd, 73, "f64x2.lt", None, vv_v, 0) \
    X(F64x2Gt, 0xfd, 74, "f64x2.gt", None, vv_v, 0) \
    X(F64x2Le, 0xfd, 75, "f64x2.le", None, vv_v, 0) \
    X(F64x2Ge, 0xfd, 76, "f64x2.ge", None, vv_v, 0) \
    X(V128Not, 0xfd, 77, "v128.not", None, v_v, 0) \
    X(V128And, 0xfd, 78, "v128.and", None, vv_v, 0) \
    X(V128AndNot, 0xfd, 79, "v128.andnot", None, vv_v, 0) \
    X(V128Or, 0xfd, 80, "v128.or", None, vv_v, 0) \
    X(V128Xor, 0xfd, 81, "v128.xor", None, vv_v, 0) \
    X(V128Bitselect, 0xfd, 82, "v128.bitselect", None, vvv_v, 0) \
    X(V128AnyTrue, 0xfd, 83, "v128.any_true", None, v_i, 0) \
    X(V128Load8Lane, 0xfd, 84, "v128.load8_lane", MemArgLane, iv_v, 0) \
    X(V128Load16Lane, 0xfd, 85, "v128.load16_lane", MemArgLane, iv_v, 1) \
    X(V128Load32Lane, 0xfd, 86, "v128.load32_lane", MemArgLane, iv_v, 2) \
    X(V128Load64Lane, 0xfd, 87, "v128.load64_lane", MemArgLane, iv_v, 3) \
    X(V128Store8Lane, 0xfd, 88, "v128.store8_lane", MemArgLane, iv_, 0) \
    X(V128Store16Lane, 0xfd, 89, "v128.store16_lane", MemArgLane, iv_, 1) \
    X(V128Store32Lane, 0xfd, 90, "v128.store32_lane", MemArgLane, iv_, 2) \
    X(V128Store64Lane, 0xfd, 91, "v128.store64_lane", MemArgLane, iv_, 3) \
    X(V128Load32Zero, 0xfd, 92, "v128.load32_zero", MemArg, i_v, 2) \
    X(V128Load64Zero, 0xfd, 93, "v128.load64_zero", MemArg, i_v, 3) \
    X(F32x4DemoteF64x2Zero, 0xfd, 94, "f32x4.demote_f64x2_zero", None, v_v, 0) \
    X(F64x2PromoteLowF32x4, 0xfd, 95, "f64x2.promote_low_f32x4", None, v_v, 0) \
    X(I8x16Abs, 0xfd, 96, "i8x16.abs", None, v_v, 0) \
    X(I8x16Neg, 0xfd, 97, "i8x16.neg", None, v_v, 0) \
    X(I8x16Popcnt, 0xfd, 98, "i8x16.popcnt", None, v_v, 0) \
    X(I8x16AllTrue, 0xfd, 99, "i8x16.all_true", None, v_i, 0) \
    X(I8x16Bitmask, 0xfd, 100, "i8x16.bitmask", None, v_i, 0) \
    X(I8x16NarrowI16x8S, 0xfd, 101, "i8x16.narrow_i16x8_s", None, vv_v, 0) \
    X(I8x16NarrowI16x8U, 0xfd, 102, "i8x16.narrow_i16x8_u", None, vv_v, 0) \
    X(F32x4Ceil, 0xfd, 103, "f32x4.ceil", None, v_v, 0) \
    X(F32x4Floor, 0xfd, 104, "f32x4.floor", None, v_v, 0) \
    X(F32x4Trunc, 0xfd, 105, "f32x4.trunc", None, v_v, 0) \
    X(F32x4Nearest, 0xfd, 106, "f32x4.nearest", None, v_v, 0) \
    X(I8x16Shl, 0xfd, 107, "i8x16.shl", None, vi_v, 0) \
    X(I8x16ShrS, 0xfd, 108, "i8x16.shr_s", None, vi_v, 0) \
    X(I8x16ShrU, 0xfd, 109, "i8x16.shr_u", None, vi_v, 0) \
    X(I8x16Add, 0xfd, 110, "i8x16.add", None, vv_v, 0) \
    X(I8x16AddSatS, 0xfd, 111, "i8x16.add_sat_s", None, vv_v, 0) \
    X(I8x16AddSatU, 0xfd, 112, "i8x16.add_sat_u", None, vv_v, 0) \
    X(I8x16Sub, 0xfd, 113, "i8x16.sub", None, vv_v, 0) \
    X(I8x16SubSatS, 0xfd, 114, "i8x16.sub_sat_s", None, vv_v, 0) \
    X(I8x16SubSatU, 0xfd, 115, "i8x16.sub_sat_u", None, vv_v, 0) \
    X(F64x2Ceil, 0xfd, 116, "f64x2.ceil", None, v_v, 0) \
    X(F64x2Floor, 0xfd, 117, "f64x2.floor", None, v_v, 0) \
    X(I8x16MinS, 0xfd, 118, "i8x16.min_s", None, vv_v, 0) \
    X(I8x16MinU, 0xfd, 119, "i8x16.min_u", None, vv_v, 0) \
    X(I8x16MaxS, 0xfd, 120, "i8x16.max_s", None, vv_v, 0) \
    X(I8x16MaxU, 0xfd, 121, "i8x16.max_u", None, vv_v, 0) \
    X(F64x2Trunc, 0xfd, 122, "f64x2.trunc", None, v_v, 0) \
    X(I8x16AvgrU, 0xfd, 123, "i8x16.avgr_u", None, vv_v, 0) \
    X(I16x8ExtaddPairwiseI8x16S, 0xfd, 124, "i16x8.extadd_pairwise_i8x16_s", None, v_v, 0) \
    X(I16x8ExtaddPairwiseI8x16U, 0xfd, 125, "i16x8.extadd_pairwise_i8x16_u", None, v_v, 0) \
    X(I32x4ExtaddPairwiseI16x8S, 0xfd, 126, "i32x4.extadd_pairwise_i16x8_s", None, v_v, 0) \
    X(I32x4ExtaddPairwiseI16x8U, 0xfd, 127, "i32x4.extadd_pairwise_i16x8_u", None, v_v, 0) \
    X(I16x8Abs, 0xfd, 128, "i16x8.abs", None, v_v, 0) \
    X(I16x8Neg, 0xfd, 129, "i16x8.neg", None, v_v, 0) \
    X(I16x8Q15mulrSatS, 0xfd, 130, "i16x8.q15mulr_sat_s", None, vv_v, 0) \
    X(I16x8AllTrue, 0xfd, 131, "i16x8.all_true", None, v_i, 0) \
    X(I16x8Bitmask, 0xfd, 132, "i16x8.bitmask", None, v_i, 0) \
    X(I16x8NarrowI32x4S, 0xfd, 133, "i16x8.narrow_i32x4_s", None, vv_v, 0) \
    X(I16x8NarrowI32x4U, 0xfd, 134, "i16x8.narrow_i32x4_u", None, vv_v, 0) \
    X(I16x8ExtendLowI8x16S, 0xfd, 135, "i16x8.extend_low_i8x16_s", None, v_v, 0) \
    X(I16x8ExtendHighI8x16S, 0xfd, 136, "i16x8.extend_high_i8x16_s", None, v_v, 0) \
    X(I16x8ExtendLowI8x16U, 0xfd, 137, "i16x8.extend_low_i8x16_u", None, v_v, 0) \
    X(I16x8ExtendHighI8x16U, 0xfd, 138, "i16x8.extend_high_i8x16_u", None, v_v, 0) \
    X(I16x8Shl, 0xfd, 139, "i16x8.shl", None, vi_v, 0) \
    X(I16x8ShrS, 0xfd, 140, "i16x8.shr_s", None, vi_v, 0) \
    X(I16x8ShrU, 0xfd, 141, "i16x8.shr_u", None, vi_v, 0) \
    X(I16x8Add, 0xfd, 142, "i16x8.add", None, vv_v, 0) \
    X(I16x8AddSatS, 0xfd, 143, "i16x8.add_sat_s", None, vv_v, 0) \
    X(I16x8AddSatU, 0xfd, 144, "i16x8.add_sat_u", None, vv_v, 0) \
    X(I16x8Sub, 0xfd, 145, "i16x8.sub", None, vv_v, 0) \
    X(I16x8SubSatS, 0xfd, 146, "i16x8.sub_sat_s", None, vv_v, 0) \
    X(I16x8SubSatU, 0xfd, 147, "i16x8.sub_sat_u", None, vv_v, 0) \
    X(F64x2Nearest, 0xfd, 148, "f64x2.nearest", None, v_v, 0) \
    X(I16x8Mul, 0xfd, 149, "i16x8.mul", None, vv_v, 0) \
    X(I16x8MinS, 0xfd, 150, "i16x8.min_s", None, vv_v, 0) \
    X(I16x8MinU, 0xfd, 151, "i16x8.min_u", None, vv_v, 0) \
    X(I16x8MaxS, 0xfd, 152, "i16x8.max_s", None, vv_v, 0) \
    X(I16x8MaxU, 0xfd, 153, "i16x8.max_u", None, vv_v, 0) \
    X(I16x8AvgrU, 0xfd, 155, "i16x8.avgr_u", None, vv_v, 0) \
    X(I16x8ExtmulLowI8x16S, 0xfd, 156, "i16x8.extmul_low_i8x16_s", None, vv_v, 0) \
    X(I16x8ExtmulHighI8x16S, 0xfd, 157, "i16x8.extmul_high_i8x16_s", None, vv_v, 0) \
    X(I16x8ExtmulLowI8x16U, 0xfd, 158, "i16x8.extmul_low_i8x16_u", None, vv_v, 0) \
    X(I16x8ExtmulHighI8x16U, 0xfd, 159, "i16x8.extmul_high_i8x16_u", None, vv_v, 0) \
    X(I32x4Abs, 0xfd, 160, "i32x4.abs", None, v_v, 0) \
    X(I32x4Neg, 0xfd, 161, "i32x4.neg", None, v_v, 0) \
    X(I32x4AllTrue, 0xfd, 163, "i32x4.all_true", None, v_i, 0) \
    X(I32x4Bitmask, 0xfd, 164, "i32x4.bitmask", None, v_i, 0) \
    X(I32x4ExtendLowI16x8S, 0xfd, 167, "i32x4.extend_low_i16x8_s", None, v_v, 0) \
    X(I32x4ExtendHighI16x8S, 0xfd, 168, "i32x4.extend_high_i16x8_s", None, v_v, 0) \
    X(I32x4ExtendLowI16x8U, 0xfd, 169, "i32x4.extend_low_i16x8_u", None, v_v, 0) \
    X(I32x4ExtendHighI16x8U, 0xfd, 170, "i32x4.extend_high_i16x8_u", None, v_v, 0) \
    X(I32x4Shl, 0xfd, 171, "i32x4.shl", None, vi_v, 0) \
    X(I32x4ShrS, 0xfd, 172, "i32x4.shr_s", None, vi_v, 0) \
    X(I32x4ShrU, 0xfd, 173, "i32x4.shr_u", None, vi_v, 0) \
    X(I32x4Add, 0xfd, 174, "i32x4.add", None, vv_v, 0) \
    X(I32x4Sub, 0xfd, 177, "i32x4.sub", None, vv_v, 0) \
    X(I32x4Mul, 0xfd, 181, "i32x4.mul", None, vv_v, 0) \
    X(I32x4MinS, 0xfd, 182, "i32x4.min_s", None, vv_v, 0) \
    X(I32x4MinU, 0xfd, 183, "i32x4.min_u", None, vv_v, 0) \
    X(I32x4MaxS, 0xfd, 184, "i32x4.max_s", None, vv_v, 0) \
    X(I32x4MaxU, 0xfd, 185, "i32x4.max_u", None, vv_v, 0) \
    X(I32x4DotI16x8S, 0xfd, 186, "i32x4.dot_i16x8_s", None, vv_v, 0) \
    X(I32x4ExtmulLowI16x8S, 0xfd, 188, "i32x4.extmul_low_i16x8_s", None, vv_v, 0) \
    X(I32x4ExtmulHighI16x8S, 0xfd, 189, "i32x4.extmul_high_i16x8_s", None, vv_v, 0) \
    X(I32x4ExtmulLowI16x8U, 0xfd, 190, "i32x4.extmul_low_i16x8_u", None, vv_v, 0) \
    X(I32x4ExtmulHighI16x8U, 0xfd, 191, "i32x4.extmul_high_i16x8_u", None, vv_v, 0) \
    X(I64x2Abs, 0xfd, 192, "i64x2.abs", None, v_v, 0) \
    X(I64x2Neg, 0xfd, 193, "i64x2.neg", None, v_v, 0) \
    X(I64x2AllTrue, 0xfd, 195, "i64x2.all_true", None, v_i, 0) \
    X(I64x2Bitmask, 0xfd, 196, "i64x2.bitmask", None, v_i, 0) \
    X(I64x2ExtendLowI32x4S, 0xfd, 199, "i64x2.extend_low_i32x4_s", None, v_v, 0) \
    X(I64x2ExtendHighI32x4S, 0xfd, 200, "i64x2.extend_high_i32x4_s", None, v_v, 0) \
    X(I64x2ExtendLowI32x4U, 0xfd, 201, "i64x2.extend_low_i32x4_u", None, v_v, 0) \
    X(I64x2ExtendHighI32x4U, 0xfd, 202, "i64x2.extend_high_i32x4_u", None, v_v, 0) \
    X(I64x2Shl, 0xfd, 203, "i64x2.shl", None, vi_v, 0) \
    X(I64x2ShrS, 0xfd, 204, "i64x2.shr_s", None, vi_v, 0) \
    X(I64x2ShrU, 0xfd, 205, "i64x2.shr_u", None, vi_v, 0) \
    X(I64x2Add, 0xfd, 206, "i64x2.add", None, vv_v, 0) \
    X(I64x2Sub, 0xfd, 209, "i64x2.sub", None, vv_v, 0) \
    X(I64x2Mul, 0xfd, 213, "i64x2.mul", None, vv_v, 0) \
    X(I64x2Eq, 0xfd, 214, "i64x2.eq", None, vv_v, 0) \
    X(I64x2Ne, 0xfd, 215, "i64x2.ne", None, vv_v, 0) \
    X(I64x2LtS, 0xfd, 216, "i64x2.lt_s", None, vv_v, 0) \
    X(I64x2GtS, 0xfd, 217, "i64x2.gt_s", None, vv_v, 0) \
    X(I64x2LeS, 0xfd, 218, "i64x2.le_s", None, vv_v, 0) \
    X(I64x2GeS, 0xfd, 219, "i64x2.ge_s", None, vv_v, 0) \
    X(I64x2ExtmulLowI32x4S, 0xfd, 220, "i64x2.extmul_low_i32x4_s", None, vv_v, 0) \
    X(I64x2ExtmulHighI32x4S, 0xfd, 221, "i64x2.extmul_high_i32x4_s", None, vv_v, 0) \
    X(I64x2ExtmulLowI32x4U, 0xfd, 222, "i64x2.extmul_low_i32x4_u", None, vv_v, 0) \
    X(I64x2ExtmulHighI32x4U, 0xfd, 223, "i64x2.extmul_high_i32x4_u", None, vv_v, 0) \
    X(F32x4Abs, 0xfd, 224, "f32x4.abs", None, v_v, 0) \
    X(F32x4Neg, 0xfd, 225, "f32x4.neg", None, v_v, 0) \
    X(F32x4Sqrt, 0xfd, 227, "f32x4.sqrt", None, v_v, 0) \
    X(F32x4Add, 0xfd, 228, "f32x4.add", None, vv_v, 0) \
    X(F32x4Sub, 0xfd, 229, "f32x4.sub", None, vv_v, 0) \
    X(F32x4Mul, 0xfd, 230, "f32x4.mul", None, vv_v, 0) \
    X(F32x4Div, 0xfd, 231, "f32x4.div", None, vv_v, 0) \
    X(F32x4Min, 0xfd, 232, "f32x4.min", None, vv_v, 0) \
    X(F32x4Max, 0xfd, 233, "f32x4.max", None, vv_v, 0) \
    X(F32x4Pmin, 0xfd, 234, "f32x4.pmin", None, vv_v, 0) \
    X(F32x4Pmax, 0xfd, 235, "f32x4.pmax", None, vv_v, 0) \
    X(F64x2Abs, 0xfd, 236, "f64x2.abs", None, v_v, 0) \
    X(F64x2Neg, 0xfd, 237, "f64x2.neg", None, v_v, 0) \
    X(F64x2Sqrt, 0xfd, 239, "f64x2.sqrt", None, v_v, 0) \
    X(F64x2Add, 0xfd, 240, "f64x2.add", None, vv_v, 0) \
    X(F64x2Sub, 0xfd, 241, "f64x2.sub", None, vv_v, 0) \
    X(F64x2Mul, 0xfd, 242, "f64x2.mul", None, vv_v, 0) \
    X(F64x2Div, 0xfd, 243, "f64x2.div", None, vv_v, 0) \
    X(F64x2Min, 0xfd, 244, "f64x2.min", None, vv_v, 0) \
    X(F64x2Max, 0xfd, 245, "f64x2.max", None, vv_v, 0) \
    X(F64x2Pmin, 0xfd, 246, "f64x2.pmin", None, vv_v, 0) \
    X(F64x2Pmax, 0xfd, 247, "f64x2.pmax", None, vv_v, 0) \
    X(I32x4TruncSatF32x4S, 0xfd, 248, "i32x4.trunc_sat_f32x4_s", None, v_v, 0) \
    X(I32x4TruncSatF32x4U, 0xfd, 249, "i32x4.trunc_sat_f32x4_u", None, v_v, 0) \
    X(F32x4ConvertI32x4S, 0xfd, 250, "f32x4.convert_i32x4_s", None, v_v, 0) \
    X(F32x4ConvertI32x4U, 0xfd, 251, "f32x4.convert_i32x4_u", None, v_v, 0) \
    X(I32x4TruncSatF64x2SZero, 0xfd, 252, "i32x4.trunc_sat_f64x2_s_zero", None, v_v, 0) \
    X(I32x4TruncSatF64x2UZero, 0xfd, 253, "i32x4.trunc_sat_f64x2_u_zero", None, v_v, 0) \
    X(F64x2ConvertLowI32x4S, 0xfd, 254, "f64x2.convert_low_i32x4_s", None, v_v, 0) \
    X(F64x2ConvertLowI32x4U, 0xfd, 255, "f64x2.convert_low_i32x4_u", None, v_v, 0) \
    /* relaxed SIMD proposal */ \
    X(I8x16RelaxedSwizzle, 0xfd, 0x100, "i8x16.relaxed_swizzle", None, vv_v, 0) \
    X(I32x4RelaxedTruncF32x4S, 0xfd, 0x101, "i32x4.relaxed_trunc_f32x4_s", None, v_v, 0) \
    X(I32x4RelaxedTruncF32x4U, 0xfd, 0x102, "i32x4.relaxed_trunc_f32x4_u", None, v_v, 0) \
    X(I32x4RelaxedTruncF64x2SZero, 0xfd, 0x103, "i32x4.relaxed_trunc_f64x2_s_zero", None, v_v, 0) \
    X(I32x4RelaxedTruncF64x2UZero, 0xfd, 0x104, "i32x4.relaxed_trunc_f64x2_u_zero", None, v_v, 0) \
    X(F32x4RelaxedMadd, 0xfd, 0x105, "f32x4.relaxed_madd", None, vvv_v, 0) \
    X(F32x4RelaxedNmadd, 0xfd, 0x106, "f32x4.relaxed_nmadd", None, vvv_v, 0) \
    X(F64x2RelaxedMadd, 0xfd, 0x107, "f64x2.relaxed_madd", None, vvv_v, 0) \
    X(F64x2RelaxedNmadd, 0xfd, 0x108, "f64x2.relaxed_nmadd", None, vvv_v, 0) \
    X(I8x16RelaxedLaneselect, 0xfd, 0x109, "i8x16.relaxed_laneselect", None, vvv_v, 0) \
    X(I16x8RelaxedLaneselect, 0xfd, 0x10a, "i16x8.relaxed_laneselect", None, vvv_v, 0) \
    X(I32x4RelaxedLaneselect, 0xfd, 0x10b, "i32x4.relaxed_laneselect", None, vvv_v, 0) \
    X(I64x2RelaxedLaneselect, 0xfd, 0x10c, "i64x2.relaxed_laneselect", None, vvv_v, 0) \
    X(F32x4RelaxedMin, 0xfd, 0x10d, "f32x4.relaxed_min", None, vv_v, 0) \
    X(F32x4RelaxedMax, 0xfd, 0x10e, "f32x4.relaxed_max", None, vv_v, 0) \
    X(F64x2RelaxedMin, 0xfd, 0x10f, "f64x2.relaxed_min", None, vv_v, 0) \
    X(F64x2RelaxedMax, 0xfd, 0x110, "f64x2.relaxed_max", None, vv_v, 0) \
    X(I16x8RelaxedQ15mulrS, 0xfd, 0x111, "i16x8.relaxed_q15mulr_s", None, vv_v, 0) \
    X(I16x8RelaxedDotI8x16I7x16S, 0xfd, 0x112, "i16x8.relaxed_dot_i8x16_i7x16_s", None, vv_v, 0) \
    X(I32x4RelaxedDotI8x16I7x16AddS, 0xfd, 0x113, "i32x4.relaxed_dot_i8x16_i7x16_add_s", None, vvv_v, 0)
// clang-format on

enum class Opcode : u16 {
#define K23_OPCODE_ENUM(name, prefix, code, text, imm, sig, arg) name,
    K23_WASM_OPCODES(K23_OPCODE_ENUM)
#undef K23_OPCODE_ENUM
    Count,
    Invalid = 0xffff,
};

struct OpcodeInfo {
    StringView name;
    u16 prefix;
    u16 code;
    Imm immediates;
    Sig signature;
    u8 arg;
};

// The operand and result types of a Sig (empty for Special).
struct SignatureTypes {
    ValueType params[3];
    ValueType results[1];
    u8 param_count;
    u8 result_count;
};

// The tables are constexpr in the header so the decoder's lookups inline.
namespace Detail {

inline constexpr OpcodeInfo s_opcode_infos[] = {
#define K23_OPCODE_INFO(name, prefix, code, text, imm, sig, arg) { StringView(text), prefix, code, Imm::imm, Sig::sig, arg },
    K23_WASM_OPCODES(K23_OPCODE_INFO)
#undef K23_OPCODE_INFO
};
static_assert(sizeof(s_opcode_infos) / sizeof(s_opcode_infos[0]) == usize(Opcode::Count));

constexpr ValueType signature_letter_type(char c) noexcept
{
    switch (c) {
    case 'i': return ValueType::I32;
    case 'l': return ValueType::I64;
    case 'f': return ValueType::F32;
    case 'd': return ValueType::F64;
    case 'v': return ValueType::V128;
    default: return ValueType::Bottom;
    }
}

constexpr SignatureTypes make_signature(const char* params, const char* results) noexcept
{
    SignatureTypes s {};
    for (u8 i = 0; params[i]; ++i) {
        s.params[i] = signature_letter_type(params[i]);
        s.param_count = u8(i + 1);
    }
    for (u8 i = 0; results[i]; ++i) {
        s.results[i] = signature_letter_type(results[i]);
        s.result_count = u8(i + 1);
    }
    return s;
}

inline constexpr SignatureTypes s_signatures[] = {
#define K23_SIG_TYPES(name, p, r) make_signature(p, r),
    K23_WASM_SIGNATURES(K23_SIG_TYPES)
#undef K23_SIG_TYPES
};

struct DecodeTables {
    Opcode single[256];
    Opcode fc[32];
    Opcode fd[0x120];
};

constexpr DecodeTables make_decode_tables() noexcept
{
    DecodeTables t {};
    for (auto& op : t.single)
        op = Opcode::Invalid;
    for (auto& op : t.fc)
        op = Opcode::Invalid;
    for (auto& op : t.fd)
        op = Opcode::Invalid;
    for (u16 i = 0; i < u16(Opcode::Count); ++i) {
        const OpcodeInfo& info = s_opcode_infos[i];
        if (info.prefix == 0)
            t.single[info.code] = Opcode(i);
        else if (info.prefix == 0xfc)
            t.fc[info.code] = Opcode(i);
        else
            t.fd[info.code] = Opcode(i);
    }
    return t;
}

inline constexpr DecodeTables s_decode_tables = make_decode_tables();

} // namespace Detail

[[nodiscard]] constexpr const OpcodeInfo& opcode_info(Opcode op) noexcept { return Detail::s_opcode_infos[u16(op)]; }
[[nodiscard]] constexpr StringView opcode_name(Opcode op) noexcept { return opcode_info(op).name; }
[[nodiscard]] constexpr const SignatureTypes& signature_types(Sig sig) noexcept { return Detail::s_signatures[u8(sig)]; }

// Decoding tables: the Opcode for a byte / prefixed code, or Invalid.
[[nodiscard]] constexpr Opcode opcode_for_byte(u8 byte) noexcept { return Detail::s_decode_tables.single[byte]; }
[[nodiscard]] constexpr Opcode opcode_for_fc(u32 code) noexcept { return code < 32 ? Detail::s_decode_tables.fc[code] : Opcode::Invalid; }
[[nodiscard]] constexpr Opcode opcode_for_fd(u32 code) noexcept { return code < 0x120 ? Detail::s_decode_tables.fd[code] : Opcode::Invalid; }

[[nodiscard]] constexpr bool is_relaxed_simd(Opcode op) noexcept
{
    return u16(op) >= u16(Opcode::I8x16RelaxedSwizzle) && u16(op) <= u16(Opcode::I32x4RelaxedDotI8x16I7x16AddS);
}

} // namespace k23::wasm
