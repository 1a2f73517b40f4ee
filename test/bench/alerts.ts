import { FleetModel } from '../../agents/sim/simulator.js';
import { AlertEngine } from '../../server/alerts/engine.js';
import { AlertsConfigSchema } from '../../server/config/alerts-schema.js';
import { FleetState } from '../../server/fleet/state.js';

/**
 * `npm run bench -- alerts`: the alerts engine over a 100,000-rig fleet (2% faulty): how long the per-sample rules
 * take per full fleet poll, and one evaluate() pass (offline scan, site power, debounce timers), with a fake clock.
 */
const RIGS = Number(process.env.BENCH_RIGS ?? 100_000);
const TICKS = 6;

let t = Date.UTC(2026, 0, 1);
const model = new FleetModel({ sites: 10, rigsPerSite: RIGS / 10, seed: 4, intervalMs: 5000, faultRate: 0.02, gpuEvery: 25, startMs: t });
const rules = AlertsConfigSchema.parse({}).rules;
const engine = new AlertEngine({ rules, historyLimit: 5000, siteCapacityKw: new Map(model.sites.map((s) => [s.id, 1000])), now: () => t });
const state = new FleetState({ rules: AlertsConfigSchema.parse({}).rules, missedIntervals: 3, siteNames: new Map(), now: () => t });
let opened = 0;
engine.onChange((_a, event) => {
  if (event === 'opened') opened++;
});

const observeMs: number[] = [];
const evaluateMs: number[] = [];
let samplesPerTick = 0;
for (let tick = 0; tick < TICKS; tick++) {
  const samples = model.sites.flatMap((site) => model.samplesAt(site, tick, t));
  samplesPerTick = samples.length;
  state.applySamples('bench', samples);
  let start = performance.now();
  engine.observe(samples);
  observeMs.push(performance.now() - start);
  start = performance.now();
  engine.evaluate(state);
  evaluateMs.push(performance.now() - start);
  t += 5000;
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
console.log(`alerts: ${samplesPerTick} rigs reporting per poll, ${TICKS} polls 5 s apart`);
console.log(`alerts: per-sample rules for one poll of the fleet: median ${median(observeMs).toFixed(0)} ms (${((1000 * median(observeMs)) / samplesPerTick).toFixed(2)} µs per sample)`);
console.log(`alerts: evaluate() (offline scan, site power, timers): median ${median(evaluateMs).toFixed(1)} ms`);
console.log(`alerts: ${opened} alerts opened (for_s defaults hold back the rest), heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`);
