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
