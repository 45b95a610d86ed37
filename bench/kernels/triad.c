// STREAM triad (a[i] = b[i] + s * c[i]) on 16M floats with OpenMP on every core: the
// bandwidth bound that Tessera's fused element-wise kernels are measured against.
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define N (16 * 1024 * 1024)

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(void) {
  float *a = aligned_alloc(64, N * sizeof(float)), *b = aligned_alloc(64, N * sizeof(float)),
        *c = aligned_alloc(64, N * sizeof(float));
#pragma omp parallel for
  for (long i = 0; i < N; ++i) a[i] = 0, b[i] = 1, c[i] = 2;
  double best = 1e30;
  for (int r = 0; r < 10; ++r) {
    double t0 = now();
#pragma omp parallel for
    for (long i = 0; i < N; ++i) a[i] = b[i] + 2.0f * c[i];
    double t = now() - t0;
    if (t < best) best = t;
  }
  printf("triad_16M %f\n", best + a[N / 2] * 0);  // a is used: the loop stays
  free(a), free(b), free(c);
  return 0;
}
