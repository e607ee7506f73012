// A deliberately small HTTP/1.1 client over raw TCP sockets. The bench holds up to 15,000
// long polls at once and times when each answer lands, so the client side must cost as
// little as possible: one socket, one pending request, and a parser for the two framings
// the servers use (Content-Length and chunked). Keep-alive, no pipelining.
import net from 'node:net';

const HEADER_END = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');

export class Connection {
  /** @param {{ port: number, host?: string }} target */
  constructor({ port, host = '127.0.0.1' }) {
    this.port = port;
    this.host = host;
    this.socket = undefined;
    this.pending = undefined;
    this.buffer = Buffer.alloc(0);
    this.closed = false;
  }

  /** Resolves once the TCP connection is established. */
  connect() {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port: this.port, host: this.host, noDelay: true });
      this.socket = socket;
      socket.once('connect', () => {
        socket.off('error', reject);
        socket.on('error', (error) => this.#fail(error));
        resolve(this);
      });
      socket.once('error', reject);
      socket.on('data', (chunk) => this.#onData(chunk));
      socket.on('close', () => {
        this.closed = true;
        if (this.pending) this.#finishOnClose();
      });
    });
  }

  /**
   * Sends one request and resolves with `{ status, headers, body, firstByteAt, doneAt }`
   * (times from `performance.now()`), or rejects if the connection fails first.
   */
  request({ method = 'GET', path, headers = {}, body }) {
    if (this.pending) return Promise.reject(new Error('a request is already in flight on this connection'));
    if (this.closed || !this.socket) return Promise.reject(new Error('connection is closed'));
    const payload = body === undefined ? undefined : Buffer.from(body);
    let head = `${method} ${path} HTTP/1.1\r\nHost: ${this.host}:${this.port}\r\n`;
    for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
    if (payload) head += `Content-Length: ${payload.length}\r\n`;
    head += '\r\n';
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject, sentAt: performance.now(), firstByteAt: 0, head: undefined };
      this.socket.write(payload ? Buffer.concat([Buffer.from(head), payload]) : head);
    });
  }

  close() {
    this.closed = true;
    this.socket?.destroy();
  }

  #onData(chunk) {
    const pending = this.pending;
    if (!pending) return; // bytes nobody asked for (none expected): drop them
    if (!pending.firstByteAt) pending.firstByteAt = performance.now();
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    this.#tryComplete();
  }

  #tryComplete() {
    const pending = this.pending;
    if (!pending.head) {
      const end = this.buffer.indexOf(HEADER_END);
      if (end === -1) return;
      pending.head = parseHead(this.buffer.subarray(0, end).toString('latin1'));
      this.buffer = this.buffer.subarray(end + 4);
    }
    const { headers } = pending.head;
    let body;
    if (headers['transfer-encoding']?.includes('chunked')) {
      body = readChunked(this.buffer);
      if (!body) return;
      this.buffer = this.buffer.subarray(body.consumed);
      body = body.data;
    } else if (headers['content-length'] !== undefined) {
      const length = Number(headers['content-length']);
      if (this.buffer.length < length) return;
      body = this.buffer.subarray(0, length);
      this.buffer = this.buffer.subarray(length);
    } else {
      return; // body runs until the connection closes
    }
    this.#resolve(body);
  }

  #finishOnClose() {
    const pending = this.pending;
    const { headers } = pending.head ?? { headers: {} };
    const framed = headers['transfer-encoding'] || headers['content-length'] !== undefined;
    if (pending.head && !framed) this.#resolve(this.buffer);
    else this.#fail(new Error('connection closed before the response was complete'));
  }

  #resolve(body) {
    const pending = this.pending;
    this.pending = undefined;
    const { status, headers } = pending.head;
    pending.resolve({
      status,
      headers,
      body: body.toString('utf8'),
      sentAt: pending.sentAt,
      firstByteAt: pending.firstByteAt,
      doneAt: performance.now(),
    });
    if (headers.connection === 'close') this.close();
  }

  #fail(error) {
    const pending = this.pending;
    this.pending = undefined;
    this.buffer = Buffer.alloc(0);
    pending?.reject(error);
  }
}

function parseHead(text) {
  const lines = text.split('\r\n');
  const status = Number(lines[0].split(' ')[1]);
  const headers = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status, headers };
}

/** A complete chunked body at the start of `buffer`, or undefined if more bytes are needed. */
function readChunked(buffer) {
  const parts = [];
  let offset = 0;
  for (;;) {
    const lineEnd = buffer.indexOf(CRLF, offset);
    if (lineEnd === -1) return undefined;
    const size = parseInt(buffer.subarray(offset, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size)) throw new Error('malformed chunk size');
    const dataStart = lineEnd + 2;
    if (size === 0) {
      // No trailers are sent by either server: the body ends with an empty line.
      if (buffer.length < dataStart + 2) return undefined;
      return { data: Buffer.concat(parts), consumed: dataStart + 2 };
    }
    if (buffer.length < dataStart + size + 2) return undefined;
    parts.push(buffer.subarray(dataStart, dataStart + size));
    offset = dataStart + size + 2;
  }
}

/** Opens `count` connections, at most `concurrency` handshakes at a time (the listen backlog is finite). */
export async function openConnections(target, count, { concurrency = 200, deadline = Infinity } = {}) {
  const connections = [];
  const failures = [];
  let next = 0;
  const worker = async () => {
    while (next < count && performance.now() < deadline) {
      next += 1;
      const connection = new Connection(target);
      try {
        connections.push(await connection.connect());
      } catch (error) {
        failures.push(error);
        if (failures.length > 50) return; // something is wrong; stop hammering
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { connections, failures: failures.length, firstError: failures[0]?.message };
}

/**
 * One request at a time on a keep-alive connection that is reopened when the server has
 * closed it (its keep-alive timeout is 5 s, and a control connection can sit idle longer).
 */
export function reconnectingClient(target) {
  let connection;
  const send = async (options) => {
    if (!connection || connection.closed) connection = await new Connection(target).connect();
    return connection.request(options);
  };
  return {
    // A request sent just as the server closed the idle connection fails: send it once more.
    request: (options) => send(options).catch((error) => (connection?.closed ? send(options) : Promise.reject(error))),
    close: () => connection?.close(),
  };
}

/** One request on a fresh connection, closed afterwards. */
export async function requestOnce(target, options) {
  const connection = await new Connection(target).connect();
  try {
    return await connection.request(options);
  } finally {
    connection.close();
  }
}
