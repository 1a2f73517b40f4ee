import { Duplex, Transform, type TransformCallback } from 'node:stream';
import type { Socket } from 'node:net';

/**
 * A byte-level guard in front of the embedded broker: aedes (mqtt-packet) buffers a whole packet before anything
 * can look at it, so a 200 MB PUBLISH would sit in memory first. This reads only MQTT's fixed headers (MQTT 3.1.1
 * §2.2: one type byte, then the Remaining Length as a variable byte integer of up to four bytes) and closes the
 * connection as soon as a packet announces more than `maxRemaining` bytes; everything else passes through untouched.
 */
export class PacketLimit extends Transform {
  private headerBytes = 0;
  private remaining = 0;
  private multiplier = 1;
  private inBody = 0;

  constructor(
    private readonly maxRemaining: number,
    private readonly onOversized: (announced: number) => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.inBody > 0) {
        const take = Math.min(this.inBody, chunk.length - i);
        this.inBody -= take;
        i += take;
        continue;
      }
      const byte = chunk[i++] as number;
      if (this.headerBytes === 0) {
        this.headerBytes = 1; // packet type and flags
        this.remaining = 0;
        this.multiplier = 1;
        continue;
      }
      this.remaining += (byte & 0x7f) * this.multiplier;
      this.multiplier *= 128;
      this.headerBytes++;
      if (byte & 0x80 && this.headerBytes < 5) continue;
      if (this.remaining > this.maxRemaining) {
        this.onOversized(this.remaining);
        callback(new Error(`MQTT packet of ${this.remaining} bytes exceeds the limit of ${this.maxRemaining}`));
        return;
      }
      this.inBody = this.remaining;
      this.headerBytes = 0;
    }
    callback(null, chunk);
  }
}

/** The socket as aedes sees it: reads through the guard, writes straight to the socket; an oversized packet closes it. */
export function limitPackets(socket: Socket, maxRemaining: number, onOversized: (announced: number) => void): Duplex {
  const guard = new PacketLimit(maxRemaining, onOversized);
  const duplex = Duplex.from({ readable: socket.pipe(guard), writable: socket });
  corkTogether(duplex, socket);
  guard.on('error', () => {
    socket.destroy();
    duplex.destroy();
  });
  socket.on('close', () => duplex.destroy());
  return duplex;
}

/**
 * mqtt-packet writes a packet in pieces (fixed header, topic, packet id, payload) between `cork()` and an `uncork()`
 * on the next tick, so that they leave as one TCP segment. Duplex.from keeps that cork to itself and hands the
 * pieces to the socket one `write` at a time: each became its own segment, and Nagle held every piece after the
 * first until the peer's delayed ACK (~40 ms on Linux), so every QoS 1 delivery through the embedded broker took
 * ~45 ms. Corking the socket along with the duplex lets the socket send the pieces in one writev.
 */
function corkTogether(duplex: Duplex, socket: Socket): void {
  const cork = duplex.cork.bind(duplex);
  const uncork = duplex.uncork.bind(duplex);
  duplex.cork = (): void => {
    socket.cork();
    cork();
  };
  duplex.uncork = (): void => {
    uncork(); // flushes the pieces into the still-corked socket
    socket.uncork();
  };
}
