import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const probe = fileURLToPath(new URL('../helpers/held-shape-probe.ts', import.meta.url));

/**
 * Live state reads every held sample's fields on each new sample (the compiled adopter, health, alerts). V8 answers
 * those reads from inline caches only while the objects keep fast properties and a handful of shapes; a copy that
 * added keys one by one left nearly every held sample a dictionary (adopt.ts copyValue). V8's own view of the objects
 * needs --allow-natives-syntax, so the probe runs in a child process.
 */
describe('held samples', () => {
  it('keep fast properties and at most four shapes, so reads of them stay monomorphic or polymorphic', () => {
    const out = execFileSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', probe], { encoding: 'utf8', timeout: 60_000 });
    const { objects, slow, sampleShapes } = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { objects: number; slow: number; sampleShapes: number };
    expect(objects).toBeGreaterThan(4000);
    expect(slow).toBe(0);
    expect(sampleShapes).toBeLessThanOrEqual(4);
  });
});
