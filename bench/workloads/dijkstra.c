/* dijkstra: single-source shortest paths on a 120x120 grid graph with
 * random edge weights, binary heap with decrease-key. Pointer-chasing,
 * branchy integer code. */
#include <stdint.h>
#include <stdio.h>
#include "bench.h"

#define W 120
#define V (W * W)
static uint8_t weight[V][4];   /* right, down, left, up */
static uint32_t dist[V];
static int heap[V], pos[V], hn;

static void swap(int i, int j)
{
    int a = heap[i], b = heap[j];
    heap[i] = b; heap[j] = a; pos[b] = i; pos[a] = j;
}

static void up(int i)
{
    while (i > 0 && dist[heap[(i - 1) / 2]] > dist[heap[i]]) { swap(i, (i - 1) / 2); i = (i - 1) / 2; }
}

static void down(int i)
{
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < hn && dist[heap[l]] < dist[heap[m]]) m = l;
        if (r < hn && dist[heap[r]] < dist[heap[m]]) m = r;
        if (m == i) return;
        swap(i, m);
        i = m;
    }
}

static void relax(int u, int v, uint32_t w)
{
    if (dist[u] + w < dist[v]) {
        if (dist[v] == UINT32_MAX) { heap[hn] = v; pos[v] = hn; hn++; }
        dist[v] = dist[u] + w;
        up(pos[v]);
    }
}

static void shortest(int src)
{
    for (int i = 0; i < V; i++) { dist[i] = UINT32_MAX; pos[i] = -1; }
    dist[src] = 0; heap[0] = src; pos[src] = 0; hn = 1;
    while (hn) {
        int u = heap[0];
        swap(0, --hn);
        down(0);
        int x = u % W, y = u / W;
        if (x + 1 < W) relax(u, u + 1, weight[u][0]);
        if (y + 1 < W) relax(u, u + W, weight[u][1]);
        if (x > 0) relax(u, u - 1, weight[u][2]);
        if (y > 0) relax(u, u - W, weight[u][3]);
    }
}

int main(void)
{
    unsigned long long s = 2024;
    for (int i = 0; i < V; i++)
        for (int k = 0; k < 4; k++)
            weight[i][k] = (uint8_t)(1 + bench_rand(&s) % 100);
    uint64_t total = 0;
    bench_start();
    for (int r = 0; r < 2; r++) {
        shortest(r * (V / 2 + W / 2));
        for (int i = 0; i < V; i++) total += dist[i];
    }
    bench_end();
    printf("dijkstra %d %u %llu\n", V, dist[V - 1], (unsigned long long)total);
    return 0;
}
