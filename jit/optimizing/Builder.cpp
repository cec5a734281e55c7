// Builder (Builder.h): wasm function body -> SSA IR.

#include <jit/optimizing/Builder.h>
#include <wasm/Runtime.h>

namespace k23::jit::optimizing {

using wasm::FrameKind;
using wasm::ValueType;

namespace {

// Heapsort: O(n log n) whatever the input, no allocation.
void sort_ascending(Span<u32> items) noexcept
{
    usize n = items.size();
    auto sift_down = [&](usize root, usize end) {
        for (;;) {
            usize child = 2 * root + 1;
            if (child >= end)
                return;
            if (child + 1 < end && items[child] < items[child + 1])
                ++child;
            if (!(items[root] < items[child]))
                return;
            u32 t = items[root];
            items[root] = items[child];
            items[child] = t;
            root = child;
        }
    };
    for (usize i = n / 2; i > 0; --i)
        sift_down(i - 1, n);
    for (usize end = n; end > 1; --end) {
        u32 t = items[0];
        items[0] = items[end - 1];
        items[end - 1] = t;
        sift_down(0, end - 1);
    }
}

// The scanning walk: which locals each block, loop and if assigns. Each
// open construct collects its locals (each once) in a stack of lists;
// when it ends, its list is kept for its ordinal and merged into its
// parent's, so nested constructs cost their distinct locals, not every
// assignment once per enclosing construct.
//
// OSR (osr_loop_offset != 0): the target loop's header takes every local
// from the entry, which assigns them all there, so the loop and every
// construct around it list every local: a block's end reached both from
// inside the target loop and from a path around it (an enclosing loop's
// next iteration skipping it) must merge them all, or the path around it
// would read the header's values, which do not dominate it (bz2's
// BZ2_compressBlock looped forever on a stale counter).
class Scanner : public wasm::NullInterface {
public:
    Scanner(Builder::Scan& scan, u32 osr_loop_offset) noexcept
        : m_scan(scan)
        , m_osr_offset(osr_loop_offset)
    {
        m_scan.locals.clear();
        m_scan.frame_begin.clear();
        m_scan.frame_count.clear();
    }
    void on_function_begin(Span<const ValueType> locals) noexcept { note(m_mark.try_resize(locals.size(), 0)); }
    Result<void> on_function_end() noexcept { return m_result; }
    void on_block(u32, const wasm::ControlFrame&) noexcept { open(); }
    void on_loop(u32 offset, const wasm::ControlFrame&) noexcept
    {
        open();
        if (m_osr_offset && offset == m_osr_offset) {
            for (u32 local = 0; local < m_mark.size(); ++local)
                assign(local);
        }
    }
    void on_if(u32, const wasm::ControlFrame&) noexcept { open(); }
    void on_end(u32, const wasm::ControlFrame& frame) noexcept
    {
        if (frame.kind == FrameKind::Function || m_open.is_empty() || m_result.is_error())
            return;
        Open inner = m_open.take_last();
        Span<u32> list = m_work.span().slice(inner.begin);
        sort_ascending(list);
        m_scan.frame_begin[inner.ordinal] = u32(m_scan.locals.size());
        m_scan.frame_count[inner.ordinal] = u32(list.size());
        note(m_scan.locals.try_extend(list));
        if (m_open.is_empty()) {
            note(m_work.try_resize(0));
            return;
        }
        // Into the parent: mark what it has, add what it lacks.
        Open& parent = m_open.last();
        parent.stamp = ++m_stamp;
        for (u32 k = parent.begin; k < inner.begin; ++k)
            m_mark[m_work[k]] = parent.stamp;
        u32 end = u32(m_work.size());
        for (u32 k = inner.begin; k < end; ++k) {
            u32 local = m_work[k];
            if (m_mark[local] != parent.stamp) {
                m_mark[local] = parent.stamp;
                note(m_merge.try_append(local));
            }
        }
        note(m_work.try_resize(inner.begin));
        note(m_work.try_extend(m_merge.span()));
        m_merge.clear();
    }
    void on_local_set(u32, u32 index, ValueType) noexcept { assign(index); }
    void on_local_tee(u32, u32 index, ValueType) noexcept { assign(index); }

private:
    struct Open {
        u32 ordinal;
        u32 begin; // of its list in m_work
        u32 stamp; // m_mark[local] == stamp: local is in the list
    };
    void open() noexcept
    {
        Open frame { u32(m_scan.frame_begin.size()), u32(m_work.size()), ++m_stamp };
        note(m_open.try_append(frame));
        note(m_scan.frame_begin.try_append(0));
        note(m_scan.frame_count.try_append(0));
    }
    void assign(u32 local) noexcept
    {
        if (m_open.is_empty() || local >= m_mark.size())
            return;
        Open& frame = m_open.last();
        if (m_mark[local] == frame.stamp)
            return;
        m_mark[local] = frame.stamp;
        note(m_work.try_append(local));
    }
    void note(const Result<void>& result) noexcept
    {
        if (result.is_error() && !m_result.is_error())
            m_result = result;
    }

    Builder::Scan& m_scan;
    u32 m_osr_offset { 0 };
    Vector<Open> m_open;
    Vector<u32> m_work;
    Vector<u32> m_merge;
    Vector<u32> m_mark;
    u32 m_stamp { 0 };
    Result<void> m_result;
};

} // namespace

Result<void> build_function(const wasm::Module& module, u32 function_index, Function& out, u32 osr_loop_offset) noexcept
{
    if (function_index >= module.functions().size() || module.functions()[function_index].imported)
        return Error::formatted(ErrorCode::InvalidArgument, "function {} is not defined in the module", function_index);
    Builder builder(module, out);
    wasm::DecoderScratch scratch;
    {
        Scanner scanner(builder.scan(), osr_loop_offset);
        wasm::FunctionDecoder<Scanner, wasm::DecodeMode::Trusted> decoder(module, scanner, scratch);
        TRY(decoder.decode(function_index));
    }
    builder.begin(function_index, osr_loop_offset);
    wasm::FunctionDecoder<Builder, wasm::DecodeMode::Trusted> decoder(module, builder, scratch);
    return decoder.decode(function_index);
}

void Builder::begin(u32 function_index, u32 osr_loop_offset) noexcept
{
    m_osr_offset = osr_loop_offset;
    m_osr_done = false;
    m_osr_entry = no_id;
    m_osr_values.clear();
    m_fn.clear();
    m_fn.module = &m_module;
    m_fn.function_index = function_index;
    m_offset = m_module.functions()[function_index].body.offset;
    m_reachable = true;
    m_failed = false;
    m_current = no_id;
    m_stack.clear();
    m_locals.clear();
    m_local_types.clear();
    m_frames.clear();
    m_saved.clear();
    m_next_ordinal = 0;
    wasm::FunctionType type = m_module.function_type(function_index);
    check(types_of(type.params, m_fn.param_types));
    check(types_of(type.results, m_fn.result_types));
}

void Builder::fail(const Error& error) noexcept
{
    if (m_failed)
        return;
    m_failed = true;
    m_error = error.has_offset() ? error : error.with_offset(m_offset);
}

void Builder::unsupported(u32 offset, const char* what) noexcept
{
    m_offset = offset;
    fail(Error::formatted(ErrorCode::Unsupported, "the optimizing tier does not compile {} yet", what));
}

Result<Type> Builder::type_of(ValueType t) noexcept
{
    return ir_type(t);
}

Result<void> Builder::types_of(Span<const ValueType> types, Vector<Type>& out) noexcept
{
    out.clear();
    for (ValueType t : types)
        TRY(out.try_append(TRY(ir_type(t))));
    return {};
}

Result<Span<const ValueId>> Builder::pop_args(u32 count) noexcept
{
    VERIFY(count <= m_stack.size());
    m_args.clear();
    TRY(m_args.try_extend(m_stack.span().slice(m_stack.size() - count)));
    TRY(m_stack.try_resize(m_stack.size() - count));
    return m_args.span();
}

Result<ValueId> Builder::emit(const Inst& proto, Span<const ValueId> args, Type result) noexcept
{
    Type results[1] = { result };
    InstId id = TRY(m_fn.append(m_current, proto, args, Span<const Type>(results, 1)));
    return m_fn.result(id);
}

Result<void> Builder::emit_void(const Inst& proto, Span<const ValueId> args) noexcept
{
    TRY(m_fn.append(m_current, proto, args));
    return {};
}

// ---------------------------------------------------------------- function

void Builder::on_function_begin(Span<const ValueType> locals) noexcept
{
    if (m_failed)
        return;
    auto result = [&]() -> Result<void> {
        TRY(types_of(locals, m_local_types));
        m_fn.entry = TRY(m_fn.create_block(m_fn.param_types.span()));
        m_current = m_fn.entry;
        if (m_osr_offset)
            TRY(begin_osr());
        // §4.5.3.1 / §4.4.10: parameters are the arguments, every other
        // local starts at its type's default value (zero, or null).
        Span<const ValueId> params = m_fn.params(m_current);
        ValueId zeros[7] = { no_id, no_id, no_id, no_id, no_id, no_id, no_id };
        for (u32 i = 0; i < m_local_types.size(); ++i) {
            if (i < params.size()) {
                TRY(m_locals.try_append(params[i]));
                continue;
            }
            Type t = m_local_types[i];
            if (zeros[u8(t)] == no_id) {
                Inst c = proto(t == Type::V128 ? Op::Simd : Op::Const);
                c.wasm_op = t == Type::V128 ? Opcode::V128Const : Opcode::Nop;
                c.imm = 0;
                zeros[u8(t)] = TRY(emit(c, {}, t));
            }
            TRY(m_locals.try_append(zeros[u8(t)]));
        }
        Frame frame;
        frame.kind = FrameKind::Function;
        frame.results = m_module.function_type(m_fn.function_index).results;
        TRY(m_frames.try_append(frame));
        return {};
    }();
    check(result);
}

Result<void> Builder::on_function_end() noexcept
{
    if (m_failed)
        return m_error;
    if (m_osr_offset && !m_osr_done)
        return Error::formatted(ErrorCode::Unsupported, "OSR: no reachable loop at wasm offset {:#x}"_sv, m_osr_offset);
    m_fn.apply_replacements();
    TRY(m_fn.remove_unreachable_blocks());
    if (m_osr_offset)
        m_fn.compute_incoming(); // the removed start's edges are gone
    return {};
}

// OSR: the entry block loads every local; the function's own start becomes
// a block nothing reaches (built as usual, then removed).
Result<void> Builder::begin_osr() noexcept
{
    u32 globals = u32(m_module.globals().size());
    m_osr_entry = m_fn.entry;
    m_osr_locals_begin = u32(m_scan.locals.size());
    for (u32 i = 0; i < m_local_types.size(); ++i) {
        Inst get = proto(Op::GlobalGet);
        get.index = globals + i;
        TRY(m_osr_values.try_append(TRY(emit(get, {}, m_local_types[i]))));
        TRY(m_scan.locals.try_append(i));
    }
    m_current = TRY(m_fn.create_block(m_fn.param_types.span()));
    return {};
}

// OSR: the target loop's header takes every local; the entry jumps to it.
Result<void> Builder::enter_osr_loop(Frame& frame, const wasm::ControlFrame& cf) noexcept
{
    if (!m_stack.is_empty() || !cf.params.is_empty())
        return Error::from_code(ErrorCode::Unsupported, "OSR: values on the stack at the loop");
    frame.locals_begin = m_osr_locals_begin;
    frame.locals_count = u32(m_local_types.size());
    return {};
}

Result<void> Builder::emit_return(u32 offset) noexcept
{
    m_offset = offset;
    Span<const ValueId> values = TRY(pop_args(u32(m_fn.result_types.size())));
    TRY(emit_void(proto(Op::Return), values));
    m_reachable = false;
    return {};
}

void Builder::on_return(u32 offset) noexcept
{
    if (!live())
        return;
    check(emit_return(offset));
}

void Builder::on_unreachable(u32 offset) noexcept
{
    if (!live())
        return;
    m_offset = offset;
    Inst trap = proto(Op::Trap);
    trap.imm = u64(wasm::TrapCode::Unreachable);
    check(emit_void(trap, {}));
    m_reachable = false;
}

// ---------------------------------------------------------------- merges


void Builder::collect_frame_locals(Frame& frame) noexcept
{
    u32 ordinal = m_next_ordinal++;
    frame.locals_begin = 0;
    frame.locals_count = 0;
    if (frame.dead || ordinal >= m_scan.frame_begin.size())
        return;
    frame.locals_begin = m_scan.frame_begin[ordinal];
    frame.locals_count = m_scan.frame_count[ordinal];
}

Result<BlockId> Builder::create_merge_block(Span<const ValueType> label_types, const Frame& frame) noexcept
{
    TRY(types_of(label_types, m_types2));
    for (u32 local : frame_locals(frame))
        TRY(m_types2.try_append(m_local_types[local]));
    return m_fn.create_block(m_types2.span());
}

void Builder::set_frame_locals(const Frame& frame, Span<const ValueId> values) noexcept
{
    Span<const u32> locals = frame_locals(frame);
    for (u32 k = 0; k < locals.size(); ++k)
        m_locals[locals[k]] = m_fn.resolve(values[k]);
}

Result<BlockId> Builder::branch_target(Frame& frame) noexcept
{
    u32 arity = frame.label_arity();
    m_edge_args.clear();
    TRY(m_edge_args.try_extend(m_stack.span().slice(m_stack.size() - arity)));
    if (frame.kind == FrameKind::Function) {
        // A conditional branch out of the function: to a return block.
        if (frame.target == no_id) {
            frame.target = TRY(m_fn.create_block(m_fn.result_types.span()));
            Span<const ValueId> params = m_fn.params(frame.target);
            Inst ret = proto(Op::Return);
            m_args.clear();
            TRY(m_args.try_extend(params));
            TRY(m_fn.append(frame.target, ret, m_args.span()));
        }
        return frame.target;
    }
    for (u32 local : frame_locals(frame))
        TRY(m_edge_args.try_append(m_locals[local]));
    return frame.target;
}

Result<void> Builder::add_edge(InstId term, BlockId target, Span<const ValueId> args) noexcept
{
    EdgeId e = TRY(m_fn.add_edge(term, target, args));
    // Keep the target's incoming list current while building (seal needs it).
    m_fn.edges[e].next_incoming = m_fn.blocks[target].first_incoming;
    m_fn.blocks[target].first_incoming = e;
    return {};
}

Result<void> Builder::add_branch_edge(InstId term, Frame& frame) noexcept
{
    BlockId target = TRY(branch_target(frame));
    return add_edge(term, target, m_edge_args.span());
}

Result<void> Builder::seal(BlockId block) noexcept
{
    (void)m_fn.remove_trivial_params(block);
    return {};
}

// ---------------------------------------------------------------- control

Result<void> Builder::do_block(const wasm::ControlFrame& cf, FrameKind kind) noexcept
{
    Frame frame;
    frame.kind = kind;
    frame.params = cf.params;
    frame.results = cf.results;
    frame.height = u32(m_stack.size() - cf.params.size());
    collect_frame_locals(frame);
    // Constructs around the target list every local (the Scanner), so a
    // branch back to an enclosing loop's header, live from after the
    // target, takes every local from there, never from the dead start.
    bool osr = kind == FrameKind::Loop && m_osr_offset && m_offset == m_osr_offset && !m_osr_done;
    if (osr)
        TRY(enter_osr_loop(frame, cf));
    if (kind == FrameKind::Loop) {
        // §4.4.8 loop: the label is the loop's start with the params.
        BlockId header = TRY(create_merge_block(cf.params, frame));
        frame.target = header;
        Inst jump = proto(Op::Jump);
        InstId term = TRY(m_fn.append(m_current, jump, {}));
        TRY(add_branch_edge(term, frame));
        if (osr) {
            InstId entry_jump = TRY(m_fn.append(m_osr_entry, jump, {}));
            TRY(add_edge(entry_jump, header, m_osr_values.span()));
            m_osr_done = true;
        }
        m_current = header;
        Span<const ValueId> params = m_fn.params(header);
        TRY(m_stack.try_resize(frame.height));
        for (u32 i = 0; i < cf.params.size(); ++i)
            TRY(m_stack.try_append(params[i]));
        set_frame_locals(frame, params.slice(cf.params.size()));
    } else {
        frame.target = TRY(create_merge_block(cf.results, frame));
    }
    for (ValueType t : cf.params)
        TRY(type_of(t));
    TRY(m_frames.try_append(frame));
    return {};
}

void Builder::on_block(u32 offset, const wasm::ControlFrame& cf) noexcept
{
    if (m_failed)
        return;
    m_offset = offset;
    if (!m_reachable) {
        Frame frame;
        frame.dead = true;
        collect_frame_locals(frame);
        check(m_frames.try_append(frame));
        return;
    }
    check(do_block(cf, FrameKind::Block));
}

void Builder::on_loop(u32 offset, const wasm::ControlFrame& cf) noexcept
{
    if (m_failed)
        return;
    m_offset = offset;
    if (!m_reachable) {
        Frame frame;
        frame.dead = true;
        collect_frame_locals(frame);
        check(m_frames.try_append(frame));
        return;
    }
    check(do_block(cf, FrameKind::Loop));
}

Result<void> Builder::do_if(const wasm::ControlFrame& cf) noexcept
{
    ValueId cond = pop();
    Frame frame;
    frame.kind = FrameKind::If;
    frame.params = cf.params;
    frame.results = cf.results;
    frame.height = u32(m_stack.size() - cf.params.size());
    for (ValueType t : cf.params)
        TRY(type_of(t));
    collect_frame_locals(frame);
    frame.target = TRY(create_merge_block(cf.results, frame));
    BlockId then_block = TRY(m_fn.create_block({}));
    frame.else_block = TRY(m_fn.create_block({}));
    ValueId args[1] = { cond };
    InstId term = TRY(m_fn.append(m_current, proto(Op::Branch), Span<const ValueId>(args, 1)));
    TRY(add_edge(term, then_block, {}));
    TRY(add_edge(term, frame.else_block, {}));
    // The else branch starts from the if's params and locals (§4.4.8 if).
    frame.saved_begin = u32(m_saved.size());
    TRY(m_saved.try_extend(m_stack.span().slice(frame.height)));
    for (u32 local : frame_locals(frame))
        TRY(m_saved.try_append(m_locals[local]));
    TRY(m_frames.try_append(frame));
    m_current = then_block;
    return {};
}

void Builder::on_if(u32 offset, const wasm::ControlFrame& cf) noexcept
{
    if (m_failed)
        return;
    m_offset = offset;
    if (!m_reachable) {
        Frame frame;
        frame.dead = true;
        collect_frame_locals(frame);
        check(m_frames.try_append(frame));
        return;
    }
    check(do_if(cf));
}

Result<void> Builder::do_else() noexcept
{
    Frame& frame = m_frames.last();
    if (m_reachable) {
        InstId term = TRY(m_fn.append(m_current, proto(Op::Jump), {}));
        TRY(add_branch_edge(term, frame));
    }
    frame.has_else = true;
    m_current = frame.else_block;
    m_reachable = true;
    TRY(m_stack.try_resize(frame.height));
    Span<const ValueId> saved = m_saved.span().slice(frame.saved_begin);
    for (u32 i = 0; i < frame.params.size(); ++i)
        TRY(m_stack.try_append(saved[i]));
    set_frame_locals(frame, saved.slice(frame.params.size()));
    return {};
}

void Builder::on_else(u32 offset, const wasm::ControlFrame&) noexcept
{
    if (m_failed)
        return;
    m_offset = offset;
    if (m_frames.last().dead)
        return;
    check(do_else());
}

Result<void> Builder::do_end() noexcept
{
    Frame frame = m_frames.take_last();
    if (frame.kind == FrameKind::Function) {
        if (m_reachable)
            TRY(emit_return(m_offset));
        if (frame.target != no_id)
            TRY(seal(frame.target));
        return {};
    }
    if (frame.kind == FrameKind::Loop) {
        // Every branch back to the header is known now.
        TRY(seal(frame.target));
        return {};
    }
    if (m_reachable) {
        InstId term = TRY(m_fn.append(m_current, proto(Op::Jump), {}));
        TRY(add_branch_edge(term, frame));
    }
    if (frame.kind == FrameKind::If) {
        if (!frame.has_else) {
            // The missing else passes the params (= results) through.
            m_current = frame.else_block;
            TRY(m_stack.try_resize(frame.height));
            Span<const ValueId> saved = m_saved.span().slice(frame.saved_begin);
            for (u32 i = 0; i < frame.params.size(); ++i)
                TRY(m_stack.try_append(saved[i]));
            set_frame_locals(frame, saved.slice(frame.params.size()));
            InstId term = TRY(m_fn.append(m_current, proto(Op::Jump), {}));
            TRY(add_branch_edge(term, frame));
        }
        TRY(m_saved.try_resize(frame.saved_begin));
    }
    BlockId end = frame.target;
    TRY(m_stack.try_resize(frame.height));
    if (m_fn.blocks[end].first_incoming == no_id) {
        // Nothing reaches the end: what follows is unreachable.
        m_reachable = false;
        return {};
    }
    // Remember the parameters before seal() drops the trivial ones: the
    // dropped ones resolve to their single value.
    u32 arity = frame.label_arity();
    Span<const ValueId> params = m_fn.params(end);
    m_args.clear();
    TRY(m_args.try_extend(params));
    TRY(seal(end));
    for (u32 i = 0; i < arity; ++i)
        TRY(m_stack.try_append(m_fn.resolve(m_args[i])));
    set_frame_locals(frame, m_args.span().slice(arity));
    m_current = end;
    m_reachable = true;
    return {};
}

void Builder::on_end(u32 offset, const wasm::ControlFrame&) noexcept
{
    if (m_failed)
        return;
    m_offset = offset;
    if (m_frames.last().dead) {
        m_frames.take_last();
        return;
    }
    check(do_end());
}

void Builder::on_br(u32 offset, u32 depth) noexcept
{
    if (!live())
        return;
    m_offset = offset;
    Frame& frame = frame_at(depth);
    if (frame.kind == FrameKind::Function) {
        check(emit_return(offset));
        return;
    }
    auto result = [&]() -> Result<void> {
        InstId term = TRY(m_fn.append(m_current, proto(Op::Jump), {}));
        TRY(add_branch_edge(term, frame));
        m_reachable = false;
        return {};
    }();
    check(result);
}

Result<void> Builder::do_br_if(u32 depth) noexcept
{
    ValueId args[1] = { pop() };
    BlockId next = TRY(m_fn.create_block({}));
    InstId term = TRY(m_fn.append(m_current, proto(Op::Branch), Span<const ValueId>(args, 1)));
    TRY(add_branch_edge(term, frame_at(depth)));
    TRY(add_edge(term, next, {}));
    m_current = next;
    return {};
}

void Builder::on_br_if(u32 offset, u32 depth) noexcept
{
    if (!live())
        return;
    m_offset = offset;
    check(do_br_if(depth));
}

Result<void> Builder::do_br_table(Span<const u32> targets, u32 default_depth) noexcept
{
    ValueId args[1] = { pop() };
    InstId term = TRY(m_fn.append(m_current, proto(Op::BrTable), Span<const ValueId>(args, 1)));
    for (u32 depth : targets)
        TRY(add_branch_edge(term, frame_at(depth)));
    TRY(add_branch_edge(term, frame_at(default_depth)));
    m_reachable = false;
    return {};
}

void Builder::on_br_table(u32 offset, Span<const u32> targets, u32 default_depth) noexcept
{
    if (!live())
        return;
    m_offset = offset;
    check(do_br_table(targets, default_depth));
}

// ---------------------------------------------------------------- calls

Result<void> Builder::do_call(Op op, u32 index, u32 index2, const wasm::FunctionType& type) noexcept
{
    bool indirect = op == Op::CallIndirect || op == Op::ReturnCallIndirect;
    for (ValueType t : type.params)
        TRY(type_of(t));
    TRY(types_of(type.results, m_types));
    Span<const ValueId> args = TRY(pop_args(u32(type.params.size()) + (indirect ? 1 : 0)));
    Inst call = proto(op);
    call.index = index;
    call.index2 = index2;
    if (op == Op::ReturnCall || op == Op::ReturnCallIndirect) {
        TRY(emit_void(call, args));
        m_reachable = false;
        return {};
    }
    InstId id = TRY(m_fn.append(m_current, call, args, m_types.span()));
    for (u32 i = 0; i < m_types.size(); ++i)
        TRY(m_stack.try_append(m_fn.insts[id].first_result + i));
    return {};
}

void Builder::on_call(u32 offset, u32 function, const wasm::FunctionType& type) noexcept
{
    if (!live())
        return;
    m_offset = offset;
    check(do_call(Op::Call, function, 0, type));
}

void Builder::on_call_indirect(u32 offset, u32 type_index, u32 table, const wasm::FunctionType& type) noexcept
{
    if (!live())
        return;
    m_offset = offset;
    check(do_call(Op::CallIndirect, type_index, table, type));
}

void Builder::on_return_call(u32 offset, u32 function, const wasm::FunctionType& type) noexcept
{
    if (!live())
        return;
    m_offset = offset;
    check(do_call(Op::ReturnCall, function, 0, type));
}

void Builder::on_return_call_indirect(u32 offset, u32 type_index, u32 table, const wasm::FunctionType& type) noexcept
{
    if (!live())
        return;
    m_offset = offset;
    check(do_call(Op::ReturnCallIndirect, type_index, table, type));
}

// ---------------------------------------------------------------- variables

void Builder::on_drop(u32, ValueType) noexcept
{
    if (!live())
        return;
    (void)pop();
}

void Builder::on_select(u32 offset, ValueType t) noexcept
{
    if (!live())
        return;
    m_offset = offset;
    auto result = [&]() -> Result<void> {
        Type type = TRY(type_of(t));
        // §4.4.4 select: val1 if c is not zero, else val2. IR order: c, val1, val2.
        ValueId c = pop();
        ValueId val2 = pop();
        ValueId val1 = pop();
        ValueId args[3] = { c, val1, val2 };
        Inst select = proto(Op::Select);
        TRY(m_stack.try_append(TRY(emit(select, Span<const ValueId>(args, 3), type))));
        return {};
    }();
    check(result);
}

void Builder::on_local_get(u32, u32 index, ValueType) noexcept
{
    if (!live())
        return;
    check(m_stack.try_append(m_locals[index]));
}

void Builder::on_local_set(u32, u32 index, ValueType) noexcept
{
    if (!live())
        return;
    m_locals[index] = pop();
}

void Builder::on_local_tee(u32, u32 index, ValueType) noexcept
{
    if (!live())
        return;
    m_locals[index] = m_stack.last();
}

void Builder::on_global_get(u32 offset, u32 index, ValueType t) noexcept
{
    if (!live())
        return;
    m_offset = offset;
    auto result = [&]() -> Result<void> {
        Inst get = proto(Op::GlobalGet);
        get.index = index;
        TRY(m_stack.try_append(TRY(emit(get, {}, TRY(type_of(t))))));
        return {};
    }();
    check(result);
}

void Builder::on_global_set(u32 offset, u32 index, ValueType t) noexcept
{
    if (!live())
        return;
    m_offset = offset;
    auto result = [&]() -> Result<void> {
        TRY(type_of(t));
        Inst set = proto(Op::GlobalSet);
        set.index = index;
        ValueId args[1] = { pop() };
        return emit_void(set, Span<const ValueId>(args, 1));
    }();
    check(result);
}

// ---------------------------------------------------------------- memory

void Builder::on_load(u32 offset, Opcode op, const wasm::MemArg& arg) noexcept
{
    if (!live())
        return;
    m_offset = offset;
    auto result = [&]() -> Result<void> {
        const wasm::SignatureTypes& sig = wasm::signature_types(wasm::opcode_info(op).signature);
        Type type = TRY(type_of(sig.results[0]));
        Inst load = proto(Op::Load);
        load.wasm_op = op;
        load.index = arg.memory;
        load.imm = arg.offset;
        ValueId args[1] = { pop() };
        TRY(m_stack.try_append(TRY(emit(load, Span<const ValueId>(args, 1), type))));
        return {};
    }();
    check(result);
}

void Builder::on_store(u32 offset, Opcode op, const wasm::MemArg& arg) noexcept
{
    if (!live())
        return;
    m_offset = offset;
    auto result = [&]() -> Result<void> {
        const wasm::SignatureTypes& sig = wasm::signature_types(wasm::opcode_info(op).signature);
        TRY(type_of(sig.params[1]));
        Inst store = proto(Op::Store);
        store.wasm_op = op;
        store.index = arg.memory;
        store.imm = arg.offset;
        Span<const ValueId> args = TRY(pop_args(2));
        return emit_void(store, args);
    }();
    check(result);
}

void Builder::on_memory_size(u32 offset, u32 memory) noexcept
{
    if (!live())
        return;
    m_offset = offset;
    auto result = [&]() -> Result<void> {
        Inst size = proto(Op::MemorySize);
        size.index = memory;
        TRY(m_stack.try_append(TRY(emit(size, {}, Type::I32))));
        return {};
    }();
    check(result);
}

void Builder::on_memory_grow(u32 offset, u32 memory) noexcept
{
    if (!live())
        return;
    m_offset = offset;
    auto result = [&]() -> Result<void> {
        Inst grow = proto(Op::MemoryGrow);
        grow.index = memory;
        ValueId args[1] = { pop() };
        TRY(m_stack.try_append(TRY(emit(grow, Span<const ValueId>(args, 1), Type::I32))));
        return {};
    }();
    check(result);
}

// ---------------------------------------------------------------- numeric

static Inst const_proto(u32 offset, u64 bits) noexcept
{
    Inst c;
    c.op = Op::Const;
    c.imm = bits;
    c.wasm_offset = offset;
    return c;
}

void Builder::on_i32_const(u32 offset, i32 value) noexcept
{
    if (!live())
        return;
    m_offset = offset;
    auto v = emit(const_proto(offset, u64(u32(value))), {}, Type::I32);
    if (v.is_error())
        return fail(v.error());
    check(m_stack.try_append(v.value()));
}

void Builder::on_i64_const(u32 offset, i64 value) noexcept
{
    if (!live())
        return;
    m_offset = offset;
    auto v = emit(const_proto(offset, u64(value)), {}, Type::I64);
    if (v.is_error())
        return fail(v.error());
    check(m_stack.try_append(v.value()));
}

void Builder::on_f32_const(u32 offset, u32 bits) noexcept
{
    if (!live())
        return;
    m_offset = offset;
    auto v = emit(const_proto(offset, bits), {}, Type::F32);
    if (v.is_error())
        return fail(v.error());
    check(m_stack.try_append(v.value()));
}

void Builder::on_f64_const(u32 offset, u64 bits) noexcept
{
    if (!live())
        return;
    m_offset = offset;
    auto v = emit(const_proto(offset, bits), {}, Type::F64);
    if (v.is_error())
        return fail(v.error());
    check(m_stack.try_append(v.value()));
}

void Builder::on_numeric(u32 offset, Opcode op) noexcept
{
    if (!live())
        return;
    m_offset = offset;
    const wasm::SignatureTypes& sig = wasm::signature_types(wasm::opcode_info(op).signature);
    bool simd = sig.result_count == 1 && sig.results[0] == ValueType::V128;
    for (u8 i = 0; i < sig.param_count; ++i)
        simd |= sig.params[i] == ValueType::V128;
    if (sig.result_count != 1)
        return unsupported(offset, "an opcode without one result");
    auto result = [&]() -> Result<void> {
        Type type = TRY(type_of(sig.results[0]));
        Inst numeric = proto(simd ? Op::Simd : Op::Numeric);
        numeric.wasm_op = op;
        Span<const ValueId> args = TRY(pop_args(sig.param_count));
        TRY(m_stack.try_append(TRY(emit(numeric, args, type))));
        return {};
    }();
    check(result);
}

// ---------------------------------------------------------------- SIMD

// 16 bytes as imm (bytes 0-7) and index | index2 << 32 (bytes 8-15).
static void put_bytes(Inst& inst, const u8* bytes) noexcept
{
    u64 lo = 0, hi = 0;
    for (u32 i = 0; i < 8; ++i) {
        lo |= u64(bytes[i]) << (8 * i);
        hi |= u64(bytes[8 + i]) << (8 * i);
    }
    inst.imm = lo;
    inst.index = u32(hi);
    inst.index2 = u32(hi >> 32);
}

void Builder::on_v128_const(u32 offset, const u8* bytes) noexcept
{
    if (!live())
        return;
    m_offset = offset;
    auto result = [&]() -> Result<void> {
        Inst c = proto(Op::Simd);
        c.wasm_op = Opcode::V128Const;
        put_bytes(c, bytes);
        TRY(m_stack.try_append(TRY(emit(c, {}, Type::V128))));
        return {};
    }();
    check(result);
}

void Builder::on_shuffle(u32 offset, const u8* lanes) noexcept
{
    if (!live())
        return;
    m_offset = offset;
    auto result = [&]() -> Result<void> {
        Inst shuffle = proto(Op::Simd);
        shuffle.wasm_op = Opcode::I8x16Shuffle;
        Span<const ValueId> popped = TRY(pop_args(2));
        ValueId args[2] = { popped[0], popped[1] };
        u8 picked[16];
        for (u32 i = 0; i < 16; ++i)
            picked[i] = lanes[i];
        // shuffle(x, x) picks from x only; of an inner shuffle(y, y) it is
        // one shuffle of y (lane i = y[inner[outer[i]]]): compilers write
        // lane permutations as such pairs (blake3's rot16 is two).
        if (args[0] == args[1]) {
            for (u8& lane : picked)
                lane &= 15;
            const Value& value = m_fn.values[args[0]];
            const Inst* inner = value.is_param ? nullptr : &m_fn.insts[value.def];
            if (inner && inner->op == Op::Simd && inner->wasm_op == Opcode::I8x16Shuffle
                && m_fn.args(value.def)[0] == m_fn.args(value.def)[1]) {
                u64 hi = u64(inner->index) | u64(inner->index2) << 32;
                for (u8& lane : picked)
                    lane = u8(((lane < 8 ? inner->imm >> (8 * lane) : hi >> (8 * (lane - 8))) & 15));
                args[0] = args[1] = m_fn.args(value.def)[0];
            }
        }
        put_bytes(shuffle, picked);
        TRY(m_stack.try_append(TRY(emit(shuffle, Span<const ValueId>(args, 2), Type::V128))));
        return {};
    }();
    check(result);
}

// extract_lane (v128 -> scalar), replace_lane (v128, scalar -> v128).
void Builder::on_simd_lane(u32 offset, Opcode op, u8 lane) noexcept
{
    if (!live())
        return;
    m_offset = offset;
    auto result = [&]() -> Result<void> {
        const wasm::SignatureTypes& sig = wasm::signature_types(wasm::opcode_info(op).signature);
        Inst inst = proto(Op::Simd);
        inst.wasm_op = op;
        inst.imm = lane;
        Span<const ValueId> args = TRY(pop_args(sig.param_count));
        TRY(m_stack.try_append(TRY(emit(inst, args, TRY(type_of(sig.results[0]))))));
        return {};
    }();
    check(result);
}

void Builder::on_load_lane(u32 offset, Opcode op, const wasm::MemArg& arg, u8 lane) noexcept
{
    if (!live())
        return;
    m_offset = offset;
    auto result = [&]() -> Result<void> {
        Inst load = proto(Op::Load);
        load.wasm_op = op;
        load.index = arg.memory;
        load.imm = arg.offset;
        load.index2 = lane;
        Span<const ValueId> args = TRY(pop_args(2));
        TRY(m_stack.try_append(TRY(emit(load, args, Type::V128))));
        return {};
    }();
    check(result);
}

void Builder::on_store_lane(u32 offset, Opcode op, const wasm::MemArg& arg, u8 lane) noexcept
{
    if (!live())
        return;
    m_offset = offset;
    auto result = [&]() -> Result<void> {
        Inst store = proto(Op::Store);
        store.wasm_op = op;
        store.index = arg.memory;
        store.imm = arg.offset;
        store.index2 = lane;
        Span<const ValueId> args = TRY(pop_args(2));
        return emit_void(store, args);
    }();
    check(result);
}

// ---------------------------------------------------------------- references

void Builder::on_ref_null(u32 offset, ValueType) noexcept
{
    if (!live())
        return;
    m_offset = offset;
    auto v = emit(const_proto(offset, 0), {}, Type::Ref);
    if (v.is_error())
        return fail(v.error());
    check(m_stack.try_append(v.value()));
}

void Builder::on_ref_is_null(u32 offset, ValueType) noexcept
{
    if (!live())
        return;
    m_offset = offset;
    ValueId args[1] = { pop() };
    auto v = emit(proto(Op::RefIsNull), Span<const ValueId>(args, 1), Type::I32);
    if (v.is_error())
        return fail(v.error());
    check(m_stack.try_append(v.value()));
}

void Builder::on_ref_func(u32 offset, u32 function) noexcept
{
    if (!live())
        return;
    m_offset = offset;
    Inst ref = proto(Op::RefFunc);
    ref.index = function;
    auto v = emit(ref, {}, Type::Ref);
    if (v.is_error())
        return fail(v.error());
    check(m_stack.try_append(v.value()));
}

// ---------------------------------------------------------------- runtime

Result<void> Builder::do_runtime(Opcode op, u32 index, u32 index2, u32 arg_count, Type result) noexcept
{
    Inst inst = proto(Op::Runtime);
    inst.wasm_op = op;
    inst.index = index;
    inst.index2 = index2;
    Span<const ValueId> args = TRY(pop_args(arg_count));
    if (result == Type::None)
        return emit_void(inst, args);
    TRY(m_stack.try_append(TRY(emit(inst, args, result))));
    return {};
}

// §4.4.6 table instructions and §4.4.7 bulk memory: runtime operations,
// in order, with the operands in wasm's order.
void Builder::on_table_get(u32 offset, u32 table) noexcept
{
    if (!live())
        return;
    m_offset = offset;
    check(do_runtime(Opcode::TableGet, table, 0, 1, Type::Ref));
}

void Builder::on_table_set(u32 offset, u32 table) noexcept
{
    if (!live())
        return;
    m_offset = offset;
    check(do_runtime(Opcode::TableSet, table, 0, 2, Type::None));
}

void Builder::on_memory_init(u32 offset, u32 data, u32 memory) noexcept
{
    if (!live())
        return;
    m_offset = offset;
    check(do_runtime(Opcode::MemoryInit, data, memory, 3, Type::None));
}

void Builder::on_data_drop(u32 offset, u32 data) noexcept
{
    if (!live())
        return;
    m_offset = offset;
    check(do_runtime(Opcode::DataDrop, data, 0, 0, Type::None));
}

void Builder::on_memory_copy(u32 offset, u32 dst, u32 src) noexcept
{
    if (!live())
        return;
    m_offset = offset;
    check(do_runtime(Opcode::MemoryCopy, dst, src, 3, Type::None));
}

void Builder::on_memory_fill(u32 offset, u32 memory) noexcept
{
    if (!live())
        return;
    m_offset = offset;
    check(do_runtime(Opcode::MemoryFill, memory, 0, 3, Type::None));
}

void Builder::on_table_init(u32 offset, u32 elem, u32 table) noexcept
{
    if (!live())
        return;
    m_offset = offset;
    check(do_runtime(Opcode::TableInit, elem, table, 3, Type::None));
}

void Builder::on_elem_drop(u32 offset, u32 elem) noexcept
{
    if (!live())
        return;
    m_offset = offset;
    check(do_runtime(Opcode::ElemDrop, elem, 0, 0, Type::None));
}

void Builder::on_table_copy(u32 offset, u32 dst, u32 src) noexcept
{
    if (!live())
        return;
    m_offset = offset;
    check(do_runtime(Opcode::TableCopy, dst, src, 3, Type::None));
}

void Builder::on_table_grow(u32 offset, u32 table) noexcept
{
    if (!live())
        return;
    m_offset = offset;
    check(do_runtime(Opcode::TableGrow, table, 0, 2, Type::I32));
}

void Builder::on_table_size(u32 offset, u32 table) noexcept
{
    if (!live())
        return;
    m_offset = offset;
    check(do_runtime(Opcode::TableSize, table, 0, 0, Type::I32));
}

void Builder::on_table_fill(u32 offset, u32 table) noexcept
{
    if (!live())
        return;
    m_offset = offset;
    check(do_runtime(Opcode::TableFill, table, 0, 3, Type::None));
}

} // namespace k23::jit::optimizing
