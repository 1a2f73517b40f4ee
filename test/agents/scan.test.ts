import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCidr, scanSubnet, scanToAgentConfig, type ScanReport } from '../../agents/scan/index.js';
import { AgentSourcesCheck } from './scan-config-check.js';
import { loadRecordings, startFakeMiner, type FakeMiner } from '../helpers/fake-miner.js';
import { DEVICES } from './recordings.js';

/**
 * A /28 on loopback (Linux routes all of 127.0.0.0/8 to lo) with three real fake miners, one port that answers
 * something else, one that accepts and never answers, and the rest empty. All listen on the same port, as miners do.
 */
describe('scanSubnet', () => {
  const miners: FakeMiner[] = [];
  let report: ScanReport;
  const announced: string[] = [];

  beforeAll(async () => {
    const first = await startFakeMiner({ host: '127.0.1.2', replies: loadRecordings(DEVICES.antminerStock) });
    miners.push(first);
    const port = first.port;
    miners.push(await startFakeMiner({ host: '127.0.1.5', port, replies: loadRecordings(DEVICES.whatsminerV1), multi: false }));
    miners.push(await startFakeMiner({ host: '127.0.1.9', port, replies: loadRecordings(DEVICES.avalon15) }));
    miners.push(await startFakeMiner({ host: '127.0.1.11', port, replies: {}, behaviour: 'garbage' }));
    miners.push(await startFakeMiner({ host: '127.0.1.14', port, replies: {}, behaviour: 'dead' }));
    report = await scanSubnet('127.0.1.0/28', {
      port,
      concurrency: 3,
      connectTimeoutMs: 500,
      identifyTimeoutMs: 800,
      onIdentified: (miner) => announced.push(miner.host),
    });
  });

  afterAll(async () => {
    await Promise.all(miners.map((m) => m.close()));
  });

  it('visits every host of the range once, whatever the concurrency', () => {
    expect(report.scanned).toBe(14);
    const seen = [...report.identified.map((m) => m.host), ...report.unknown.map((u) => u.host), ...report.unresponsive];
    expect(seen.sort()).toEqual(parseCidr('127.0.1.0/28').hosts.sort());
  });

  it('identifies family and model of each miner', () => {
    expect(report.identified.map((m) => [m.host, m.family, m.model])).toEqual([
      ['127.0.1.2', 'antminer', 'Antminer S19 Pro'],
      ['127.0.1.5', 'whatsminer', null],
      ['127.0.1.9', 'avalon', 'Avalon A15-194'],
    ]);
    expect(report.identified[0]?.hashrate_ths).toBeCloseTo(110.56689, 6);
    expect(announced.sort()).toEqual(['127.0.1.2', '127.0.1.5', '127.0.1.9']);
  });

  it('lists open ports that are not a miner API as responsive but unknown, with the reason', () => {
    expect(report.unknown.map((u) => u.host)).toEqual(['127.0.1.11', '127.0.1.14']);
    expect(report.unknown[0]?.reason).toMatch(/not JSON/);
    expect(report.unknown[1]?.reason).toMatch(/no complete reply within/);
    expect(report.unresponsive).toHaveLength(9);
    expect(report.unresponsive).toContain('127.0.1.1');
  });

  it('turns the report into an agent config with one cgminer source per miner', () => {
    const config = scanToAgentConfig(report, 'Site North');
    expect(config).toEqual({
      site: 'site-north',
      sources: [
        { type: 'cgminer', host: '127.0.1.2', port: report.port, rig: `127-0-1-2-${report.port}` },
        { type: 'cgminer', host: '127.0.1.5', port: report.port, rig: `127-0-1-5-${report.port}` },
        { type: 'cgminer', host: '127.0.1.9', port: report.port, rig: `127-0-1-9-${report.port}` },
      ],
    });
    expect(AgentSourcesCheck.safeParse(config).success).toBe(true);
  });
});

describe('parseCidr', () => {
  it('lists the host addresses of a range', () => {
    expect(parseCidr('10.0.0.0/30').hosts).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(parseCidr('10.0.0.7/32').hosts).toEqual(['10.0.0.7']);
    expect(parseCidr('10.0.0.7').hosts).toEqual(['10.0.0.7']);
    expect(parseCidr('10.0.3.9/22').hosts).toHaveLength(1022);
    expect(parseCidr('10.0.3.9/22').hosts[0]).toBe('10.0.0.1');
  });

  it.each([
    ['10.0.0/24', /'10\.0\.0' is not an IPv4 address/],
    ['10.0.0.256/24', /not an IPv4 address/],
    ['10.0.0.0/33', /prefix \/33 is out of range/],
    ['10.0.0.0/8', /\/8 is 16777216 addresses; scan at most a \/16/],
    ['fe80::/64', /not an IPv4/],
    ['', /not an IPv4 range/],
  ])('rejects %j with a clear error', (input, message) => {
    expect(() => parseCidr(input)).toThrow(message);
  });

  it('scanSubnet rejects a bad range before touching the network', async () => {
    await expect(scanSubnet('192.168.1.0/40')).rejects.toThrow(/out of range/);
  });
});
