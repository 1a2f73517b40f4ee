import { describe, expect, it } from 'vitest';
import { jsonPayload, slackPayload } from '../../server/alerts/payload.js';
import { Alert } from '../../server/contract/index.js';

const alert = Alert.parse({
  id: 'mabc-1', kind: 'overheat', severity: 'critical', site: 'site-01', rig: 'site-01-r00002', state: 'open',
  message: 'hashboard 0 at 99.4 °C (limit 90 °C) <script>&', value: 99.4, threshold: 90, opened_at: Date.UTC(2026, 0, 1),
  updated_at: Date.UTC(2026, 0, 1), acknowledged_at: null, acknowledged_by: null, resolved_at: null, resolved_by: null,
});
const offline = (i: number): Alert => ({ ...alert, id: `m-${i}`, kind: 'rig_offline', rig: `site-01-r${String(i).padStart(5, '0')}`, message: 'offline: agent disconnected' });

describe('webhook payloads', () => {
  it('generic JSON carries the alerts, the event, a stable delivery id and a link', () => {
    const p = jsonPayload([alert], 'opened', 'https://ops.example.com/');
    expect(p).toMatchObject({ source: 'rigline', event: 'opened', delivery_id: 'mabc-1:opened', kind: 'overheat', site: 'site-01', count: 1, url: 'https://ops.example.com/rigs/site-01-r00002' });
    expect(p.alerts).toEqual([alert]);
    expect(jsonPayload([{ ...alert, rig: null, kind: 'site_power' }], 'resolved', 'https://ops.example.com').url).toBe('https://ops.example.com/sites/site-01');
    expect(jsonPayload([alert], 'opened', undefined).url).toBeNull();
    const group = jsonPayload([offline(1), offline(2), offline(3)], 'opened', 'https://ops.example.com');
    expect(group).toMatchObject({ count: 3, delivery_id: 'm-1:opened+2', url: 'https://ops.example.com/sites/site-01', kind: 'rig_offline' });
  });

  it('Slack payload has fallback text and mrkdwn blocks with Slack escaping', () => {
    const p = slackPayload([alert], 'opened', 'https://ops.example.com');
    expect(p.text).toBe('[CRITICAL] Overheating: site-01-r00002 (site-01): hashboard 0 at 99.4 °C (limit 90 °C) &lt;script&gt;&amp;');
    const section = p.blocks[0] as { type: string; text: { type: string; text: string } };
    expect(section.type).toBe('section');
    expect(section.text.type).toBe('mrkdwn');
    expect(section.text.text).toContain('<https://ops.example.com/rigs/site-01-r00002|site-01-r00002 (site-01)>');
    expect(section.text.text).not.toContain('<script>');
    expect(slackPayload([{ ...alert, state: 'resolved' }], 'resolved', undefined).text.startsWith('[RESOLVED] Overheating')).toBe(true);
  });

  it('a group names the first rigs and counts the rest', () => {
    const p = slackPayload(Array.from({ length: 25 }, (_, i) => offline(i + 1)), 'opened', undefined);
    expect(p.text).toBe('[CRITICAL] Rig offline: 25 rigs at site-01: 25 alerts');
    const text = (p.blocks[0] as { text: { text: string } }).text.text;
    expect(text).toContain('site-01-r00010: offline: agent disconnected');
    expect(text).not.toContain('site-01-r00011');
    expect(text).toContain('… and 15 more');
  });
});
