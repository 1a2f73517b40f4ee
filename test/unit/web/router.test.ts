import { describe, expect, it } from 'vitest';
import { matchRoute, route } from '../../../web/src/router.js';

describe('web router matching', () => {
  const view = () => () => undefined;
  route('/rigs/:id', 'fleet', view);

  it('decodes parameters of a matching path', () => {
    const found = matchRoute('/rigs/rig%20one');
    expect(found?.route.nav).toBe('fleet');
    expect(found?.params).toEqual({ id: 'rig one' });
  });

  it('treats a malformed escape as no route instead of throwing out of the navigation handler', () => {
    expect(matchRoute('/rigs/%E0%A4%A')).toBeNull();
    expect(matchRoute('/nowhere')).toBeNull();
  });
});
