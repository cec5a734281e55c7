#pragma once

// Fixed-width integer and float names used everywhere in k23. Built from the
// compiler's predefined macros so this header needs no libc or libstdc++
// (the kernel compiles with -ffreestanding -nostdinc++).

namespace k23 {

using u8 = __UINT8_TYPE__;
using u16 = __UINT16_TYPE__;
using u32 = __UINT32_TYPE__;
using u64 = __UINT64_TYPE__;
using i8 = __INT8_TYPE__;
using i16 = __INT16_TYPE__;
using i32 = __INT32_TYPE__;
using i64 = __INT64_TYPE__;

// usize is exactly size_t, so it can appear in operator new signatures.
using usize = __SIZE_TYPE__;
using isize = __PTRDIFF_TYPE__;
using uptr = __UINTPTR_TYPE__;
using iptr = __INTPTR_TYPE__;

using f32 = float;
using f64 = double;

using nullptr_t = decltype(nullptr);

static_assert(sizeof(u8) == 1 && sizeof(u16) == 2 && sizeof(u32) == 4 && sizeof(u64) == 8);
static_assert(sizeof(usize) == 8 && sizeof(uptr) == 8, "k23 targets are 64-bit");
static_assert(sizeof(f32) == 4 && sizeof(f64) == 8);

} // namespace k23

using k23::f32;
using k23::f64;
using k23::i16;
using k23::i32;
using k23::i64;
using k23::i8;
using k23::isize;
using k23::u16;
using k23::u32;
using k23::u64;
using k23::u8;
using k23::uptr;
using k23::usize;
