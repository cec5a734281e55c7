#pragma once

// CodeHolder: the buffer the assembler emits into, in asmjit's shape. It
// owns two sections, labels and fixups:
//
//   .text  the instructions, appended by Assembler;
//   .pool  64-bit constants (the literal pool), deduplicated, placed after
//          .text at the next 8-byte boundary when the code is finalized.
//
// All references are pc-relative, so the finalized bytes are position
// independent: copy them anywhere 8-byte aligned (code memory is page
// aligned) and run them.
//
// Errors. Every failure (out of memory, a label bound twice, an immediate out
// of range, an instruction of a disabled extension, an unbound label at
// finalize) is recorded as the *first* error and makes the holder sticky:
// later emission is ignored, and finalize() returns that error. A compiler
// emits a whole function and checks once; nothing ever crashes.
//
// Branch ranges. A branch to a bound label (backward) gets the shortest form
// that reaches: B-type (±4 KiB), else an inverted B-type over jal (±1 MiB),
// else over auipc+jalr (±2 GiB, through the scratch register). A branch or
// jal to an unbound label (forward) is emitted in its short form and stays
// pending; before a pending fixup could fall out of range, the holder emits
// an *island* after the current instruction: `j over; veneers...; over:`.
// Each pending B-type branch is redirected to a veneer `jal zero, label`
// (±1 MiB), each pending jal near its limit to a veneer `auipc scratch;
// jalr zero, scratch` (±2 GiB). Nothing already emitted ever moves, so
// offsets taken with offset() stay valid (trap tables rely on this), and
// islands are only inserted between instruction groups, never inside one.
// The scratch register (t6 by default, CodeOptions::scratch) may be
// clobbered by any far branch or veneer; register allocators must not use it
// across a branch.

#include <arch/riscv64/asm/CpuFeatures.h>
#include <arch/riscv64/asm/Registers.h>
#include <base/Error.h>
#include <base/HashMap.h>
#include <base/Result.h>
#include <base/Span.h>
#include <base/Integers.h>
#include <base/Vector.h>

namespace k23::riscv64 {

class Label {
public:
    static constexpr u32 invalid_id = 0xffffffffu;

    constexpr Label() noexcept = default;
    constexpr explicit Label(u32 id) noexcept
        : m_id(id)
    {
    }
    [[nodiscard]] constexpr u32 id() const noexcept { return m_id; }
    [[nodiscard]] constexpr bool is_valid() const noexcept { return m_id != invalid_id; }
    constexpr bool operator==(const Label&) const noexcept = default;

private:
    u32 m_id { invalid_id };
};

enum class FixupKind : u8 {
    Branch,    // B-type at offset, ±4 KiB
    Jal,       // J-type at offset, ±1 MiB
    PcRelPair, // auipc at offset + I-type (addi/ld/jalr/fld) at offset + 4, ±2 GiB
};

struct CodeOptions {
    // Use compressed (C) forms where they save space, if C is enabled.
    bool compress { true };
    // Clobbered by far branches, veneers and pool loads into f registers.
    GpReg scratch { t6 };
};

class CodeHolder {
public:
    explicit CodeHolder(CpuFeatures features, CodeOptions options = {}) noexcept;
    CodeHolder(const CodeHolder&) = delete;
    CodeHolder& operator=(const CodeHolder&) = delete;

    // Empty again, as constructed, keeping the buffers: a module compile
    // reuses one holder for every function (no allocation per function).
    void reset() noexcept;

    [[nodiscard]] const CpuFeatures& features() const noexcept { return m_features; }
    [[nodiscard]] const CodeOptions& options() const noexcept { return m_options; }
    void set_compress(bool compress) noexcept { m_options.compress = compress; }

    // Sticky error state (see above).
    [[nodiscard]] bool has_error() const noexcept { return m_has_error; }
    [[nodiscard]] const Error& error() const noexcept { return m_error; }
    void set_error(const Error& error) noexcept;

    // .text
    [[nodiscard]] u32 offset() const noexcept { return u32(m_text.size()); }
    [[nodiscard]] Span<const u8> text() const noexcept { return m_text.span(); }
    // emit16/emit32: a store and a size bump while the buffer has room (the
    // baseline emits one or two per wasm instruction: compile speed).
    void emit16(u16 halfword) noexcept
    {
        if (!has_room(2)) [[unlikely]] {
            u8 bytes[2] = { u8(halfword), u8(halfword >> 8) };
            return emit_bytes(Span<const u8>(bytes, 2));
        }
        u8* p = grow_in_place(2);
        p[0] = u8(halfword);
        p[1] = u8(halfword >> 8);
    }
    void emit32(u32 word) noexcept
    {
        if (!has_room(4)) [[unlikely]] {
            u8 bytes[4] = { u8(word), u8(word >> 8), u8(word >> 16), u8(word >> 24) };
            return emit_bytes(Span<const u8>(bytes, 4));
        }
        u8* p = grow_in_place(4);
        p[0] = u8(word);
        p[1] = u8(word >> 8);
        p[2] = u8(word >> 16);
        p[3] = u8(word >> 24);
    }
    void emit_bytes(Span<const u8> bytes) noexcept;
    [[nodiscard]] u32 read32(u32 offset) const noexcept;
    void write32(u32 offset, u32 word) noexcept;
    void write16(u32 offset, u16 halfword) noexcept;

    // Labels.
    [[nodiscard]] Label new_label() noexcept;
    void bind(Label label) noexcept;
    [[nodiscard]] bool is_bound(Label label) const noexcept;
    // Offset of a bound label in .text.
    [[nodiscard]] u32 label_offset(Label label) const noexcept;
    [[nodiscard]] bool is_valid_label(Label label) const noexcept { return label.is_valid() && label.id() < m_labels.size(); }

    // A reference from the instruction(s) at `offset` to `label`; resolved now
    // when the label is bound, else when it gets bound.
    void add_label_fixup(u32 offset, Label label, FixupKind kind) noexcept;

    // The literal pool: returns the constant's index (deduplicated).
    [[nodiscard]] u32 add_pool_constant(u64 value) noexcept;
    // An auipc at `offset` + I-type load at offset + 4 reading pool entry `index`.
    void add_pool_fixup(u32 offset, u32 index) noexcept;
    [[nodiscard]] usize pool_size() const noexcept { return m_pool.size(); }

    // Instruction groups: islands are only placed between groups. Assembler
    // wraps every instruction (or multi-instruction sequence) in one.
    void begin_group() noexcept { ++m_group_depth; }
    void end_group() noexcept
    {
        VERIFY(m_group_depth > 0);
        // Below m_quiet_until no pending fixup can need an island yet.
        if (--m_group_depth != 0 || offset() < m_quiet_until) [[likely]]
            return;
        check_for_island();
    }

    // Resolves the literal pool; fails with the sticky error or when a label
    // that is referenced was never bound.
    [[nodiscard]] Result<void> finalize() noexcept;
    [[nodiscard]] bool is_finalized() const noexcept { return m_finalized; }
    // After finalize(): total bytes (.text, padding, .pool) and .pool's offset.
    [[nodiscard]] usize code_size() const noexcept;
    [[nodiscard]] usize pool_offset() const noexcept { return m_pool_offset; }
    // Copies the finalized code; destination must be code_size() bytes.
    [[nodiscard]] Result<void> copy_to(Span<u8> destination) const noexcept;

    // Statistics, for tests and tuning.
    [[nodiscard]] u32 island_count() const noexcept { return m_island_count; }

private:
    struct LabelEntry {
        i64 offset { -1 };
        u32 first_fixup { 0xffffffffu };
    };
    struct Fixup {
        u32 offset;
        u32 target; // label id or pool index
        u32 next_for_label;
        FixupKind kind;
        bool to_pool;
        bool resolved;
    };

    // Whether n bytes fit without growing (and emission is allowed: no
    // error, not finalized, below the 2 GiB limit emit_bytes enforces).
    [[nodiscard]] bool has_room(usize n) const noexcept
    {
        return m_text.size() + n <= m_text.capacity() && !m_has_error && !m_finalized && m_text.size() + n <= 0x7fff0000u;
    }
    u8* grow_in_place(usize n) noexcept
    {
        usize at = m_text.size();
        (void)m_text.try_resize(at + n); // within capacity: cannot fail
        return m_text.data() + at;
    }
    void check_for_island() noexcept;
    void resolve(Fixup& fixup, u32 target_offset) noexcept;
    [[nodiscard]] i64 earliest_deadline() noexcept;
    void emit_island() noexcept;

    CpuFeatures m_features;
    CodeOptions m_options;
    CodeOptions m_initial_options;
    Vector<u8> m_text;
    Vector<u64> m_pool;
    HashMap<u64, u32> m_pool_index;
    Vector<LabelEntry> m_labels;
    Vector<Fixup> m_fixups;
    usize m_branch_cursor { 0 };
    usize m_jal_cursor { 0 };
    u32 m_pending_branches { 0 };
    u32 m_pending_jals { 0 };
    u32 m_group_depth { 0 };
    // end_group's fast path: no island is due before this offset. Lowered
    // to 0 whenever a fixup becomes pending (a new deadline); resolving one
    // only moves deadlines later, so the bound stays safe.
    u32 m_quiet_until { 0 };
    u32 m_island_count { 0 };
    usize m_pool_offset { 0 };
    bool m_finalized { false };
    bool m_has_error { false };
    Error m_error { Error::from_code(ErrorCode::Unknown) };
};

} // namespace k23::riscv64
