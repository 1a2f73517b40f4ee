import { parseArgs } from 'node:util';
import { FleetModel, SimulatorRunner } from './simulator.js';

/** `npm run sim`: publishes a simulated fleet to a broker (default the local embedded one). */
const { values } = parseArgs({
  options: {
    url: { type: 'string', default: process.env.MQTT_URL ?? 'mqtt://127.0.0.1:1883' },
    sites: { type: 'string', default: process.env.SIM_SITES ?? '4' },
    rigs: { type: 'string', default: process.env.SIM_RIGS_PER_SITE ?? '50' },
    seed: { type: 'string', default: process.env.SIM_SEED ?? '42' },
    interval: { type: 'string', default: process.env.SIM_INTERVAL_MS ?? '5000' },
    faults: { type: 'string', default: process.env.SIM_FAULT_RATE ?? '0.02' },
    username: { type: 'string', default: process.env.MQTT_USERNAME },
    password: { type: 'string', default: process.env.MQTT_PASSWORD },
  },
});

const numberArg = (name: string, raw: string | undefined): number => {
  const value = Number(raw);
  if (!Number.isFinite(value)) {
    console.error(`sim: --${name} must be a number, got ${raw}`);
    process.exit(1);
  }
  return value;
};

const model = new FleetModel({
  sites: numberArg('sites', values.sites),
  rigsPerSite: numberArg('rigs', values.rigs),
  seed: numberArg('seed', values.seed),
  intervalMs: numberArg('interval', values.interval),
  faultRate: numberArg('faults', values.faults),
  gpuEvery: 25,
  startMs: Date.now(),
});
const credentials = values.username && values.password ? { username: values.username, password: values.password } : undefined;
const runner = new SimulatorRunner(model, { url: values.url as string, credentials, onProblem: (msg) => console.warn(`sim: ${msg}`) });
runner.start();
console.log(`sim: ${model.sites.length} sites × ${values.rigs} rigs → ${values.url}`);
const stop = async (): Promise<void> => {
  await runner.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
