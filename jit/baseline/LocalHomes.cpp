// Locals homed in registers for the whole function (Compiler.h): which ones
// (a loop-weighted count of their uses, the same for v128 and scalar
// locals), and their stores and reloads around wasm calls.
//
// A scalar home pays when its local is read more often than the calls
// around it cost: local.get of a homed local is free (the entry aliases the
// home) where a slot costs a load, local.set is one move either way, and
// every wasm call costs a reload of each home (all registers are
// caller-saved across wasm calls, jit/Abi.h) and a store of each home the
// function writes. Helper calls cost nothing: the homes (s2-s9, fs4-fs11)
// are callee-saved in the C ABI, which helpers follow.

#include <jit/baseline/Compiler.h>

namespace k23::jit::baseline {

namespace {

// Uses of each local and calls, weighted by loop depth (8^depth, depth <= 3).
struct LocalUses : wasm::NullInterface {
    Vector<u64>* uses { nullptr };
    Vector<u64>* gets { nullptr };
    Vector<bool>* written { nullptr };
    u64 calls { 0 };
    Vector<bool> frames; // is_loop per open block
    u32 loops { 0 };
    [[nodiscard]] u64 weight() const noexcept { return u64(1) << (3 * (loops < 3 ? loops : 3)); }
    void use(u32 index) noexcept
    {
        if (index < uses->size())
            (*uses)[index] += weight();
    }
    void write(u32 index) noexcept
    {
        use(index);
        if (index < written->size())
            (*written)[index] = true;
    }
    void on_local_get(u32, u32 index, ValueType) noexcept
    {
        use(index);
        if (index < gets->size())
            (*gets)[index] += weight();
    }
    void on_local_set(u32, u32 index, ValueType) noexcept { write(index); }
    void on_local_tee(u32, u32 index, ValueType) noexcept { write(index); }
    void on_call(u32, u32, const FunctionType&) noexcept { calls += weight(); }
    void on_call_indirect(u32, u32, u32, const FunctionType&) noexcept { calls += weight(); }
    void on_block(u32, const ControlFrame&) noexcept { (void)frames.try_append(false); }
    void on_if(u32, const ControlFrame&) noexcept { (void)frames.try_append(false); }
    void on_loop(u32, const ControlFrame&) noexcept
    {
        (void)frames.try_append(true);
        ++loops;
    }
    void on_end(u32, const ControlFrame&) noexcept
    {
        if (!frames.is_empty() && frames.take_last())
            --loops;
    }
};

constexpr GpReg s_gp_homes[] = { s9, s8, s7, s6, s5, s4, s3, s2 };
constexpr FpReg s_fp_homes[] = { fs11, fs10, fs9, fs8, fs7, fs6, fs5, fs4 };

} // namespace

// One more decode of the body when there is a choice to make: a scalar
// local (whether a home pays depends on the calls), or more v128 locals
// than vector homes.
void Compiler::choose_homes() noexcept
{
    m_local_home.clear();
    m_vec_home.clear();
    m_scalar_home_count = 0;
    m_vec_home_count = 0;
    u32 scalars = 0, vectors = 0;
    for (ValueType t : m_local_types) {
        if (is_vec(t))
            ++vectors;
        else if (t == ValueType::I32 || t == ValueType::I64 || is_float(t))
            ++scalars;
    }
    bool vec_homes = m_vector && m_wide && vectors > 0;
    if (scalars == 0 && !vec_homes)
        return;
    Vector<u64> uses, gets;
    Vector<bool> written;
    if (uses.try_resize(m_local_count, 0).is_error() || gets.try_resize(m_local_count, 0).is_error()
        || written.try_resize(m_local_count, false).is_error())
        return fail(Error::from_code(ErrorCode::OutOfMemory, "baseline: locals"));
    u64 calls = 0;
    if (scalars > 0 || vectors > max_vec_homes) {
        LocalUses scan;
        scan.uses = &uses;
        scan.gets = &gets;
        scan.written = &written;
        wasm::DecoderScratch scratch;
        wasm::FunctionDecoder<LocalUses> decoder(m_module, scan, scratch);
        if (decoder.decode(m_function_index).is_error())
            return; // validated before: cannot happen; no homes then
        calls = scan.calls;
    }
    if (vec_homes)
        choose_vec_homes(uses);
    if (scalars > 0)
        choose_local_homes(gets, written, calls);
}

void Compiler::choose_local_homes(const Vector<u64>& gets, const Vector<bool>& written, u64 call_weight) noexcept
{
    if (m_local_home.try_resize(m_local_count, 0).is_error())
        return fail(Error::from_code(ErrorCode::OutOfMemory, "baseline: locals"));
    u32 gp_count = 0, fp_count = 0;
    constexpr u32 max_each = sizeof(s_gp_homes) / sizeof(s_gp_homes[0]);
    for (;;) {
        // The local with the largest gain left, of a class with a home left.
        u32 best = m_local_count;
        u64 best_gain = 0;
        for (u32 i = 0; i < m_local_count; ++i) {
            ValueType t = m_local_types[i];
            if (m_local_home[i] || is_vec(t) || (t != ValueType::I32 && t != ValueType::I64 && !is_float(t)))
                continue;
            if (is_float(t) ? fp_count == max_each : gp_count == max_each)
                continue;
            u64 cost = call_weight * (written[i] ? 2 : 1) + 1;
            u64 gain = gets[i] > cost ? gets[i] - cost : 0;
            if (gain > best_gain) {
                best = i;
                best_gain = gain;
            }
        }
        if (best == m_local_count)
            break;
        u8 reg = is_float(m_local_types[best]) ? s_fp_homes[fp_count++].id() : s_gp_homes[gp_count++].id();
        m_local_home[best] = reg;
        if (is_float(m_local_types[best]))
            m_fp_owner[reg] = home_reg;
        else
            m_gp_owner[reg] = home_reg;
    }
    for (u32 i = 0; i < m_local_count; ++i) {
        if (m_local_home[i]) {
            m_scalar_home_written[m_scalar_home_count] = written[i];
            m_scalar_homes[m_scalar_home_count++] = i;
        }
    }
}

void Compiler::store_local_homes() noexcept
{
    for (u32 n = 0; n < m_scalar_home_count; ++n) {
        if (m_scalar_home_written[n]) {
            u32 local = m_scalar_homes[n];
            store_slot(m_local_types[local], m_local_home[local], local);
        }
    }
}

void Compiler::load_local_homes() noexcept
{
    for (u32 n = 0; n < m_scalar_home_count; ++n) {
        u32 local = m_scalar_homes[n];
        Entry e;
        e.type = m_local_types[local];
        load_slot(e, local, m_local_home[local]);
    }
}

// Before a homed local is written: the entries that still alias its home
// (local.get pushed them) get the old value, in a free register of their
// own or else in their slots.
void Compiler::detach_aliases(ValueType type, u8 home) noexcept
{
    u32& count = alias_count(type, home);
    for (u32 i = u32(m_stack.size()); count > 0 && i > m_spilled_below;) {
        --i;
        Entry& e = m_stack[i];
        if (e.loc != Loc::Reg || e.reg != home || is_float(e.type) != is_float(type))
            continue;
        i32 free = free_register(is_float(type) ? RegClass::Float : RegClass::Integer);
        if (free < 0) {
            spill(i); // one alias less
            continue;
        }
        if (is_float(type)) {
            m_asm.fmv_d(FpReg(u8(free)), FpReg(home)); // all 64 bits: an f32 stays NaN-boxed
            m_fp_owner[free] = i32(i);
        } else {
            m_asm.mv(GpReg(u8(free)), GpReg(home));
            m_gp_owner[free] = i32(i);
        }
        e.reg = u8(free);
        --count;
    }
}

} // namespace k23::jit::baseline
