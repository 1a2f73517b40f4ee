/**
 * Which fixture files make up one device's replies, by the cgminer command that produced each
 * (see test/fixtures/asic/SOURCE.md for where every file came from).
 */
const set = (prefix: string, commands: string[], rpc = false): Record<string, string> =>
  Object.fromEntries(commands.map((c) => [c, `${prefix}__${rpc ? 'rpc_' : ''}${c}.json`]));

export const DEVICES = {
  antminerStock: set('asicrs__antminer-s19-pro-stock-2022', ['devs', 'pools', 'stats', 'summary', 'version']),
  luxos: set('asicrs__luxos-s19k-pro-2025.4.8', ['config', 'devs', 'fans', 'pools', 'power', 'stats', 'summary', 'temps', 'version']),
  vnish: set('protofleet__vnish-1.2.7-s21pro', ['devdetails', 'pools', 'stats', 'summary', 'version']),
  mskminer: set('pyasic__mskminer-s19', ['stats', 'version'], true),
  hammer: set('pyasic__hammer-d10', ['pools', 'stats', 'summary', 'version'], true),
  whatsminerV1: set('asicrs__whatsminer-apiv1', ['devs', 'pools', 'summary']),
  whatsminerV1Errors: {
    ...set('asicrs__whatsminer-apiv1', ['devs', 'pools']),
    summary: 'asicrs__whatsminer-apiv1__summary_with_errors.json',
  },
  whatsminerV2: set('asicrs__whatsminer-apiv2', ['devs', 'pools', 'summary']),
  avalonQ: set('asicrs__avalon-q', ['devdetails', 'devs', 'pools', 'stats', 'summary', 'version']),
  sealminer: set('asicrs__sealminer-bdminer', ['pools', 'stats', 'summary', 'version']),
  auradine: set('asicrs__auradine-v1', ['asccount', 'devs', 'fan', 'ipreport', 'pools', 'psu', 'summary', 'temperature', 'version']),
  avalon15: set('pyasic__avalon-15-194', ['devs', 'pools', 'stats', 'version'], true),
  bfgminer: {
    summary: 'bfgminer/summary.raw',
    pools: 'bfgminer/pools.raw',
    stats: 'bfgminer/stats.raw',
    devs: 'bfgminer/devs.raw',
    version: 'bfgminer/version.raw',
  },
} satisfies Record<string, Record<string, string>>;

export const BRAIINS_GRPC = {
  details: 'asicrs__braiins-bos-25.07-grpcjson__miner_details.json',
  stats: 'asicrs__braiins-bos-25.07-grpcjson__miner_stats.json',
  hashboards: 'asicrs__braiins-bos-25.07-grpcjson__miner_hw_hashboards.json',
  cooling: 'asicrs__braiins-bos-25.07-grpcjson__cooling_state.json',
  pools: 'asicrs__braiins-bos-25.07-grpcjson__pools.json',
  errors: 'asicrs__braiins-bos-25.07-grpcjson__miner_errors.json',
};

/** `foreman__<device>__<command>.json` files (foreman-apps test replies, see SOURCE.md). */
const foreman = (device: string, commands: string[]): Record<string, string> =>
  Object.fromEntries(commands.map((c) => [c, `foreman__${device}__${c}.json`]));
const VSP = ['version', 'stats', 'pools'];

/** Recordings per family and firmware generation, for recordings-families.test.ts. */
export const FAMILY_DEVICES = {
  s9Hiveon: foreman('antminer-s9-hiveon', VSP),
  s9Asicseer: foreman('antminer-s9-asicseer', VSP),
  s9Mskminer: foreman('antminer-s9-mskminer', VSP),
  s9Vnish: foreman('antminer-s9-nicehash', VSP),
  s9BadTemps: foreman('antminer-s9-bad-temps', VSP),
  s9k: foreman('antminer-s9k', VSP),
  t15: foreman('antminer-t15', VSP),
  s17Pro: foreman('antminer-s17', VSP),
  s17PlusSleeping: foreman('antminer-s17-sleeping', VSP),
  s19Sleeping: foreman('antminer-s19-sleeping', VSP),
  s19Cold: foreman('antminer-s19-really-cold', VSP),
  s19Overheating: foreman('antminer-s19-overheating', VSP),
  s19Overheating2: foreman('antminer-s19-overheating-2', VSP),
  t17PlusSleeping: foreman('antminer-t17-sleeping', VSP),
  d3Blissz: foreman('antminer-d3', VSP),
  e3: foreman('antminer-e3', VSP),
  l3Plus: foreman('antminer-l3', VSP),
  l3PlusIdle: foreman('antminer-l3-2', VSP),
  z11: foreman('antminer-z11', VSP),
  z11Chipless: foreman('antminer-z11-chipless', VSP),
  braiinsPlusS9: foreman('antminer-s9-bos', ['version', 'pools', 'summary', 'fans', 'temps', 'devs']),
  braiinsS9: foreman('antminer-s9-bos-2', ['version', 'pools', 'summary', 'fans', 'temps', 'devs']),
  avalon7xx: foreman('avalon-7xx', ['summary', 'stats', 'pools']),
  avalon8xx: foreman('avalon-8xx', ['summary', 'stats', 'pools']),
  avalon9xx: foreman('avalon-9xx', ['summary', 'stats', 'pools']),
  avalon10xx: foreman('avalon-10xx', ['pools_summary_stats']),
  avalon10xxMalformed: foreman('avalon-10xx-2', ['pools_summary_stats']),
  whatsminerM3: foreman('whatsminer-m3', ['summary', 'pools']),
  whatsminerM20sOld: foreman('whatsminer-m20s-old-firmware', ['summary', 'pools']),
  whatsminerM20sNew: foreman('whatsminer-m20s-new-firmware', ['summary', 'devs', 'pools']),
  whatsminerM30sEdevs: foreman('whatsminer-m30s-new-firmware', ['summary', 'edevs', 'pools']),
  whatsminerM31s: foreman('whatsminer-m31s-new-firmware', ['summary', 'edevs', 'pools']),
  whatsminerM31s2: foreman('whatsminer-m31s-new-firmware-2', ['summary', 'edevs', 'pools']),
  whatsminerM31sSleeping: foreman('whatsminer-m31s-sleeping', ['status']),
  // check_cgminer's stats / summary replies (no pools recorded).
  s9se: { stats: 'checkcgminer__antminer-s9se__stats.json' },
  s9kCgminer: { stats: 'checkcgminer__antminer-s9k__stats.json' },
  s15: { stats: 'checkcgminer__antminer-s15__stats.json' },
  s17ProCgminer: { stats: 'checkcgminer__antminer-s17-pro__stats.json' },
  s17Vnish: { stats: 'checkcgminer__vnish-s17__stats.json' },
  z9Mini: { stats: 'checkcgminer__antminer-z9-mini__stats.json' },
  dr5: { stats: 'checkcgminer__antminer-dr5__stats.json' },
  braiinsBmminerS9: { stats: 'checkcgminer__braiins-bmminer-s9__stats.json' },
  braiinsPlusS17: { stats: 'checkcgminer__braiins-plus-s17__stats.json', temps_devs_fans: 'checkcgminer__braiins-plus-s17__temps_devs_fans.json' },
  whatsminer2019: { summary: 'checkcgminer__whatsminer-2019__summary.json' },
  whatsminerV3: {
    'get.device.info': 'asicrs__whatsminer-apiv3__get_device_info.json',
    'get.miner.status.summary': 'asicrs__whatsminer-apiv3__get_miner_status_summary.json',
    'get.miner.status.edevs': 'asicrs__whatsminer-apiv3__get_miner_status_edevs.json',
    'get.miner.status.pools': 'asicrs__whatsminer-apiv3__get_miner_status_pools.json',
  },
  whatsminerV3Errors: {
    'get.device.info': 'asicrs__whatsminer-apiv3__get_device_info_with_errors.json',
    'get.miner.status.summary': 'asicrs__whatsminer-apiv3__get_miner_status_summary.json',
  },
  whatsminerV1Api: {
    ...set('asicrs__whatsminer-apiv1', ['devs', 'pools', 'summary']),
    status: 'asicrs__whatsminer-apiv1__status.json',
    get_version: 'asicrs__whatsminer-apiv1__get_version.json',
  },
  whatsminerV2Api: {
    ...set('asicrs__whatsminer-apiv2', ['devs', 'pools', 'summary']),
    status: 'asicrs__whatsminer-apiv2__status.json',
    get_version: 'asicrs__whatsminer-apiv2__get_version.json',
    get_miner_info: 'asicrs__whatsminer-apiv2__get_miner_info.json',
  },
} satisfies Record<string, Record<string, string>>;
