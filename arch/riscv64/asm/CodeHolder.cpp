#include <arch/riscv64/asm/CodeHolder.h>
#include <arch/riscv64/asm/Encoding.h>
#include <base/Bits.h>
#include <base/Platform.h>

namespace k23::riscv64 {

using namespace encoding;

namespace {

// Reach of the short forms (Unprivileged ISA §2.5): B-type encodes a signed
// 13-bit even offset, J-type a signed 21-bit even offset.
constexpr i64 branch_reach = 4094;
constexpr i64 jal_reach = (1 << 20) - 2;
// Room kept before a deadline: the largest instruction group the assembler
// emits (a far branch or a load_constant is at most 16 bytes) plus margin.
constexpr i64 group_slack = 64;
// .text stays below 2 GiB (pc-relative references reach ±2 GiB).
constexpr usize text_limit = 0x7fff0000u;

} // namespace

CodeHolder::CodeHolder(CpuFeatures features, CodeOptions options) noexcept
    : m_features(features)
    , m_options(options)
    , m_initial_options(options)
{
}

CodeHolder::~CodeHolder() noexcept
{
    if (m_text)
        platform_deallocate(m_text, m_capacity, 16);
}

void CodeHolder::reset() noexcept
{
    m_options = m_initial_options;
    m_size = 0;
    m_pool.clear();
    if (m_pool_index.size() != 0)
        m_pool_index.clear();
    m_labels.clear();
    m_fixups.clear();
    m_branch_cursor = 0;
    m_jal_cursor = 0;
    m_pending_branches = 0;
    m_pending_jals = 0;
    m_group_depth = 0;
    m_island_count = 0;
    m_quiet_until = 0;
    m_pool_offset = 0;
    m_finalized = false;
    m_has_error = false;
    m_error = Error::from_code(ErrorCode::Unknown);
    update_limit();
}

void CodeHolder::update_limit() noexcept
{
    if (m_has_error || m_finalized)
        m_limit = 0;
    else
        m_limit = m_capacity;
}

bool CodeHolder::grow_text(usize capacity) noexcept
{
    if (capacity > text_limit)
        capacity = text_limit;
    auto* text = static_cast<u8*>(platform_allocate(capacity, 16));
    if (!text) {
        set_error(Error::formatted(ErrorCode::OutOfMemory, "cannot allocate {} bytes of code", capacity));
        return false;
    }
    if (m_size > 0)
        __builtin_memcpy(text, m_text, m_size);
    if (m_text)
        platform_deallocate(m_text, m_capacity, 16);
    m_text = text;
    m_capacity = u32(capacity);
    update_limit();
    return true;
}

void CodeHolder::reserve(usize bytes) noexcept
{
    if (!m_has_error && bytes > m_capacity)
        (void)grow_text(bytes);
}

void CodeHolder::set_error(const Error& error) noexcept
{
    if (m_has_error)
        return;
    m_has_error = true;
    m_error = error;
    m_limit = 0;
}

void CodeHolder::emit_bytes(Span<const u8> bytes) noexcept
{
    if (m_has_error)
        return;
    if (m_finalized) {
        set_error(Error::from_code(ErrorCode::InvalidArgument, "emitting into finalized code"));
        return;
    }
    if (m_size + bytes.size() > text_limit) {
        set_error(Error::from_code(ErrorCode::OutOfRange, "code larger than 2 GiB"));
        return;
    }
    usize needed = m_size + bytes.size();
    if (needed > m_capacity) {
        // Geometric: every byte is copied a bounded number of times.
        usize grown = usize(m_capacity) + m_capacity / 2 + 256;
        if (!grow_text(grown < needed ? needed : grown))
            return;
    }
    if (bytes.size() > 0)
        __builtin_memcpy(m_text + m_size, bytes.data(), bytes.size());
    m_size += u32(bytes.size());
}

void CodeHolder::emit_slow(u32 word, u32 size) noexcept
{
    u8 bytes[4] = { u8(word), u8(word >> 8), u8(word >> 16), u8(word >> 24) };
    emit_bytes(Span<const u8>(bytes, size));
}

void CodeHolder::emit_instruction_slow(u32 word, u32 size) noexcept
{
    begin_group();
    if (size == 4)
        emit32(word);
    else
        emit16(u16(word));
    end_group();
}

u32 CodeHolder::read32(u32 offset) const noexcept
{
    const u8* p = m_text + offset;
    return u32(p[0]) | (u32(p[1]) << 8) | (u32(p[2]) << 16) | (u32(p[3]) << 24);
}

void CodeHolder::write32(u32 offset, u32 word) noexcept
{
    if (m_has_error || usize(offset) + 4 > m_size)
        return;
    u8* p = m_text + offset;
    p[0] = u8(word);
    p[1] = u8(word >> 8);
    p[2] = u8(word >> 16);
    p[3] = u8(word >> 24);
}

void CodeHolder::write16(u32 offset, u16 halfword) noexcept
{
    if (m_has_error || usize(offset) + 2 > m_size)
        return;
    m_text[offset] = u8(halfword);
    m_text[offset + 1] = u8(halfword >> 8);
}

Label CodeHolder::new_label() noexcept
{
    if (m_labels.size() >= Label::invalid_id - 1) {
        set_error(Error::from_code(ErrorCode::Exhausted, "too many labels"));
        return Label();
    }
    if (auto result = m_labels.try_append(LabelEntry {}); result.is_error()) {
        set_error(result.error());
        return Label();
    }
    return Label(u32(m_labels.size() - 1));
}

bool CodeHolder::is_bound(Label label) const noexcept
{
    return is_valid_label(label) && m_labels[label.id()].offset >= 0;
}

u32 CodeHolder::label_offset(Label label) const noexcept
{
    VERIFY(is_bound(label));
    return u32(m_labels[label.id()].offset);
}

void CodeHolder::bind(Label label) noexcept
{
    if (m_has_error)
        return;
    if (!is_valid_label(label)) {
        set_error(Error::from_code(ErrorCode::InvalidArgument, "bind: invalid label"));
        return;
    }
    LabelEntry& entry = m_labels[label.id()];
    if (entry.offset >= 0) {
        set_error(Error::formatted(ErrorCode::AlreadyExists, "label {} bound twice", label.id()));
        return;
    }
    entry.offset = offset();
    for (u32 index = entry.first_fixup; index != 0xffffffffu;) {
        Fixup& fixup = m_fixups[index];
        index = fixup.next_for_label;
        if (!fixup.resolved)
            resolve(fixup, offset());
    }
    entry.first_fixup = 0xffffffffu;
}

void CodeHolder::resolve(Fixup& fixup, u32 target_offset) noexcept
{
    i64 delta = i64(target_offset) - i64(fixup.offset);
    switch (fixup.kind) {
    case FixupKind::Branch:
        if (!fits_signed(delta, 13)) {
            set_error(Error::formatted(ErrorCode::OutOfRange, "branch at {:#x} out of range", fixup.offset));
            return;
        }
        write32(fixup.offset, with_b_imm(read32(fixup.offset), i32(delta)));
        --m_pending_branches;
        break;
    case FixupKind::Jal:
        if (!fits_signed(delta, 21)) {
            set_error(Error::formatted(ErrorCode::OutOfRange, "jal at {:#x} out of range", fixup.offset));
            return;
        }
        write32(fixup.offset, with_j_imm(read32(fixup.offset), i32(delta)));
        --m_pending_jals;
        break;
    case FixupKind::PcRelPair: {
        if (!fits_pcrel32(delta)) {
            set_error(Error::formatted(ErrorCode::OutOfRange, "pc-relative reference at {:#x} out of range", fixup.offset));
            return;
        }
        HiLo parts = split_hi_lo(delta);
        write32(fixup.offset, with_u_imm(read32(fixup.offset), parts.hi));
        write32(fixup.offset + 4, with_i_imm(read32(fixup.offset + 4), parts.lo));
        break;
    }
    }
    fixup.resolved = true;
}

void CodeHolder::add_label_fixup(u32 offset, Label label, FixupKind kind) noexcept
{
    if (m_has_error)
        return;
    if (!is_valid_label(label)) {
        set_error(Error::from_code(ErrorCode::InvalidArgument, "reference to an invalid label"));
        return;
    }
    LabelEntry& entry = m_labels[label.id()];
    Fixup fixup { offset, label.id(), entry.first_fixup, kind, false, false };
    if (kind == FixupKind::Branch)
        ++m_pending_branches;
    else if (kind == FixupKind::Jal)
        ++m_pending_jals;
    if (entry.offset >= 0) {
        fixup.next_for_label = 0xffffffffu;
        resolve(fixup, u32(entry.offset));
        // Resolved fixups need not be remembered, except to keep the
        // cursors' view of offsets monotonic, which an absent entry does.
        return;
    }
    if (auto result = m_fixups.try_append(fixup); result.is_error()) {
        set_error(result.error());
        return;
    }
    entry.first_fixup = u32(m_fixups.size() - 1);
    if (kind == FixupKind::PcRelPair)
        return; // never gets a veneer: no island is due for it
    // A new pending fixup: lower end_group's quiet bound just enough, rather
    // than to 0 (a check_for_island after every forward branch). The bound
    // check_for_island computed, deadline - group_slack - island parts,
    // stays a lower bound for the older fixups with this one's part (4 or
    // 8 bytes) taken off; this one's own deadline bounds it too.
    i64 part = kind == FixupKind::Branch ? 4 : 8;
    i64 reach = kind == FixupKind::Branch ? branch_reach : jal_reach;
    i64 older = i64(m_quiet_until) - part;
    i64 own = i64(offset) + reach - group_slack - (4 + 4 * i64(m_pending_branches)) - 8 * i64(m_pending_jals);
    i64 quiet = older < own ? older : own;
    m_quiet_until = quiet <= 0 ? 0 : u32(quiet);
}

u32 CodeHolder::add_pool_constant(u64 value) noexcept
{
    if (m_has_error)
        return 0;
    if (u32* existing = m_pool_index.get(value))
        return *existing;
    u32 index = u32(m_pool.size());
    if (auto result = m_pool.try_append(value); result.is_error()) {
        set_error(result.error());
        return 0;
    }
    if (auto result = m_pool_index.try_set(value, index); result.is_error())
        set_error(result.error());
    return index;
}

void CodeHolder::add_pool_fixup(u32 offset, u32 index) noexcept
{
    if (m_has_error)
        return;
    Fixup fixup { offset, index, 0xffffffffu, FixupKind::PcRelPair, true, false };
    if (auto result = m_fixups.try_append(fixup); result.is_error())
        set_error(result.error());
}

i64 CodeHolder::earliest_deadline() noexcept
{
    i64 deadline = i64(~u64(0) >> 1);
    while (m_branch_cursor < m_fixups.size()) {
        const Fixup& fixup = m_fixups[m_branch_cursor];
        if (!fixup.resolved && fixup.kind == FixupKind::Branch)
            break;
        ++m_branch_cursor;
    }
    if (m_branch_cursor < m_fixups.size())
        deadline = i64(m_fixups[m_branch_cursor].offset) + branch_reach;
    while (m_jal_cursor < m_fixups.size()) {
        const Fixup& fixup = m_fixups[m_jal_cursor];
        if (!fixup.resolved && fixup.kind == FixupKind::Jal)
            break;
        ++m_jal_cursor;
    }
    if (m_jal_cursor < m_fixups.size()) {
        i64 jal_deadline = i64(m_fixups[m_jal_cursor].offset) + jal_reach;
        if (jal_deadline < deadline)
            deadline = jal_deadline;
    }
    return deadline;
}

void CodeHolder::check_for_island() noexcept
{
    if (m_has_error)
        return;
    if (m_pending_branches == 0 && m_pending_jals == 0) {
        m_quiet_until = 0xffffffffu;
        return;
    }
    i64 deadline = earliest_deadline();
    // Pending jals only get veneers near their own (±1 MiB) deadline (see
    // jal_horizon in emit_island), so they only count toward the island's
    // size then; counting them always made every branch deadline look near
    // when many jals were pending (e.g. a br_table's cases), an island per
    // instruction group.
    i64 branch_part = 4 + 4 * i64(m_pending_branches);
    i64 jal_part = 8 * i64(m_pending_jals);
    i64 jal_deadline = m_jal_cursor < m_fixups.size() ? i64(m_fixups[m_jal_cursor].offset) + jal_reach : i64(~u64(0) >> 1);
    bool jals_near = i64(offset()) + 2 * group_slack + branch_part + jal_part + 8192 >= jal_deadline;
    i64 island_size = branch_part + (jals_near ? jal_part : 0);
    if (i64(offset()) + group_slack + island_size >= deadline) {
        emit_island();
        m_quiet_until = 0;
        return;
    }
    // The island could not be larger than with every jal counted, so none
    // is due while offset() + group_slack + that size stays below the deadline.
    i64 quiet = deadline - group_slack - branch_part - jal_part;
    m_quiet_until = quiet <= 0 ? 0 : quiet >= i64(0xffffffffu) ? 0xffffffffu : u32(quiet);
}

void CodeHolder::emit_island() noexcept
{
    ++m_group_depth;
    ++m_island_count;
    u32 jump_over = offset();
    emit32(j_type(0, 0));
    // Jal fixups within this distance of their limit get a veneer too.
    i64 jal_horizon = i64(offset()) + 2 * group_slack + 4 * i64(m_pending_branches) + 8 * i64(m_pending_jals) + 8192;
    usize count = m_fixups.size();
    // Every pending B-type branch: all of them are recent (the oldest is
    // within B-type reach), so this scan covers only the code since then.
    for (usize i = m_branch_cursor; i < count && !m_has_error; ++i) {
        Fixup fixup = m_fixups[i];
        if (fixup.resolved || fixup.to_pool || fixup.kind != FixupKind::Branch)
            continue;
        u32 veneer = offset();
        resolve(m_fixups[i], veneer);
        emit32(j_type(0, 0));
        add_label_fixup(veneer, Label(fixup.target), FixupKind::Jal);
    }
    // Pending jals near their limit, oldest first. Fixups are recorded in
    // offset order, so the first jal beyond the horizon ends the scan: a jal
    // pending for long (a forward branch out of a huge block) is not
    // rescanned by every later island, which made deep nesting quadratic.
    for (usize i = m_jal_cursor; i < count && !m_has_error; ++i) {
        Fixup fixup = m_fixups[i];
        if (fixup.resolved || fixup.to_pool || fixup.kind != FixupKind::Jal)
            continue;
        if (i64(fixup.offset) + jal_reach >= jal_horizon)
            break;
        u32 veneer = offset();
        resolve(m_fixups[i], veneer);
        u32 scratch = m_options.scratch.id();
        emit32(u_type(Auipc, scratch, 0));
        emit32(i_type(encoding::Jalr, 0, 0, scratch, 0));
        add_label_fixup(veneer, Label(fixup.target), FixupKind::PcRelPair);
    }
    write32(jump_over, j_type(0, i32(offset() - jump_over)));
    --m_group_depth;
}

Result<void> CodeHolder::finalize() noexcept
{
    if (m_has_error)
        return m_error;
    if (m_finalized)
        return {};
    for (const Fixup& fixup : m_fixups) {
        if (!fixup.resolved && !fixup.to_pool)
            return Error::formatted(ErrorCode::NotFound, "label {} referenced but never bound", fixup.target);
    }
    m_pool_offset = align_up(usize(m_size), usize(8));
    for (Fixup& fixup : m_fixups) {
        if (fixup.to_pool)
            resolve(fixup, u32(m_pool_offset + 8 * usize(fixup.target)));
    }
    if (m_has_error)
        return m_error;
    m_finalized = true;
    m_limit = 0;
    return {};
}

usize CodeHolder::code_size() const noexcept
{
    if (m_pool.is_empty())
        return m_size;
    return m_pool_offset + 8 * m_pool.size();
}

Result<void> CodeHolder::copy_to(Span<u8> destination) const noexcept
{
    if (!m_finalized)
        return Error::from_code(ErrorCode::InvalidArgument, "copy_to before finalize");
    if (destination.size() < code_size())
        return Error::from_code(ErrorCode::OutOfRange, "destination smaller than the code");
    u8* out = destination.data();
    if (m_size > 0)
        __builtin_memcpy(out, m_text, m_size);
    if (m_pool.is_empty())
        return {};
    for (usize i = m_size; i < m_pool_offset; ++i)
        out[i] = 0;
    for (usize i = 0; i < m_pool.size(); ++i) {
        u64 value = m_pool[i];
        for (usize b = 0; b < 8; ++b)
            out[m_pool_offset + 8 * i + b] = u8(value >> (8 * b));
    }
    return {};
}

Result<void> CodeHolder::append_to(Vector<u8>& out) const noexcept
{
    if (!m_finalized)
        return Error::from_code(ErrorCode::InvalidArgument, "append_to before finalize");
    if (out.size() % 8 != 0)
        return Error::from_code(ErrorCode::InvalidArgument, "append_to: the code would not stay 8-byte aligned");
    TRY(out.try_extend(text()));
    if (m_pool.is_empty())
        return {};
    TRY(out.try_resize(out.size() + (m_pool_offset - m_size), 0));
    for (u64 value : m_pool) {
        u8 bytes[8];
        for (usize b = 0; b < 8; ++b)
            bytes[b] = u8(value >> (8 * b));
        TRY(out.try_extend(Span<const u8>(bytes, 8)));
    }
    return {};
}

} // namespace k23::riscv64
