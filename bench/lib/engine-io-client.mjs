// Socket.IO's long-polling transport spoken by hand (Engine.IO protocol v4), on the bench's raw
// keep-alive connections, so that a Socket.IO client costs the bench as little as a chat client:
//   GET  /socket.io/?EIO=4&transport=polling          → `0{"sid": …}` (the open packet)
//   POST …&sid=SID  body `40`                          → `ok` (join the default namespace)
//   GET  …&sid=SID                                     → `40{"sid": …}` (the join is acknowledged)
//   GET  …&sid=SID, held                               → `42["message", {...}]` when the server emits
// One answer may carry several packets, separated by the record separator \x1e. Engine.IO packet
// types: 0 open, 1 close, 2 ping, 3 pong, 4 message; a Socket.IO packet rides in a message: 0
// connect, 2 event. The bench's server sets its ping interval beyond the run, so no ping is answered.

export const HANDSHAKE_PATH = '/socket.io/?EIO=4&transport=polling';
const RECORD_SEPARATOR = '\x1e';

/**
 * Opens a session on `connection` and joins the default namespace; resolves with the path of the
 * session's polls. Throws when an answer is not what the protocol promises.
 * @param {import('./raw-http.mjs').Connection} connection
 * @returns {Promise<{ sid: string, pollPath: string }>}
 */
export async function openSession(connection) {
  const open = await connection.request({ path: HANDSHAKE_PATH });
  if (open.status !== 200 || !open.body.startsWith('0{')) throw new Error(`handshake answered ${open.status}: ${open.body.slice(0, 80)}`);
  const { sid } = JSON.parse(open.body.slice(1));
  const pollPath = `${HANDSHAKE_PATH}&sid=${encodeURIComponent(sid)}`;
  const join = await connection.request({ method: 'POST', path: pollPath, headers: { 'Content-Type': 'text/plain; charset=UTF-8' }, body: '40' });
  if (join.status !== 200) throw new Error(`joining the namespace answered ${join.status}: ${join.body.slice(0, 80)}`);
  const joined = await connection.request({ path: pollPath });
  if (!packets(joined.body).some((packet) => packet.startsWith('40'))) throw new Error(`no namespace acknowledgement: ${joined.body.slice(0, 80)}`);
  return { sid, pollPath };
}

/** The Engine.IO packets of one polling answer. */
export const packets = (body) => body.split(RECORD_SEPARATOR);

/** The Socket.IO events (`[name, ...args]`) of one polling answer. */
export const events = (body) => packets(body).filter((packet) => packet.startsWith('42')).map((packet) => JSON.parse(packet.slice(2)));
