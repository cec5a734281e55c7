#pragma once

// The one opcode walker (V8's decoder/Liftoff split): FunctionDecoder
// decodes and validates a function body instruction by instruction (core
// spec 2.0 §3.3 "Instructions", with the algorithm of appendix §A.3
// "Validation Algorithm": an operand stack of types, a control stack, and
// the polymorphic stack after unreachable/br/return), and hands every
// instruction, with its immediates and validated types, to an Interface.
// Three modes (DecodeMode), one walker:
//
//   FunctionDecoder<NullInterface>                       validation (read_module)
//   FunctionDecoder<NullInterface, DecodeMode::Syntax>   binary format only (error precedence)
//   FunctionDecoder<baseline::Compiler, DecodeMode::Trusted> the compilers
//
// Decoding never allocates per instruction: the stacks live in a
// DecoderScratch reused across functions. Binary-format rules are §5.4
// "Instructions"; each check cites its section.

#include <base/Error.h>
#include <base/Memory.h>
#include <base/Result.h>
#include <base/Span.h>
#include <base/Vector.h>
#include <wasm/Leb128.h>
#include <wasm/Limits.h>
#include <wasm/Module.h>
#include <wasm/Opcodes.h>
#include <wasm/Types.h>

namespace k23::wasm {

// Storage for one-element result types, so spans into it outlive frames.
inline constexpr ValueType s_single_value_types[] = {
    ValueType::I32, ValueType::I64, ValueType::F32, ValueType::F64,
    ValueType::V128, ValueType::FuncRef, ValueType::ExternRef,
};

[[nodiscard]] inline Span<const ValueType> single_value_type(ValueType t) noexcept
{
    for (const ValueType& v : s_single_value_types) {
        if (v == t)
            return { &v, 1 };
    }
    return {};
}

// What a decode checks.
enum class DecodeMode : u8 {
    // Every rule of §3.3 and §5.4: what read_module runs on each body.
    Validate,
    // A body read_module validated (Module::functions_validated()): the
    // operand types are still tracked for the interface, but no rule is
    // checked again (compile time). decode() refuses a module whose bodies
    // were not validated, so guest bytes never reach it unchecked.
    Trusted,
    // The binary format only (§5.4: opcodes, immediates, nesting), no types
    // and no index lookups, for NullInterface: after a body fails
    // validation, the later bodies are decoded for a malformation, which
    // wins (the spec decodes the whole module before validating it).
    Syntax,
};

struct MemArg {
    u32 align { 0 }; // log2
    u32 memory { 0 };
    u64 offset { 0 };
};

enum class FrameKind : u8 {
    Function,
    Block,
    Loop,
    If,
    Else,
};

struct ControlFrame {
    FrameKind kind { FrameKind::Block };
    bool unreachable { false };
    // Opened in unreachable code (only for interfaces that let the decoder
    // own reachability, see NullInterface): no hooks for it or inside it.
    bool dead { false };
    u32 height { 0 }; // operand stack height at entry (below the params)
    u32 offset { 0 }; // wasm offset of the opcode
    Span<const ValueType> params;
    Span<const ValueType> results;
    // br_table validation: the br_table (an epoch of the decoder) that last
    // checked this label's types, so each label is checked once per
    // br_table, not once per target.
    u32 br_table_mark { 0 };

    // §3.3.8: a branch to a loop goes to its start and takes the params.
    [[nodiscard]] Span<const ValueType> label_types() const noexcept { return kind == FrameKind::Loop ? params : results; }
};

// The operand stack of types: a push is a compare and a store, growing
// (rarely) out of line.
class TypeStack {
public:
    TypeStack() noexcept = default;
    TypeStack(const TypeStack&) = delete;
    TypeStack& operator=(const TypeStack&) = delete;
    ~TypeStack() noexcept
    {
        if (m_data)
            platform_deallocate(m_data, m_capacity, alignof(ValueType));
    }

    [[nodiscard]] usize size() const noexcept { return m_size; }
    [[nodiscard]] usize capacity() const noexcept { return m_capacity; }
    [[nodiscard]] ValueType last() const noexcept { return m_data[m_size - 1]; }
    ValueType take_last() noexcept { return m_data[--m_size]; }
    void clear() noexcept { m_size = 0; }
    void shrink_to(usize size) noexcept
    {
        VERIFY(size <= m_size);
        m_size = size;
    }
    Result<void> push(ValueType type) noexcept
    {
        if (m_size == m_capacity) [[unlikely]]
            TRY(grow());
        m_data[m_size++] = type;
        return {};
    }

private:
    [[gnu::noinline]] Result<void> grow() noexcept
    {
        usize capacity = m_capacity ? m_capacity * 2 : 64;
        auto* data = static_cast<ValueType*>(platform_allocate(capacity, alignof(ValueType)));
        if (!data)
            return Error::from_code(ErrorCode::OutOfMemory, "cannot grow the operand stack");
        copy_bytes(data, m_data, m_size);
        if (m_data)
            platform_deallocate(m_data, m_capacity, alignof(ValueType));
        m_data = data;
        m_capacity = capacity;
        return {};
    }

    ValueType* m_data { nullptr };
    usize m_size { 0 };
    usize m_capacity { 0 };
};

// Reused between functions so decoding a body does not allocate.
struct DecoderScratch {
    TypeStack operands;
    Vector<ControlFrame> controls;
    Vector<ValueType> locals;
    Vector<u32> br_targets;
    Vector<ValueType> popped;
};

// The interface that validation uses: every hook is a no-op. Compilers
// implement the same member functions (all of them: the decoder calls each).
// Each hook gets the wasm offset of its instruction first. Hooks run after
// the instruction was validated (the operand types are known to match the
// signature in opcode_info()). A hook cannot fail: an interface that runs
// out of memory records it and reports it from on_function_end().
//
// Reachability (Liftoff's split): an interface that declares
// `static constexpr bool owns_reachability = true` gets hooks for reachable
// code only. After unreachable, br, br_table, return and return_call* the
// rest of the block is still decoded and validated, but only its else/end
// reach the interface (with ControlFrame::unreachable true: the end is not
// reached by falling through), and blocks opened there get no hooks at all.
// Such an interface also gets `bool on_instruction(u32 offset, Opcode op)`
// before each reachable instruction (op: the opcode of its first byte) and
// stops the decode by returning false (the decode then returns
// on_function_end(), the interface's error).
struct NullInterface {
    void on_function_begin(Span<const ValueType> /*locals*/) noexcept { }
    Result<void> on_function_end() noexcept { return {}; }
    void on_unreachable(u32) noexcept { }
    void on_nop(u32) noexcept { }
    void on_block(u32, const ControlFrame&) noexcept { }
    void on_loop(u32, const ControlFrame&) noexcept { }
    void on_if(u32, const ControlFrame&) noexcept { }
    void on_else(u32, const ControlFrame&) noexcept { }
    void on_end(u32, const ControlFrame&) noexcept { }
    void on_br(u32, u32 /*depth*/) noexcept { }
    void on_br_if(u32, u32 /*depth*/) noexcept { }
    void on_br_table(u32, Span<const u32> /*targets*/, u32 /*default*/) noexcept { }
    void on_return(u32) noexcept { }
    void on_call(u32, u32 /*function*/, const FunctionType&) noexcept { }
    void on_call_indirect(u32, u32 /*type*/, u32 /*table*/, const FunctionType&) noexcept { }
    void on_return_call(u32, u32, const FunctionType&) noexcept { }
    void on_return_call_indirect(u32, u32, u32, const FunctionType&) noexcept { }
    void on_drop(u32, ValueType) noexcept { }
    void on_select(u32, ValueType) noexcept { }
    void on_local_get(u32, u32 /*index*/, ValueType) noexcept { }
    void on_local_set(u32, u32, ValueType) noexcept { }
    void on_local_tee(u32, u32, ValueType) noexcept { }
    void on_global_get(u32, u32, ValueType) noexcept { }
    void on_global_set(u32, u32, ValueType) noexcept { }
    void on_table_get(u32, u32 /*table*/) noexcept { }
    void on_table_set(u32, u32) noexcept { }
    void on_load(u32, Opcode, const MemArg&) noexcept { }
    void on_store(u32, Opcode, const MemArg&) noexcept { }
    void on_load_lane(u32, Opcode, const MemArg&, u8 /*lane*/) noexcept { }
    void on_store_lane(u32, Opcode, const MemArg&, u8) noexcept { }
    void on_memory_size(u32, u32 /*memory*/) noexcept { }
    void on_memory_grow(u32, u32) noexcept { }
    void on_i32_const(u32, i32) noexcept { }
    void on_i64_const(u32, i64) noexcept { }
    void on_f32_const(u32, u32 /*bits*/) noexcept { }
    void on_f64_const(u32, u64 /*bits*/) noexcept { }
    void on_v128_const(u32, const u8* /*16 bytes*/) noexcept { }
    // Every opcode typed by its Sig alone (numeric and vector arithmetic,
    // comparisons, conversions); opcode_info(op) gives the signature.
    void on_numeric(u32, Opcode) noexcept { }
    void on_simd_lane(u32, Opcode, u8 /*lane*/) noexcept { }
    void on_shuffle(u32, const u8* /*16 lanes*/) noexcept { }
    void on_ref_null(u32, ValueType) noexcept { }
    void on_ref_is_null(u32, ValueType) noexcept { }
    void on_ref_func(u32, u32) noexcept { }
    void on_memory_init(u32, u32 /*data*/, u32 /*memory*/) noexcept { }
    void on_data_drop(u32, u32) noexcept { }
    void on_memory_copy(u32, u32 /*dst*/, u32 /*src*/) noexcept { }
    void on_memory_fill(u32, u32) noexcept { }
    void on_table_init(u32, u32 /*elem*/, u32 /*table*/) noexcept { }
    void on_elem_drop(u32, u32) noexcept { }
    void on_table_copy(u32, u32 /*dst*/, u32 /*src*/) noexcept { }
    void on_table_grow(u32, u32) noexcept { }
    void on_table_size(u32, u32) noexcept { }
    void on_table_fill(u32, u32) noexcept { }
};

template<typename Interface>
concept OwnsReachability = requires { requires Interface::owns_reachability; };

template<typename Interface, DecodeMode mode = DecodeMode::Validate>
class FunctionDecoder {
    static constexpr bool owns_reachability = OwnsReachability<Interface>;
    // Checks of §3.3 (ErrorCode::Invalid) only when validating; operand
    // types, index lookups and hooks not in the Syntax mode.
    static constexpr bool validating = mode == DecodeMode::Validate;
    static constexpr bool typed = mode != DecodeMode::Syntax;
    static_assert(typed || IsSame<Interface, NullInterface>, "the Syntax mode has no types to give an interface");

public:
    FunctionDecoder(const Module& module, Interface& interface, DecoderScratch& scratch) noexcept
        : m_module(module)
        , m_interface(interface)
        , m_operands(scratch.operands)
        , m_controls(scratch.controls)
        , m_locals(scratch.locals)
        , m_br_targets(scratch.br_targets)
        , m_popped(scratch.popped)
    {
    }

    // Decodes function `function_index` (a module function, not an import).
    Result<void> decode(u32 function_index) noexcept
    {
        if constexpr (mode == DecodeMode::Trusted) {
            // The trusted mode indexes whatever the body names: only bodies
            // this decoder validated in read_module may reach it.
            if (!m_module.functions_validated()) [[unlikely]]
                return Error::from_code(ErrorCode::InvalidArgument, "function bodies were not validated").in_function(function_index);
        }
        if (function_index >= m_module.functions().size() || m_module.functions()[function_index].imported) [[unlikely]]
            return Error::formatted(ErrorCode::InvalidArgument, "function {} is not defined in the module", function_index);
        auto result = decode_body(function_index);
        if (result.is_error())
            return result.error().in_function(function_index);
        return {};
    }

private:
    Result<void> decode_body(u32 function_index) noexcept;
    Result<void> read_locals(const FunctionType& type) noexcept;
    Result<void> decode_instructions() noexcept;
    // decode_instructions' cases by concern, inlined back into its loop (a
    // call and a second switch per instruction cost compile speed).
    [[gnu::always_inline]] inline Result<bool> decode_block(Opcode op, u32 offset) noexcept;
    [[gnu::always_inline]] inline Result<void> decode_branch(Opcode op, u32 offset) noexcept;
    [[gnu::always_inline]] inline Result<void> decode_variable(Opcode op, u32 offset) noexcept;
    [[gnu::always_inline]] inline Result<void> decode_constant(Opcode op, u32 offset) noexcept;
    Result<void> decode_prefixed_fc(u32 offset) noexcept;
    Result<void> decode_prefixed_fd(u32 offset) noexcept;

    // ---- errors
    [[nodiscard]] Error invalid(const char* message) const noexcept
    {
        return Error::from_code(ErrorCode::Invalid, message).with_offset(m_opcode_offset);
    }
    template<typename... Args>
    [[nodiscard]] Error invalidf(const char* fmt, const Args&... args) const noexcept
    {
        return Error::formatted(ErrorCode::Invalid, StringView(fmt), args...).with_offset(m_opcode_offset);
    }
    [[nodiscard]] Error malformed(const char* message) const noexcept { return m_reader.malformed(message); }

    // ---- operand stack (§A.3)
    Result<void> push(ValueType type) noexcept
    {
        if constexpr (!typed)
            return {};
        return m_operands.push(type);
    }
    Result<void> push(Span<const ValueType> types) noexcept
    {
        if constexpr (!typed)
            return {};
        for (ValueType t : types)
            TRY(m_operands.push(t));
        return {};
    }
    Result<ValueType> pop() noexcept
    {
        if constexpr (!typed)
            return ValueType::Bottom;
        ControlFrame& frame = m_controls.last();
        if (m_operands.size() == frame.height) [[unlikely]] {
            // Validated code underflows only where the stack is polymorphic.
            if (!validating || frame.unreachable)
                return ValueType::Bottom;
            return invalid("type mismatch: operand stack underflow");
        }
        return m_operands.take_last();
    }
    Result<ValueType> pop(ValueType expected) noexcept
    {
        if constexpr (!typed)
            return expected;
        ControlFrame& frame = m_controls.last();
        if constexpr (!validating) {
            // The type is the expected one (or Bottom in unreachable code).
            if (m_operands.size() > frame.height) [[likely]]
                (void)m_operands.take_last();
            return expected;
        }
        if (m_operands.size() > frame.height) [[likely]] {
            ValueType actual = m_operands.last();
            if (actual == expected) [[likely]] {
                (void)m_operands.take_last();
                return actual;
            }
        }
        ValueType actual = TRY(pop());
        if (actual != expected && actual != ValueType::Bottom && expected != ValueType::Bottom)
            return invalidf("type mismatch: expected {}, got {}", value_type_name(expected), value_type_name(actual));
        return actual == ValueType::Bottom ? expected : actual;
    }
    Result<void> pop(Span<const ValueType> types) noexcept
    {
        if constexpr (!validating) {
            // Above the frame's height only what the types say.
            if constexpr (typed) {
                ControlFrame& frame = m_controls.last();
                usize keep = m_operands.size() > frame.height + types.size() ? m_operands.size() - types.size() : frame.height;
                m_operands.shrink_to(keep);
            }
            return {};
        }
        for (usize i = types.size(); i > 0; --i)
            TRY(pop(types[i - 1]));
        return {};
    }
    // Pops `types` and records what was actually popped (for br_table).
    Result<void> pop_into_scratch(Span<const ValueType> types) noexcept
    {
        m_popped.clear();
        TRY(m_popped.try_resize(types.size()));
        for (usize i = types.size(); i > 0; --i) {
            // Keep Bottom as Bottom: pushing it back must stay polymorphic.
            ValueType expected = types[i - 1];
            ValueType actual = TRY(pop());
            if (actual != expected && actual != ValueType::Bottom)
                return invalidf("type mismatch: expected {}, got {}", value_type_name(expected), value_type_name(actual));
            m_popped[i - 1] = actual;
        }
        return {};
    }
    // Whether the instruction being decoded gets its hook.
    [[nodiscard]] bool live() const noexcept
    {
        if constexpr (!typed)
            return false; // the Syntax mode calls no hooks
        if constexpr (owns_reachability)
            return m_live;
        return true;
    }
    // m_live again from the innermost frame (after it changed).
    void update_live() noexcept
    {
        const ControlFrame& frame = m_controls.last();
        m_live = !frame.unreachable && !frame.dead;
    }
    template<typename Hook, typename... Args>
    void hook(Hook on, const Args&... args) noexcept
    {
        if (live())
            (m_interface.*on)(args...);
    }
    void set_unreachable() noexcept
    {
        ControlFrame& frame = m_controls.last();
        if constexpr (typed)
            m_operands.shrink_to(frame.height);
        frame.unreachable = true;
        m_live = false;
    }
    Result<void> push_frame(FrameKind kind, Span<const ValueType> params, Span<const ValueType> results, u32 offset) noexcept
    {
        ControlFrame frame;
        frame.kind = kind;
        frame.height = u32(m_operands.size());
        frame.offset = offset;
        frame.params = params;
        frame.results = results;
        frame.dead = owns_reachability && !m_controls.is_empty() && !live();
        TRY(m_controls.try_append(frame));
        m_live = !frame.dead;
        return push(params);
    }
    // §3.3.8 end of a block: the results must be exactly what is left.
    Result<void> check_frame_end() noexcept
    {
        ControlFrame& frame = m_controls.last();
        if constexpr (!validating) {
            // Validated: exactly the results are left (fewer where unreachable).
            if constexpr (typed)
                m_operands.shrink_to(frame.height);
            return {};
        }
        TRY(pop(frame.results));
        if (m_operands.size() != frame.height)
            return invalid("type mismatch: values remain on the stack at the end of a block");
        return {};
    }

    // ---- immediates
    Result<u32> read_index() noexcept { return m_reader.read_var_u32(); }
    Result<ValueType> read_value_type() noexcept
    {
        u8 byte = TRY(m_reader.read_u8());
        if (!is_value_type_byte(byte))
            return malformed("malformed value type");
        return ValueType(byte);
    }
    // §5.4.1 blocktype: 0x40 | valtype | s33 type index.
    Result<void> read_block_type(Span<const ValueType>& params, Span<const ValueType>& results) noexcept
    {
        u8 byte = TRY(m_reader.peek_u8());
        if (byte == 0x40) {
            (void)m_reader.read_u8();
            params = {};
            results = {};
            return {};
        }
        if (is_value_type_byte(byte)) {
            (void)m_reader.read_u8();
            params = {};
            results = single_value_type(ValueType(byte));
            return {};
        }
        i64 index = TRY(m_reader.read_var_s33());
        if (index < 0)
            return malformed("malformed block type");
        if constexpr (!typed) {
            params = {};
            results = {};
            return {};
        }
        // §3.2.1 block types: the type index must exist.
        if (validating && u64(index) >= m_module.type_count())
            return invalidf("unknown type {}", index);
        FunctionType type = m_module.type(u32(index));
        params = type.params;
        results = type.results;
        return {};
    }
    Result<Span<const ValueType>> label_types(u32 depth) noexcept
    {
        if constexpr (!typed)
            return Span<const ValueType> {};
        // §3.3.8 br: the label must exist in the context.
        if (validating && depth >= m_controls.size())
            return invalidf("unknown label {}", depth);
        return m_controls[m_controls.size() - 1 - depth].label_types();
    }
    // §5.4.6 memarg (with multi-memory: bit 6 of the flags says a memory
    // index follows) and §3.3.7: 2^align must not exceed the access width.
    [[gnu::always_inline]] Result<MemArg> read_memarg(u32 natural_alignment) noexcept
    {
        MemArg arg;
        u32 flags = TRY(m_reader.read_var_u32());
        if (m_module.features().multi_memory && (flags & 0x40)) {
            flags &= ~u32(0x40);
            arg.memory = TRY(m_reader.read_var_u32());
        }
        arg.align = flags;
        arg.offset = TRY(m_reader.read_var_u32());
        if constexpr (!validating)
            return arg;
        TRY(check_memory(arg.memory));
        if (arg.align > natural_alignment)
            return invalid("alignment must not be larger than natural");
        return arg;
    }
    Result<void> check_memory(u32 index) noexcept
    {
        // §3.3.7 memory instructions: C.mems[x] must be defined.
        if (validating && index >= m_module.memories().size())
            return invalidf("unknown memory {}", index);
        return {};
    }
    // memory.size/grow/fill/init/copy: a memory index with multi-memory,
    // a zero byte in 2.0 (§5.4.6).
    Result<u32> read_memory_index() noexcept
    {
        if (m_module.features().multi_memory)
            return m_reader.read_var_u32();
        u8 byte = TRY(m_reader.read_u8());
        if (byte != 0)
            return malformed("zero byte expected");
        return 0u;
    }
    Result<const TableType*> table(u32 index) noexcept
    {
        if constexpr (!typed) // never called: the Syntax mode looks nothing up
            return Error::from_code(ErrorCode::InvalidArgument, "no table lookups while decoding the syntax only");
        // §3.3.6 table instructions: C.tables[x] must be defined.
        if (validating && index >= m_module.tables().size())
            return invalidf("unknown table {}", index);
        return &m_module.tables()[index];
    }
    Result<ValueType> local_type(u32 index) noexcept
    {
        if constexpr (!typed)
            return ValueType::Bottom;
        // §3.3.5 variable instructions: C.locals[x] must be defined.
        if (validating && index >= m_locals.size())
            return invalidf("unknown local {}", index);
        return m_locals[index];
    }
    Result<u8> read_lane(u32 lanes) noexcept
    {
        u8 lane = TRY(m_reader.read_u8());
        // §3.3.3 vector instructions: laneidx < lane count.
        if (validating && lane >= lanes)
            return invalid("invalid lane index");
        return lane;
    }
    [[gnu::always_inline]] inline Result<void> simple(Opcode op, u32 offset) noexcept;
    // The body ran out before the function's final `end`. The reference
    // interpreter reads on into the following bytes; mirror its messages:
    // at the end of the module "unexpected end of section or function", a
    // following 0x0b would close the function and leave the code section
    // too long ("section size mismatch"), anything else "END opcode expected".
    [[nodiscard]] Error body_ended_without_end() const noexcept
    {
        usize next = m_reader.offset();
        ReadonlyBytes all = m_module.bytes();
        if (next >= all.size())
            return malformed("unexpected end of section or function");
        if (all[next] == 0x0b)
            return malformed("section size mismatch");
        return malformed("END opcode expected");
    }
    Result<void> call(u32 offset, bool is_tail) noexcept;
    Result<void> call_indirect(u32 offset, bool is_tail) noexcept;
    Result<void> check_tail_call_results(const FunctionType& callee) noexcept
    {
        // Tail-call proposal §3.3.8 return_call: the callee's results must
        // match the caller's.
        if (validating && !callee.results.equals(m_function_type.results))
            return invalid("type mismatch: return_call results differ from the caller's");
        return {};
    }

    const Module& m_module;
    Interface& m_interface;
    TypeStack& m_operands;
    Vector<ControlFrame>& m_controls;
    Vector<ValueType>& m_locals;
    Vector<u32>& m_br_targets;
    Vector<ValueType>& m_popped;
    ByteReader m_reader;
    FunctionType m_function_type;
    u32 m_opcode_offset { 0 };
    u32 m_br_table_epoch { 0 };
    // Whether the innermost frame is reachable and not dead: live() for an
    // interface that owns reachability, asked before every instruction and
    // hook, so kept up to date where a frame changes (push_frame,
    // set_unreachable, else, end) instead of read from the frame each time.
    bool m_live { true };
};

} // namespace k23::wasm

#include <wasm/FunctionDecoderImpl.h>
