// Locals homed in registers for the whole function (Compiler.h): which ones
// (v128: a loop-weighted use count when there are more than homes; scalar:
// the first of each class), and the scalar homes' state across control flow.
//
// A scalar home is valid (its register holds the local) or not (its slot
// does), and dirty (its slot is stale) or clean. local.get loads an invalid
// home on first use and then aliases it (no code); local.set writes it
// (valid, dirty; a value the last instruction computed is written there
// directly, MacroAssembler::retarget). The prologue moves register
// parameters and zeroed integer locals into their homes (valid, dirty);
// every other home starts invalid and clean (its slot holds the local), so
// it is loaded at its first use or at the first edge into a label, and one
// a function never reads costs nothing. A wasm call stores the dirty homes and
// leaves every home invalid (all registers are caller-saved across wasm
// calls, jit/Abi.h); one is reloaded when used, or all at the next edge
// into a label. Helper calls keep the homes: s2-s9 and fs4-fs11 are
// callee-saved in the C ABI, which helpers follow. Labels merge the states:
// every home is valid at a label, and dirty if it may be on any edge into
// it (a forward label: the union of its edges'; a loop header: all).

#include <jit/baseline/Compiler.h>

namespace k23::jit::baseline {

namespace {

// Uses of each local, weighted by loop depth (8^depth, depth <= 3).
struct LocalUses : wasm::NullInterface {
    Vector<u64>* uses { nullptr };
    Vector<bool> frames; // is_loop per open block
    u32 loops { 0 };
    void use(u32 index) noexcept
    {
        if (index < uses->size())
            (*uses)[index] += u64(1) << (3 * (loops < 3 ? loops : 3));
    }
    void on_local_get(u32, u32 index, ValueType) noexcept { use(index); }
    void on_local_set(u32, u32 index, ValueType) noexcept { use(index); }
    void on_local_tee(u32, u32 index, ValueType) noexcept { use(index); }
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

// Which locals get homes: v128 ones all when they fit, else ranked by one
// more decode of the body; scalar ones by index (choose_local_homes).
void Compiler::choose_homes() noexcept
{
    m_local_home.clear();
    m_vec_home.clear();
    m_scalar_home_count = 0;
    m_vec_home_count = 0;
    m_home_valid = 0;
    m_home_dirty = 0;
    u32 ints = 0, floats = 0, vectors = 0;
    for (ValueType t : m_local_types) {
        if (is_vec(t))
            ++vectors;
        else if (is_float(t))
            ++floats;
        else if (t == ValueType::I32 || t == ValueType::I64)
            ++ints;
    }
    if (m_vector && m_wide && vectors > 0) {
        Vector<u64> uses;
        if (uses.try_resize(m_local_count, 0).is_error())
            return fail(Error::from_code(ErrorCode::OutOfMemory, "baseline: locals"));
        if (vectors > max_vec_homes) {
            LocalUses scan;
            scan.uses = &uses;
            wasm::DecoderScratch scratch;
            wasm::FunctionDecoder<LocalUses, wasm::DecodeMode::Trusted> decoder(m_module, scan, scratch);
            if (decoder.decode(m_function_index).is_error())
                return; // validated before: cannot happen; no homes then
        }
        choose_vec_homes(uses);
    }
    if (ints + floats > 0)
        choose_local_homes();
}

// The first eight of each class, parameters first. Ranking them by weighted
// use (as the v128 locals are) was worth 2% more instructions off over the
// benchmarks but cost 11% of the compile speed when the extra decode still
// validated the body again (measured 2026-12-06, before the trusted decode
// mode). Measured again with the trusted decode, ranking only functions
// with more than eight locals of a class: 2.1% fewer instructions (geomean
// of the C workloads, 2.01x -> 1.97x native) for 8.2% more instructions
// compiling (callgrind, bench/compile's baseline/all inside compile_all,
// 374.7 M -> 405.5 M): not kept.
void Compiler::choose_local_homes() noexcept
{
    if (m_local_home.try_resize(m_local_count, 0).is_error())
        return fail(Error::from_code(ErrorCode::OutOfMemory, "baseline: locals"));
    static_assert(sizeof(s_gp_homes) / sizeof(s_gp_homes[0]) == max_scalar_homes);
    static_assert(sizeof(s_fp_homes) / sizeof(s_fp_homes[0]) == max_scalar_homes);
    u32 gp_count = 0, fp_count = 0;
    for (u32 i = 0; i < m_local_count && (gp_count < max_scalar_homes || fp_count < max_scalar_homes); ++i) {
        ValueType t = m_local_types[i];
        bool fp = is_float(t);
        if (!fp && t != ValueType::I32 && t != ValueType::I64)
            continue;
        if ((fp ? fp_count : gp_count) == max_scalar_homes)
            continue;
        u8 reg = fp ? s_fp_homes[fp_count++].id() : s_gp_homes[gp_count++].id();
        m_local_home[i] = reg;
        m_stack.set_home(fp ? RegClass::Float : RegClass::Integer, reg);
        m_home_number[reg + (fp ? 32 : 0)] = u8(m_scalar_home_count);
        m_scalar_homes[m_scalar_home_count++] = i;
    }
}

// local.get of an invalid home (after a call) loads it first.
void Compiler::load_home(u32 local) noexcept
{
    u32 bit = u32(1) << home_number(local);
    Entry e;
    e.type = m_local_types[local];
    m_stack.load_slot(e, local, m_local_home[local]);
    m_home_valid |= bit;
}

void Compiler::reload_homes(u32 wanted) noexcept
{
    for (u32 missing = wanted & ~m_home_valid; missing; missing &= missing - 1)
        load_home(m_scalar_homes[__builtin_ctz(missing)]);
}

// Before a wasm call (then every home is invalid) or on the OSR path (the
// state stays: `keep`): the dirty homes to their slots.
void Compiler::store_dirty_homes(Keep keep) noexcept
{
    for (u32 dirty = m_home_dirty & m_home_valid; dirty; dirty &= dirty - 1) {
        u32 local = m_scalar_homes[__builtin_ctz(dirty)];
        m_stack.store_slot(m_local_types[local], m_local_home[local], local);
    }
    if (keep == Keep::No)
        m_home_dirty = 0;
}

// A label's state: every home valid, and dirty if it may be on any edge
// into it (a loop header: all of them). Every edge reloads what it lacks.
void Compiler::homes_to_label(Frame& target) noexcept
{
    reload_homes(all_homes());
    if (target.kind != wasm::FrameKind::Loop)
        target.home_dirty |= m_home_dirty;
}

} // namespace k23::jit::baseline
