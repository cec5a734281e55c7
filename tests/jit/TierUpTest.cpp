// Tier::Auto (jit/Engine.h "Tier-up"): baseline code counts against a
// budget, a hot function is compiled by the optimizing tier and swapped
// into the table, and everything on the stack at that moment (the same
// function's baseline activation, a trap, a host call, a tail-call chain)
// goes on right. Tiny budgets make the tier-up happen mid-run.

#include "JitTestHelpers.h"

#include <jit/EngineState.h>

#include <gtest/gtest.h>

#include <thread>

using namespace k23;
using namespace k23::jit;
using namespace k23::jit::test;
using wasm::Value;

namespace {

// A queue the test runs by hand (the background thread of k23-run,
// deterministic): post keeps the job; run_all compiles them on another
// thread, as k23-run's worker does.
struct ManualQueue final : TierUpQueue {
    std::vector<TierUpJob*> jobs;
    bool post(TierUpJob* job) noexcept override
    {
        jobs.push_back(job);
        return true;
    }
    void run_all() noexcept
    {
        std::vector<TierUpJob*> taken;
        taken.swap(jobs);
        std::thread worker([&] {
            for (TierUpJob* job : taken)
                run_tier_up_job(job);
        });
        worker.join();
    }
    void drain() noexcept override { run_all(); }
};

// k23-run's kind of queue: each job on a thread of its own, at once;
// drain() joins them.
struct AsyncQueue final : TierUpQueue {
    std::vector<std::thread> threads;
    bool post(TierUpJob* job) noexcept override
    {
        threads.emplace_back([job] { run_tier_up_job(job); });
        return true;
    }
    void drain() noexcept override
    {
        for (auto& t : threads)
            t.join();
        threads.clear();
    }
};

struct TierUpFixture : JitFixture {
    explicit TierUpFixture(u32 budget, TierUpQueue* queue = nullptr, riscv64::CpuFeatures features = riscv64::CpuFeatures::rv64gc())
    {
        Engine::destroy(engine);
        EngineOptions options;
        options.features = features;
        options.tier = Tier::Auto;
        options.tier_up_budget = budget;
        options.tier_up_queue = queue;
        options.tier_up_osr = true;
        engine = MUST(Engine::create(options));
    }
    Result<i32> call(wasm::Instance* instance, const char* name, std::initializer_list<i32> args)
    {
        std::vector<Value> a;
        for (i32 v : args)
            a.push_back(Value::from_i32(u32(v)));
        Value result;
        TRY(engine->invoke(exported(instance, name), Span<const Value>(a.data(), a.size()), Span<Value>(&result, 1)));
        return i32(result.i32);
    }
    static const void* code_of(wasm::Instance* instance, const char* name)
    {
        return static_cast<VMFuncEntry*>(exported(instance, name)->jit)->code;
    }
};

constexpr u8 Loop = 0x03, Block = 0x02, If = 0x04, Else = 0x05, End = 0x0b, BrIf = 0x0d, ReturnCall = 0x12;
constexpr u8 LocalSet = 0x21, LocalTee = 0x22, I32Eqz = 0x45, I32Add = 0x6a, I32Sub = 0x6b, I32DivS = 0x6d;

// add(a, b); sum(n) = n + (n - 1) + ... + 1 in one loop (n >= 1);
// divide_after(n, d): loops n times, then returns n / d (traps for d = 0).
ByteList arithmetic_module()
{
    ModuleBuilder b;
    u32 ii_i = b.type({ I32, I32 }, { I32 });
    u32 i_i = b.type({ I32 }, { I32 });
    b.function(ii_i, {}, cat({ local_get(0), local_get(1), { I32Add } }), "add", "add");
    b.function(i_i, { I32 },
        cat({ { Loop, 0x40 }, local_get(1), local_get(0), { I32Add, LocalSet, 1 }, local_get(0), i32_const(1),
            { I32Sub, LocalTee, 0, BrIf, 0, End }, local_get(1) }),
        "sum", "sum");
    b.function(ii_i, { I32 },
        cat({ local_get(0), { LocalSet, 2 }, { Loop, 0x40 }, local_get(2), i32_const(1), { I32Sub, LocalTee, 2, BrIf, 0, End },
            local_get(0), local_get(1), { I32DivS } }),
        "divide_after", "divide_after");
    return b.build();
}

TEST(TierUp, AHotFunctionIsSwappedIntoTheTableAndKeepsItsResults)
{
    TierUpFixture f(3);
    REQUIRE_EXECUTION(f);
    wasm::Instance* instance = MUST(f.instantiate(arithmetic_module()));
    const void* baseline = TierUpFixture::code_of(instance, "add");
    for (i32 i = 0; i < 10; ++i)
        EXPECT_EQ(MUST(f.call(instance, "add", { i, 1000 })), i + 1000) << "call " << i;
    EXPECT_EQ(f.engine->tier_counts().tiered_up, 1u);
    EXPECT_NE(TierUpFixture::code_of(instance, "add"), baseline);
    EXPECT_GT(f.engine->tier_counts().optimized_bytes, 0u);
}

TEST(TierUp, ALoopTiersUpInTheMiddleOfItsFirstActivation)
{
    TierUpFixture f(5);
    REQUIRE_EXECUTION(f);
    wasm::Instance* instance = MUST(f.instantiate(arithmetic_module()));
    const void* baseline = TierUpFixture::code_of(instance, "sum");
    EXPECT_EQ(MUST(f.call(instance, "sum", { 100 })), 5050);
    // One call: the loop's iterations ran the budget out.
    EXPECT_EQ(f.engine->tier_counts().tiered_up, 1u);
    EXPECT_NE(TierUpFixture::code_of(instance, "sum"), baseline);
    EXPECT_EQ(MUST(f.call(instance, "sum", { 1000 })), 500500);
}

TEST(TierUp, ATrapInTheActivationThatTieredUpIsReportedAsInTheOptimizedCode)
{
    TierUpFixture f(2);
    REQUIRE_EXECUTION(f);
    wasm::Instance* instance = MUST(f.instantiate(arithmetic_module()));
    auto first = f.call(instance, "divide_after", { 50, 0 });
    ASSERT_TRUE(first.is_error());
    EXPECT_EQ(f.engine->tier_counts().tiered_up, 1u); // before the trap, mid-loop
    std::string in_baseline = message(first.error());
    EXPECT_NE(in_baseline.find("integer divide by zero in divide_after at wasm offset"), std::string::npos) << in_baseline;
    auto second = f.call(instance, "divide_after", { 50, 0 });
    ASSERT_TRUE(second.is_error());
    EXPECT_EQ(message(second.error()), in_baseline);
    EXPECT_EQ(MUST(f.call(instance, "divide_after", { 50, 5 })), 10);
}

// reenter(n): the host calls wasm "add" n times, so "add" tiers up while
// "outer"'s baseline frame and the host call are on the stack.
struct Reentry {
    Engine* engine { nullptr };
    wasm::FunctionInstance* add { nullptr };
    i64 total { 0 };
};

Result<void> reenter(void* data, Span<const Value> args, Span<Value>)
{
    auto& r = *static_cast<Reentry*>(data);
    for (u32 i = 0; i < args[0].i32; ++i) {
        Value in[2] = { Value::from_i32(i), Value::from_i32(1) };
        Value out;
        TRY(r.engine->invoke(r.add, Span<const Value>(in, 2), Span<Value>(&out, 1)));
        r.total += i32(out.i32);
    }
    return {};
}

TEST(TierUp, ACalleeTiersUpWhileAHostCallIsOnTheStack)
{
    TierUpFixture f(3);
    REQUIRE_EXECUTION(f);
    Reentry reentry;
    reentry.engine = f.engine;
    static constexpr wasm::ValueType params[] = { wasm::ValueType::I32 };
    wasm::FunctionInstance* host = MUST(f.store.create_host_function({ Span<const wasm::ValueType>(params, 1), {} }, &reenter, &reentry));
    wasm::Instance* host_instance = MUST(f.store.create_instance());
    MUST(host_instance->add_export("reenter"_sv, { wasm::ExternKind::Function, host }));
    MUST(f.linker.register_instance("host"_sv, host_instance));
    ModuleBuilder b;
    u32 ii_i = b.type({ I32, I32 }, { I32 });
    u32 i_i = b.type({ I32 }, { I32 });
    u32 i_ = b.type({ I32 }, {});
    b.import_function("host", "reenter", i_);
    u32 add = b.function(ii_i, {}, cat({ local_get(0), local_get(1), { I32Add } }), "add", "add");
    b.function(i_i, {}, cat({ local_get(0), call(0), local_get(0), i32_const(7), call(add) }), "outer", "outer");
    wasm::Instance* instance = MUST(f.instantiate(b.build()));
    reentry.add = TierUpFixture::exported(instance, "add");
    const void* baseline = TierUpFixture::code_of(instance, "add");
    EXPECT_EQ(MUST(f.call(instance, "outer", { 10 })), 17);
    EXPECT_EQ(reentry.total, 55); // (0 + 1) + ... + (9 + 1)
    EXPECT_NE(TierUpFixture::code_of(instance, "add"), baseline);
    EXPECT_EQ(MUST(f.call(instance, "outer", { 10 })), 17);
    EXPECT_EQ(reentry.total, 110);
}

TEST(TierUp, ATailCallChainTiersUpHalfwayAndEndsRight)
{
    TierUpFixture f(3);
    REQUIRE_EXECUTION(f);
    // even(n) = n == 0 ? 1 : return_call odd(n - 1), odd likewise.
    ModuleBuilder b;
    u32 i_i = b.type({ I32 }, { I32 });
    auto body = [](i32 at_zero, u32 other) {
        return cat({ local_get(0), { I32Eqz, If, I32 }, i32_const(at_zero), { Else }, local_get(0), i32_const(1), { I32Sub, ReturnCall },
            ByteList { u8(other) }, { End } });
    };
    b.function(i_i, {}, body(1, 1), "even", "even");
    b.function(i_i, {}, body(0, 0), "odd", "odd");
    wasm::Instance* instance = MUST(f.instantiate(b.build()));
    EXPECT_EQ(MUST(f.call(instance, "even", { 1001 })), 0);
    EXPECT_EQ(f.engine->tier_counts().tiered_up, 2u);
    EXPECT_EQ(MUST(f.call(instance, "even", { 100000 })), 1);
    EXPECT_EQ(MUST(f.call(instance, "odd", { 100001 })), 1);
}

TEST(TierUp, ABackgroundCompileIsInstalledByTheGuestThreadAtItsNextInvoke)
{
    ManualQueue queue;
    TierUpFixture f(2, &queue);
    REQUIRE_EXECUTION(f);
    wasm::Instance* instance = MUST(f.instantiate(arithmetic_module()));
    const void* baseline = TierUpFixture::code_of(instance, "sum");
    EXPECT_EQ(MUST(f.call(instance, "sum", { 100 })), 5050);
    // Posted once each, however long they wait: the function's entry, and
    // the OSR entry of its loop (the activation stays in the baseline).
    ASSERT_EQ(queue.jobs.size(), 2u);
    EXPECT_EQ(MUST(f.call(instance, "sum", { 100 })), 5050);
    EXPECT_EQ(queue.jobs.size(), 2u);
    EXPECT_EQ(TierUpFixture::code_of(instance, "sum"), baseline);
    queue.run_all();
    EXPECT_EQ(f.engine->tier_counts().tiered_up, 0u); // compiled, not yet installed
    EXPECT_EQ(MUST(f.call(instance, "sum", { 200 })), 20100);
    EXPECT_EQ(f.engine->tier_counts().tiered_up, 1u);
    EXPECT_EQ(f.engine->tier_counts().osr_entries, 1u);
    EXPECT_EQ(f.engine->tier_counts().osr_transfers, 0u); // the new call entered optimized code
    EXPECT_NE(TierUpFixture::code_of(instance, "sum"), baseline);
    // A job still queued when the engine goes: destroy() drains the queue.
    EXPECT_EQ(MUST(f.call(instance, "add", { 1, 2 })), 3);
    EXPECT_EQ(MUST(f.call(instance, "add", { 1, 2 })), 3);
    EXPECT_EQ(MUST(f.call(instance, "add", { 1, 2 })), 3);
    EXPECT_EQ(queue.jobs.size(), 1u);
}

TEST(TierUp, ALaterInstanceOfATieredModuleStartsWithTheOptimizedCode)
{
    TierUpFixture f(1);
    REQUIRE_EXECUTION(f);
    wasm::Module* module = MUST(f.read(arithmetic_module()));
    wasm::Instance* first = MUST(f.engine->instantiate(f.linker, *module));
    wasm::Instance* second = MUST(f.engine->instantiate(f.linker, *module));
    for (i32 i = 0; i < 4; ++i)
        EXPECT_EQ(MUST(f.call(first, "add", { i, 2 })), i + 2);
    // Both instances share the module's code: both got the swap.
    EXPECT_EQ(TierUpFixture::code_of(second, "add"), TierUpFixture::code_of(first, "add"));
    wasm::Instance* third = MUST(f.engine->instantiate(f.linker, *module));
    EXPECT_EQ(TierUpFixture::code_of(third, "add"), TierUpFixture::code_of(first, "add"));
    EXPECT_EQ(MUST(f.call(third, "add", { 40, 2 })), 42);
    EXPECT_EQ(f.engine->tier_counts().tiered_up, 1u);
}

} // namespace

namespace {

ByteList f64_const(double v)
{
    ByteList b { 0x44 };
    u8 bytes[8];
    memcpy(bytes, &v, 8);
    b.insert(b.end(), bytes, bytes + 8);
    return b;
}

ByteList f32_const(float v)
{
    ByteList b { 0x43 };
    u8 bytes[4];
    memcpy(bytes, &v, 4);
    b.insert(b.end(), bytes, bytes + 4);
    return b;
}

TEST(TierUp, AHotLoopInAFunctionEnteredOnceMovesToOptimizedCodeWithItsLocals)
{
    TierUpFixture f(50);
    REQUIRE_EXECUTION(f);
    // once(n) -> f64: locals of four types, two of them (k, y) set before
    // the loop and only read in it; the loop is inside a block it leaves
    // with br_if. acc = 7 * n(n+1)/2, x = 1.5 + n: acc + x + y.
    ModuleBuilder b;
    u32 i_d = b.type({ I32 }, { F64 });
    constexpr u8 I64ExtendI32S = 0xac, I64Mul = 0x7e, I64Add = 0x7c, F64Add = 0xa0, F64ConvertI64S = 0xb9, F64PromoteF32 = 0xbb,
                 Br = 0x0c, LocalSetOp = 0x21;
    b.function(i_d, { I64, F64, I32, F32 },
        cat({ f64_const(1.5), { LocalSetOp, 2 }, i32_const(7), { LocalSetOp, 3 }, f32_const(2.5f), { LocalSetOp, 4 },
            { Block, 0x40, Loop, 0x40 },
            local_get(1), local_get(0), { I64ExtendI32S }, local_get(3), { I64ExtendI32S, I64Mul, I64Add, LocalSetOp, 1 },
            local_get(2), f64_const(1.0), { F64Add, LocalSetOp, 2 },
            local_get(0), i32_const(1), { I32Sub, LocalTee, 0, I32Eqz, BrIf, 1, Br, 0, End, End },
            local_get(1), { F64ConvertI64S }, local_get(2), { F64Add }, local_get(4), { F64PromoteF32, F64Add } }),
        "once", "once");
    wasm::Instance* instance = MUST(f.instantiate(b.build()));
    auto once = [&](i32 n) {
        Value in = Value::from_i32(u32(n)), out;
        MUST(f.engine->invoke(TierUpFixture::exported(instance, "once"), Span<const Value>(&in, 1), Span<Value>(&out, 1)));
        double d;
        memcpy(&d, &out.f64_bits, 8);
        return d;
    };
    EXPECT_EQ(once(1000), 3503500.0 + 1001.5 + 2.5);
    // One activation: it moved to the loop's OSR entry and finished there.
    EXPECT_EQ(f.engine->tier_counts().osr_entries, 1u);
    EXPECT_EQ(f.engine->tier_counts().osr_transfers, 1u);
    // The next call runs the function's own optimized entry (tiered up at
    // the same time): no second transfer.
    EXPECT_EQ(once(10), 385.0 + 11.5 + 2.5);
    EXPECT_EQ(f.engine->tier_counts().osr_transfers, 1u);
}

// Sightglass bz2 looped forever after an OSR transfer: the target loop sat
// in a block of an outer loop, and a local the block does not set (the
// outer loop's counter) took, at the block's end, the OSR loop header's
// value even on the outer loop's later iterations that skip the inner loop
// (a value that does not dominate that path: a stale register). Every
// construct around the OSR loop now merges every local.
TEST(TierUp, OsrLoopInsideABlockOfAnOuterLoopKeepsTheLocalsTheBlockDoesNotSet)
{
    TierUpFixture f(50);
    REQUIRE_EXECUTION(f);
    // skip_odd(n), locals c, i, sum, j: do { c += 1; if c is even { 100
    // times sum += 1 } i += c } while c < n; sum * 1000 + i. The budget
    // runs out in the inner loop's first run (c = 2); c = 3 then skips it.
    ModuleBuilder b;
    u32 i_i = b.type({ I32 }, { I32 });
    constexpr u8 I32And = 0x71, I32LtU = 0x49, I32Mul = 0x6c;
    b.function(i_i, { I32, I32, I32, I32 },
        cat({ { Loop, 0x40, Block, 0x40 },
            local_get(1), i32_const(1), { I32Add, LocalSet, 1 },
            local_get(1), i32_const(1), { I32And, BrIf, 0 },
            i32_const(0), { LocalSet, 4 },
            { Loop, 0x40 },
            local_get(3), i32_const(1), { I32Add, LocalSet, 3 },
            local_get(4), i32_const(1), { I32Add, LocalTee, 4 }, i32_const(100), { I32LtU, BrIf, 0, End, End },
            local_get(2), local_get(1), { I32Add, LocalSet, 2 },
            local_get(1), local_get(0), { I32LtU, BrIf, 0, End },
            local_get(3), i32_const(1000), { I32Mul }, local_get(2), { I32Add } }),
        "skip_odd", "skip_odd");
    wasm::Instance* instance = MUST(f.instantiate(b.build()));
    // c = 2, 4, ..., 10 run the inner loop: sum = 500; i = 1 + ... + 10.
    EXPECT_EQ(MUST(f.call(instance, "skip_odd", { 10 })), 500055);
    EXPECT_EQ(f.engine->tier_counts().osr_transfers, 1u);
    EXPECT_EQ(MUST(f.call(instance, "skip_odd", { 7 })), 300028);
}

// blake3-simd computed a wrong hash with ticks in its SIMD (wide) frames,
// even when nothing tiered up: the tick's out-of-line helper call stores
// and reloads the v128 locals homed in vector registers at e8 (setting
// vtype), and the counting path, which skips it, was compiled as if vtype
// were e8 too. A loop whose body ends at e32 then ran its first e8
// operation at e32 from the second iteration on.
TEST(TierUp, TicksInASimdLoopKeepTheVtypeOfTheCountingPath)
{
    // No tier-up at all: only the ticks run.
    TierUpFixture f(1000000, nullptr, riscv64::CpuFeatures::rv64gc().with(riscv64::Extension::V));
    REQUIRE_EXECUTION(f);
    // lanes(n): v = i8x16.splat 0x80, acc (i32x4) += i8x16.add(v, v) n
    // times; lane 0 of acc. Every byte of v + v wraps to 0 at e8 (at e32
    // each lane would be 0x80808080 * 2 = 0x01010100).
    ModuleBuilder b;
    u32 i_i = b.type({ I32 }, { I32 });
    const ByteList i8x16_splat { 0xfd, 15 }, i8x16_add { 0xfd, 110 }, i32x4_add { 0xfd, 0xae, 0x01 }, i32x4_extract_lane0 { 0xfd, 27, 0 };
    b.function(i_i, { V128, V128 },
        cat({ i32_const(0x80), i8x16_splat, { LocalSet, 1 },
            { Loop, 0x40 },
            local_get(2), local_get(1), local_get(1), i8x16_add, i32x4_add, { LocalSet, 2 },
            local_get(0), i32_const(1), { I32Sub, LocalTee, 0, BrIf, 0, End },
            local_get(2), i32x4_extract_lane0 }),
        "lanes", "lanes");
    wasm::Instance* instance = MUST(f.instantiate(b.build()));
    EXPECT_EQ(MUST(f.call(instance, "lanes", { 5 })), 0);
    EXPECT_EQ(f.engine->tier_counts().tiered_up, 0u);
}

// A function with a SIMD opcode has wide frames (16-byte slots, jit/Abi.h):
// its scalar locals move to the OSR entry from there too.
TEST(TierUp, AHotLoopInAWideFrameMovesToItsOsrEntry)
{
    for (bool vector : { true, false }) {
        riscv64::CpuFeatures features = riscv64::CpuFeatures::rv64gc();
        TierUpFixture f(50, nullptr, vector ? features.with(riscv64::Extension::V) : features);
        REQUIRE_EXECUTION(f);
        // wide_sum(n), locals acc (i64), k (i32) = 3: do { acc = lane 0 of
        // i64x2.splat(acc + n * k) } while --n; acc = 3 * n(n+1)/2.
        ModuleBuilder b;
        u32 i_l = b.type({ I32 }, { I64 });
        constexpr u8 I64ExtendI32S = 0xac, I64Add = 0x7c, I32Mul = 0x6c, I32Eqz = 0x45;
        const ByteList i64x2_splat { 0xfd, 18 }, i64x2_extract_lane0 { 0xfd, 29, 0 };
        b.function(i_l, { I64, I32 },
            cat({ i32_const(3), { LocalSet, 2 },
                { Loop, 0x40 },
                local_get(1), local_get(0), local_get(2), { I32Mul, I64ExtendI32S, I64Add }, i64x2_splat, i64x2_extract_lane0,
                { LocalSet, 1 },
                local_get(0), i32_const(1), { I32Sub, LocalTee, 0, I32Eqz, I32Eqz, BrIf, 0, End },
                local_get(1) }),
            "wide_sum", "wide_sum");
        wasm::Instance* instance = MUST(f.instantiate(b.build()));
        Value in = Value::from_i32(1000), out;
        MUST(f.engine->invoke(TierUpFixture::exported(instance, "wide_sum"), Span<const Value>(&in, 1), Span<Value>(&out, 1)));
        EXPECT_EQ(out.i64, 3ull * 1000 * 1001 / 2) << (vector ? "V" : "no V");
        EXPECT_EQ(f.engine->tier_counts().osr_transfers, 1u) << (vector ? "V" : "no V");
    }
}

// A v128 local (with V, homed in a vector register) moves over whole: the
// helper copies both halves of its 16-byte slot.
TEST(TierUp, AHotLoopWithAV128LocalMovesToItsOsrEntry)
{
    for (bool vector : { true, false }) {
        riscv64::CpuFeatures features = riscv64::CpuFeatures::rv64gc();
        TierUpFixture f(50, nullptr, vector ? features.with(riscv64::Extension::V) : features);
        REQUIRE_EXECUTION(f);
        // lanes(n), local acc (v128): do { acc = i32x4.add(acc, (n, 2n, 3n,
        // 4n)) } while --n; lane 3 - lane 0 + lane 1 = (4 - 1 + 2) * n(n+1)/2.
        ModuleBuilder b;
        u32 i_i = b.type({ I32 }, { I32 });
        auto lane = [](u8 op, u8 index) { return ByteList { 0xfd, op, index }; };
        const ByteList i32x4_splat { 0xfd, 17 }, i32x4_add { 0xfd, 0xae, 0x01 };
        constexpr u8 I32Mul = 0x6c, I32Eqz = 0x45;
        auto set_lane = [&](u8 index) {
            return cat({ local_get(0), i32_const(index + 1), { I32Mul }, lane(28, index) });
        };
        b.function(i_i, { V128 },
            cat({ { Loop, 0x40 },
                local_get(1), local_get(0), i32x4_splat, set_lane(1), set_lane(2), set_lane(3), i32x4_add, { LocalSet, 1 },
                local_get(0), i32_const(1), { I32Sub, LocalTee, 0, I32Eqz, I32Eqz, BrIf, 0, End },
                local_get(1), lane(27, 3), local_get(1), lane(27, 0), { I32Sub }, local_get(1), lane(27, 1), { I32Add } }),
            "lanes", "lanes");
        wasm::Instance* instance = MUST(f.instantiate(b.build()));
        EXPECT_EQ(MUST(f.call(instance, "lanes", { 1000 })), 5 * 1000 * 1001 / 2) << (vector ? "V" : "no V");
        EXPECT_EQ(f.engine->tier_counts().osr_transfers, 1u) << (vector ? "V" : "no V");
    }
}

TEST(TierUp, ALoopMovesToItsOsrEntryOnceTheBackgroundCompileFinishes)
{
    AsyncQueue queue;
    TierUpFixture f(20, &queue);
    REQUIRE_EXECUTION(f);
    wasm::Instance* instance = MUST(f.instantiate(arithmetic_module()));
    // Long enough for the compile to finish while the loop runs (it asks
    // again every budget's worth of iterations while the entry is pending).
    EXPECT_EQ(MUST(f.call(instance, "sum", { 20000000 })), i32(u32(20000000ull * 20000001 / 2)));
    EXPECT_EQ(f.engine->tier_counts().osr_transfers, 1u);
    queue.drain();
}

} // namespace
