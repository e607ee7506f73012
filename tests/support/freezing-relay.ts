import net from 'node:net';

/**
 * A loopback TCP relay in front of a server that can **freeze** its connections: bytes stop
 * flowing both ways, but no FIN or RST is sent, as when a laptop sleeps or a NAT box forgets
 * a mapping. A client sees nothing at all; only its own deadline can get it out.
 */
export interface FreezingRelay {
  /** e.g. http://127.0.0.1:40123, forwarding to the target. */
  origin: string;
  port: number;
  /** Connections currently open through the relay. */
  readonly open: number;
  /** Connections accepted since the start. */
  readonly accepted: number;
  /** From now on every open connection stays silent (new connections still flow unless `freezeNew`). */
  freezeOpen(): void;
  /** New connections are accepted and then stay silent too (the whole path is dead) until `thaw`. */
  freezeNew(frozen: boolean): void;
  close(): Promise<void>;
}

export async function startFreezingRelay(targetPort: number, targetHost = '127.0.0.1'): Promise<FreezingRelay> {
  const links = new Set<{ client: net.Socket; upstream: net.Socket; frozen: boolean }>();
  let accepted = 0;
  let freezeNew = false;
  const server = net.createServer((client) => {
    accepted += 1;
    const upstream = net.connect(targetPort, targetHost);
    const link = { client, upstream, frozen: freezeNew };
    links.add(link);
    const forward = (from: net.Socket, to: net.Socket) =>
      from.on('data', (chunk) => {
        if (!link.frozen) to.write(chunk); // frozen: the bytes vanish, nobody is told
      });
    forward(client, upstream);
    forward(upstream, client);
    const end = () => {
      links.delete(link);
      client.destroy();
      upstream.destroy();
    };
    // A frozen path passes no FIN either: closes on one side are not passed on while frozen.
    client.on('close', () => (link.frozen ? upstream.destroy() : end()));
    upstream.on('close', () => {
      if (!link.frozen) end();
    });
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    get open() {
      return links.size;
    },
    get accepted() {
      return accepted;
    },
    freezeOpen() {
      for (const link of links) link.frozen = true;
    },
    freezeNew(frozen) {
      freezeNew = frozen;
    },
    async close() {
      for (const { client, upstream } of links) {
        client.destroy();
        upstream.destroy();
      }
      links.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
