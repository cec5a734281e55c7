"""Guest ASLR (kernel/mm/GuestSpace.h): with the boot argument debug.aslr the
kernel logs every placement as a `guest aslr:` line. Two boots of the same
KTEST must place every heap area and memory at different addresses, and
within one boot two guests must differ too."""
import re

TEST = "guest_space_aslr_layouts_differ"
LINE = re.compile(r"^guest aslr: (.*)$")
# An address is a hex number not preceded by "+" (sizes are "(+0x...)").
ADDRESS = re.compile(r"(?<!\+)0x[0-9a-f]+")


def layouts(ctx):
    boot = ctx.boot(append=f"ktest={TEST} debug.aslr")
    lines = [l.strip() for l in boot.lines()]
    tail = "\n".join(lines[-20:])
    assert f"ktest: PASS {TEST}" in lines, f"{TEST} did not pass:\n{tail}"
    found = [m.group(1) for m in (LINE.match(l) for l in lines) if m]
    regions = [l for l in found if l.startswith("engine region")]
    memories = [l for l in found if l.startswith("memory")]
    assert len(regions) == 2 and len(memories) == 1, f"expected 2 guests and 1 memory logged:\n" + "\n".join(found)
    return regions, memories


def areas(region_line):
    # The engine region's base may repeat (1 slot in 255); the areas inside it
    # are placed at page granularity and must not.
    return ADDRESS.findall(region_line)[1:]


def check_guest_space_aslr_differs_between_boots(ctx):
    first_regions, first_memories = layouts(ctx)
    second_regions, second_memories = layouts(ctx)
    one, two = areas(first_regions[0]), areas(first_regions[1])
    assert len(one) == 5, f"five areas per guest: {first_regions[0]}"
    assert all(a != b for a, b in zip(one, two)), f"two guests of one boot share an address:\n{first_regions}"
    again = areas(second_regions[0])
    assert all(a != b for a, b in zip(one, again)), \
        f"the first guest's areas repeat across boots:\n{first_regions[0]}\n{second_regions[0]}"
    assert ADDRESS.findall(first_memories[0]) != ADDRESS.findall(second_memories[0]), \
        f"the memory's address repeats across boots: {first_memories[0]}"
