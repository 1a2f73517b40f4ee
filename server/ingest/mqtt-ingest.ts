import { readFileSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { STATUS_SUBSCRIPTION, TELEMETRY_SUBSCRIPTION } from '../contract/index.js';
import type { Counters } from './counters.js';
import { decodeMessage, type Decoded } from './decode.js';
import { DeferredAcks } from './deferred-acks.js';
import { readInBursts } from './read-bursts.js';

export interface MqttIngestOptions {
  url: string;
  clientId: string;
  username?: string;
  password?: string;
  /** MQTT 5 shared subscription group: instances in one group split the messages (MQTT 5.0 §4.8.2). */
  sharedGroup?: string;
  tls?: { ca_file?: string; cert_file?: string; key_file?: string };
  maxPayloadBytes: number;
  /** Scale-out: a session adopted from a dead peer is not reconnected once the peer takes it back. */
  reconnect?: boolean;
  /**
   * External brokers: connect with MQTT 5 and this Receive Maximum (MQTT 5.0 §3.1.2.11.3), the number of
   * unacknowledged messages the broker may have in flight to us. Acknowledgements wait for storage, so this is what
   * keeps throughput up. Unset: MQTT 3.1.1 (the embedded broker).
   */
  receiveMaximum?: number;
  log: Logger;
  /** More topic filters on the same connection (issue 14: command results), shared like the rest. */
  extraSubscriptions?: readonly string[];
  /** Sees every message first; returning true takes it out of telemetry ingest (command results). */
  intercept?: (topic: string, payload: Buffer) => boolean;
}

/** `durable` is called once the message's samples are stored or durably queued: its PUBACK is sent then. */
export type DecodedHandler = (message: Extract<Decoded, { ok: true }>, durable: () => void) => void;

/**
 * Subscribes to every rigline topic and hands each valid message to `onMessage`. Invalid messages are counted by
 * reason and dropped. A persistent session (clean: false) under a fixed client id lets the broker queue QoS 1
 * messages while the server restarts.
 */
export class MqttIngest {
  private client: MqttClient | null = null;

  constructor(
    private readonly options: MqttIngestOptions,
    private readonly counters: Counters,
    private readonly onMessage: DecodedHandler,
  ) {}

  /**
   * Connects and subscribes. Resolves true once connected, or false when `waitMs` passes first: the client keeps
   * retrying in the background, so a server whose broker is down still starts and serves its API.
   */
  async start(waitMs = Infinity): Promise<boolean> {
    const { options } = this;
    const file = (path: string | undefined): Buffer | undefined => (path ? readFileSync(path) : undefined);
    const shared = options.sharedGroup !== undefined;
    const v5 = shared || options.receiveMaximum !== undefined;
    const client = mqtt.connect(options.url, {
      clientId: options.clientId,
      clean: false,
      // $share needs MQTT 5; a session expiry keeps the session (and its queue) across a restart (MQTT 5.0 §3.1.2.11.2).
      protocolVersion: v5 ? 5 : 4,
      ...(v5 ? { properties: { sessionExpiryInterval: 24 * 3600, ...(options.receiveMaximum ? { receiveMaximum: options.receiveMaximum } : {}) } } : {}),
      username: options.username,
      password: options.password,
      ca: file(options.tls?.ca_file),
      cert: file(options.tls?.cert_file),
      key: file(options.tls?.key_file),
      reconnectPeriod: options.reconnect === false ? 0 : 1000,
      // mqtt.js logs ~10 lines a message through `debug`; off, each call still built its arguments. DEBUG=mqttjs*
      // turns its log back on for troubleshooting.
      ...(process.env.DEBUG?.includes('mqttjs') ? {} : { log: () => {} }),
    });
    const subscriptions = [TELEMETRY_SUBSCRIPTION, STATUS_SUBSCRIPTION, ...(options.extraSubscriptions ?? [])].map((filter) =>
      shared ? `$share/${options.sharedGroup}/${filter}` : filter,
    );
    this.client = client;
    const acks = DeferredAcks.attach(client);
    client.on('message', (topic, payload, packet) => {
      const durable = packet.qos === 1 && packet.messageId !== undefined ? acks.expect(packet.messageId) : undefined;
      this.handle(topic, payload, durable);
    });
    client.on('error', (err) => options.log.warn({ err: err.message }, 'mqtt ingest error'));
    let bursting: unknown = null;
    client.on('connect', (connack) => {
      // Each connection's socket once (mqtt.js builds a new one on every reconnect).
      if (client.stream !== bursting) {
        bursting = client.stream;
        readInBursts(client.stream as unknown as Duplex);
      }
      options.log.info({ url: options.url, sessionPresent: connack.sessionPresent }, 'mqtt ingest connected');
      // Subscribing on every connect also covers brokers that lost the session.
      client.subscribe(subscriptions, { qos: 1 }, (err, granted) => {
        if (err) options.log.error({ err: err.message }, 'mqtt subscribe failed');
        // A broker ACL that refuses the subscription answers 0x80 (3.1.1) / 0x87 (5): say so, ingest gets nothing.
        for (const grant of granted ?? []) if (grant.qos >= 0x80) options.log.error({ topic: grant.topic, code: grant.qos }, 'mqtt subscription refused');
      });
    });
    return new Promise<boolean>((resolve) => {
      const timer = Number.isFinite(waitMs) ? setTimeout(() => resolve(false), waitMs) : null;
      client.once('connect', () => {
        if (timer) clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Publishes at QoS 1 on the ingest connection (the server's one MQTT identity); resolves on PUBACK. */
  publish(topic: string, payload: string): Promise<void> {
    const client = this.client;
    if (!client) return Promise.reject(new Error('MQTT not started'));
    return new Promise((resolve, reject) => client.publish(topic, payload, { qos: 1 }, (err) => (err ? reject(err) : resolve())));
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  /** One broker message; `durable` (its PUBACK) is called once it is stored, or at once when it is refused. */
  handle(topic: string, payload: Buffer, durable: () => void = () => {}): void {
    if (this.options.intercept?.(topic, payload)) {
      durable();
      return;
    }
    this.counters.received++;
    const decoded = decodeMessage(topic, payload, this.options.maxPayloadBytes);
    if (!decoded.ok) {
      this.counters.reject(decoded.reason);
      this.options.log.debug({ topic, reason: decoded.reason, detail: decoded.detail }, 'message dropped');
      durable();
      return;
    }
    try {
      this.onMessage(decoded, durable);
    } catch (err) {
      // A bug downstream must not stop ingest: count it and go on.
      this.counters.reject('internal');
      this.options.log.error({ err }, 'ingest handler failed');
      durable();
    }
  }

  /** Resolves when the connection closes for good (only without reconnect). */
  closed(): Promise<void> {
    return new Promise((resolve) => this.client?.once('close', () => resolve()));
  }

  async stop(): Promise<void> {
    await this.client?.endAsync();
  }
}
