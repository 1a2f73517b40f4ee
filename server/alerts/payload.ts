import type { Alert } from '../contract/index.js';
import type { AlertEvent } from './engine.js';

/** Generic JSON payload (format 'json'): the alert as the API shows it, with the event and a link. */
export interface WebhookPayload {
  source: 'rigline';
  event: AlertEvent;
  /** Stable per alert and event: receivers can drop a retried duplicate. */
  delivery_id: string;
  alert: Alert;
  url: string | null;
}

export function alertUrl(alert: Alert, dashboardUrl: string | undefined): string | null {
  if (!dashboardUrl) return null;
  const base = dashboardUrl.replace(/\/+$/, '');
  return alert.rig ? `${base}/rigs/${alert.rig}` : `${base}/sites/${alert.site}`;
}

export function jsonPayload(alert: Alert, event: AlertEvent, dashboardUrl: string | undefined): WebhookPayload {
  return { source: 'rigline', event, delivery_id: `${alert.id}:${event}`, alert, url: alertUrl(alert, dashboardUrl) };
}

const TITLES: Record<Alert['kind'], string> = {
  rig_offline: 'Rig offline',
  overheat: 'Overheating',
  hashrate_drop: 'Hashrate drop',
  rejected_shares: 'Rejected shares',
  hashboard_missing: 'Hashboard or chips missing',
  gpu_error: 'GPU error',
  site_power: 'Site power over capacity',
};

export function alertTitle(alert: Alert): string {
  return TITLES[alert.kind];
}

/** Slack mrkdwn escaping (https://api.slack.com/reference/surfaces/formatting#escaping). */
const slackEscape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Slack incoming-webhook payload: `text` is the notification fallback, `blocks` the message (Block Kit section
 * with mrkdwn). Also accepted by Mattermost and other Slack-compatible receivers.
 */
export function slackPayload(alert: Alert, event: AlertEvent, dashboardUrl: string | undefined): { text: string; blocks: unknown[] } {
  const prefix = event === 'resolved' ? 'RESOLVED' : alert.severity === 'critical' ? 'CRITICAL' : 'WARNING';
  const target = alert.rig ? `${alert.rig} (${alert.site})` : alert.site;
  const text = `[${prefix}] ${alertTitle(alert)}: ${target}: ${alert.message}`;
  const url = alertUrl(alert, dashboardUrl);
  const head = `*${prefix}: ${slackEscape(alertTitle(alert))}*  ${url ? `<${url}|${slackEscape(target)}>` : slackEscape(target)}`;
  return {
    text: slackEscape(text),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `${head}\n${slackEscape(alert.message)}` } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `rigline alert ${alert.id} · opened ${new Date(alert.opened_at).toISOString()}` }] },
    ],
  };
}
