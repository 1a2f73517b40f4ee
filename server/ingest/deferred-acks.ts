import type { MqttClient } from 'mqtt';

interface Pending {
  durable: boolean;
  /** The PUBACK mqtt.js wanted to send, held until the message is durable. */
  puback: { cmd: 'puback'; messageId: number } | null;
}

/**
 * Acknowledge after storage. mqtt.js sends a QoS 1 PUBACK as soon as the 'message' handlers return, and it handles
 * incoming packets strictly one at a time (its `customHandleAcks` / `handleMessage` hooks stall the whole stream
 * until they call back), so holding the acknowledgement there would take one message per store flush. Instead the
 * PUBACK packet mqtt.js emits is held here, the stream goes on, and the PUBACK is sent once the message's samples
 * are stored or durably queued — in arrival order, as MQTT 3.1.1 §4.6 [MQTT-4.6.0-2] asks. A `kill -9` therefore
 * loses nothing the broker handed over: unacknowledged messages are redelivered to the persistent session, and the
 * replay dedupe or identical points absorb the repeats. When the connection drops, held acknowledgements are
 * forgotten (the broker redelivers those messages on the next connection).
 */
export class DeferredAcks {
  private pending = new Map<number, Pending>();

  constructor(private readonly sendNow: (packet: { cmd: 'puback'; messageId: number }) => void) {}

  /** Installs the hold on a client; returns the per-message tracker. */
  static attach(client: MqttClient): DeferredAcks {
    const internal = client as unknown as { _sendPacket: (packet: { cmd: string; messageId?: number }, cb?: (err?: Error) => void, ...rest: unknown[]) => void };
    const original = internal._sendPacket.bind(client);
    const acks = new DeferredAcks((packet) => {
      if (client.connected) original(packet);
    });
    internal._sendPacket = (packet, cb, ...rest) => {
      if (packet.cmd === 'puback' && packet.messageId !== undefined && acks.hold(packet as { cmd: 'puback'; messageId: number })) {
        cb?.(); // the stream goes on; the PUBACK itself waits for storage
        return;
      }
      original(packet, cb, ...rest);
    };
    client.on('close', () => acks.reset());
    return acks;
  }

  /** A QoS 1 message arrived: returns the callback that marks it durable. */
  expect(messageId: number): () => void {
    const entry: Pending = { durable: false, puback: null };
    this.pending.set(messageId, entry);
    return () => {
      if (this.pending.get(messageId) !== entry) return; // the connection was reset meanwhile
      entry.durable = true;
      this.flush();
    };
  }

  private hold(packet: { cmd: 'puback'; messageId: number }): boolean {
    const entry = this.pending.get(packet.messageId);
    if (!entry) return false;
    entry.puback = packet;
    this.flush();
    return true;
  }

  private flush(): void {
    for (const [id, entry] of this.pending) {
      if (!entry.durable || !entry.puback) break;
      this.pending.delete(id);
      this.sendNow(entry.puback);
    }
  }

  reset(): void {
    this.pending = new Map();
  }

  get held(): number {
    return this.pending.size;
  }
}
