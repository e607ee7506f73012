// 5. Clock: F forever frames open at once for a while. Ticks received per frame, tick
// jitter (how far the gap between two ticks of one frame strays from the interval) and
// server CPU. Site only: the reference has no clock.
import net from 'node:net';
import { summarize, round } from '../lib/latency-summary.mjs';
import { startCpuWindow } from '../lib/proc-stats.mjs';
import { waitForGauge } from '../lib/chat-client.mjs';
import { sleep, startServer } from '../lib/server-process.mjs';

const TICK = /"type":"tick","seq":(\d+)/g;
const TICK_INTERVAL_MS = 1_000;

export async function measureClock({ frames, settings, env, nodeArgs, log }) {
  const server = await startServer('site', { env, nodeArgs });
  const readers = [];
  try {
    for (let opened = 0; opened < frames; ) {
      const batch = Math.min(settings.clockBatch, frames - opened);
      readers.push(...(await Promise.all(Array.from({ length: batch }, () => openFrame(server.target).catch(() => undefined)))));
      opened += batch;
    }
    const open = readers.filter(Boolean);
    const held = await waitForGauge(server, 'clockStreams', { atLeast: frames, timeoutMs: settings.rampTimeoutMs });
    await sleep(TICK_INTERVAL_MS); // every frame has had its first tick

    const cpu = startCpuWindow(server.pid);
    const windowStart = performance.now();
    await sleep(settings.clockWindowMs);
    const windowEnd = performance.now();
    const usage = cpu();

    const ticksPerFrame = [];
    const jitter = [];
    for (const reader of open) {
      const inWindow = reader.arrivals.filter((at) => at >= windowStart && at < windowEnd);
      ticksPerFrame.push(inWindow.length);
      for (let i = 1; i < reader.arrivals.length; i += 1) {
        if (reader.arrivals[i] < windowStart || reader.arrivals[i] >= windowEnd) continue;
        jitter.push(Math.abs(reader.arrivals[i] - reader.arrivals[i - 1] - TICK_INTERVAL_MS));
      }
    }
    const ticks = summarize(ticksPerFrame);
    const result = {
      frames,
      opened: open.length,
      held,
      seconds: round(usage.seconds),
      expectedTicksPerFrame: round(usage.seconds * (1_000 / TICK_INTERVAL_MS), 1),
      ticksPerFrame: { min: Math.min(...ticksPerFrame), mean: ticks.mean, p50: ticks.p50 },
      framesEnded: open.filter((reader) => reader.ended).length,
      jitterMs: summarize(jitter),
      cpuPercent: round(usage.cpuPercent, 1),
    };
    log(
      `clock · ${frames} frames: held ${held}, ${result.ticksPerFrame.mean} ticks/frame in ${result.seconds} s, ` +
        `jitter p99 ${result.jitterMs.p99} ms, CPU ${result.cpuPercent} %`,
    );
    return result;
  } finally {
    for (const reader of readers) reader?.close();
    await server.stop();
  }
}

/** One forever frame on a raw socket: records when each tick arrives (the body is read as text). */
function openFrame({ host, port }) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, noDelay: true });
    const reader = { arrivals: [], lastSeq: 0, ended: false, close: () => socket.destroy() };
    let tail = '';
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.on('error', () => {});
      socket.write(`GET /api/clock/frame HTTP/1.1\r\nHost: ${host}:${port}\r\n\r\n`);
      resolve(reader);
    });
    socket.on('data', (chunk) => {
      const now = performance.now();
      // Keep a short tail so a tick split across two reads is still seen once.
      const text = tail + chunk.toString('latin1');
      for (const match of text.matchAll(TICK)) {
        const seq = Number(match[1]);
        if (seq > reader.lastSeq) {
          reader.lastSeq = seq;
          reader.arrivals.push(now);
        }
      }
      tail = text.slice(-40);
    });
    socket.on('close', () => (reader.ended = true));
  });
}
