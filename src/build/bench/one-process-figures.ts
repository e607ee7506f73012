import { readFileSync } from 'node:fs';
import path from 'node:path';
import { formatNumber } from './chart-scale.ts';
import { RESULTS_DIR } from './latest-run.ts';

/** The latest full one-process comparison (`npm run bench -- --only one-process` writes it beside the dated results). */
export const ONE_PROCESS_RESULTS_FILE = `${RESULTS_DIR}/one-process.json`;

/**
 * The last full comparison run while every API request still went through Astro's Node adapter
 * (its router, render pipeline and response streaming), before the server's edge served the API
 * itself: the "before" of the lesson's "what remains Astro's".
 */
export const THROUGH_ASTRO_RESULTS_FILE = `${RESULTS_DIR}/one-process-2026-11-29.json`;

/** The servers compared, as the bench names them (`target`). */
type Target = 'site' | 'site-default-flags' | 'reference' | 'socket-io' | 'socket-io-tuned';

interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

interface OneProcessRow {
  target: Target;
  label: string;
  heldPolls: number;
  held: number;
  rssStartBytes: number;
  rssHeldBytes: number;
  /** (RSS with every poll held − RSS after the warm-up) ÷ polls held, in bytes. */
  rssPerHeldPollBytes: number;
  heapPerHeldPollBytes: number;
  /** Server CPU time from sending the polls until all are held, ÷ polls, in milliseconds. */
  cpuMsPerAcceptedPoll: number;
  /** How long the polls took to be held, and the gauge reads made meanwhile (they fall in the CPU window). */
  accept?: { seconds: number; statsRequests: number };
  fanOut: { rounds: number; expected: number; received: number; completeMs: number; perRoundMs: number[]; latencyMs: LatencySummary };
  simpleRequests: { request: string; path: string; connections: number; seconds: number; answered: number; perSecond: number; cpuMsPerRequest: number };
}

interface OneProcessRun {
  startedAt: string;
  command: string;
  machine: { cpus: number; cpuModel: string; nodeVersion: string; loadAverage: { atStart: number; atEnd: number | null } };
  loadAverageAtStart: number;
  loadAverageAtEnd: number;
  settings: { heldPolls: number; rounds: number; simpleConnections: number; simpleWindowMs: number };
  rows: OneProcessRow[];
}

const count = (value: number) => formatNumber(value, 0);
const kib = (bytes: number) => `${formatNumber(bytes / 1024, 1)} KiB`;
const ms = (value: number) => (value >= 1_000 ? `${formatNumber(value / 1_000, 2)} s` : `${formatNumber(value, 0)} ms`);
const times = (value: number) => `${formatNumber(value, 2)}×`;

/**
 * What the scale-out lesson's "One process first" section prints from the committed comparison
 * of the site, the bare node:http reference and Socket.IO 4.8 (polling), each with its
 * default flags and with the site's: the figures in its
 * prose, formatted, and its charts. Nothing on the page is typed by hand. Throws when the file
 * lacks one of the five servers (a partial run is never committed as the lesson's source).
 */
export function oneProcessFigures(file = ONE_PROCESS_RESULTS_FILE) {
  const run = JSON.parse(readFileSync(path.resolve(file), 'utf8')) as OneProcessRun;
  const row = (target: Target) => {
    const found = run.rows.find((candidate) => candidate.target === target);
    if (!found) throw new Error(`${file} has no row for "${target}"; run "npm run bench -- --only one-process".`);
    return found;
  };
  const [site, siteDefaultFlags, reference, socketIo, socketIoTuned] = (
    ['site', 'site-default-flags', 'reference', 'socket-io', 'socket-io-tuned'] as const
  ).map(row);
  const servers = [site, siteDefaultFlags, reference, socketIo, socketIoTuned];
  const throughAstroRun = JSON.parse(readFileSync(path.resolve(THROUGH_ASTRO_RESULTS_FILE), 'utf8')) as {
    oneProcess: { rows: OneProcessRow[]; loadAverageAtStart: number };
  };
  const throughAstro = throughAstroRun.oneProcess.rows.find((candidate) => candidate.target === 'site');
  const throughAstroReference = throughAstroRun.oneProcess.rows.find((candidate) => candidate.target === 'reference');
  if (!throughAstro || !throughAstroReference) throw new Error(`${THROUGH_ASTRO_RESULTS_FILE} has no rows for the site and the reference.`);
  return {
    text: {
      file,
      throughAstroFile: THROUGH_ASTRO_RESULTS_FILE,
      /** The site when Astro's adapter still served the API (same bench, Node's default flags). */
      rssThroughAstro: kib(throughAstro.rssPerHeldPollBytes),
      simpleThroughAstro: count(throughAstro.simpleRequests.perSecond),
      fanOutThroughAstroToReference: times(throughAstro.fanOut.completeMs / throughAstroReference.fanOut.completeMs),
      throughAstroLoad: formatNumber(throughAstroRun.oneProcess.loadAverageAtStart, 1),
      simpleReferenceThroughAstro: count(throughAstroReference.simpleRequests.perSecond),
      date: run.startedAt.slice(0, 10),
      command: run.command,
      machine: `${run.machine.cpus} cores (${run.machine.cpuModel})`,
      node: run.machine.nodeVersion,
      /** The machine's load while this part ran: other work on the same cores skews every figure. */
      loadAverage: `${formatNumber(run.loadAverageAtStart, 1)} when this part of the run started and ${formatNumber(run.loadAverageAtEnd, 1)} when it ended`,
      heldPolls: count(run.settings.heldPolls),
      rounds: String(run.settings.rounds),
      rssSite: kib(site.rssPerHeldPollBytes),
      rssReference: kib(reference.rssPerHeldPollBytes),
      /** The site under Node's default V8 flags, in the same run. */
      rssSiteDefaultFlags: kib(siteDefaultFlags.rssPerHeldPollBytes),
      heapSite: kib(site.heapPerHeldPollBytes),
      heapReference: kib(reference.heapPerHeldPollBytes),
      rssSocketIo: kib(socketIo.rssPerHeldPollBytes),
      /** Socket.IO run with the site's V8 flags (`SERVER_NODE_FLAGS`): what the flags alone change. */
      rssSocketIoTuned: kib(socketIoTuned.rssPerHeldPollBytes),
      rssSiteToSocketIo: times(site.rssPerHeldPollBytes / socketIo.rssPerHeldPollBytes),
      fanOutSite: ms(site.fanOut.completeMs),
      fanOutReference: ms(reference.fanOut.completeMs),
      fanOutSocketIo: ms(socketIo.fanOut.completeMs),
      fanOutSocketIoTuned: ms(socketIoTuned.fanOut.completeMs),
      fanOutSiteToReference: times(site.fanOut.completeMs / reference.fanOut.completeMs),
      cpuSite: `${formatNumber(site.cpuMsPerAcceptedPoll, 3)} ms`,
      cpuReference: `${formatNumber(reference.cpuMsPerAcceptedPoll, 3)} ms`,
      cpuSocketIo: `${formatNumber(socketIo.cpuMsPerAcceptedPoll, 3)} ms`,
      simpleSite: count(site.simpleRequests.perSecond),
      simpleReference: count(reference.simpleRequests.perSecond),
      simpleSocketIo: count(socketIo.simpleRequests.perSecond),
      simpleRequestChat: site.simpleRequests.request,
      simpleRequestSocketIo: socketIo.simpleRequests.request,
      /** How many fan-out answers carried the message, over the five servers and every round. */
      delivered: `${count(servers.reduce((sum, server) => sum + server.fanOut.received, 0))} of ${count(servers.reduce((sum, server) => sum + server.fanOut.expected, 0))}`,
    },
    charts: {
      memory: {
        title: `Memory per held poll, ${count(run.settings.heldPolls)} polls held`,
        caption: 'Resident memory with every poll held, minus the resident memory after the warm-up, divided by the polls; each server in a fresh process.',
        series: [{ name: 'RSS per held poll', tone: 'accent' as const }],
        groups: servers.map((server) => ({ label: server.label, values: [server.rssPerHeldPollBytes / 1024] })),
        unit: 'KiB',
        digits: 1,
      },
      fanOut: {
        title: `Fan-out: one message to ${count(run.settings.heldPolls)} held polls`,
        caption: `From the post to the answer, every client in the bench process on the same cores; the last client is the median over ${run.settings.rounds} rounds.`,
        series: [
          { name: 'half the clients have it (p50)', tone: 'muted' as const },
          { name: 'the last client has it', tone: 'accent' as const },
        ],
        groups: servers.map((server) => ({ label: server.label, values: [server.fanOut.latencyMs.p50, server.fanOut.completeMs] })),
        unit: 'ms',
        digits: 0,
      },
      cpu: {
        title: 'Server CPU time to accept one poll and hold it',
        caption: `CPU time of the server process while ${count(run.settings.heldPolls)} polls arrive on open connections, divided by the polls.`,
        series: [{ name: 'CPU per accepted poll', tone: 'accent' as const }],
        groups: servers.map((server) => ({ label: server.label, values: [server.cpuMsPerAcceptedPoll] })),
        unit: 'ms',
        digits: 3,
      },
    },
  };
}
