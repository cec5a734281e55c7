// The guest's stack and time are bounded (issue 11): stack arguments are
// covered by the stack check (jit/Abi.h), and Engine::interrupt() stops a
// running guest at its next function entry or loop iteration.
//
// The stack tests watch the headroom below the stack limit: it belongs to
// C++ code running on the guest stack (host functions, helpers), which these
// modules never call, so guest code writing a single byte there is the bug.

#include "JitTestHelpers.h"

#include <gtest/gtest.h>
#include <jit/EngineState.h>

#include <pthread.h>
#include <string.h>
#include <unistd.h>

using namespace k23;
using namespace k23::jit;
using namespace k23::jit::test;
using wasm::Value;

namespace {

// The smallest guest stack the engine allows: 256 KiB above the limit.
constexpr usize small_stack = 512 * 1024;
constexpr u8 canary = 0xa5;

void fill_headroom(Engine& engine)
{
    Engine::State& state = engine.state();
    memset(state.stack, canary, usize(state.stack_limit - u64(state.stack)));
}

// How far below the stack limit something wrote (0: nowhere).
usize headroom_written(Engine& engine)
{
    Engine::State& state = engine.state();
    usize size = usize(state.stack_limit - u64(state.stack));
    for (usize i = 0; i < size; ++i) {
        if (state.stack[i] != canary)
            return size - i;
    }
    return 0;
}

Result<Value> run(JitFixture& f, wasm::Instance* instance, const char* name, std::initializer_list<Value> args)
{
    Value result;
    std::vector<Value> a(args);
    TRY(f.engine->invoke(JitFixture::exported(instance, name), Span<const Value>(a.data(), a.size()), Span<Value>(&result, 1)));
    return result;
}

ByteList many_i64(u32 count) { return ByteList(count, I64); }

// many(p0..p{P-1}) = p0 + p{P-1}; caller() calls (or tail-calls) it with
// 0..P-1; run(n) recurses n frames deep, then calls caller(): the larger n,
// the closer to the stack limit the arguments are pushed.
ByteList stack_args_module(u32 params, bool tail)
{
    ModuleBuilder b;
    u32 tm = b.type(many_i64(params), { I64 });
    u32 tc = b.type({}, { I64 });
    u32 tr = b.type({ I32 }, { I64 });
    b.function(tm, {}, cat({ local_get(0), local_get(params - 1), { 0x7c } }), "", "many");
    ByteList args;
    for (u32 i = 0; i < params; ++i)
        args = cat({ args, i64_const(i) });
    b.function(tc, {}, cat({ args, { u8(tail ? 0x12 : 0x10), 0x00 } }), "", "caller");
    // (if (result i64) (i32.eqz n) (then (call caller)) (else (call run (n - 1))))
    b.function(tr, {}, cat({ local_get(0), { 0x45, 0x04, I64 }, call(1), { 0x05 }, local_get(0), i32_const(1), { 0x6b }, call(2), { 0x0b } }),
        "run", "run");
    return b.build();
}

// Pushes the arguments at every depth from "fits easily" to "the caller's
// own frame no longer fits": each run must return or trap with call stack
// exhausted, and none may write below the stack limit.
void sweep_stack_arguments(u32 params, bool tail)
{
    JitFixture f(riscv64::CpuFeatures::rv64gc(), small_stack);
    REQUIRE_EXECUTION(f);
    auto instance = f.instantiate(stack_args_module(params, tail));
    ASSERT_FALSE(instance.is_error()) << message(instance.error());
    fill_headroom(*f.engine);
    auto attempt = [&](u32 n) {
        auto r = run(f, instance.value(), "run", { Value::from_i32(n) });
        if (!r.is_error()) {
            EXPECT_EQ(r.value().i64, u64(params - 1)) << n;
            return true;
        }
        EXPECT_TRUE(message(r.error()).starts_with("call stack exhausted")) << n << ": " << message(r.error());
        return false;
    };
    ASSERT_TRUE(attempt(0));
    // The deepest n that fits (frames are at least 16 bytes).
    u32 low = 0, high = u32(small_stack / 16);
    ASSERT_FALSE(attempt(high));
    while (high - low > 1) {
        u32 mid = low + (high - low) / 2;
        (attempt(mid) ? low : high) = mid;
    }
    // Beyond it, down to where even run's frames stop fitting: the pushed
    // arguments, many's frame and caller's frame, in steps of >= 16 bytes.
    u32 steps = (3 * 8 * params + 4096) / 16;
    for (u32 n = low; n <= low + steps; ++n)
        attempt(n);
    EXPECT_EQ(headroom_written(*f.engine), 0u) << "guest code wrote below the stack limit";
}

} // namespace

// The crash: a call's stack arguments were stored below a sp the
// prologue had checked, trusting a fixed headroom; enough of them landed
// outside the guest stack. Here: pushes the prologue's check covers (92
// stack arguments), ...
TEST(Guard, StackArgsBelowGuestStackPrologueCovered) { sweep_stack_arguments(100, false); }

// ... pushes bigger than that, checked at the call (992 stack arguments), ...
TEST(Guard, StackArgsBelowGuestStackCheckedAtCall) { sweep_stack_arguments(1000, false); }

// ... and a tail call staging them in its frame.
TEST(Guard, StackArgsBelowGuestStackTailCall) { sweep_stack_arguments(1000, true); }

namespace {

// A host function that calls back into the guest: many1000(0..999), which
// returns its 1000 params as 1000 results (992 stack arguments, 992 stack
// results: the entry trampoline pushes about 16 KB).
struct Reentry {
    Engine* engine { nullptr };
    wasm::FunctionInstance* many { nullptr };
};

Result<void> reenter(void* data, Span<const Value>, Span<Value> results)
{
    auto* reentry = static_cast<Reentry*>(data);
    std::vector<Value> args, out(1000);
    for (u32 i = 0; i < 1000; ++i)
        args.push_back(Value::from_i64(i));
    TRY(reentry->engine->invoke(reentry->many, Span<const Value>(args.data(), args.size()), Span<Value>(out.data(), out.size())));
    results[0] = Value::from_i64(out[0].i64 + out[999].i64);
    return {};
}

} // namespace

// The entry trampoline pushes invoke()'s stack results and arguments. From
// a host function called near the limit (the guest recursed n deep), they
// must trap instead of being written below it. The host function's own C++
// frames run below the limit (what the headroom is for), so this allows a
// few KiB there, far less than the 16 KB the trampoline would push.
TEST(Guard, StackArgsBelowGuestStackFromInvoke)
{
    JitFixture f(riscv64::CpuFeatures::rv64gc(), small_stack);
    REQUIRE_EXECUTION(f);
    static constexpr wasm::ValueType i64s[] = { wasm::ValueType::I64 };
    static Reentry reentry;
    reentry = { f.engine, nullptr };
    wasm::FunctionInstance* host_function = MUST(f.store.create_host_function({ Span<const wasm::ValueType>(), i64s }, reenter, &reentry));
    wasm::Instance* host = MUST(f.store.create_instance());
    MUST(host->add_export("reenter"_sv, { wasm::ExternKind::Function, host_function }));
    MUST(f.linker.register_instance("host"_sv, host));
    ModuleBuilder b;
    u32 tv = b.type({}, { I64 });
    u32 tm = b.type(many_i64(1000), many_i64(1000));
    u32 tr = b.type({ I32 }, { I64 });
    b.import_function("host", "reenter", tv);
    ByteList all;
    for (u32 i = 0; i < 1000; ++i)
        all = cat({ all, local_get(i) });
    b.function(tm, {}, all, "many", "many");
    b.function(tr, {}, cat({ local_get(0), { 0x45, 0x04, I64 }, call(0), { 0x05 }, local_get(0), i32_const(1), { 0x6b }, call(2), { 0x0b } }),
        "run", "run");
    auto instance = f.instantiate(b.build());
    ASSERT_FALSE(instance.is_error()) << message(instance.error());
    reentry.many = JitFixture::exported(instance.value(), "many");
    fill_headroom(*f.engine);
    auto attempt = [&](u32 n) {
        auto r = run(f, instance.value(), "run", { Value::from_i32(n) });
        if (!r.is_error()) {
            EXPECT_EQ(r.value().i64, 999u) << n;
            return true;
        }
        EXPECT_TRUE(message(r.error()).starts_with("call stack exhausted")) << n << ": " << message(r.error());
        return false;
    };
    ASSERT_TRUE(attempt(0));
    u32 low = 0, high = u32(small_stack / 16);
    ASSERT_FALSE(attempt(high));
    while (high - low > 1) {
        u32 mid = low + (high - low) / 2;
        (attempt(mid) ? low : high) = mid;
    }
    for (u32 n = low; n <= low + 40000 / 16; ++n)
        attempt(n);
    usize written = headroom_written(*f.engine);
    EXPECT_LT(written, usize(6 * 1024)) << "the entry trampoline wrote below the stack limit";
}

namespace {

// (func $spin (loop (br 0))) and an endless return_call ping-pong.
ByteList runaway_module()
{
    ModuleBuilder b;
    u32 tv = b.type({}, {});
    u32 tl = b.type({ I64 }, {});
    b.function(tv, {}, { 0x03, 0x40, 0x0c, 0x00, 0x0b }, "spin", "spin");
    b.function(tl, {}, cat({ local_get(0), i64_const(1), { 0x7c, 0x12, 0x02 } }), "ping", "ping");
    b.function(tl, {}, cat({ local_get(0), { 0x12, 0x01 } }), "", "pong");
    b.function(tv, {}, {}, "nop", "nop");
    return b.build();
}

void* interrupt_later(void* engine)
{
    usleep(200 * 1000);
    static_cast<Engine*>(engine)->interrupt();
    return nullptr;
}

Result<void> run_interrupted(JitFixture& f, wasm::FunctionInstance* function, std::initializer_list<Value> args)
{
    pthread_t thread;
    if (pthread_create(&thread, nullptr, interrupt_later, f.engine) != 0)
        return Error::from_code(ErrorCode::Unknown, "pthread_create");
    std::vector<Value> a(args);
    auto r = f.engine->invoke(function, Span<const Value>(a.data(), a.size()), {});
    pthread_join(thread, nullptr);
    return r;
}

} // namespace

// Another thread interrupts a guest spinning in a loop, then one in an
// endless chain of tail calls: each traps with `interrupted` where it was.
TEST(Guard, InterruptStopsLoopsAndTailCalls)
{
    JitFixture f;
    REQUIRE_EXECUTION(f);
    auto instance = f.instantiate(runaway_module());
    ASSERT_FALSE(instance.is_error()) << message(instance.error());
    auto r = run_interrupted(f, JitFixture::exported(instance.value(), "spin"), {});
    ASSERT_TRUE(r.is_error());
    wasm::TrapCode code;
    ASSERT_TRUE(trap_code_of(r.error(), code)) << message(r.error());
    EXPECT_EQ(code, wasm::TrapCode::Interrupted);
    EXPECT_TRUE(message(r.error()).starts_with("interrupted in spin at wasm offset 0x")) << message(r.error());
    // The request stands until withdrawn: nothing runs meanwhile.
    EXPECT_TRUE(f.engine->interrupted());
    r = f.engine->invoke(JitFixture::exported(instance.value(), "nop"), {}, {});
    ASSERT_TRUE(r.is_error());
    EXPECT_TRUE(message(r.error()).starts_with("interrupted in nop")) << message(r.error());
    f.engine->clear_interrupt();
    EXPECT_FALSE(f.engine->interrupted());
    r = f.engine->invoke(JitFixture::exported(instance.value(), "nop"), {}, {});
    EXPECT_FALSE(r.is_error()) << message(r.error());

    r = run_interrupted(f, JitFixture::exported(instance.value(), "ping"), { Value::from_i64(0) });
    ASSERT_TRUE(r.is_error());
    EXPECT_TRUE(message(r.error()).starts_with("interrupted in p")) << message(r.error());
    f.engine->clear_interrupt();
}

// An instance created while the request stands is interrupted too; after
// clear_interrupt() a real stack overflow is call stack exhausted again.
TEST(Guard, InterruptReachesNewInstancesAndClears)
{
    JitFixture f;
    REQUIRE_EXECUTION(f);
    f.engine->interrupt();
    auto instance = f.instantiate(runaway_module());
    ASSERT_FALSE(instance.is_error()) << message(instance.error());
    auto r = f.engine->invoke(JitFixture::exported(instance.value(), "spin"), {}, {});
    ASSERT_TRUE(r.is_error());
    EXPECT_TRUE(message(r.error()).starts_with("interrupted in spin")) << message(r.error());
    f.engine->clear_interrupt();
    ModuleBuilder b;
    u32 t = b.type({ I32 }, { I32 });
    b.function(t, {}, cat({ local_get(0), call(0) }), "recurse", "recurse");
    auto deep = f.instantiate(b.build());
    ASSERT_FALSE(deep.is_error()) << message(deep.error());
    auto overflow = run(f, deep.value(), "recurse", { Value::from_i32(0) });
    ASSERT_TRUE(overflow.is_error());
    EXPECT_TRUE(message(overflow.error()).starts_with("call stack exhausted in recurse")) << message(overflow.error());
}
