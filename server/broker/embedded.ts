import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Aedes, type AedesOptions } from 'aedes';

export interface EmbeddedBroker {
  aedes: Aedes;
  port: number;
  close(): Promise<void>;
}

/**
 * In-process MQTT broker (aedes) for the zero-install default. It speaks MQTT 3.1.1 only and ignores `$share`
 * subscriptions, so scale-out deployments use an external broker.
 */
export async function startEmbeddedBroker(host: string, port: number, hooks: Partial<AedesOptions> = {}): Promise<EmbeddedBroker> {
  const aedes = await Aedes.createBroker(hooks);
  const server: Server = createServer(aedes.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    aedes,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        aedes.close(() => server.close(() => resolve()));
      }),
  };
}
