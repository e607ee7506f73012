// The yardstick for `npm run bench`: the site's chat API (rooms, EPOCH.ID cursors, long polls, gap, reset)
// on bare node:http, with nothing else: no framework, no persistence, no per-client limits.
// It exists only so the bench can show what the site's own stack costs, as a ratio that
// holds on any machine. Never serve it to the public.
//   HOST=127.0.0.1 PORT=4500 node bench/reference/chat-server.mjs
import http from 'node:http';

const POLL_TIMEOUT_MS = 25_000;
const INITIAL_LOAD_COUNT = 50;
const MAX_MESSAGES_PER_ROOM = 500;
const MAX_ROOMS = 1_000;
const MAX_BODY_BYTES = 4 * 1024;
const MAX_TEXT_LENGTH = 500;
const MAX_AUTHOR_LENGTH = 40;
const DEFAULT_ROOM = 'lobby';
const DEFAULT_AUTHOR = 'anonymous';
const ROOM_PATTERN = /^[a-z0-9-]{1,32}$/;
const POST_FIELDS = ['text', 'author', 'room'];
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f]/;
const TIMEOUT_PARAM_MAX_MS = 24 * 60 * 60 * 1_000;
const WHOLE_NUMBER = /^\d{1,16}$/;
// The site's cursor contract: `EPOCH.ID`, a bare integer (an older client) is answered as a reset.
const CURSOR = /^([a-z0-9]{1,16})\.(0|[1-9][0-9]{0,15})$/;
const LEGACY_CURSOR = /^(0|[1-9][0-9]{0,15})$/;
const EMPTY_ROOM_EPOCH = '0';

const maxWaiters = positiveInteger('MAX_WAITERS', 10_000);

class HttpError extends Error {
  constructor(status, message, headers = {}) {
    super(message);
    this.status = status;
    this.headers = headers;
  }
}

// ---- rooms: the newest messages of each; waiting requests are kept apart, per room name ----

/** Map order is insertion order: re-inserting on activity keeps the idlest room first. */
const rooms = new Map();
const waitersByRoom = new Map();
let waiterCount = 0;
let messageCount = 0;

function append(roomName, text, author) {
  let room = rooms.get(roomName);
  if (room) rooms.delete(roomName);
  else {
    if (rooms.size >= MAX_ROOMS) evictIdlestRoom();
    room = { messages: [], lastId: 0, epoch: Math.random().toString(36).slice(2, 10).padEnd(8, '0') };
  }
  rooms.set(roomName, room);
  room.lastId += 1;
  const message = { id: room.lastId, epoch: room.epoch, text, author, at: Date.now(), room: roomName };
  room.messages.push(message);
  messageCount += 1;
  if (room.messages.length > MAX_MESSAGES_PER_ROOM) {
    room.messages.shift();
    messageCount -= 1;
  }
  const waiters = waitersByRoom.get(roomName);
  if (waiters) for (const wake of waiters) wake(); // each removes itself; a Set allows that mid-loop
  return message;
}

function evictIdlestRoom() {
  for (const [name, room] of rooms) {
    if (!waitersByRoom.has(name)) {
      messageCount -= room.messages.length;
      rooms.delete(name);
      return;
    }
  }
}

/** What a poll with cursor `after` ({epoch, id}) gets now: the newer messages, whether some were dropped, or a reset. */
function read(roomName, after) {
  const room = rooms.get(roomName);
  const fromEmpty = after !== undefined && after.epoch === EMPTY_ROOM_EPOCH && after.id === 0;
  if (!room) return { messages: [], cursor: `${EMPTY_ROOM_EPOCH}.0`, gap: false, reset: after !== undefined && !fromEmpty };
  const { messages, lastId, epoch } = room;
  const cursor = `${epoch}.${lastId}`;
  if (after === undefined) return { messages: messages.slice(-INITIAL_LOAD_COUNT), cursor, gap: false, reset: false };
  // A cursor of another incarnation, or from the future: the room started again.
  if (!fromEmpty && (after.epoch !== epoch || after.id > lastId)) return { messages: messages.slice(), cursor, gap: false, reset: true };
  // Ids are consecutive, so the first newer message sits at a computable index.
  const firstId = lastId - messages.length + 1;
  return { messages: messages.slice(Math.max(0, after.id - firstId + 1)), cursor, gap: after.id < firstId - 1, reset: false };
}

// ---- waiters: a held response, settled exactly once by news, timeout or the client leaving ----

// #region reference-waiter
function wait(roomName, after, timeoutMs, response) {
  let settled = false;
  const settle = (answer) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    response.off('close', onClose);
    const waiters = waitersByRoom.get(roomName);
    waiters.delete(wake);
    if (waiters.size === 0) waitersByRoom.delete(roomName);
    waiterCount -= 1;
    if (answer) sendResult(response, answer);
  };
  const wake = () => settle(read(roomName, after));
  const onClose = () => settle(undefined);
  const timer = setTimeout(() => settle({ messages: [], cursor: `${after.epoch}.${after.id}`, gap: false, reset: false }), timeoutMs);
  response.on('close', onClose);
  let waiters = waitersByRoom.get(roomName);
  if (!waiters) waitersByRoom.set(roomName, (waiters = new Set()));
  waiters.add(wake);
  waiterCount += 1;
}
// #endregion reference-waiter

// ---- the endpoints ----

function getMessages(url, response) {
  const query = readQuery(url, ['room', 'after', 'timeout']);
  const roomName = readRoom(query.get('room'));
  const after = optionalCursor(query, 'after');
  // `timeout` may only shorten the poll: larger values mean "as long as the server allows".
  const timeoutMs = Math.min(optionalWholeNumber(query, 'timeout', TIMEOUT_PARAM_MAX_MS) ?? POLL_TIMEOUT_MS, POLL_TIMEOUT_MS);
  const news = read(roomName, after);
  if (after === undefined || news.messages.length || news.gap || news.reset || timeoutMs === 0) return sendResult(response, news);
  if (waiterCount >= maxWaiters) throw new HttpError(503, 'too many waiting requests; try again shortly', { 'Retry-After': '5' });
  wait(roomName, after, timeoutMs, response);
}

async function postMessage(request, response) {
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) throw new HttpError(415, 'expected Content-Type: application/json');
  let input;
  try {
    input = JSON.parse(await readBody(request));
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw new HttpError(400, 'the body is not valid JSON');
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new HttpError(400, 'expected a JSON object like {"text": "…", "author": "…", "room": "…"}');
  }
  const unknown = Object.keys(input).find((name) => !POST_FIELDS.includes(name));
  if (unknown !== undefined) throw new HttpError(400, `unknown field "${unknown.slice(0, 40)}"; expected text, author, room`);
  const roomName = readRoom(input.room);
  const text = requiredText(input.text, 'text', MAX_TEXT_LENGTH);
  const author = input.author === undefined ? DEFAULT_AUTHOR : requiredText(input.author, 'author', MAX_AUTHOR_LENGTH);
  sendJson(response, 201, append(roomName, text, author));
}

function stats(url, response) {
  readQuery(url, []);
  const cpu = process.cpuUsage();
  const memory = process.memoryUsage();
  let lastId = 0;
  for (const room of rooms.values()) lastId = Math.max(lastId, room.lastId);
  sendJson(response, 200, {
    gauges: { chatWaiters: waiterCount, chatRooms: rooms.size, chatMessages: messageCount, chatLastId: lastId },
    ratesPerSecond: {},
    process: {
      cpuTimeMs: Math.round((cpu.user + cpu.system) / 1_000),
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      uptimeSeconds: Math.round(process.uptime()),
    },
  });
}

// ---- input ----

function readQuery(url, allowed) {
  const params = new Map();
  for (const [name, value] of url.searchParams) {
    if (!allowed.includes(name)) throw new HttpError(400, `unknown query parameter "${name.slice(0, 40)}"`);
    if (params.has(name)) throw new HttpError(400, `query parameter "${name}" given more than once`);
    params.set(name, value);
  }
  return params;
}

function optionalCursor(query, name) {
  const raw = query.get(name);
  if (raw === undefined) return undefined;
  const match = CURSOR.exec(raw) ?? LEGACY_CURSOR.exec(raw);
  if (!match) throw new HttpError(400, `"${name}" must be a cursor from an earlier answer, like "k3j9x2qa.17"`);
  const id = Number(match[2] ?? match[1]);
  if (!Number.isSafeInteger(id)) throw new HttpError(400, `"${name}" holds an id too large to be real`);
  return { epoch: match[2] === undefined ? '' : match[1], id };
}

function optionalWholeNumber(query, name, max) {
  const raw = query.get(name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!WHOLE_NUMBER.test(raw) || !Number.isSafeInteger(value) || value > max) {
    throw new HttpError(400, `"${name}" must be a whole number from 0 to ${max}`);
  }
  return value;
}

function readRoom(raw) {
  if (raw === undefined) return DEFAULT_ROOM;
  if (typeof raw !== 'string' || !ROOM_PATTERN.test(raw)) {
    throw new HttpError(400, '"room" must be 1-32 characters of a-z, 0-9 and -');
  }
  return raw;
}

function requiredText(raw, name, maxLength) {
  const text = typeof raw === 'string' ? raw.trim() : '';
  if (text.length === 0 || text.length > maxLength || !text.isWellFormed() || CONTROL_CHARACTERS.test(text)) {
    throw new HttpError(400, `"${name}" must be 1-${maxLength} characters of text`);
  }
  return text;
}

function readBody(request) {
  return new Promise((resolve, reject) => {
    if (Number(request.headers['content-length']) > MAX_BODY_BYTES) {
      reject(new HttpError(413, `the body must be at most ${MAX_BODY_BYTES} bytes`));
      return;
    }
    const chunks = [];
    let size = 0;
    request.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        request.removeAllListeners('data');
        reject(new HttpError(413, `the body must be at most ${MAX_BODY_BYTES} bytes`));
      } else {
        chunks.push(chunk);
      }
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

// ---- output and routing ----

/** Like the site: `gap` appears only when it is true. */
function sendResult(response, { messages, cursor, gap, reset }) {
  sendJson(response, 200, { messages, cursor, ...(gap ? { gap } : {}), ...(reset ? { reset } : {}) });
}

function sendJson(response, status, body, headers = {}) {
  const json = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(json),
    'Cache-Control': 'no-store',
    ...headers,
  });
  response.end(json);
}

const ROUTES = {
  '/api/chat/messages': { GET: (_request, response, url) => getMessages(url, response), POST: postMessage },
  '/api/stats': { GET: (_request, response, url) => stats(url, response) },
};

async function route(request, response) {
  const url = new URL(request.url, 'http://reference');
  const methods = Object.hasOwn(ROUTES, url.pathname) ? ROUTES[url.pathname] : undefined;
  if (!methods) throw new HttpError(404, 'not found');
  const handle = Object.hasOwn(methods, request.method) ? methods[request.method] : undefined;
  if (!handle) throw new HttpError(405, `${request.method} is not allowed here`, { Allow: Object.keys(methods).join(', ') });
  return handle(request, response, url);
}

const server = http.createServer(
  // The same limits as scripts/serve.ts, so both servers hold sockets alike.
  { maxHeaderSize: 16 * 1024, headersTimeout: 10_000, requestTimeout: 30_000 },
  (request, response) => {
    route(request, response).catch((error) => {
      if (!(error instanceof HttpError)) {
        console.error('Unexpected error while handling a request:', error);
        error = new HttpError(500, 'internal error');
      }
      // An oversized body is left unread: close the connection rather than drain it.
      const close = error.status === 413 ? { Connection: 'close' } : {};
      if (!response.headersSent) sendJson(response, error.status, { error: error.message }, { ...error.headers, ...close });
    });
  },
);
server.keepAliveTimeout = 5_000;

function positiveInteger(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${name} must be a positive whole number; received "${raw}"`);
  return value;
}

const host = process.env.HOST || '127.0.0.1';
const port = Number(process.env.PORT || 4500);
server.listen(port, host, () => {
  const bound = server.address().port; // PORT=0 picks a free one
  if (process.env.QUIET !== '1') console.log(`Reference chat server at http://${host}:${bound}/`);
  process.send?.({ listening: bound }); // the bench learns the port
});
server.on('error', (error) => {
  console.error(`Cannot serve on ${host}:${port}: ${error.message}`);
  process.exit(1);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
