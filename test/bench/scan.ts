import { scanSubnet } from '../../agents/scan/index.js';
import { loadRecordings, startFakeMiner, type FakeMiner } from '../helpers/fake-miner.js';
import { DEVICES } from '../agents/recordings.js';

/**
 * `npm run bench:scan`: 50 fake miners (recorded replies of six firmware families, over real TCP) spread over a
 * /22 on loopback; the whole /22 is scanned at the default concurrency (256) and at 16. Prints how many were found
 * and when the last one was identified. Target: all 50, under 10 s. Loopback refuses empty addresses at once; on
 * a LAN each empty address costs the connect timeout instead (see README, Agents: ASIC miners).
 */
const RANGE = '127.0.4.0/22';
const MINERS = 50;
const devices = [DEVICES.antminerStock, DEVICES.luxos, DEVICES.vnish, DEVICES.whatsminerV1, DEVICES.avalonQ, DEVICES.bfgminer];

// Spread deterministically over the 1022 hosts of the /22 (a multiplicative step visits distinct offsets).
const offsets = Array.from({ length: MINERS }, (_, i) => 1 + ((i * 613) % 1022));
const hostOf = (offset: number): string => `127.0.${4 + Math.floor(offset / 256)}.${offset % 256}`;

const miners: FakeMiner[] = [];
try {
  const first = await startFakeMiner({ host: hostOf(offsets[0] as number), replies: loadRecordings(devices[0] as Record<string, string>) });
  miners.push(first);
  for (let i = 1; i < MINERS; i++) {
    const files = devices[i % devices.length] as Record<string, string>;
    miners.push(await startFakeMiner({ host: hostOf(offsets[i] as number), port: first.port, replies: loadRecordings(files) }));
  }
  const expected = new Set(miners.map((m) => m.host));
  // Default concurrency, then a small pool: bounding open sockets must not cost a single miner.
  for (const concurrency of [256, 16]) {
    let lastFoundMs = 0;
    const started = performance.now();
    const report = await scanSubnet(RANGE, {
      port: first.port,
      concurrency,
      connectTimeoutMs: 1000,
      identifyTimeoutMs: 5000,
      onIdentified: (miner) => {
        if (expected.has(miner.host)) lastFoundMs = performance.now() - started;
      },
    });
    const seconds = (performance.now() - started) / 1000;
    const found = report.identified.filter((m) => expected.has(m.host)).length;
    const families = new Map<string, number>();
    for (const m of report.identified) families.set(m.family, (families.get(m.family) ?? 0) + 1);
    console.log(`scan ${RANGE} (${report.scanned} hosts, port ${first.port}, concurrency ${concurrency})`);
    console.log(`  found ${found} of ${MINERS} miners; last one found after ${(lastFoundMs / 1000).toFixed(2)} s`);
    console.log(`  whole /22 scanned in ${seconds.toFixed(2)} s; unknown ${report.unknown.length}, unresponsive ${report.unresponsive.length}`);
    console.log(`  families: ${[...families].map(([f, n]) => `${f} ${n}`).join(', ')}`);
    console.log(`  target: all ${MINERS} in under 10 s — ${found === MINERS && lastFoundMs < 10_000 ? 'met' : 'NOT met'}`);
    if (found !== MINERS) process.exitCode = 1;
  }
} finally {
  await Promise.all(miners.map((m) => m.close()));
}
