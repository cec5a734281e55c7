/*
 * k23_icount: a QEMU TCG plugin (plugin API version 1, QEMU 7.2) that counts
 * guest instructions exactly, in total and between two marker instructions:
 *
 *   slti x0, x0, 0x7f1   (0x7f102013)  start of a measured region
 *   slti x0, x0, 0x7f2   (0x7f202013)  end of a measured region
 *
 *   slti x0, x0, 0x7f3   (0x7f302013)  pause: what follows is not counted in
 *   slti x0, x0, 0x7f4   (0x7f402013)  resume  a region, but in "paused"
 *
 * All are HINTs (writes to x0): they do nothing on any RISC-V hart. k23-run
 * pauses around work that would run on another hart (--tier auto's compiles
 * with --tier-up-compile inline).
 * bench.start / bench.end execute them (bench/workloads/bench.h, the wasm2c
 * harness, k23-run).
 *
 * Arguments (-plugin k23_icount.so,ARG=VALUE,...):
 *   outfile=PATH   write {"total": N, "region": N, "regions": K, "first_start": N,
 *                  "paused": N, "paused_in_region": N, "paused_before_start": N}
 *                  there at exit
 *                  (first_start: instructions before the first start marker,
 *                  the start-up, paused ones included; -1 without one;
 *                  paused: between pause and resume markers, paused_in_region:
 *                  of those, the ones inside a region, paused_before_start:
 *                  the ones before the first start marker)
 *                  (default: QEMU's log, i.e. stderr)
 *   mode=tb|insn   tb (default): one inline add of the block's length when a
 *                  translation block starts; insn: one inline add per
 *                  instruction. Both are exact for code that does not fault in
 *                  the middle of a block (a faulting instruction ends the block
 *                  early, which tb mode cannot see); insn mode is exact always.
 *   profile=PATH   also count executions of every translation block, for
 *                  ./k23 profile (tools/driver/profile.py): at exit, PATH gets
 *                  "pid N" and then one "PC INSNS EXECUTIONS" line (hex PC,
 *                  decimal counts) per block that ran; a block retranslated
 *                  at the same PC gets another line. Blocks are attributed
 *                  by their first instruction's address.
 *
 * The region count is the number of instructions executed after a start
 * marker and before the next end marker (the markers themselves are not
 * counted), summed over every start..end pair; "regions" is the number of
 * pairs. A start inside a region restarts it; an end outside one is ignored.
 *
 * Markers are found at translation time by their bytes; each gets an exec
 * callback that reads the inline counter and corrects it for its position in
 * the block, so a marker in the middle of a block is accounted exactly.
 * Single counter: the workloads are single-threaded.
 */
#include <glib.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define MARK_START 0x7f102013u
#define MARK_END 0x7f202013u
#define MARK_PAUSE 0x7f302013u
#define MARK_RESUME 0x7f402013u

static uint64_t counter;        /* inline-incremented */
static uint64_t region_total;
static uint64_t region_begin;   /* position just after the start marker */
static uint64_t regions;
static int64_t first_start = -1; /* instructions before the first start marker */
static uint64_t paused_total, paused_in_region, paused_before_start, pause_begin;
static int paused;
static int in_region;
static int per_insn;
static char* outfile;

/* profile=PATH: one record per translated block, counted inline. */
struct block {
    uint64_t pc;
    uint64_t insns;
    uint64_t executions;
};
static char* profile_file;
static GPtrArray* blocks;
static GMutex blocks_lock;

enum { KIND_START, KIND_END, KIND_PAUSE, KIND_RESUME };

/* userdata: bits 0-1 = the marker's kind, the rest = instructions of the
 * block not yet executed when this marker runs (tb mode), 0 in insn mode. */
static void on_marker(unsigned int vcpu, void* userdata)
{
    (void)vcpu;
    uintptr_t u = (uintptr_t)userdata;
    int kind = (int)(u & 3);
    int is_end = kind == KIND_END;
    uint64_t ahead = u >> 2;
    /* pos = instructions executed before this marker */
    uint64_t pos = counter - ahead;
    if (per_insn)
        counter += 1;   /* the marker's own inline add is skipped in insn mode */
    if (kind == KIND_PAUSE) {
        if (!paused) {
            paused = 1;
            pause_begin = pos + 1;
            if (in_region)
                region_total += pos - region_begin;
        }
        return;
    }
    if (kind == KIND_RESUME) {
        if (paused) {
            paused = 0;
            paused_total += pos - pause_begin;
            if (first_start < 0)
                paused_before_start += pos - pause_begin;
            if (in_region) {
                paused_in_region += pos - pause_begin;
                region_begin = pos + 1;
            }
        }
        return;
    }
    if (paused) {
        /* A region boundary while paused: the region so far was added at
         * the pause; what is counted from here starts at the resume. */
        if (!is_end) {
            if (first_start < 0) {
                first_start = (int64_t)pos;
                paused_before_start += pos - pause_begin;
            }
            in_region = 1;
            region_begin = pos + 1;
        } else if (in_region) {
            in_region = 0;
            regions += 1;
        }
        return;
    }
    if (!is_end) {
        if (first_start < 0)
            first_start = (int64_t)pos;
        in_region = 1;
        region_begin = pos + 1;
    } else if (in_region) {
        in_region = 0;
        region_total += pos - region_begin;
        regions += 1;
    }
}

static uint32_t insn_word(const struct qemu_plugin_insn* insn)
{
    if (qemu_plugin_insn_size(insn) != 4)
        return 0;
    uint32_t w;
    memcpy(&w, qemu_plugin_insn_data(insn), 4);   /* RISC-V is little endian, as is the host */
    return w;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb* tb)
{
    (void)id;
    size_t n = qemu_plugin_tb_n_insns(tb);
    if (!per_insn)
        qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &counter, n);
    if (profile_file) {
        struct block* b = g_new0(struct block, 1);
        b->pc = qemu_plugin_tb_vaddr(tb);
        b->insns = n;
        g_mutex_lock(&blocks_lock);
        g_ptr_array_add(blocks, b);
        g_mutex_unlock(&blocks_lock);
        qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &b->executions, 1);
    }
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn* insn = qemu_plugin_tb_get_insn(tb, i);
        uint32_t w = insn_word(insn);
        if (w == MARK_START || w == MARK_END || w == MARK_PAUSE || w == MARK_RESUME) {
            uintptr_t ahead = per_insn ? 0 : (uintptr_t)(n - i);
            uintptr_t kind = w == MARK_START ? KIND_START : w == MARK_END ? KIND_END : w == MARK_PAUSE ? KIND_PAUSE : KIND_RESUME;
            uintptr_t u = (ahead << 2) | kind;
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_marker, QEMU_PLUGIN_CB_NO_REGS,
                                                   (void*)u);
        } else if (per_insn) {
            qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64,
                                                       &counter, 1);
        }
    }
}

static void write_profile(void)
{
    FILE* f = fopen(profile_file, "w");
    if (!f) {
        qemu_plugin_outs("k23_icount: cannot write the profile file\n");
        return;
    }
    fprintf(f, "pid %d\n", (int)getpid());
    g_mutex_lock(&blocks_lock);
    for (guint i = 0; i < blocks->len; i++) {
        struct block* b = g_ptr_array_index(blocks, i);
        if (b->executions)
            fprintf(f, "%" PRIx64 " %" PRIu64 " %" PRIu64 "\n", b->pc, b->insns, b->executions);
    }
    g_mutex_unlock(&blocks_lock);
    fclose(f);
}

static void at_exit(qemu_plugin_id_t id, void* p)
{
    (void)id;
    (void)p;
    if (profile_file)
        write_profile();
    char buf[300];
    snprintf(buf, sizeof buf, "{\"total\": %" PRIu64 ", \"region\": %" PRIu64
             ", \"regions\": %" PRIu64 ", \"first_start\": %" PRId64 ", \"paused\": %" PRIu64
             ", \"paused_in_region\": %" PRIu64 ", \"paused_before_start\": %" PRIu64 "}\n", counter,
             region_total, regions, first_start, paused_total, paused_in_region, paused_before_start);
    if (outfile) {
        FILE* f = fopen(outfile, "w");
        if (f) {
            fputs(buf, f);
            fclose(f);
            return;
        }
    }
    qemu_plugin_outs(buf);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t* info,
                                           int argc, char** argv)
{
    (void)info;
    for (int i = 0; i < argc; i++) {
        const char* a = argv[i];
        if (strncmp(a, "outfile=", 8) == 0) {
            outfile = g_strdup(a + 8);
        } else if (strncmp(a, "profile=", 8) == 0) {
            profile_file = g_strdup(a + 8);
            blocks = g_ptr_array_new();
        } else if (strcmp(a, "mode=tb") == 0) {
            per_insn = 0;
        } else if (strcmp(a, "mode=insn") == 0) {
            per_insn = 1;
        } else {
            fprintf(stderr, "k23_icount: unknown argument '%s' "
                    "(outfile=PATH, mode=tb|insn, profile=PATH)\n", a);
            return -1;
        }
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    qemu_plugin_register_atexit_cb(id, at_exit, NULL);
    return 0;
}
