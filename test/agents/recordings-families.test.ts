import { describe, expect, it } from 'vitest';
import { buildAsicSample, parseMinerJson, type MinerReplies } from '../../agents/cgminer/index.js';
import { AsicSample } from '../../server/contract/index.js';
import { loadRecordings } from '../helpers/fake-miner.js';
import { FAMILY_DEVICES } from './recordings.js';

/**
 * One recording per family and firmware generation (test/fixtures/asic/SOURCE.md), each read into a sample and
 * compared with figures read off the recording by hand: hashrate, boards (count, rate, temperatures, chips), fans,
 * pools, model, firmware family. Rates are written in the recording's own unit and converted here.
 */
const GH = (v: number): number => v / 1e3;
const MH = (v: number): number => v / 1e6;
const ctx = { site: 'test-site', rig: 'test-rig', ts: 1_700_000_000_000, intervalS: 30 };

/** Replies by command; a file named `a_b_c` is a whole multi-command reply and is split into its sections. */
function repliesOf(files: Record<string, string>): MinerReplies {
  const out: MinerReplies = {};
  for (const [command, bytes] of Object.entries(loadRecordings(files))) {
    const parsed = parseMinerJson(bytes) as Record<string, unknown>;
    if (!command.includes('_') || command.startsWith('get')) {
      out[command] = parsed;
      continue;
    }
    for (const [section, value] of Object.entries(parsed)) {
      if (Array.isArray(value)) out[section] = value[0] as Record<string, unknown>;
    }
  }
  return out;
}

/** [rate (TH/s, or base units for other algorithms), board °C, chip °C, chips] */
type B = [number | null, number | null, number | null, number | null];

interface Want {
  family: string;
  model: string | null;
  firmware: string | null;
  algorithm?: string;
  /** TH/s for SHA-256; base units (H/s, Sol/s) in `algo_hashrate_5s` otherwise. */
  rate5s: number | null;
  boards: B[] | { count: number; first: B };
  fans: (number | null)[];
  pools: { count: number; active: number[] };
  power?: [number | null, string | null];
  status?: string | null;
  errors?: string[];
}

function near(value: number | null | undefined, want: number | null): void {
  if (want === null) expect(value ?? null).toBeNull();
  else expect(Math.abs((value ?? Number.NaN) - want)).toBeLessThanOrEqual(Math.abs(want) * 1e-9 + 1e-9);
}

function check(sample: AsicSample, want: Want): void {
  expect(AsicSample.safeParse(sample).success).toBe(true);
  expect(sample.family).toBe(want.family);
  expect(sample.model).toBe(want.model);
  expect(sample.firmware).toBe(want.firmware);
  const algorithm = want.algorithm ?? 'sha256';
  expect(sample.algorithm).toBe(algorithm);
  if (algorithm === 'sha256') near(sample.hashrate_5s_ths, want.rate5s);
  else {
    expect(sample.hashrate_5s_ths).toBeNull();
    expect(sample.hashrate_avg_ths).toBeNull();
    near(sample.algo_hashrate_5s, want.rate5s);
  }
  const boards = Array.isArray(want.boards) ? want.boards : [want.boards.first];
  if (Array.isArray(want.boards)) expect(sample.boards).toHaveLength(want.boards.length);
  else expect(sample.boards).toHaveLength(want.boards.count);
  boards.forEach(([rate, temp, chip, chips], i) => {
    const got = sample.boards[i];
    near(algorithm === 'sha256' ? got?.hashrate_ths : got?.algo_hashrate, rate);
    if (algorithm !== 'sha256') expect(got?.hashrate_ths).toBeNull();
    expect([got?.temp_c, got?.chip_temp_c, got?.chips]).toEqual([temp, chip, chips]);
  });
  expect(sample.fans_rpm).toEqual(want.fans);
  expect(sample.pools).toHaveLength(want.pools.count);
  expect(sample.pools.flatMap((p, i) => (p.active ? [i] : []))).toEqual(want.pools.active);
  if (want.power) expect([sample.power_w, sample.power_source]).toEqual(want.power);
  if (want.status !== undefined) expect(sample.status_text).toBe(want.status);
  if (want.errors) expect(sample.errors).toEqual(want.errors);
}

const S9_POOLS = { count: 5, active: [0] };

const CASES: [keyof typeof FAMILY_DEVICES, Want][] = [
  // Antminer S9 family: boards on chain slots 6-8 of 16, fans in fan5/fan6.
  ['s9Hiveon', {
    family: 'hiveon', model: 'Antminer S9', firmware: 'Hiveon (bmminer 2.0.0 rwglr)', rate5s: GH(11781.4),
    boards: [[GH(3911.64), 59, 74, 63], [GH(3913.7), 50, 65, 63], [GH(3956.05), 57, 72, 63]],
    fans: [3840, 4920], pools: S9_POOLS,
    // Hiveon's chain_power (11.55 per board, "34.65 (AB)") is not watts: dropped, and the S9's 98 J/TH estimates.
    power: [1154.6, 'estimated'],
    errors: ['power 34.65 W from the miner is implausible for 11.78 TH/s (2.94 W per TH/s, expected 39.2…392): dropped'],
  }],
  ['s9Asicseer', {
    family: 'asicseer', model: 'Antminer S9', firmware: 'asicseer 1.1.9-f7b7', rate5s: GH(13402.14),
    boards: [[GH(4467.65), 57, 87, 63], [GH(4431.33), 49, 74, 63], [GH(4503.15), 56, 86, 63]],
    fans: [2880, 3840], pools: { count: 3, active: [] }, errors: [],
  }],
  ['s9Mskminer', {
    // fan_num 1: the one fan turns in slot 6. chain_power 322.5 × 3 is real watts here (107 J/TH).
    family: 'mskminer', model: 'Antminer S9', firmware: 'mskminer 5.1', rate5s: GH(9039.731),
    boards: [[GH(2856.42), 37, 52, 63], [GH(3054.06), 30, 45, 63], [GH(3129.25), 33, 48, 63]],
    fans: [5280], pools: { count: 4, active: [0, 3] }, power: [967.5, 'miner'], errors: [],
  }],
  ['s9Vnish', {
    family: 'vnish', model: 'Antminer S9', firmware: 'Vnish 3.8.6', rate5s: GH(12795.48),
    boards: [[GH(4264.48), 65, 80, 63], [GH(4298.32), 56, 71, 63], [GH(4232.67), 63, 78, 63]],
    fans: [5400, 5880], pools: { count: 4, active: [0] }, power: [1485, 'miner'],
  }],
  ['s9BadTemps', {
    // temp7 0 is "not read"; temp2_7 -83 is a sensor fault.
    family: 'antminer', model: 'Antminer S9', firmware: 'Wed Jul 31 16:18:27 CST 2019', rate5s: GH(13883.81),
    boards: [[GH(4618.85), 75, 62, 63], [GH(4624.55), null, null, 63], [GH(4640.41), 73, 62, 63]],
    fans: [3720, 2400], pools: { count: 3, active: [0] },
    errors: ['board 1 chip temperature -83 °C is outside -40…150 °C: dropped'],
  }],
  ['s9k', {
    // Its version reply ends with a stray `"}`; chip temperature is the hottest of temp_chipN "51-85".
    family: 'antminer', model: 'Antminer S9k', firmware: 'Sun Sep 29 15:25:10 CST 2019', rate5s: GH(14359.19),
    boards: [[GH(4661.79), 61, 85, 60], [GH(4815.72), 60, 84, 60], [GH(4881.69), 58, 78, 60]],
    fans: [2280, 3720], pools: S9_POOLS,
  }],
  ['t15', {
    // temp2_N (29) is the coolest chip sensor; temp_chipN "29-54-30-55" has the hottest.
    family: 'antminer', model: 'Antminer T15', firmware: 'Fri Dec 13 15:46:16 CST 2019', rate5s: GH(21615.78),
    boards: [[GH(8048.19), 40, 55, 60], [GH(6574.89), 35, 50, 60], [GH(6992.69), 39, 54, 60]],
    fans: [2880, 2880], pools: { count: 3, active: [0] },
  }],
  ['s17Pro', {
    family: 'antminer', model: 'Antminer S17 Pro', firmware: 'Tue Aug 20 10:37:07 CST 2019', rate5s: GH(54997.01),
    boards: [[GH(17968.26), 53, 80, 48], [GH(18418.0), 53, 75, 48], [GH(18610.75), 45, 63, 48]],
    fans: [2400, 3000, 3120, 2400], pools: { count: 3, active: [0, 1, 2] },
  }],
  ['s19Sleeping', {
    // Board 1 is an empty slot between nothing: only chains 2 and 3 exist (miner_count 2).
    family: 'antminer', model: 'Antminer S19', firmware: 'Fri Dec 11 11:15:40 CST 2020', rate5s: 0,
    boards: [[0, 40, 40, 76], [0, 40, 40, 76]], fans: [1560, 1560, 600, 720], pools: { count: 3, active: [0] },
    power: [null, null],
  }],
  ['s19Cold', {
    family: 'antminer', model: 'Antminer S19 Pro', firmware: 'Wed Oct 21 10:18:10 CST 2020', rate5s: GH(110786.79),
    boards: { count: 3, first: [GH(37735.24), 22, 27, 114] }, fans: [5520, 5400, 5040, 5040], pools: { count: 3, active: [0] },
  }],
  ['s17PlusSleeping', {
    // Asleep: fan_num 0 and every fan slot 0 (the firmware sees no fan, so none is reported); sensors read 0 (not read).
    family: 'antminer', model: 'Antminer S17+', firmware: 'Tue Jun 2 10:31:07 CST 2020', rate5s: 0,
    boards: [[0, null, null, 0], [0, null, null, 0], [0, null, null, 0]], fans: [], pools: { count: 3, active: [0, 2] },
  }],
  ['s19Overheating', {
    // Stopped by its overheat protection: 0 now, boards at 88-92 °C (hottest PCB sensor), chips at 93-97 °C.
    family: 'antminer', model: 'Antminer S19 Pro', firmware: 'Fri Dec 11 11:23:44 CST 2020', rate5s: 0,
    boards: [[0, 88, 93, 114], [0, 89, 94, 114], [0, 92, 97, 114]], fans: [5160, 5280, 6240, 6120], pools: { count: 3, active: [0] },
  }],
  ['s19Overheating2', {
    family: 'antminer', model: 'Antminer S19 Pro', firmware: 'Mon Oct 26 17:55:33 CST 2020', rate5s: 0,
    boards: [[0, 91, 96, 114], [0, 85, 90, 114], [0, 83, 88, 114]], fans: [6000, 5880, 6120, 6120], pools: { count: 3, active: [0, 2] },
  }],
  ['t17PlusSleeping', {
    family: 'antminer', model: 'Antminer T17+', firmware: 'Tue Jun 2 10:11:10 CST 2020', rate5s: 0,
    boards: [[0, null, null, 0], [0, null, null, 0]], fans: [], pools: { count: 3, active: [0, 2] },
  }],
  // Other algorithms: bmminer's "GHS" label carries MH/s (L3+, D3, E3) or kSol/s (Z11).
  ['d3Blissz', {
    family: 'blissz', model: 'Antminer D3', firmware: 'Blissz v2.06 beta', algorithm: 'x11', rate5s: 16346.64e6,
    boards: [[5287.83e6, 46, 69, 60], [5631.41e6, 46, 67, 60], [5427.41e6, 48, 62, 60]],
    fans: [6030, 5790], pools: { count: 5, active: [0] }, power: [1350, 'nameplate'],
  }],
  ['e3', {
    // Nine chains on three boards (miner_count 3), listed board by board.
    family: 'antminer', model: 'Antminer E3', firmware: 'Wed Jul 4 18:21:00 CST 2018', algorithm: 'ethash', rate5s: 197.3e6,
    boards: [[(20.97 + 21.81 + 22.98) * 1e6, 49, 63, 6], [(24.49 + 18.79 + 22.98) * 1e6, 50, 68, 6], [(21.14 + 23.99 + 20.13) * 1e6, 50, 68, 6]],
    fans: [3600, 3720], pools: { count: 3, active: [0] },
  }],
  ['l3Plus', {
    family: 'antminer', model: 'Antminer L3+', firmware: 'Fri Aug 25 17:28:57 CST 2017', algorithm: 'scrypt', rate5s: 504.56e6,
    boards: [[126.12e6, 46, 54, 72], [125.79e6, 46, 56, 72], [126.06e6, 46, 56, 72], [126.59e6, 45, 53, 72]],
    fans: [3840, 3810], pools: { count: 3, active: [0] },
  }],
  ['l3PlusIdle', {
    family: 'antminer', model: 'Antminer L3+', firmware: 'Fri Aug 25 17:28:57 CST 2017', algorithm: 'scrypt', rate5s: 0,
    boards: { count: 4, first: [126.12e6, 46, 54, 72] }, fans: [3840, 3810], pools: { count: 3, active: [0] },
  }],
  ['z11', {
    family: 'antminer', model: 'Antminer Z11', firmware: 'Tue Mar 12 19:47:06 CST 2019', algorithm: 'equihash', rate5s: 141540,
    boards: [[53240, 63, 90, 3], [42260, 63, 83, 3], [46030, 63, 90, 3]], fans: [5640, 5760], pools: { count: 3, active: [0] },
  }],
  ['z11Chipless', {
    // This firmware's total is in Sol/s (145474.39) where its chains keep kSol/s: the total is implausible and
    // dropped, and the boards' sum stands in for the current rate.
    family: 'antminer', model: 'Antminer Z11', firmware: 'Sat May 23 19:07:17 CST 2020 (Chipless v3.0 Auto Paid)', algorithm: 'equihash',
    rate5s: 42590 + 47840 + 55040,
    boards: [[42590, 37, 56, 3], [47840, 38, 60, 3], [55040, 34, 54, 3]], fans: [3000, 3000], pools: { count: 3, active: [0] },
    errors: [
      'hashrate 145474390 Sol/s is implausible for an Antminer Z11 (nameplate 135000 Sol/s): dropped',
      'average hashrate 143682170 Sol/s is implausible for an Antminer Z11 (nameplate 135000 Sol/s): dropped',
    ],
  }],
  // Braiins OS over the cgminer API: no Type; the Description names the platform (am1-s9).
  ['braiinsPlusS9', {
    family: 'braiins', model: 'Antminer S9', firmware: 'Braiins OS+ 0.2.0-36c56a9363', rate5s: MH(15740915.842676325),
    boards: [[MH(4683070.74742169), 75, null, null], [MH(4687913.424447901), 63, null, null], [MH(4213098.705765925), 70, null, null]],
    fans: [2820, 3780], pools: { count: 3, active: [0] },
  }],
  ['braiinsS9', {
    family: 'braiins', model: 'Antminer S9', firmware: 'Braiins OS 0.2.0-d360818', rate5s: MH(14274425.317759488),
    boards: { count: 3, first: [MH(4683070.74742169), 53, null, null] }, fans: [1560, 1560], pools: { count: 2, active: [0] },
  }],
  // Avalon: 7xx-9xx units behind an AUC controller (one module = one board here), 10xx with per-board MM fields.
  ['avalon7xx', {
    family: 'avalon', model: 'Avalon 741', firmware: '7411706-3162860', rate5s: MH(52126282.15),
    boards: { count: 10, first: [GH(6836.48), 38, 89, 88] },
    fans: [2550, 1440, 2700, 2580, 2430, 4440, 3900, 3150, 2760, 3810], pools: { count: 2, active: [0] },
  }],
  ['avalon8xx', {
    family: 'avalon', model: 'Avalon 841', firmware: '8411803-14b0f10', rate5s: MH(38567094.38),
    boards: [[GH(13646.2), 36, 84, 104], [GH(11609.65), 36, 85, 104], [GH(11513.45), 37, 83, 104]],
    fans: [5730, 5850, 5610], pools: { count: 2, active: [0] },
  }],
  ['avalon9xx', {
    family: 'avalon', model: 'Avalon 921', firmware: '9211809-b4b3d00', rate5s: MH(473707649.51),
    boards: { count: 50, first: [GH(21718.7), 23, 94, 104] },
    fans: [4830, 4710, 5040, 4800, 4320, 5610, 5190, 5250, 4980, 5220, 4740, 5880, 5190, 6450, 4860, 4740, 4830, 5160, 4980, 5130, 4650, 5880, 5190, 6480, 4830, 4680, 5850, 5310, 6570, 4920, 4770, 5700],
    pools: { count: 3, active: [0] },
  }],
  ['avalon10xx', {
    // Board temperature is the boards' average chip temperature (MTavg), the chip figure their hottest (MTmax).
    family: 'avalon', model: 'Avalon 1047', firmware: '1047-20051101_85dc6f0_0332654', rate5s: MH(32247416.81),
    boards: [[GH(12362.61), 55, 61, null], [GH(12812.16), 58, 64, null]], fans: [2896, 2927], pools: { count: 3, active: [0] },
    status: 'Work: In Work, Hash Board: 2',
  }],
  ['avalon10xxMalformed', {
    // `"MHS av":nan` in the summary: read as unknown, and the module's own GHSavg is the average.
    family: 'avalon', model: 'Avalon 1047', firmware: '1047-20051101_85dc6f0_0332654', rate5s: 0,
    boards: [[GH(12362.61), 55, 61, null], [GH(12812.16), 58, 64, null]], fans: [2896, 2927], pools: { count: 3, active: [0] },
  }],
  // Whatsminer across firmware generations.
  ['whatsminerM3', {
    family: 'whatsminer', model: null, firmware: null, rate5s: MH(12286819.78), boards: [], fans: [5730, 5880],
    pools: { count: 3, active: [1] },
  }],
  ['whatsminerM20sOld', {
    // Old firmware: summary and pools only, no per-board section recorded.
    family: 'whatsminer', model: null, firmware: null, rate5s: MH(65371302.78), boards: [], fans: [4590, 4560],
    pools: { count: 2, active: [0] },
  }],
  ['whatsminerM20sNew', {
    family: 'whatsminer', model: null, firmware: '20200917.22.REL', rate5s: MH(64143777.95),
    boards: [[MH(19540157.81), 71.5, 87.7, 111], [MH(23015815.92), 68.5, 84.5, 111], [MH(21747874.7), 72, 87.2, 111]],
    fans: [4950, 4920], pools: { count: 2, active: [0] }, power: [3491, 'miner'], status: 'power mode Normal',
  }],
  ['whatsminerM30sEdevs', {
    // M30 firmware answers `edevs`, not `devs`.
    family: 'whatsminer', model: null, firmware: '20200512.13.REL', rate5s: MH(85038430.01),
    boards: [[MH(29637403.56), 80, 99.79, 156], [MH(27335216.82), 72, 89.14, 156], [MH(26400703.96), 72.5, 90.64, 156]],
    fans: [2370, 2430], pools: { count: 3, active: [0] }, power: [3230, 'miner'], errors: ['error code 205'],
  }],
  ['whatsminerM31s', {
    family: 'whatsminer', model: null, firmware: '20210109.22.REL', rate5s: MH(116472006.19),
    boards: [[MH(31120845.74), 79.5, 94.95, 215], [MH(33993448.66), 80, 94.9, 215], [MH(34677087.2), 79.5, 92.9, 215]],
    fans: [3870, 3930], pools: { count: 1, active: [0] }, power: [3496, 'miner'], status: 'power mode High',
  }],
  ['whatsminerM31s2', {
    family: 'whatsminer', model: null, firmware: '20201202.22.REL', rate5s: MH(92768288.94),
    boards: [[MH(25012892.74), 57.5, 77.44, 105], [MH(26032487.18), 72, 93, 105], [MH(25944861.7), 68, 89.17, 105]],
    fans: [5700, 0], pools: { count: 3, active: [0] }, errors: ['error code 110', 'error code 111', 'error code 131'],
  }],
  ['whatsminerV1Api', {
    family: 'whatsminer', model: null, firmware: '20210322.22.REL', rate5s: MH(70668114.52),
    boards: { count: 3, first: [MH(20053438.74), 70, 90, 105] }, fans: [6450, 6480], pools: { count: 3, active: [0] },
    status: 'power mode Normal',
  }],
  ['whatsminerV2Api', {
    // API v2 `status` gives the firmware the summary lacks; `mineroff` "false": awake.
    family: 'whatsminer', model: null, firmware: '20240624.18.REL', rate5s: MH(124500000),
    boards: { count: 3, first: [MH(41500000), 65, 80, 135] }, fans: [5400, 5280], pools: { count: 3, active: [0] },
  }],
  ['whatsminerV3Errors', {
    family: 'whatsminer', model: 'Whatsminer M60S', firmware: '20251209.16.Rel2', rate5s: 171.259, boards: [],
    fans: [5400, 5280], pools: { count: 0, active: [] },
    errors: [
      'error code 264: Power xfer error. code: 0xffffffffc0000000',
      'error code 265: Power Unknow error. code: 0xffffffffc0000000',
      'error code 266: Power Unknow error. code: 0xffffffffc0000000',
      'error code 267: Power watch dog protected. code: 0xffffffffc0000000',
      'error code 270: Power input over-voltage warning. code: 0xffffffffc0000000',
    ],
  }],
  ['whatsminerM31sSleeping', {
    // Asleep, it answers only the API v2 `status` command: a sample that says so, hashing nothing.
    family: 'whatsminer', model: null, firmware: '20210109.22.REL', rate5s: 0, boards: [], fans: [], pools: { count: 0, active: [] },
    status: 'sleeping', power: [null, null],
  }],
  ['whatsminerV3', {
    // API v3: TH/s figures, per-board chips and temperatures in edevs, the board temperature list in summary.
    family: 'whatsminer', model: 'Whatsminer M60S', firmware: '20251209.16.Rel2', rate5s: 171.259,
    boards: [[57.2, 41.1, 80, 75], [57.0, 40.1, 82, 75], [57.1, 41.5, 81, 75]],
    fans: [5400, 5280], pools: { count: 3, active: [0] }, power: [3156, 'miner'],
  }],
  // check_cgminer's recordings: stats (or summary) alone, no pools.
  ['s9se', {
    family: 'antminer', model: 'Antminer S9 SE', firmware: 'Thu Jul 11 11:11:08 CST 2019', rate5s: GH(15656.6),
    boards: [[GH(5123.58), 60, 79, 60], [GH(5057.61), 61, 79, 60], [GH(5475.41), 62, 79, 60]], fans: [1920, 1920], pools: { count: 0, active: [] },
  }],
  ['s15', {
    // Four boards; chip temperature is the hottest of temp_chipN "55-75-54-74".
    family: 'antminer', model: 'Antminer S15', firmware: 'Mon Dec 3 16:37:07 CST 2018', rate5s: GH(28454.53),
    boards: [[GH(7278.55), 60, 75, 72], [GH(6948.71), 65, 80, 72], [GH(6860.75), 66, 81, 72], [GH(7366.51), 59, 74, 72]],
    fans: [4080, 4200], pools: { count: 0, active: [] },
  }],
  ['s17Vnish', {
    // Vnish 0.9.2 on an S17 with fan_num 0 and no fan turning (immersion or hydro): no fans reported.
    family: 'vnish', model: 'Antminer S17', firmware: 'Vnish 0.9.2-alpha', rate5s: GH(66410.73),
    boards: [[GH(21765.56), 55, 75, 48], [GH(21759.19), 57, 75, 48], [GH(21635.21), 56, 75, 48]], fans: [], pools: { count: 0, active: [] },
  }],
  ['z9Mini', {
    // Equihash: bmminer's "GHS" is kSol/s here; one fan (fan_num 1).
    family: 'antminer', model: 'Antminer Z9 Mini', firmware: 'Sat May 26 20:42:30 CST 2018', algorithm: 'equihash', rate5s: 15820,
    boards: [[5070, 54, 69, 4], [5140, 53, 68, 4], [5610, 56, 71, 4]], fans: [4200], pools: { count: 0, active: [] },
  }],
  ['dr5', {
    // Blake256R14: its "GHS" label is real GH/s (35.57 TH/s for a 35 TH/s unit).
    family: 'antminer', model: 'Antminer DR5', firmware: 'Fri Dec 28 00:01:02 PST 2018', algorithm: 'blake256r14', rate5s: 35568.22e9,
    boards: [[11577.54e9, 62, 69, 72], [11956.85e9, 66, 75, 72], [12033.82e9, 60, 68, 72]], fans: [3600, 3600], pools: { count: 0, active: [] },
  }],
  ['braiinsBmminerS9', {
    // Braiins OS of 2019 ran bmminer ("bOS_am1-s9-…", Type "braiins-am1-s9"): bmminer's chain stats, slots 6-8.
    family: 'braiins', model: 'Antminer S9', firmware: 'Braiins OS bOS_am1-s9-20190124-0_d3cc7c87', rate5s: GH(13754.03),
    boards: [[GH(4524.28), 59, 75, 63], [GH(4679.16), 54, 71, 63], [GH(4550.58), 55, 74, 63]], fans: [5040, 3600], pools: { count: 0, active: [] },
  }],
  ['braiinsPlusS17', {
    // BOSminer+ on an S17: per-chain devs, TEMPS Board/Chip, four FANS of which one stopped.
    // No summary recorded: the current rate is the sum of the chains' `MHS 5s`; chips from devdetails.
    family: 'braiins', model: 'Antminer S17', firmware: 'Braiins OS bosminer-plus-am2-s17 0.8.0-feaec278',
    rate5s: MH(21471436.706835132 + 21853303.395957984 + 21906975.747178435),
    boards: [[MH(21471436.706835132), 67.25, 97.875, 48], [MH(21853303.395957984), 64.5625, 98, 48], [MH(21906975.747178435), 48.6875, 81.125, 48]],
    fans: [6000, 0, 5520, 5520], pools: { count: 0, active: [] },
  }],
  ['whatsminer2019', {
    family: 'whatsminer', model: null, firmware: null, rate5s: MH(35523530.1), boards: [], fans: [6360, 6390], pools: { count: 0, active: [] },
  }],
];

describe('recordings per family and firmware → AsicSample', () => {
  it.each(CASES)('%s', (device, want) => {
    check(buildAsicSample(repliesOf(FAMILY_DEVICES[device]), ctx), want);
  });

  it('names the model exactly (S9k is not an S9, S19j Pro+ not an S19j Pro)', () => {
    const type = (t: string): MinerReplies => ({ version: { STATUS: [{ STATUS: 'S' }], VERSION: [{ BMMiner: '1.0.0', Type: t }] }, summary: { SUMMARY: [{ 'GHS 5s': 100 }] } });
    expect(buildAsicSample(type('Antminer S9k'), ctx).model).toBe('Antminer S9k');
    expect(buildAsicSample(type('Antminer S19j Pro+'), ctx).model).toBe('Antminer S19j Pro+');
    expect(buildAsicSample(type('Antminer S19j Pro'), ctx).model).toBe('Antminer S19j Pro');
    expect(buildAsicSample(type('Antminer S21 XP Hyd'), ctx).model).toBe('Antminer S21 XP Hyd');
  });
});
