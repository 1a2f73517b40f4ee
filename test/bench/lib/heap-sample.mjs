/**
 * Preload for a benchmarked server: BENCH_NODE_ARGS="--import ./test/bench/lib/heap-sample.mjs" npm run bench:ingest.
 * After HEAP_SAMPLE_START_MS (8000) it samples allocations for HEAP_SAMPLE_MS (12000), counting objects a minor GC
 * collected out (includeObjectsCollectedByMinorGC: false) and those a major GC collected in: what is left is what
 * lived long enough to be promoted to the old generation (or is still alive), the garbage a mark-compact has to
 * find. Writes /tmp/heap-sample-<pid>.heapprofile (open it in Chrome DevTools, Memory tab).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import process from 'node:process';
import { setTimeout } from 'node:timers';

const session = new Session();
session.connect();
const post = (method, params) => new Promise((resolve, reject) => session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))));
const startMs = Number(process.env.HEAP_SAMPLE_START_MS ?? 8000);
const sampleMs = Number(process.env.HEAP_SAMPLE_MS ?? 12000);

setTimeout(async () => {
  try {
    await post('HeapProfiler.enable');
    await post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: false });
    setTimeout(async () => {
      const { profile } = await post('HeapProfiler.stopSampling');
      const file = `/tmp/heap-sample-${process.pid}.heapprofile`;
      writeFileSync(file, JSON.stringify(profile));
      process.stderr.write(`heap sample written: ${file}\n`);
    }, sampleMs).unref();
  } catch (err) {
    process.stderr.write(`heap sampling failed: ${err.message}\n`);
  }
}, startMs).unref();
