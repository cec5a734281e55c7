// The WASI and bench host modules through the Linker: every preview1 import
// a module names links (unimplemented ones to ENOSYS stubs), types are
// checked, and the bench markers execute. Also CPU-feature detection.

#include <hosted/Bench.h>
#include <hosted/CpuDetect.h>
#include <hosted/wasi/Posix.h>
#include <wasi/Wasi.h>
#include "../wasm/WasmTestHelpers.h"

#include <gtest/gtest.h>

#include <string>

using namespace k23;
using namespace k23::wasm;
using namespace k23::wasm::test;

namespace {

ByteVector name(const std::string& s)
{
    ByteVector out { u8(s.size()) };
    for (char c : s)
        out.push_back(u8(c));
    return out;
}

ByteVector function_import(const std::string& module, const std::string& field, u8 type)
{
    return concat({ name(module), name(field), { 0x00, type } });
}

// Types: 0 = (i32 i32 i32 i32) -> i32, 1 = (i32 i32 i32) -> i32, 2 = () -> ().
ByteVector module_importing(std::initializer_list<ByteVector> imports)
{
    ByteVector types { 0x03, 0x60, 0x04, 0x7f, 0x7f, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x03, 0x7f, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x00, 0x00 };
    ByteVector import_section { u8(imports.size()) };
    for (const ByteVector& i : imports)
        import_section.insert(import_section.end(), i.begin(), i.end());
    return concat({ header(), section(1, types), section(2, import_section) });
}

TEST(HostModules, WasiAndBenchLinkWithStubs)
{
    ByteVector bytes = module_importing({
        function_import("wasi_snapshot_preview1", "fd_write", 0),
        function_import("wasi_snapshot_preview1", "sock_accept", 1),
        function_import("bench", "start", 2),
        function_import("bench", "end", 2),
    });
    auto module = read_module(ReadonlyBytes(bytes.data(), bytes.size()));
    ASSERT_FALSE(module.is_error()) << module.error().message_cstring();
    Store store;
    Linker linker(store);
    wasi::WasiContext context(wasi::posix::host());
    ASSERT_FALSE(hosted::bench::define(store, linker).is_error());
    ASSERT_FALSE(wasi::define(store, linker, module.value(), context).is_error());
    auto instance = linker.instantiate(module.value());
    ASSERT_FALSE(instance.is_error()) << instance.error().message_cstring();
    ASSERT_EQ(instance.value()->functions().size(), 4u);

    FunctionInstance* stub = instance.value()->functions()[1];
    ASSERT_TRUE(stub->is_host());
    Value args[3] = { Value::from_i32(0), Value::from_i32(0), Value::from_i32(0) };
    Value result;
    ASSERT_FALSE(stub->call_host(Span<const Value>(args, 3), Span<Value>(&result, 1)).is_error());
    EXPECT_EQ(result.i32, wasi::errno_::nosys);

    FunctionInstance* start = instance.value()->functions()[2];
    EXPECT_FALSE(start->call_host({}, {}).is_error()); // the marker HINT executes
}

TEST(HostModules, WrongTypeForAWasiFunctionDoesNotLink)
{
    ByteVector bytes = module_importing({ function_import("wasi_snapshot_preview1", "fd_write", 1) });
    auto module = read_module(ReadonlyBytes(bytes.data(), bytes.size()));
    ASSERT_FALSE(module.is_error());
    Store store;
    Linker linker(store);
    wasi::WasiContext context(wasi::posix::host());
    ASSERT_FALSE(wasi::define(store, linker, module.value(), context).is_error());
    auto instance = linker.instantiate(module.value());
    ASSERT_TRUE(instance.is_error());
    EXPECT_EQ(instance.error().code(), ErrorCode::Unlinkable);
}

TEST(HostModules, BenchMarkerEncodings)
{
    // slti x0, x0, imm: opcode 0x13, funct3 2, rd = rs1 = x0.
    EXPECT_EQ(hosted::bench::start_marker, (0x7f1u << 20) | (2u << 12) | 0x13u);
    EXPECT_EQ(hosted::bench::end_marker, (0x7f2u << 20) | (2u << 12) | 0x13u);
    hosted::bench::execute_start_marker();
    hosted::bench::execute_end_marker();
}

TEST(CpuDetect, DetectsTheHart)
{
    hosted::DetectedCpu cpu = hosted::detect_cpu_features();
    using riscv64::Extension;
#if defined(__riscv) && __riscv_xlen == 64
    EXPECT_NE(cpu.source, hosted::CpuFeatureSource::NotRiscv);
    // The riscv64-linux ring runs under qemu-riscv64 -cpu rv64,v=true: V and
    // QEMU's default bit-manipulation extensions are there.
    EXPECT_TRUE(cpu.features.has(Extension::V));
    EXPECT_TRUE(cpu.features.has(Extension::Zba));
    EXPECT_TRUE(cpu.features.has(Extension::Zbb));
    EXPECT_TRUE(cpu.features.has(Extension::Zbs));
    EXPECT_TRUE(hosted::probe_extension(Extension::V));
    EXPECT_FALSE(hosted::probe_extension(Extension::H)); // not probeable: false, no crash
#else
    EXPECT_EQ(cpu.source, hosted::CpuFeatureSource::NotRiscv);
    EXPECT_FALSE(hosted::probe_extension(Extension::V));
#endif
    for (Extension e : { Extension::I, Extension::M, Extension::A, Extension::F, Extension::D, Extension::C })
        EXPECT_TRUE(cpu.features.has(e));
}

} // namespace
