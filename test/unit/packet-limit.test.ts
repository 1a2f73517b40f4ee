import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import mqttPacket from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { limitPackets } from '../../server/broker/packet-limit.js';

/** A connected loopback pair: `server` is the broker's side, `peer` the client's. */
async function socketPair(): Promise<{ server: Socket; peer: Socket; listener: Server }> {
  const listener = createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const accepted = once(listener, 'connection') as Promise<[Socket]>;
  const peer = connect((listener.address() as AddressInfo).port, '127.0.0.1');
  const [[server]] = await Promise.all([accepted, once(peer, 'connect')]);
  return { server, peer, listener };
}

describe('embedded broker packet guard (server/broker/packet-limit.ts)', () => {
  const open: Array<{ server: Socket; peer: Socket; listener: Server }> = [];
  afterEach(() => {
    for (const { server, peer, listener } of open.splice(0)) {
      server.destroy();
      peer.destroy();
      listener.close();
    }
  });

  it('hands a packet written in pieces to the socket while it is corked, so the pieces leave as one segment', async () => {
    const pair = await socketPair();
    open.push(pair);
    // Record, for every write that reaches the socket, whether the socket was corked at the time.
    const corkedAtWrite: boolean[] = [];
    const write = pair.server.write.bind(pair.server) as (...args: unknown[]) => boolean;
    pair.server.write = ((...args: unknown[]) => {
      corkedAtWrite.push(pair.server.writableCorked > 0);
      return write(...args);
    }) as Socket['write'];
    const guarded = limitPackets(pair.server, 1 << 20, () => undefined);
    guarded.on('error', () => undefined); // closing the pair at the end is a premature close; aedes listens too

    const packet = { cmd: 'publish', topic: 'rigline/v1/site-01/r1/telemetry', payload: Buffer.alloc(800, 0x41), qos: 1, messageId: 7, retain: false, dup: false } as const;
    const expected = mqttPacket.generate(packet);
    const received: Buffer[] = [];
    pair.peer.on('data', (chunk: Buffer) => received.push(chunk));
    mqttPacket.writeToStream(packet, guarded); // header, topic, id and payload as separate writes, as aedes does
    while (Buffer.concat(received).length < expected.length) await once(pair.peer, 'data');

    expect(Buffer.concat(received).equals(expected)).toBe(true);
    expect(corkedAtWrite.length).toBeGreaterThan(1);
    expect(corkedAtWrite.every(Boolean)).toBe(true);
    expect(pair.server.writableCorked).toBe(0); // uncorked again: nothing left waiting
  });

  it('passes packets split across reads untouched and closes the connection on one that announces too much', async () => {
    const pair = await socketPair();
    open.push(pair);
    const announced: number[] = [];
    const guarded = limitPackets(pair.server, 1000, (n) => announced.push(n));
    const errors: string[] = [];
    guarded.on('error', (error: Error) => errors.push(error.message)); // aedes listens the same way
    pair.peer.on('error', () => undefined); // the peer may see a reset
    const small = mqttPacket.generate({ cmd: 'publish', topic: 't', payload: Buffer.alloc(900, 1), qos: 0, retain: false, dup: false });
    const chunks: Buffer[] = [];
    guarded.on('data', (chunk: Buffer) => chunks.push(chunk));
    for (const [from, to] of [[0, 1], [1, 2], [2, 500], [500, small.length]] as const) pair.peer.write(small.subarray(from, to));
    while (Buffer.concat(chunks).length < small.length) await once(guarded, 'data');
    expect(Buffer.concat(chunks).equals(small)).toBe(true);

    const closed = once(pair.server, 'close');
    pair.peer.write(mqttPacket.generate({ cmd: 'publish', topic: 't', payload: Buffer.alloc(2000, 1), qos: 0, retain: false, dup: false }));
    await closed;
    expect(announced).toEqual([2000 + 2 + 1]); // payload, topic length prefix, topic
    expect(Buffer.concat(chunks).length).toBe(small.length);
    expect(errors.some((message) => message.includes('exceeds the limit of 1000'))).toBe(true);
  });
});
