// The goals the bench reports against. They are never asserted in tests: timing
// depends on the machine, so each result file states the machine and the measured value.
import { round } from './latency-summary.mjs';

const n = (value, digits = 1) => value.toLocaleString('en-US', { maximumFractionDigits: digits });
const find = (rows, target, key, value) => rows?.find((row) => row.target === target && row[key] === value);

/** Each target with the value measured in this run, or null when this run did not measure it (quick mode). */
export function evaluateTargets(results) {
  const idleSite15k = find(results.idle, 'site', 'waiters', 15_000);
  const idleSite10k = find(results.idle, 'site', 'waiters', 10_000);
  const idleReference10k = find(results.idle, 'reference', 'waiters', 10_000);
  const fanOutSite10k = find(results.fanOut, 'site', 'clients', 10_000);
  const fanOutReference10k = find(results.fanOut, 'reference', 'clients', 10_000);
  const fanOutSite1k = find(results.fanOut, 'site', 'clients', 1_000);

  const worstP99 = (row) =>
    row && Math.max(row.latencyMs.stats.p99, row.latencyMs.lessonPage?.p99 ?? 0, row.latencyMs.roundTrip.p99);
  const ratio = (a, b) => (a !== undefined && b !== undefined && b > 0 ? round(a / b, 2) : null);

  const oneProcess = (target) => results.oneProcess?.rows.find((row) => row.target === target);
  const [oneSite, oneReference, oneSocketIo] = ['site', 'reference', 'socket-io'].map(oneProcess);

  return [
    {
      id: 'idle-15k-responsive',
      goal: '15,000 idle waiters held; /api/stats, a lesson page and a round trip in another room answer with p99 < 100 ms',
      measured: idleSite15k ? round(worstP99(idleSite15k), 1) : null,
      unit: 'ms (worst p99)',
      detail: idleSite15k
        ? `held ${n(idleSite15k.held)} of 15,000; p99 /api/stats ${n(idleSite15k.latencyMs.stats.p99)} ms, lesson page ${n(idleSite15k.latencyMs.lessonPage?.p99 ?? NaN)} ms, round trip ${n(idleSite15k.latencyMs.roundTrip.p99)} ms`
        : 'not measured in this run',
      met: idleSite15k ? idleSite15k.held >= 15_000 && worstP99(idleSite15k) < 100 : null,
    },
    {
      id: 'rss-per-waiter-ratio',
      goal: 'RSS per idle waiter at 10,000 waiters within 1.25× of the reference',
      measured: ratio(idleSite10k?.rssPerWaiterBytes, idleReference10k?.rssPerWaiterBytes),
      unit: '× reference',
      detail: idleSite10k && idleReference10k
        ? `site ${n(idleSite10k.rssPerWaiterBytes / 1024)} KiB, reference ${n(idleReference10k.rssPerWaiterBytes / 1024)} KiB per waiter`
        : 'not measured in this run',
      met: idleSite10k && idleReference10k ? idleSite10k.rssPerWaiterBytes <= 1.25 * idleReference10k.rssPerWaiterBytes : null,
    },
    {
      id: 'fan-out-10k-ratio',
      goal: 'Fan-out time to 10,000 clients (until the last has it) within 1.25× of the reference',
      measured: ratio(fanOutSite10k?.completeMs, fanOutReference10k?.completeMs),
      unit: '× reference',
      detail: fanOutSite10k && fanOutReference10k
        ? `site ${n(fanOutSite10k.completeMs)} ms, reference ${n(fanOutReference10k.completeMs)} ms`
        : 'not measured in this run',
      met: fanOutSite10k && fanOutReference10k ? fanOutSite10k.completeMs <= 1.25 * fanOutReference10k.completeMs : null,
    },
    {
      id: 'idle-cpu-10k',
      goal: 'Idle CPU under 2 % of one core with 10,000 waiters',
      measured: idleSite10k ? idleSite10k.idleCpuPercent : null,
      unit: '% of one core',
      detail: idleSite10k ? `over ${idleSite10k.idleWindowSeconds} s` : 'not measured in this run',
      met: idleSite10k ? idleSite10k.idleCpuPercent < 2 : null,
    },
    {
      id: 'fan-out-1k-p99',
      goal: 'Fan-out p99 under 50 ms to 1,000 clients',
      measured: fanOutSite1k ? fanOutSite1k.latencyMs.p99 : null,
      unit: 'ms',
      detail: fanOutSite1k ? `${fanOutSite1k.rounds} rounds, ${n(fanOutSite1k.received)} deliveries` : 'not measured in this run',
      met: fanOutSite1k ? fanOutSite1k.latencyMs.p99 < 50 : null,
    },
    {
      id: 'naive-to-event-cpu-ratio',
      goal: 'Naive loop uses at least 100× the CPU of event-driven waiters (same number of idle waiters)',
      measured: results.naiveVsEvent ? results.naiveVsEvent.cpuRatioNaiveToChat : null,
      unit: '×',
      detail: results.naiveVsEvent
        ? `${results.naiveVsEvent.waiters} waiters: naive ${n(results.naiveVsEvent.naive.cpuSecondsPerSecond * 100, 2)} %, chat ${n(results.naiveVsEvent.chat.cpuSecondsPerSecond * 100, 3)} % of one core`
        : 'not measured in this run',
      met: results.naiveVsEvent ? results.naiveVsEvent.cpuRatioNaiveToChat >= 100 : null,
    },
    {
      id: 'one-process-rss-vs-socket-io',
      goal: 'RSS per held poll at 5,000 held polls at or below Socket.IO 4.8 (polling), each counted from its own start',
      measured: ratio(oneSite?.rssPerHeldPollBytes, oneSocketIo?.rssPerHeldPollBytes),
      unit: '× Socket.IO',
      detail: oneSite && oneSocketIo
        ? `site ${n(oneSite.rssPerHeldPollBytes / 1024)} KiB, Socket.IO ${n(oneSocketIo.rssPerHeldPollBytes / 1024)} KiB per held poll (${n(oneSite.heldPolls)} held)`
        : 'not measured in this run',
      met: oneSite && oneSocketIo ? oneSite.rssPerHeldPollBytes <= oneSocketIo.rssPerHeldPollBytes : null,
    },
    {
      id: 'one-process-fan-out-ratio',
      goal: 'Fan-out to 5,000 held polls (until the last has it) within 1.5× of the bare node:http reference, in the same run',
      measured: ratio(oneSite?.fanOut.completeMs, oneReference?.fanOut.completeMs),
      unit: '× reference',
      detail: oneSite && oneReference
        ? `site ${n(oneSite.fanOut.completeMs, 0)} ms, reference ${n(oneReference.fanOut.completeMs, 0)} ms (median of ${oneSite.fanOut.rounds} rounds, ${n(oneSite.heldPolls)} held)`
        : 'not measured in this run',
      met: oneSite && oneReference ? oneSite.fanOut.completeMs <= 1.5 * oneReference.fanOut.completeMs : null,
    },
  ];
}
