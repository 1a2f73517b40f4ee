import { describe, expect, it } from 'vitest';
import { decidePower, identify, parseAvalonKv, parseHostPort, parseMinerJson } from '../../agents/cgminer/index.js';
import { averageHashrateThs, shortHashrateThs } from '../../agents/cgminer/units.js';
import { findAsicModel, modelByName } from '../../agents/models/asic-models.js';
import { loadRecordings } from '../helpers/fake-miner.js';

describe('hashrate units from key names', () => {
  it.each([
    [{ 'KHS 5s': 500, 'KHS av': '400' }, 500e-9, 400e-9],
    [{ 'MHS 20s': 4.302, 'MHS av': 5.456 }, 4.302e-6, 5.456e-6],
    [{ 'GHS 5s': '110566.89', 'GHS av': 111834.85 }, 110.56689, 111.83485],
    [{ 'THS 5s': 0.5, 'THS av': '0.25' }, 0.5, 0.25],
    [{ 'MHS 30s': 197497926.49, 'MHS 1m': 1, 'MHS av': 192796247.36 }, 197.49792649, 192.79624736],
  ])('%j', (record, short, average) => {
    expect(shortHashrateThs(record)).toBeCloseTo(short, 9);
    expect(averageHashrateThs(record)).toBeCloseTo(average, 9);
  });

  it('treats empty strings and garbage as unknown, not 0', () => {
    expect(shortHashrateThs({ 'GHS 5s': '' })).toBeNull();
    expect(averageHashrateThs({ 'GHS av': 'n/a' })).toBeNull();
    expect(shortHashrateThs({ Elapsed: 5 })).toBeNull();
  });
});

describe('power provenance', () => {
  const s19pro = modelByName('Antminer S19 Pro');

  it('prefers an external meter, then the miner, then an estimate, then nameplate', () => {
    expect(decidePower({ measuredW: 3300, minerW: 3200, hashrateThs: 100, model: s19pro })).toEqual({ power_w: 3300, power_source: 'measured' });
    expect(decidePower({ minerW: 3200, hashrateThs: 100, model: s19pro })).toEqual({ power_w: 3200, power_source: 'miner' });
    expect(decidePower({ minerW: null, hashrateThs: 100, model: s19pro })).toEqual({ power_w: 2950, power_source: 'estimated' });
    expect(decidePower({ minerW: null, hashrateThs: null, model: s19pro })).toEqual({ power_w: 3245, power_source: 'nameplate' });
  });

  it('gives no number for an unknown model or a miner that hashes nothing', () => {
    expect(decidePower({ minerW: null, hashrateThs: 100, model: null })).toEqual({ power_w: null, power_source: null });
    expect(decidePower({ minerW: null, hashrateThs: 0, model: s19pro })).toEqual({ power_w: null, power_source: null });
  });

  it('matches model strings the recordings carry to the model table', () => {
    expect(findAsicModel('Antminer S19 Pro')?.name).toBe('Antminer S19 Pro');
    expect(findAsicModel('Antminer S19k Pro')?.name).toBe('Antminer S19k Pro');
    expect(findAsicModel('S19-88')?.name).toBe('Antminer S19 (88-chip)');
    expect(findAsicModel('AvalonMiner 15-194')?.name).toBe('Avalon A15-194');
    expect(findAsicModel('Avalon Q')?.name).toBe('Avalon Q');
    expect(findAsicModel('Hammer D10')).toBeNull();
  });
});

describe('family detection', () => {
  it('recognises Braiins OS from its cgminer API version reply', () => {
    const version = parseMinerJson(loadRecordings({ v: 'asicrs__braiins-bosplus-21.09-gql__version.json' })['v'] as Buffer);
    expect(identify({ version: version as Record<string, unknown> })).toEqual({
      family: 'braiins',
      model: null,
      firmware: 'Braiins OS boser-openwrt 0.1.0-11012d53',
    });
  });
});

describe('parseAvalonKv', () => {
  it('reads Key[value] pairs, keys with spaces and multi-value fields', () => {
    const kv = parseAvalonKv('Ver[15-194-24102401] Fan1[4275] MGHS[59459.52 61407.83] Nonce Mask[25] DH[1.299%] SSID[]');
    expect(kv.get('Ver')).toBe('15-194-24102401');
    expect(kv.get('Fan1')).toBe('4275');
    expect(kv.get('MGHS')).toBe('59459.52 61407.83');
    expect(kv.get('Nonce Mask')).toBe('25');
    expect(kv.get('DH')).toBe('1.299%');
    expect(kv.get('SSID')).toBe('');
  });
});

describe('parseHostPort', () => {
  it.each([
    ['10.0.0.17', { host: '10.0.0.17', port: 4028 }],
    ['10.0.0.17:4029', { host: '10.0.0.17', port: 4029 }],
    ['miner-07.local', { host: 'miner-07.local', port: 4028 }],
    ['[fe80::1]:4030', { host: 'fe80::1', port: 4030 }],
  ])('%s', (input, expected) => {
    expect(parseHostPort(input)).toEqual(expected);
  });

  it.each([
    ['', /not HOST or HOST:PORT/],
    ['10.0.0.17:0', /port 0 is out of range/],
    ['10.0.0.17:70000', /port 70000 is out of range/],
    ['10.0.0.17:abc', /not HOST or HOST:PORT/],
  ])('rejects %j', (input, message) => {
    expect(() => parseHostPort(input)).toThrow(message);
  });
});
