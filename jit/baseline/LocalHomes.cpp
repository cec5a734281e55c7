// Locals homed in registers for the whole function (Compiler.h): which ones
// (a loop-weighted use count when a class has more locals than homes), and
// the scalar homes' state across control flow.
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

// A use's weight at loop depth `depth`: 8^depth, depth <= 3.
u64 loop_weight(u32 depth) noexcept { return u64(1) << (3 * (depth < 3 ? depth : 3)); }

// Uses of each local, weighted by loop depth (loop_weight).
struct LocalUses : wasm::NullInterface {
    Vector<u64>* uses { nullptr };
    Vector<bool> frames; // is_loop per open block
    u32 loops { 0 };
    void use(u32 index) noexcept
    {
        if (index < uses->size())
            (*uses)[index] += loop_weight(loops);
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

// A cheap estimate of LocalUses for the scalar ranking: one pass over the
// body's bytes, without decoding. local.get/set/tee (0x20-0x22) followed by
// an index in range count, weighted by the depth of loop (0x03) .. end
// (0x0b) bytes. Immediates that look like these opcodes miscount; that only
// changes which locals get registers, never what the code computes.
void estimate_local_uses_from_bytes(ReadonlyBytes body, Vector<u64>& uses) noexcept
{
    wasm::ByteReader r(body.data(), body.size(), 0, "body");
    // A LEB that does not read (a misread immediate) counts as no index.
    auto index = [&]() -> u32 {
        auto value = r.read_var_u32();
        return value.is_error() ? ~u32(0) : value.value();
    };
    u32 groups = index();
    for (u32 g = 0; g < groups && !r.at_end(); ++g) {
        (void)index();
        if (r.at_end())
            break;
        if (u8 t = *r.cursor(); (t == 0x63 || t == 0x64) && r.remaining() > 1)
            r.seek(r.position() + 1); // (ref null? ht): a heap type follows
        r.seek(r.position() + 1);     // the value type
    }
    u32 depth = 0;
    while (!r.at_end()) {
        u8 op = *r.cursor();
        r.seek(r.position() + 1);
        if (op >= 0x20 && op <= 0x22) {
            if (u32 local = index(); local < uses.size())
                uses[local] += loop_weight(depth);
        } else if (op == 0x03) {
            ++depth;
        } else if (op == 0x0b && depth > 0) {
            --depth;
        }
    }
}

constexpr GpReg s_gp_homes[] = { s9, s8, s7, s6, s5, s4, s3, s2 };
constexpr FpReg s_fp_homes[] = { fs11, fs10, fs9, fs8, fs7, fs6, fs5, fs4 };

} // namespace

// Which locals get homes: all of a class when they fit; else the ones with
// the most loop-weighted uses: for v128 locals counted by one more (trusted)
// decode of the body (which the scalar ranking then shares), for scalar ones
// alone estimated from the body's bytes.
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
    bool vec_homes = m_vector && m_wide && vectors > 0;
    bool rank = (vec_homes && vectors > max_vec_homes) || ints > max_scalar_homes || floats > max_scalar_homes;
    Vector<u64> uses;
    if ((vec_homes || rank) && uses.try_resize(m_local_count, 0).is_error())
        return fail(Error::from_code(ErrorCode::OutOfMemory, "baseline: locals"));
    if (rank && !(vec_homes && vectors > max_vec_homes)) {
        estimate_local_uses(uses);
    } else if (rank) {
        LocalUses scan;
        scan.uses = &uses;
        wasm::DecoderScratch scratch;
        wasm::FunctionDecoder<LocalUses, wasm::DecodeMode::Trusted> decoder(m_module, scan, scratch);
        if (decoder.decode(m_function_index).is_error())
            rank = false; // validated before: cannot happen; then by index
    }
    if (vec_homes)
        choose_vec_homes(uses);
    if (ints + floats > 0)
        choose_local_homes(rank ? &uses : nullptr);
}

// Up to eight of each class: all when they fit, else (with `uses`) the ones
// with the most loop-weighted uses, ties to the lower index; without
// `uses`, the first eight. Measured 2026-12-06 on the 13 C workloads
// (baseline/native geomean) and bench/compile's 25 Sightglass modules
// (instructions compiling, callgrind): the first eight 2.004x, 176.5 M;
// ranked by a trusted decode 1.963x, 195.2 M; ranked by the byte estimate
// (estimate_local_uses_from_bytes) 1.985x, 185.5 M — kept, as the
// baseline's reason to exist is compiling fast.
void Compiler::choose_local_homes(const Vector<u64>* uses) noexcept
{
    if (m_local_home.try_resize(m_local_count, 0).is_error())
        return fail(Error::from_code(ErrorCode::OutOfMemory, "baseline: locals"));
    static_assert(sizeof(s_gp_homes) / sizeof(s_gp_homes[0]) == max_scalar_homes);
    static_assert(sizeof(s_fp_homes) / sizeof(s_fp_homes[0]) == max_scalar_homes);
    auto class_of = [&](u32 i) -> i32 {
        ValueType t = m_local_types[i];
        if (is_float(t))
            return 1;
        return t == ValueType::I32 || t == ValueType::I64 ? 0 : -1;
    };
    // The heaviest eight of each class, heaviest first (insertion into a
    // list of eight: at most 8 compares a local). Marked in m_local_home
    // (1, not a register) and given registers in index order below.
    if (uses) {
        for (i32 c = 0; c < 2; ++c) {
            u32 top[max_scalar_homes];
            u32 n = 0;
            for (u32 i = 0; i < m_local_count; ++i) {
                if (class_of(i) != c)
                    continue;
                u64 w = (*uses)[i];
                u32 at = n;
                while (at > 0 && (*uses)[top[at - 1]] < w)
                    --at;
                if (at == max_scalar_homes)
                    continue;
                if (n < max_scalar_homes)
                    ++n;
                for (u32 k = n - 1; k > at; --k)
                    top[k] = top[k - 1];
                top[at] = i;
            }
            for (u32 k = 0; k < n; ++k)
                m_local_home[top[k]] = 1;
        }
    }
    u32 gp_count = 0, fp_count = 0;
    for (u32 i = 0; i < m_local_count && (gp_count < max_scalar_homes || fp_count < max_scalar_homes); ++i) {
        i32 c = class_of(i);
        if (c < 0 || (uses && m_local_home[i] != 1))
            continue;
        bool fp = c == 1;
        if ((fp ? fp_count : gp_count) == max_scalar_homes)
            continue;
        u8 reg = fp ? s_fp_homes[fp_count++].id() : s_gp_homes[gp_count++].id();
        m_local_home[i] = reg;
        m_stack.set_home(fp ? RegClass::Float : RegClass::Integer, reg);
        m_home_number[reg + (fp ? 32 : 0)] = u8(m_scalar_home_count);
        m_scalar_homes[m_scalar_home_count++] = i;
    }
}

void Compiler::estimate_local_uses(Vector<u64>& uses) noexcept
{
    const wasm::Function& f = m_module.functions()[m_function_index];
    estimate_local_uses_from_bytes(m_module.bytes().slice(f.body.offset, f.body.size), uses);
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
