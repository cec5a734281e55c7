/* Known-count program for the k23_icount plugin (tools/driver/perf.py; the
 * check "perf.icount_loop" in tests/perf/test_perf.py). Two regions, each:
 *
 *     slti x0,x0,0x7f1      start marker (not counted)
 *     addi t0, x0, 1000     1
 *   1: addi t1, t1, 1       \
 *     addi t0, t0, -1        > 3 x 1000
 *     bne  t0, x0, 1b       /
 *     slti x0,x0,0x7f2      end marker (not counted)
 *
 * = 3001 instructions per region, 6002 over the two; "regions" is 2.
 * A third region's start marker sits right after a branch target at the
 * start of a block, and its body is 0 instructions (markers back to back).
 * A fourth counts 2 instructions (addi, mv) around a paused stretch of
 * 1 + 3 x 100 (pause/resume markers 0x7f3/0x7f4, not counted): 301 paused
 * in a region. Before the first region, a paused stretch of 1 + 3 x 50:
 * "paused" is 452, "paused_before_start" 151.
 */
#include <stdio.h>

static long region(void)
{
    long out;
    __asm__ volatile(
        ".option push\n"
        ".option norvc\n"
        "addi t1, x0, 0\n"
        "slti x0, x0, 0x7f1\n"
        "addi t0, x0, 1000\n"
        "1: addi t1, t1, 1\n"
        "addi t0, t0, -1\n"
        "bne t0, x0, 1b\n"
        "slti x0, x0, 0x7f2\n"
        "mv %0, t1\n"
        ".option pop\n"
        : "=r"(out) : : "t0", "t1", "memory");
    return out;
}

static void empty_region(void)
{
    __asm__ volatile(
        ".option push\n"
        ".option norvc\n"
        "j 2f\n"
        "2: slti x0, x0, 0x7f1\n"
        "slti x0, x0, 0x7f2\n"
        ".option pop\n" ::: "memory");
}

static long paused_loop(void)
{
    long out;
    __asm__ volatile(
        ".option push\n"
        ".option norvc\n"
        "addi t1, x0, 0\n"
        "slti x0, x0, 0x7f3\n"
        "addi t0, x0, 50\n"
        "1: addi t1, t1, 1\n"
        "addi t0, t0, -1\n"
        "bne t0, x0, 1b\n"
        "slti x0, x0, 0x7f4\n"
        "mv %0, t1\n"
        ".option pop\n"
        : "=r"(out) : : "t0", "t1", "memory");
    return out;
}

static long paused_region(void)
{
    long out;
    __asm__ volatile(
        ".option push\n"
        ".option norvc\n"
        "slti x0, x0, 0x7f1\n"
        "addi t1, x0, 0\n"
        "slti x0, x0, 0x7f3\n"
        "addi t0, x0, 100\n"
        "1: addi t1, t1, 1\n"
        "addi t0, t0, -1\n"
        "bne t0, x0, 1b\n"
        "slti x0, x0, 0x7f4\n"
        "mv %0, t1\n"
        "slti x0, x0, 0x7f2\n"
        ".option pop\n"
        : "=r"(out) : : "t0", "t1", "memory");
    return out;
}

int main(void)
{
    if (paused_loop() != 50)
        return 1;
    long a = region();
    long b = region();
    empty_region();
    if (paused_region() != 100)
        return 1;
    /* An end marker outside a region is ignored. */
    __asm__ volatile(".word 0x7f202013" ::: "memory");
    printf("loop %ld %ld\n", a, b);
    return 0;
}
