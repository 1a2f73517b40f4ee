import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { STATUS_SUBSCRIPTION, TELEMETRY_SUBSCRIPTION } from '../contract/index.js';
import type { Counters } from './counters.js';
import { decodeMessage, type Decoded } from './decode.js';

export interface MqttIngestOptions {
  url: string;
  clientId: string;
  username?: string;
  password?: string;
  maxPayloadBytes: number;
  log: Logger;
}

export type DecodedHandler = (message: Extract<Decoded, { ok: true }>) => void;

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

  async start(): Promise<void> {
    const { options } = this;
    const client = mqtt.connect(options.url, {
      clientId: options.clientId,
      clean: false,
      protocolVersion: 4,
      username: options.username,
      password: options.password,
      reconnectPeriod: 1000,
    });
    this.client = client;
    client.on('message', (topic, payload) => this.handle(topic, payload));
    client.on('error', (err) => options.log.warn({ err: err.message }, 'mqtt ingest error'));
    client.on('connect', (connack) => {
      options.log.info({ url: options.url, sessionPresent: connack.sessionPresent }, 'mqtt ingest connected');
      // Subscribing on every connect also covers brokers that lost the session.
      client.subscribe([TELEMETRY_SUBSCRIPTION, STATUS_SUBSCRIPTION], { qos: 1 }, (err) => {
        if (err) options.log.error({ err: err.message }, 'mqtt subscribe failed');
      });
    });
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
  }

  handle(topic: string, payload: Buffer): void {
    this.counters.received++;
    const decoded = decodeMessage(topic, payload, this.options.maxPayloadBytes);
    if (!decoded.ok) {
      this.counters.reject(decoded.reason);
      this.options.log.debug({ topic, reason: decoded.reason, detail: decoded.detail }, 'message dropped');
      return;
    }
    try {
      this.onMessage(decoded);
    } catch (err) {
      // A bug downstream must not stop ingest: count it and go on.
      this.counters.reject('internal');
      this.options.log.error({ err }, 'ingest handler failed');
    }
  }

  async stop(): Promise<void> {
    await this.client?.endAsync();
  }
}
