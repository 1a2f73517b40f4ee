/**
 * Small deterministic PRNG (mulberry32) plus a string hash, so that every simulated value is a pure function of
 * (seed, rig, tick). A library PRNG would add nothing here: we need stateless, keyed draws, not a stream.
 */
export function hashString(value: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < value.length; i++) {
    h ^= value.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniform draw in [0, 1) keyed by the given parts: the same key always gives the same value. */
export function draw(seed: number, ...key: (string | number)[]): number {
  return mulberry32(hashString(key.join('|'), seed))();
}
