import { outcomeOf, unsupported, type FamilyActions } from './action-io.js';
import { runCgminerAction } from './actions-cgminer.js';

/**
 * Avalon (Canaan cgminer 4.11) through `ascset|0,…` (its own `ascset|0,help` lists: softon, softoff, workmode,
 * reboot…; recordings in test/fixtures/asic/asicrs__avalon-q__ascset_*):
 *  - sleep  `ascset|0,softoff,T` and wake `ascset|0,softon,T`: T is the Unix time at which to act; the recorded
 *           answers ("success softoff:1753434821" at When 1753434816) show clients pass now + 5 s.
 *  - restart `ascset|0,reboot,0`.
 *  - power_target: Avalon sets power by work mode, not watts: `ascset|0,workmode,set,M`, M 0 (eco) for a percent
 *    up to 80, 1 (standard) above. Watts are refused before sending.
 *  - pools through the plain cgminer commands.
 */
const SOFT_DELAY_S = 5;

export const avalonActions: FamilyActions = {
  supports: ['restart', 'sleep', 'wake', 'power_target', 'pool_switch', 'pool_set'],
  async run(request, io) {
    const at = (): string => String(Math.floor(Date.now() / 1000) + SOFT_DELAY_S);
    switch (request.action) {
      case 'sleep':
        return outcomeOf(await io.command('ascset', `0,softoff,${at()}`), 'soft off');
      case 'wake':
        return outcomeOf(await io.command('ascset', `0,softon,${at()}`), 'soft on');
      case 'restart':
        return outcomeOf(await io.command('ascset', '0,reboot,0'), 'reboot');
      case 'power_target': {
        if (request.percent === undefined) {
          return { ...unsupported('avalon', 'power_target'), message: 'Avalon miners set power by work mode: give percent, not watts' };
        }
        const mode = request.percent <= 80 ? 0 : 1;
        return outcomeOf(await io.command('ascset', `0,workmode,set,${mode}`), `work mode ${mode === 0 ? 'eco' : 'standard'}`);
      }
      default:
        return runCgminerAction(request, io, 'avalon');
    }
  },
};
