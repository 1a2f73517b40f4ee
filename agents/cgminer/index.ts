/** ASIC miners over the cgminer-family TCP API (Antminer, Braiins OS, LuxOS, Vnish, Whatsminer, Avalon, BFGMiner…). */
export {
  cgminerRequest,
  cgminerCommand,
  minerRequestJson,
  fetchReplies,
  ReplyParseError,
  DEFAULT_PORT,
  type CallOptions,
} from './client.js';
export { repairJson, parseMinerJson } from './repair.js';
export { parseHostPort } from './address.js';
export { splitMultiReply, type MinerReplies } from './replies.js';
export { identify, type Identity, type MinerFamily } from './family.js';
export { buildAsicSample, FAMILY_EXTRA_COMMANDS, type SampleContext } from './sample.js';
export { decidePower, type PowerFigure } from './power.js';
export { parseAvalonKv } from './avalon.js';
export { parseBraiinsGrpc, type BraiinsGrpcReplies } from './braiins-grpc.js';
export {
  createCgminerSource,
  probeCgminer,
  readMiner,
  BASE_COMMANDS,
  type CgminerSourceOptions,
  type ProbeOptions,
} from './source.js';
