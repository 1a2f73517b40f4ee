import { outcomeOf, unsupported, type FamilyActions } from './action-io.js';
import { setPools } from './actions-cgminer.js';

/**
 * Braiins OS (BOSminer) through its cgminer-compatible API: `pause` stops hashing and `resume` starts it again
 * (sleep/wake); pools through `addpool`/`switchpool`/`removepool`. BOSminer has no `restart` on this API and sets
 * power targets only through its authenticated gRPC API (PerformanceService), which this agent does not speak
 * yet, so restart and power_target are refused before anything is sent.
 */
export const braiinsActions: FamilyActions = {
  supports: ['sleep', 'wake', 'pool_switch', 'pool_set'],
  async run(request, io) {
    switch (request.action) {
      case 'sleep':
        return outcomeOf(await io.command('pause'), 'pause');
      case 'wake':
        return outcomeOf(await io.command('resume'), 'resume');
      case 'pool_switch':
        return outcomeOf(await io.command('switchpool', String(request.pool)), `switch to pool ${request.pool}`);
      case 'pool_set':
        return setPools(io, request.pools);
      default:
        return unsupported('braiins', request.action);
    }
  },
};
