import { ALERT_TITLES } from '../contract/alert-titles.js';
import type { Alert } from '../contract/index.js';
import type { AlertEvent } from './engine.js';

/**
 * Generic JSON payload (format 'json'). `alerts` holds one alert, or every alert of the same rule, site and event
 * that arrived within alerts.group_wait_ms (a site losing power is one notification, not 10,000).
 */
export interface WebhookPayload {
  source: 'rigline';
  event: AlertEvent;
  /** Stable per group: a retried delivery repeats it, so receivers can drop the duplicate. */
  delivery_id: string;
  kind: Alert['kind'];
  site: string;
  severity: Alert['severity'];
  count: number;
  alerts: Alert[];
  /** The rig's page for one alert, the site's page for a group or a site alert. */
  url: string | null;
}

function groupUrl(alerts: readonly Alert[], dashboardUrl: string | undefined): string | null {
  const first = alerts[0];
  if (!dashboardUrl || !first) return null;
  const base = dashboardUrl.replace(/\/+$/, '');
  return alerts.length === 1 && first.rig ? `${base}/rigs/${first.rig}` : `${base}/sites/${first.site}`;
}

export function jsonPayload(alerts: readonly Alert[], event: AlertEvent, dashboardUrl: string | undefined): WebhookPayload {
  const first = alerts[0] as Alert;
  return {
    source: 'rigline',
    event,
    delivery_id: `${first.id}:${event}${alerts.length > 1 ? `+${alerts.length - 1}` : ''}`,
    kind: first.kind,
    site: first.site,
    severity: alerts.some((a) => a.severity === 'critical') ? 'critical' : 'warning',
    count: alerts.length,
    alerts: [...alerts],
    url: groupUrl(alerts, dashboardUrl),
  };
}

export function alertTitle(alert: Alert): string {
  return ALERT_TITLES[alert.kind];
}

/** Slack mrkdwn escaping (https://api.slack.com/reference/surfaces/formatting#escaping). */
const slackEscape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Rigs named in a grouped Slack message before "and N more". */
const NAMED = 10;

/**
 * Slack incoming-webhook payload: `text` is the notification fallback, `blocks` the message (Block Kit section
 * with mrkdwn). Also accepted by Mattermost and other Slack-compatible receivers.
 */
export function slackPayload(alerts: readonly Alert[], event: AlertEvent, dashboardUrl: string | undefined): { text: string; blocks: unknown[] } {
  const first = alerts[0] as Alert;
  const critical = alerts.some((a) => a.severity === 'critical');
  const prefix = event === 'resolved' ? 'RESOLVED' : critical ? 'CRITICAL' : 'WARNING';
  const url = groupUrl(alerts, dashboardUrl);
  let target: string;
  let detail: string;
  if (alerts.length === 1) {
    target = first.rig ? `${first.rig} (${first.site})` : first.site;
    detail = first.message;
  } else {
    target = `${alerts.length} rigs at ${first.site}`;
    const named = alerts.slice(0, NAMED).map((a) => `${a.rig ?? a.site}: ${a.message}`);
    detail = named.join('\n') + (alerts.length > NAMED ? `\n… and ${alerts.length - NAMED} more` : '');
  }
  const text = `[${prefix}] ${alertTitle(first)}: ${target}: ${alerts.length === 1 ? first.message : `${alerts.length} alerts`}`;
  const head = `*${prefix}: ${slackEscape(alertTitle(first))}*  ${url ? `<${url}|${slackEscape(target)}>` : slackEscape(target)}`;
  return {
    text: slackEscape(text),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `${head}\n${slackEscape(detail)}` } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `rigline alert ${first.id}${alerts.length > 1 ? ` and ${alerts.length - 1} more` : ''} · opened ${new Date(first.opened_at).toISOString()}` }] },
    ],
  };
}
