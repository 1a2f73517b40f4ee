import { FleetModel } from '../../agents/sim/simulator.js';
import type { Sample } from '../../server/contract/index.js';
import { adoptSample, holdSample, sampleCopy } from '../../server/fleet/adopt.js';

/**
 * Run with `node --allow-natives-syntax --import tsx` (test/unit/held-shape.test.ts): holds a simulated fleet's
 * samples as live state does, for 30 ticks, and prints how many held objects V8 keeps in slow dictionary mode and how
 * many shapes (maps) they have.
 */
const hasFastProperties = new Function('o', 'return %HasFastProperties(o)') as (o: object) => boolean;
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;

const model = new FleetModel({ sites: 2, rigsPerSite: 500, seed: 7, intervalMs: 1000, faultRate: 0.05, gpuEvery: 25 });
const held = new Map<string, Sample>();
const start = Date.now();
for (let t = 1; t <= 30; t++) {
  for (const site of model.sites) {
    for (const s of model.samplesAt(site, t, start + t * 1000)) {
      const parsed = JSON.parse(JSON.stringify(s)) as Sample; // as decode hands it on
      const current = held.get(s.rig);
      held.set(s.rig, current ? adoptSample(current, parsed) : holdSample(parsed));
    }
  }
}
const objects: object[] = [];
for (const sample of held.values()) {
  objects.push(sample, sampleCopy(sample));
  for (const part of sample.kind === 'asic' ? [...sample.boards, ...sample.pools] : sample.gpus) objects.push(part);
}
const shapes: object[] = [];
for (const sample of held.values()) if (!shapes.some((s) => haveSameMap(s, sample))) shapes.push(sample);
console.log(JSON.stringify({ objects: objects.length, slow: objects.filter((o) => !hasFastProperties(o)).length, sampleShapes: shapes.length }));
