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
    ~CodeHolder() noexcept;

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
    [[nodiscard]] u32 offset() const noexcept { return m_size; }
    [[nodiscard]] Span<const u8> text() const noexcept { return { m_text, m_size }; }
    // Room for `bytes` of .text without growing (a module compile reserves
    // about what its largest function needs once, not by doubling).
    void reserve(usize bytes) noexcept;
    // emit16/emit32: one compare, a store and a size bump while the buffer
    // has room (the baseline emits one or two per wasm instruction: compile
    // speed). Growth, errors and finalized code take the slow path.
    void emit16(u16 halfword) noexcept
    {
        if (m_size + 2 > m_limit) [[unlikely]]
            return emit_slow(halfword, 2);
        store(halfword, 2);
    }
    void emit32(u32 word) noexcept
    {
        if (m_size + 4 > m_limit) [[unlikely]]
            return emit_slow(word, 4);
        store(word, 4);
    }
    // One instruction as a group of its own (begin_group(); emit;
    // end_group()): the island check folded into the same fast path, taken
    // while outside a group no island can be due.
    void emit_instruction(u32 word, u32 size) noexcept
    {
        u32 end = m_size + size;
        if (end > m_limit || (end >= m_quiet_until && m_group_depth == 0)) [[unlikely]]
            return emit_instruction_slow(word, size);
        store(word, size);
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
    // Appends the finalized code (code_size() bytes) to `out`, whose size
    // must be a multiple of 8 (the pool's alignment).
    [[nodiscard]] Result<void> append_to(Vector<u8>& out) const noexcept;

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

    // Little-endian stores of the low `size` bytes (2 or 4) of `word`.
    void store(u32 word, u32 size) noexcept
    {
        static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "RISC-V code is little-endian, as are k23's hosts");
        if (size == 4)
            __builtin_memcpy(m_text + m_size, &word, 4);
        else
            __builtin_memcpy(m_text + m_size, &word, 2);
        m_size += size;
    }
    // Out of line, so the inlined fast paths keep no registers for them.
    [[gnu::noinline]] void emit_slow(u32 word, u32 size) noexcept;
    [[gnu::noinline]] void emit_instruction_slow(u32 word, u32 size) noexcept;
    // The emit fast path's bound (see m_limit).
    void update_limit() noexcept;
    // Reallocates .text to `capacity` bytes (capped at the 2 GiB limit);
    // false with the sticky error when out of memory.
    bool grow_text(usize capacity) noexcept;
    void check_for_island() noexcept;
    void resolve(Fixup& fixup, u32 target_offset) noexcept;
    [[nodiscard]] i64 earliest_deadline() noexcept;
    void emit_island() noexcept;

    CpuFeatures m_features;
    CodeOptions m_options;
    CodeOptions m_initial_options;
    // .text: m_capacity bytes allocated (not initialized: no Vector, whose
    // resize would clear every byte first), the first m_size of them code.
    u8* m_text { nullptr };
    u32 m_capacity { 0 };
    u32 m_size { 0 };
    // emit16/emit32 store in place while m_size + n <= m_limit: the buffer's
    // end, capped below 2 GiB, and 0 once an error was recorded or the code
    // was finalized (so one compare guards all of those).
    u32 m_limit { 0 };
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
    // whenever a fixup becomes pending (a new deadline, a larger island;
    // add_label_fixup); resolving one only moves deadlines later, so the
    // bound stays safe.
    u32 m_quiet_until { 0 };
    u32 m_island_count { 0 };
    usize m_pool_offset { 0 };
    bool m_finalized { false };
    bool m_has_error { false };
    Error m_error { Error::from_code(ErrorCode::Unknown) };
};

} // namespace k23::riscv64
