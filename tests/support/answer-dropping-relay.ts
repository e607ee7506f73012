import net from 'node:net';

/**
 * A loopback TCP relay in front of a test server that loses the answers to the first `dropPosts`
 * POST requests: the request reaches the server (which stores the message), and the client's
 * connection is cut as the answer starts to come back, as when a network fails at the worst moment.
 */
export interface AnswerDroppingRelay {
  /** e.g. http://127.0.0.1:40123 */
  origin: string;
  /** POSTs whose answers were dropped so far. */
  readonly dropped: number;
  close(): Promise<void>;
}

export async function startAnswerDroppingRelay(target: string, { dropPosts = 1 } = {}): Promise<AnswerDroppingRelay> {
  const { hostname, port } = new URL(target);
  let dropped = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(port), hostname);
    sockets.add(client).add(upstream);
    let dropNextAnswer = false;
    client.on('data', (chunk: Buffer) => {
      if (dropped < dropPosts && chunk.subarray(0, 5).toString('latin1') === 'POST ') {
        dropped += 1;
        dropNextAnswer = true;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (dropNextAnswer) {
        client.destroy(); // the answer was sent by the server and is lost on the way
        upstream.destroy();
        return;
      }
      client.write(chunk);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  return {
    origin: `http://127.0.0.1:${address.port}`,
    get dropped() {
      return dropped;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
