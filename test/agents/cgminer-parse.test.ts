import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AsicSample } from '../../server/contract/index.js';
import { buildAsicSample, parseBraiinsGrpc, parseMinerJson, type MinerReplies } from '../../agents/cgminer/index.js';
import { loadRecordings } from '../helpers/fake-miner.js';
import { BRAIINS_GRPC, DEVICES, FAMILY_DEVICES } from './recordings.js';

/**
 * Every recording parsed into a wire sample, compared with values read off the recording by hand. Units are
 * written the way the file has them (GH/s, MH/s) and converted here, so the expected numbers are the file's.
 */
const GH = (v: number): number => v / 1e3;
const MH = (v: number): number => v / 1e6;

const ctx = { site: 'test-site', rig: 'test-rig', ts: 1_700_000_000_000, intervalS: 30 };

function repliesOf(files: Record<string, string>): MinerReplies {
  const raw = loadRecordings(files);
  return Object.fromEntries(Object.entries(raw).map(([c, bytes]) => [c, parseMinerJson(bytes) as Record<string, unknown>]));
}

interface ExpectedBoard {
  ths: number | null;
  temp: number | null;
  chip: number | null;
  chips: number | null;
  expected: number | null;
}

interface Expected {
  family: string;
  model: string | null;
  firmware: string | null;
  ths5s: number | null;
  thsAvg: number | null;
  nameplate: number | null;
  boards: ExpectedBoard[];
  fans: (number | null)[];
  pools: { url: string; status: string; active: boolean; accepted: number | null; rejected: number | null; stale: number | null }[];
  power: number | null;
  powerSource: string | null;
  uptime: number | null;
  status?: string | null;
  errors?: string[];
  /** Hash algorithm (sha256 unless given) and, for the others, their rates in base units (H/s or Sol/s). */
  algorithm?: string;
  algo?: { rate5s: number | null; rateAvg: number | null; unit: string; boards: (number | null)[] };
}

const b = (ths: number | null, temp: number | null, chip: number | null, chips: number | null, expected: number | null): ExpectedBoard => ({
  ths,
  temp,
  chip,
  chips,
  expected,
});

function check(actual: AsicSample, e: Expected): void {
  expect(AsicSample.safeParse(actual).success).toBe(true);
  expect(actual.family).toBe(e.family);
  expect(actual.model).toBe(e.model);
  expect(actual.firmware).toBe(e.firmware);
  const close = (value: number | null, want: number | null): void => {
    if (want === null) expect(value).toBeNull();
    else expect(value).toBeCloseTo(want, 6);
  };
  close(actual.hashrate_5s_ths, e.ths5s);
  close(actual.hashrate_avg_ths, e.thsAvg);
  close(actual.nameplate_ths, e.nameplate);
  expect(actual.boards).toHaveLength(e.boards.length);
  e.boards.forEach((want, i) => {
    const got = actual.boards[i];
    expect(got?.index).toBe(i);
    close(got?.hashrate_ths ?? null, want.ths);
    expect(got?.temp_c).toBe(want.temp);
    expect(got?.chip_temp_c).toBe(want.chip);
    expect(got?.chips).toBe(want.chips);
    expect(got?.expected_chips).toBe(want.expected);
  });
  expect(actual.fans_rpm).toEqual(e.fans);
  expect(actual.pools.map((p) => ({ url: p.url, status: p.status, active: p.active, accepted: p.accepted, rejected: p.rejected, stale: p.stale }))).toEqual(e.pools);
  close(actual.power_w, e.power);
  expect(actual.power_source).toBe(e.powerSource);
  expect(actual.uptime_s).toBe(e.uptime);
  if (e.status !== undefined) expect(actual.status_text).toBe(e.status);
  if (e.errors !== undefined) expect(actual.errors).toEqual(e.errors);
  expect(actual.algorithm).toBe(e.algorithm ?? 'sha256');
  if (e.algo) {
    expect(actual.algo_hashrate_unit).toBe(e.algo.unit);
    // Base units are large numbers (H/s): compared to a millionth of the value.
    const near = (value: number | null, want: number | null): void => {
      if (want === null) expect(value).toBeNull();
      else expect(Math.abs((value ?? Number.NaN) - want) / want).toBeLessThan(1e-6);
    };
    near(actual.algo_hashrate_5s ?? null, e.algo.rate5s);
    near(actual.algo_hashrate_avg ?? null, e.algo.rateAvg);
    e.algo.boards.forEach((want, i) => near(actual.boards[i]?.algo_hashrate ?? null, want));
  }
}

const luxPool = (url: string, status: string, active: boolean, accepted: number, rejected: number) => ({ url, status, active, accepted, rejected, stale: 0 });

const CASES: [keyof typeof DEVICES, Expected][] = [
  [
    'antminerStock',
    {
      family: 'antminer',
      model: 'Antminer S19 Pro',
      firmware: 'Tue Dec 6 16:12:30 CST 2022',
      ths5s: GH(110566.89),
      thsAvg: GH(111834.85),
      nameplate: 110,
      boards: [b(GH(37603.3), 73, 78, 114, 114), b(GH(35536.22), 66, 71, 114, 114), b(GH(37427.38), 64, 69, 114, 114)],
      fans: [6000, 5880, 5040, 5040],
      pools: [
        { url: 'stratum+tcp://btc.global.luxor.tech:700', status: 'alive', active: true, accepted: 4057, rejected: 11, stale: 1 },
        { url: 'stratum+tcp://btc.global.luxor.tech:700', status: 'alive', active: false, accepted: 0, rejected: 0, stale: 0 },
        { url: 'stratum+tcp://btc.global.luxor.tech:700', status: 'alive', active: false, accepted: 0, rejected: 0, stale: 0 },
      ],
      // Stock S19 Pro firmware reports no power: 110.56689 TH/s × 29.5 J/TH nameplate efficiency.
      power: 3261.7,
      powerSource: 'estimated',
      uptime: 50474,
      errors: [],
    },
  ],
  [
    'luxos',
    {
      family: 'luxos',
      model: 'Antminer S19k Pro',
      firmware: 'LuxOS 2025.4.8.220305-57b389c7',
      ths5s: GH(59756.06),
      thsAvg: GH(56917.91),
      nameplate: 121.8,
      boards: [b(GH(18910.28), 47, 47, 77, 77), b(GH(18939.95), 47, 47, 77, 77), b(GH(19067.67), 47, 47, 77, 77)],
      fans: [1920, 1920, 2340, 2340],
      pools: [
        luxPool('stratum+tcp://ca.stratum.braiins.com:3333', 'alive', true, 724, 0),
        luxPool('stratum+tcp://stratum.braiins.com:3333', 'dead', false, 0, 0),
        luxPool('stratum+tcp://ca.stratum.braiins.com:3333', 'alive', true, 759, 1),
        luxPool('stratum+tcp://stratum.braiins.com:3333', 'dead', false, 0, 0),
      ],
      power: 1051,
      powerSource: 'miner',
      uptime: 3453,
      status: 'Normal',
    },
  ],
  [
    'vnish',
    {
      family: 'vnish',
      model: 'Antminer S21 Pro',
      firmware: 'Vnish 1.2.7',
      ths5s: GH(173870.94),
      thsAvg: GH(174374.75),
      nameplate: 234,
      boards: [b(GH(60797.19), 50, 65, 65, 65), b(GH(57766.645), 49, 64, 65, 65), b(GH(55307.1), 49, 64, 65, 65)],
      fans: [5850, 5850, 5940, 5940],
      pools: [
        { url: 'stratum.braiins.com:3333', status: 'alive', active: true, accepted: 1599, rejected: 9, stale: 0 },
        { url: 'stratum.braiins.com:3333', status: 'alive', active: false, accepted: 0, rejected: 0, stale: 0 },
        { url: 'DevFee', status: 'alive', active: true, accepted: 224, rejected: 1, stale: 0 },
      ],
      // chain_consumption1..3 = 861 W each.
      power: 861 * 3,
      powerSource: 'miner',
      uptime: 4423,
      status: 'auto-tuning',
      errors: [],
    },
  ],
  [
    'mskminer',
    {
      // mskminer writes its release into the Type ("S19-88 v.2.6.0.39").
      family: 'mskminer',
      model: 'Antminer S19 (88-chip)',
      firmware: 'mskminer 2.6.0.39',
      ths5s: GH(99989.59),
      thsAvg: GH(99761.4),
      nameplate: 95,
      boards: [b(GH(34084.86), 45, 59, 88, 88), b(GH(32303.65), 45, 57, 88, 88), b(GH(33601.08), 47, 58, 88, 88)],
      fans: [5010, 5160, 5070, 5040],
      pools: [],
      power: 3358,
      powerSource: 'miner',
      uptime: 1926,
      status: 'PSU OK',
    },
  ],
  [
    'hammer',
    {
      family: 'cgminer',
      model: 'Hammer D10',
      firmware: '2.0.2.2',
      // A Scrypt miner: its rate (MH/s keys, 4.885 GH/s) is never TH/s of bitcoin hashrate.
      algorithm: 'scrypt',
      ths5s: null,
      thsAvg: null,
      nameplate: null,
      algo: { unit: 'H/s', rate5s: 4885.0813e6, rateAvg: 4872.9297e6, boards: [1578.2742e6, 1594.3646e6, 1513.8498e6] },
      boards: [b(null, 45, null, 108, null), b(null, 42, null, 108, null), b(null, 40, null, 108, null)],
      fans: [4650, 4500, 3870, 3930],
      pools: [0, 1, 2].map(() => ({ url: 'stratum+tcp://stratum.pool.io:3333', status: 'alive', active: true, accepted: 10000, rejected: 100, stale: 0 })),
      // No power figure from the miner: the D10's rated 3250 W while it hashes.
      power: 3250,
      powerSource: 'nameplate',
      uptime: 119134,
    },
  ],
  [
    'whatsminerV1',
    {
      family: 'whatsminer',
      model: null,
      firmware: '20210322.22.REL',
      ths5s: MH(70668114.52),
      thsAvg: MH(67753251.19),
      nameplate: GH(68796),
      boards: [b(MH(20053438.74), 70, 90, 105, null), b(MH(25567317.81), 69.5, 90.11, 105, null), b(MH(24351292.28), 71.5, 92.5, 105, null)],
      fans: [6450, 6480],
      pools: [
        { url: 'stratum+tcp://btc.example.pool:3333', status: 'alive', active: true, accepted: 2338, rejected: 0, stale: 0 },
        { url: 'stratum+tcp://btc2.example.pool:3333', status: 'alive', active: false, accepted: 0, rejected: 0, stale: 0 },
        { url: 'stratum+tcp://btc3.example.pool:3333', status: 'alive', active: false, accepted: 0, rejected: 0, stale: 0 },
      ],
      power: 3417,
      powerSource: 'miner',
      uptime: 10154,
      errors: [],
    },
  ],
  [
    'whatsminerV2',
    {
      family: 'whatsminer',
      model: null,
      firmware: null,
      // No `MHS 5s` in this summary: the real-time `HS RT` (MH/s) is the current figure.
      ths5s: MH(124500000),
      thsAvg: MH(125000000),
      nameplate: GH(126000),
      boards: [b(MH(41500000), 65, 80, 135, null), b(MH(41800000), 66, 81, 135, null), b(MH(41700000), 67, 81, 135, null)],
      fans: [5400, 5280],
      pools: [
        { url: 'stratum+tcp://btc.example.pool:3333', status: 'alive', active: true, accepted: 5412, rejected: 0, stale: null },
        { url: 'stratum+tcp://btc2.example.pool:3333', status: 'alive', active: false, accepted: 0, rejected: 0, stale: null },
        { url: 'stratum+tcp://btc3.example.pool:3333', status: 'alive', active: false, accepted: 0, rejected: 0, stale: null },
      ],
      power: 3200,
      powerSource: 'miner',
      uptime: 25000,
    },
  ],
  [
    'avalonQ',
    {
      family: 'avalon',
      model: 'Avalon Q',
      firmware: '25052801_14a19a2',
      // Soft-off ("Work: In Idle"): summary MHS 5s is 0.0, the average still counts the hours it hashed.
      ths5s: 0,
      thsAvg: MH(44539601.86),
      nameplate: 90,
      boards: [b(GH(44499.41), 27, null, null, 160)],
      fans: [0, 0, 0, 0],
      pools: [{ url: 'stratum+tcp://pool.example.com:4444', status: 'alive', active: true, accepted: 890, rejected: 2, stale: 0 }],
      power: 146,
      powerSource: 'miner',
      uptime: 37714,
      status: 'Work: In Idle, Hash Board: 1',
    },
  ],
  [
    'avalon15',
    {
      family: 'avalon',
      model: 'Avalon A15-194',
      firmware: '24102401_25462b2_9ddf522',
      ths5s: GH(199241.07),
      thsAvg: GH(184007.0),
      nameplate: 194,
      boards: [b(GH(59459.52), 69, 77, null, 160), b(GH(61407.83), 70, 78, null, 160), b(GH(63139.66), 71, 77, null, 160)],
      fans: [4275, 4282],
      pools: [3333, 3334, 3335].map((port, i) => ({
        url: `stratum+tcp://stratum.pool.io:${port}`,
        status: 'alive',
        active: i === 0,
        accepted: i === 0 ? 148 : 0,
        rejected: i === 0 ? 1 : 0,
        stale: 0,
      })),
      power: 3731,
      powerSource: 'miner',
      uptime: 975,
      status: 'Work: In Work, Hash Board: 3',
    },
  ],
  [
    'sealminer',
    {
      family: 'sealminer',
      model: 'SealMiner A2',
      firmware: '2025091001',
      // summary's own 5 s and average figures, as the firmware reports them.
      ths5s: MH(368479432.78),
      thsAvg: MH(206860473.51),
      nameplate: 230.839,
      boards: [
        b(MH(73905832.003432), 70, null, 153, null),
        b(MH(73626639.194207), 70, null, 153, null),
        b(MH(72846394.903347), 70, null, 153, null),
      ],
      fans: [3723, 3723, 3753, 3723],
      pools: [{ url: 'stratum+tcp://stratum.braiins.com:3333', status: 'alive', active: true, accepted: 322, rejected: 1, stale: 0 }],
      // PSU Input Power: the PSU's own reading at the wall.
      power: 3504,
      powerSource: 'miner',
      uptime: 2481,
      status: 'Running',
      errors: [],
    },
  ],
  [
    'auradine',
    {
      family: 'auradine',
      model: 'Auradine AT1500',
      firmware: 'FluxOS 2023-12.27',
      ths5s: MH(20599767.1774699),
      thsAvg: MH(7970630.042671183),
      nameplate: null,
      // Board temperature from devs; hottest chip from `temperature`; 396 ASICs over 3 boards from `asccount`.
      boards: [
        b(MH(6800000), 28.25, 45.827271728515655, null, 132),
        b(MH(6900000), 29.06, 48.220855712890625, null, 132),
        b(MH(7000000), 30.12, 51.41230102539066, null, 132),
      ],
      fans: [7080, 7020, 7100, 7020],
      pools: [
        { url: 'stratum+tcp://btc.viabtc.io:3333', status: 'alive', active: true, accepted: 10, rejected: 1, stale: null },
        { url: 'stratum+tcp://stratum.slushpool.com:3333', status: 'dead', active: false, accepted: 0, rejected: 0, stale: null },
        { url: 'stratum+tcp://stratum.slushpool.com:3333', status: 'dead', active: false, accepted: 0, rejected: 0, stale: null },
      ],
      // psu PowerIn "58.94W" comes from an idle unit (PowerOut 0.00W): beside 20.6 TH/s it would be 2.9 J/TH, so the
      // plausibility guard drops it, and the AT1500 is not in the model table to estimate from.
      power: null,
      powerSource: null,
      uptime: 56696,
      errors: ['power 58.94 W from the miner is implausible for 20.6 TH/s (2.86 W per TH/s, expected 5…500): dropped'],
    },
  ],
  [
    'bfgminer',
    {
      family: 'bfgminer',
      model: null,
      firmware: 'bfgminer 5.5.0-34-g866fd36f',
      ths5s: MH(4.302),
      thsAvg: MH(5.456),
      nameplate: null,
      boards: [b(MH(4.441), null, null, null, null)],
      fans: [],
      pools: [{ url: 'Benchmark', status: 'alive', active: true, accepted: 0, rejected: 0, stale: 0 }],
      power: null,
      powerSource: null,
      uptime: 68,
      errors: [],
    },
  ],
];

describe('cgminer-family recordings → AsicSample', () => {
  it.each(CASES)('%s', (device, expected) => {
    check(buildAsicSample(repliesOf(DEVICES[device]), ctx), expected);
  });

  it('keeps Whatsminer error codes as sample errors', () => {
    const sample = buildAsicSample(repliesOf(DEVICES.whatsminerV1Errors), ctx);
    expect(sample.errors).toEqual(['error code 110', 'error code 600']);
  });

  it('does not report "Invalid command" for firmware without a version command (Vnish)', () => {
    const replies = repliesOf(DEVICES.vnish);
    expect(JSON.stringify(replies['version'])).toContain('Invalid command');
    expect(buildAsicSample(replies, ctx).errors).toEqual([]);
  });

  it('reads BFGMiner with a 5 s log interval from `MHS 5s` instead of `MHS 20s`', () => {
    const sample = buildAsicSample(repliesOf({ summary: 'bfgminer/run2_log-interval-5/summary.raw' }), ctx);
    expect(sample.hashrate_5s_ths).toBeCloseTo(MH(5.423), 12);
    expect(sample.hashrate_avg_ths).toBeCloseTo(MH(5.323), 12);
  });

  it('refuses replies with nothing to build a sample from, naming the error', () => {
    const replies = repliesOf({ stats: 'bfgminer/err_invalid_command_estats.json' });
    expect(() => buildAsicSample(replies, ctx)).toThrow(/without summary, devs or stats.*Invalid command/);
  });
});

describe('Braiins OS gRPC recordings → AsicSample', () => {
  it('parses details, stats, hashboards, cooling, pools and errors', () => {
    const raw = loadRecordings(BRAIINS_GRPC);
    const replies = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, parseMinerJson(v)]));
    check(parseBraiinsGrpc(replies, ctx), {
      family: 'braiins',
      model: 'Antminer S19 XP',
      firmware: 'Braiins OS 2025-08-06-0-3881c51d-25.07-plus',
      ths5s: GH(141463.56540072063),
      thsAvg: GH(138207.05294534727),
      nameplate: GH(141000),
      boards: [
        b(GH(50137.72942148807), 55.5, 70.5, 110, 110),
        b(GH(47859.278339866236), 52, 67, 110, 110),
        b(GH(50362.690141466795), 54, 69, 110, 110),
      ],
      fans: [5904, 5874, 5874, 5904],
      pools: [
        { url: 'stratum+tcp://example.pool.com:3333', status: 'alive', active: true, accepted: 10460, rejected: 18, stale: 0 },
        { url: 'stratum+tcp://example.pool2.com:3333', status: 'alive', active: false, accepted: 4, rejected: 0, stale: 0 },
      ],
      power: 3137,
      powerSource: 'miner',
      uptime: 69685,
      errors: [
        'Failed to resolve ("a830bcc3.bos.braiins.com", 3336)',
        'Failed to resolve ("mine.ocean.xyz", 3334)',
      ],
    });
  });
});

/** BFGMiner recordings replayed byte for byte over TCP (cgminer-tcp.test.ts) or read here directly. */
const BFGMINER_REPLAYED = [
  'bfgminer/summary.json',
  'bfgminer/multi_summary+devs+stats+version.raw',
  'bfgminer/multi_summary+pools.raw',
  'bfgminer/multi_with_invalid_summary+estats+restart.raw',
  'bfgminer/err_invalid_command_estats.json',
  'bfgminer/run2_log-interval-5/summary.raw',
  // BFGMiner's answer to a restart without privileged access (actions.test.ts).
  'bfgminer/restart_access_denied.json',
];

describe('fixture coverage', () => {
  it('every copied recording is exercised by a case above', () => {
    const dir = join(import.meta.dirname, '..', 'fixtures', 'asic');
    const used = new Set<string>([
      ...Object.values(DEVICES).flatMap((files) => Object.values(files)),
      ...Object.values(FAMILY_DEVICES).flatMap((files) => Object.values(files)),
      ...Object.values(BRAIINS_GRPC),
    // Used by units-power.test.ts (family detection from a Braiins OS cgminer API version reply).
    'asicrs__braiins-bosplus-21.09-gql__version.json',
    // Answers to operator actions, replayed by the fake miners of actions.test.ts.
    'asicrs__avalon-q__ascset_softoff.json',
    'asicrs__avalon-q__ascset_softon.json',
    'asicrs__avalon-q__ascset_workmode.json',
    'asicrs__luxos-s19k-pro-2025.4.8__profiles.json',
    ]);
    const topLevel = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(topLevel.filter((f) => !used.has(f))).toEqual([]);
    // bfgminer/ recordings are replayed over TCP in cgminer-tcp.test.ts; each is named there or in DEVICES.
    const bfg = readdirSync(join(dir, 'bfgminer'), { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.(raw|json)$/.test(f))
      .map((f) => `bfgminer/${f}`);
    const named = [...used, ...BFGMINER_REPLAYED];
    expect(bfg.filter((f) => !named.includes(f))).toEqual([]);
  });
});
