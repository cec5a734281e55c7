// Runs generated code for real. Only on riscv64 (the riscv64-linux ring runs
// this binary under qemu-riscv64 -cpu rv64,v=true,vlen=128); the host skips.

#include "AsmTestSupport.h"

#include <base/Bits.h>

#if defined(__riscv)
#    include <sys/mman.h>
#endif

using namespace k23;
using namespace k23::riscv64;
using namespace k23::riscv64::test;

namespace {

#if defined(__riscv)
// Written while RW, then flipped to RX: never writable and executable at once.
class ExecutableCode {
public:
    explicit ExecutableCode(CodeHolder& code)
    {
        auto result = code.finalize();
        EXPECT_FALSE(result.is_error()) << (result.is_error() ? result.error().message_cstring() : "");
        if (result.is_error())
            return;
        m_size = (code.code_size() + 4095) & ~size_t(4095);
        void* memory = mmap(nullptr, m_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        EXPECT_NE(memory, MAP_FAILED);
        if (memory == MAP_FAILED)
            return;
        m_memory = memory;
        EXPECT_FALSE(code.copy_to(Span<u8>(static_cast<u8*>(memory), m_size)).is_error());
        EXPECT_EQ(mprotect(memory, m_size, PROT_READ | PROT_EXEC), 0);
        __builtin___clear_cache(static_cast<char*>(memory), static_cast<char*>(memory) + m_size);
    }
    ~ExecutableCode()
    {
        if (m_memory)
            munmap(m_memory, m_size);
    }
    template<typename F>
    F as() const { return reinterpret_cast<F>(m_memory); }
    bool ok() const { return m_memory != nullptr; }

private:
    void* m_memory { nullptr };
    size_t m_size { 0 };
};
#    define REQUIRE_RISCV()
#else
#    define REQUIRE_RISCV() GTEST_SKIP() << "executes RISC-V code: riscv64-linux ring only"
#endif

} // namespace

TEST(ExecutionTest, AddAndReturn)
{
    REQUIRE_RISCV();
#if defined(__riscv)
    CodeHolder code(CpuFeatures::all());
    Assembler a(code);
    a.add(a0, a0, a1);
    a.ret();
    ExecutableCode exe(code);
    ASSERT_TRUE(exe.ok());
    auto fn = exe.as<u64 (*)(u64, u64)>();
    EXPECT_EQ(fn(40, 2), 42u);
    EXPECT_EQ(fn(u64(-1), 1), 0u);
#endif
}

TEST(ExecutionTest, LoopWithBackwardBranch)
{
    REQUIRE_RISCV();
#if defined(__riscv)
    for (bool compress : { false, true }) {
        CodeHolder code(CpuFeatures::all(), { .compress = compress });
        Assembler a(code);
        // sum = 0; while (n != 0) { sum += n; n--; } return sum;
        Label loop = a.new_label();
        Label done = a.new_label();
        a.li(a1, 0);
        a.beqz(a0, done);
        a.bind(loop);
        a.add(a1, a1, a0);
        a.addi(a0, a0, -1);
        a.bnez(a0, loop);
        a.bind(done);
        a.mv(a0, a1);
        a.ret();
        ExecutableCode exe(code);
        ASSERT_TRUE(exe.ok());
        auto fn = exe.as<u64 (*)(u64)>();
        EXPECT_EQ(fn(100), 5050u);
        EXPECT_EQ(fn(0), 0u);
    }
#endif
}

TEST(ExecutionTest, LongBranchesBothWays)
{
    REQUIRE_RISCV();
#if defined(__riscv)
    // Forward beyond B range (island + jal veneer) and beyond JAL range
    // (island + auipc/jalr veneer), then backward beyond both.
    for (u32 padding : { 8u * 1024, 1300u * 1024 }) {
        CodeHolder code(CpuFeatures::all());
        Assembler a(code);
        Label far_forward = a.new_label();
        Label back = a.new_label();
        Label out = a.new_label();
        a.bnez(a0, far_forward); // a0 != 0 -> far
        a.li(a0, 7);
        a.ret();
        a.bind(back);
        a.li(a0, 99);
        a.j(out);
        for (u32 i = 0; i < padding / 4; ++i)
            a.ebreak(); // 2 bytes each with C: never executed
        a.bind(far_forward);
        a.li(t0, 1);
        a.beq(a1, t0, back); // a1 == 1 -> backward far
        a.li(a0, 42);
        a.bind(out);
        a.ret();
        ExecutableCode exe(code);
        ASSERT_TRUE(exe.ok());
        auto fn = exe.as<u64 (*)(u64, u64)>();
        EXPECT_EQ(fn(0, 0), 7u) << padding;
        EXPECT_EQ(fn(1, 0), 42u) << padding;
        EXPECT_EQ(fn(1, 1), 99u) << padding;
        EXPECT_GE(code.island_count(), 1u);
    }
#endif
}

TEST(ExecutionTest, LoadConstant)
{
    REQUIRE_RISCV();
#if defined(__riscv)
    u64 values[] = { 0, 1, u64(-1), 2047, u64(-2048), 0x7fffffff, 0x80000000u, 0xffffffffu, 0x100000000ull,
        0x123456789abcdef0ull, 0x8000000000000000ull, 0x7fffffffffffffffull, 0xdeadbeefcafebabeull,
        0x0000ffff0000ffffull, 0xfffffffffffff800ull, 0x00000000fffff800ull, 0x1234567800000000ull };
    for (u64 value : values) {
        for (bool compress : { false, true }) {
            CodeHolder code(CpuFeatures::all(), { .compress = compress });
            Assembler a(code);
            a.load_constant(a0, value);
            a.ret();
            ExecutableCode exe(code);
            ASSERT_TRUE(exe.ok());
            EXPECT_EQ(exe.as<u64 (*)()>()(), value) << std::hex << value;
        }
    }
    // Random patterns.
    u64 state = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < 200; ++i) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        CodeHolder code(CpuFeatures::all());
        Assembler a(code);
        a.load_constant(a0, state);
        a.load_constant(a1, state >> (i % 64));
        a.xor_(a0, a0, a1);
        a.ret();
        ExecutableCode exe(code);
        ASSERT_TRUE(exe.ok());
        EXPECT_EQ(exe.as<u64 (*)()>()(), state ^ (state >> (i % 64)));
    }
#endif
}

TEST(ExecutionTest, FloatingPointConstantAndArithmetic)
{
    REQUIRE_RISCV();
#if defined(__riscv)
    CodeHolder code(CpuFeatures::all());
    Assembler a(code);
    a.load_fp_constant(fa1, k23::bit_cast<u64>(1.5));
    a.fmadd_d(fa0, fa0, fa1, fa1); // x * 1.5 + 1.5
    a.ret();
    ExecutableCode exe(code);
    ASSERT_TRUE(exe.ok());
    EXPECT_EQ(exe.as<double (*)(double)>()(2.0), 4.5);
#endif
}

// A float constant from the pool (flw of the entry's low half), next to a
// double one, so the two widths share nothing by accident.
TEST(ExecutionTest, SingleAndDoubleConstantsFromThePool)
{
    REQUIRE_RISCV();
#if defined(__riscv)
    CodeHolder code(CpuFeatures::all());
    Assembler a(code);
    a.load_fp_constant(fa1, k23::bit_cast<u32>(2.75f), Assembler::FpWidth::Single);
    a.load_fp_constant(fa2, k23::bit_cast<u64>(-0.125));
    a.fmul_s(fa0, fa0, fa1);  // x * 2.75f
    a.fcvt_d_s(fa0, fa0);
    a.fadd_d(fa0, fa0, fa2);  // - 0.125
    a.ret();
    ExecutableCode exe(code);
    ASSERT_TRUE(exe.ok());
    EXPECT_EQ(exe.as<double (*)(float)>()(4.0f), 10.875);
#endif
}

TEST(ExecutionTest, BitManipAndAtomics)
{
    REQUIRE_RISCV();
#if defined(__riscv)
    CodeHolder code(CpuFeatures::all());
    Assembler a(code);
    // return cpop(a0) + (sh2add(a1, a0) & 0xff) ; also amoadd on *a2
    a.cpop(t0, a0);
    a.sh2add(t1, a1, a0);
    a.andi(t1, t1, 0xff);
    a.add(t0, t0, t1);
    a.amoadd_d(zero, t0, a2, MemoryOrder::AcqRel);
    a.mv(a0, t0);
    a.ret();
    ExecutableCode exe(code);
    ASSERT_TRUE(exe.ok());
    u64 memory = 1000;
    u64 result = exe.as<u64 (*)(u64, u64, u64*)>()(0xf0, 3, &memory);
    EXPECT_EQ(result, 4u + ((3u * 4 + 0xf0) & 0xff));
    EXPECT_EQ(memory, 1000 + result);
#endif
}

TEST(ExecutionTest, VectorAdd)
{
    REQUIRE_RISCV();
#if defined(__riscv)
    // void add(i32* dst, const i32* x, const i32* y, u64 n): strip-mined loop.
    CodeHolder code(CpuFeatures::all());
    Assembler a(code);
    Label loop = a.new_label();
    Label done = a.new_label();
    a.beqz(a3, done);
    a.bind(loop);
    a.vsetvli(t0, a3, { Sew::E32, Lmul::M1 });
    a.vle(Sew::E32, v1, a1);
    a.vle(Sew::E32, v2, a2);
    a.vadd_vv(v3, v1, v2);
    a.vse(Sew::E32, v3, a0);
    a.slli(t1, t0, 2);
    a.add(a0, a0, t1);
    a.add(a1, a1, t1);
    a.add(a2, a2, t1);
    a.sub(a3, a3, t0);
    a.bnez(a3, loop);
    a.bind(done);
    a.ret();
    ExecutableCode exe(code);
    ASSERT_TRUE(exe.ok());
    i32 x[37], y[37], out[37] = {};
    for (int i = 0; i < 37; ++i) {
        x[i] = i * 3;
        y[i] = 1000 - i;
    }
    exe.as<void (*)(i32*, const i32*, const i32*, u64)>()(out, x, y, 37);
    for (int i = 0; i < 37; ++i)
        EXPECT_EQ(out[i], 1000 + 2 * i) << i;
#endif
}

TEST(ExecutionTest, VectorReductionAndMask)
{
    REQUIRE_RISCV();
#if defined(__riscv)
    // returns sum of 4 u32 at a0 + number of elements > 10.
    CodeHolder code(CpuFeatures::all());
    Assembler a(code);
    a.vsetivli(zero, 4, { Sew::E32, Lmul::M1 });
    a.vle(Sew::E32, v1, a0);
    a.vmv_s_x(v2, zero);
    a.vredsum_vs(v3, v1, v2);
    a.vmv_x_s(t0, v3);
    a.vmsgtu_vi(v0, v1, 10);
    a.vcpop_m(t1, v0);
    a.add(a0, t0, t1);
    a.ret();
    ExecutableCode exe(code);
    ASSERT_TRUE(exe.ok());
    u32 data[4] = { 5, 11, 20, 3 };
    EXPECT_EQ(exe.as<u64 (*)(const u32*)>()(data), 39u + 2u);
#endif
}
