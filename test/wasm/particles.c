/* The C side of the WebAssembly end-to-end test (test/wasm/wasm.test.ts, test/browser/): the
   declarations come from toC() of the test's schema (particles.h, written by build.ts), so clang's
   _Static_asserts check every size and offset for wasm32 too. fill() writes N particles into
   linear memory for JS to read; check() verifies what JS wrote and returns the number of fields
   that differ. Both follow the formulas of test/wasm/scenario.mjs. No libc. */
#include "particles.h"

#define N 64

static struct Particle particles[N];

__attribute__((export_name("particles"))) struct Particle *particles_at(void) { return particles; }
__attribute__((export_name("count"))) int count(void) { return N; }
__attribute__((export_name("size"))) int size(void) { return (int)sizeof(struct Particle); }

static void name_of(char *out, int i, char prefix) {
  /* "<prefix><i>", NUL-padded to 12 bytes */
  char digits[12];
  int n = 0, k = 0;
  do { digits[n++] = (char)('0' + i % 10); i /= 10; } while (i);
  out[k++] = prefix;
  while (n) out[k++] = digits[--n];
  while (k < 12) out[k++] = 0;
}

/* base 0: the values C writes; base 1000: the values JS writes (scenario.mjs, value(i, base)). */
static void make(struct Particle *p, int i, int base) {
  int j = i + base;
  p->id = (uint32_t)(j * 7 + 1);
  p->pos.x = (float)j;
  p->pos.y = (float)j + 0.5f;
  p->pos.z = -(float)j;
  p->vel[0] = (float)j * 0.25f;
  p->vel[1] = -(float)j * 0.25f;
  p->vel[2] = 1.0f;
  p->mass = (double)j * 1.25;
  p->flags = (uint8_t)(j % 8);
  p->kind = (uint8_t)((j * 3) % 32);
  p->alive = (j % 2) == 1;
  p->stamp = ((uint64_t)1 << 40) + (uint64_t)j;
  p->size = (uint32_t)(j * 100);
  p->next = (uint32_t)(16 * j);
  p->delta = -j;
  name_of(p->name, j, base == 0 ? 'c' : 'j');
  p->tag = (uint32_t)(j % 3);
  p->value.i = j * -3;
}

__attribute__((export_name("fill"))) void fill(void) {
  for (int i = 0; i < N; i++) make(&particles[i], i, 0);
}

__attribute__((export_name("check"))) int check(void) {
  int bad = 0;
  for (int i = 0; i < N; i++) {
    struct Particle want;
    const unsigned char *a = (const unsigned char *)&particles[i];
    const unsigned char *b = (const unsigned char *)&want;
    /* compare the bytes of every field: padding is not compared */
    for (unsigned k = 0; k < sizeof want; k++) ((unsigned char *)&want)[k] = a[k];
    make(&want, i, 1000);
    for (unsigned k = 0; k < sizeof want; k++) bad += a[k] != b[k];
  }
  return bad;
}
