/* nbody: a five-body gravity simulation (symplectic Euler), 40000 steps.
 * Double-precision floating point with sqrt and division. */
#include <math.h>
#include <stdio.h>
#include "bench.h"

#define BODIES 5
struct body { double x, y, z, vx, vy, vz, m; };
static struct body bodies[BODIES] = {
    { 0, 0, 0, 0, 0, 0, 39.47841760435743 },
    { 4.84, -1.16, -0.10, 0.606, 2.81, -0.025, 0.0377 },
    { 8.34, 4.12, -0.40, -1.01, 1.82, 0.0084, 0.0113 },
    { 12.89, -15.11, -0.22, 1.08, 0.868, -0.0108, 0.0017 },
    { 15.37, -25.91, 0.179, 0.979, 0.594, -0.0347, 0.0020 },
};

static double energy(void)
{
    double e = 0;
    for (int i = 0; i < BODIES; i++) {
        struct body* b = &bodies[i];
        e += 0.5 * b->m * (b->vx * b->vx + b->vy * b->vy + b->vz * b->vz);
        for (int j = i + 1; j < BODIES; j++) {
            double dx = b->x - bodies[j].x, dy = b->y - bodies[j].y, dz = b->z - bodies[j].z;
            e -= b->m * bodies[j].m / sqrt(dx * dx + dy * dy + dz * dz);
        }
    }
    return e;
}

static void advance(double dt)
{
    for (int i = 0; i < BODIES; i++)
        for (int j = i + 1; j < BODIES; j++) {
            double dx = bodies[i].x - bodies[j].x, dy = bodies[i].y - bodies[j].y,
                   dz = bodies[i].z - bodies[j].z;
            double d2 = dx * dx + dy * dy + dz * dz;
            double mag = dt / (d2 * sqrt(d2));
            bodies[i].vx -= dx * bodies[j].m * mag; bodies[j].vx += dx * bodies[i].m * mag;
            bodies[i].vy -= dy * bodies[j].m * mag; bodies[j].vy += dy * bodies[i].m * mag;
            bodies[i].vz -= dz * bodies[j].m * mag; bodies[j].vz += dz * bodies[i].m * mag;
        }
    for (int i = 0; i < BODIES; i++) {
        bodies[i].x += dt * bodies[i].vx;
        bodies[i].y += dt * bodies[i].vy;
        bodies[i].z += dt * bodies[i].vz;
    }
}

int main(void)
{
    double before = energy();
    bench_start();
    for (int i = 0; i < 40000; i++)
        advance(0.01);
    bench_end();
    printf("nbody %.9f %.9f\n", before, energy());
    return 0;
}
