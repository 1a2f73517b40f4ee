import type { MinerFamily } from './family.js';

/** Every miner family by name, for configs that name one (agents/runtime/config.ts `sources[].family`). */
export const MINER_FAMILIES = [
  'antminer',
  'braiins',
  'luxos',
  'vnish',
  'whatsminer',
  'avalon',
  'sealminer',
  'auradine',
  'bfgminer',
  'cgminer',
  'hiveon',
  'asicseer',
  'mskminer',
  'blissz',
] as const satisfies readonly MinerFamily[];
