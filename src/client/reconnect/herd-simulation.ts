/**
 * A thousand clients lose the server at the same moment; it is back after `outageMs`.
 * How many reconnection attempts reach it in each 100 ms window, when every client waits
 * a fixed delay, versus when each draws its delay from a jittered exponential backoff?
 */
import { Backoff } from '../backoff.ts';

export interface HerdSimulation {
  bucketMs: number;
  /** Attempts per bucket, from the moment of the drop. */
  fixed: number[];
  jittered: number[];
  /** When the last client got back in, per strategy. */
  fixedRecoveredAtMs: number;
  jitteredRecoveredAtMs: number;
}

export interface HerdOptions {
  clients?: number;
  outageMs?: number;
  fixedDelayMs?: number;
  horizonMs?: number;
  bucketMs?: number;
  seed?: number;
}

export function simulateHerd({
  clients = 1_000,
  outageMs = 12_000,
  fixedDelayMs = 5_000,
  horizonMs = 40_000,
  bucketMs = 100,
}: HerdOptions = {}, seed = 1): HerdSimulation {
  const random = seededRandom(seed);
  const buckets = () => new Array<number>(Math.ceil(horizonMs / bucketMs)).fill(0);
  const fixed = buckets();
  const jittered = buckets();
  let fixedRecoveredAtMs = 0;
  let jitteredRecoveredAtMs = 0;

  for (let client = 0; client < clients; client++) {
    // Fixed delay: every client tries at exactly the same instants.
    for (let at = fixedDelayMs; at < horizonMs; at += fixedDelayMs) {
      fixed[Math.floor(at / bucketMs)]! += 1;
      if (at >= outageMs) {
        fixedRecoveredAtMs = Math.max(fixedRecoveredAtMs, at);
        break;
      }
    }
    const backoff = new Backoff({ random });
    for (let at = backoff.next(); at < horizonMs; at += backoff.next()) {
      jittered[Math.floor(at / bucketMs)]! += 1;
      if (at >= outageMs) {
        jitteredRecoveredAtMs = Math.max(jitteredRecoveredAtMs, at);
        break;
      }
    }
  }
  return { bucketMs, fixed, jittered, fixedRecoveredAtMs, jitteredRecoveredAtMs };
}

/** mulberry32: small, fast, and the same chart on every build. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
