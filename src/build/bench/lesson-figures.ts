import { formatNumber } from './chart-scale.ts';
import { readLatestBenchRun, rowFor, type BenchRun, type FanOutRow, type IdleRow } from './latest-run.ts';

/**
 * Everything the "Measure it yourself" lesson prints, computed from one result file: the
 * figures quoted in its prose (formatted) and the data of its charts. Nothing is typed by hand.
 */
const ms = (value: number) => `${formatNumber(value, 1)} ms`;
const kib = (bytes: number) => `${formatNumber(bytes / 1024, 1)} KiB`;
const mib = (bytes: number) => `${formatNumber(bytes / 2 ** 20, 0)} MiB`;
const percent = (value: number, digits = 2) => `${formatNumber(value, digits)} %`;
const times = (value: number) => `${formatNumber(value, 2)}×`;
const count = (value: number) => formatNumber(value, 0);

function required<T>(row: T | undefined, what: string, run: BenchRun): T {
  if (!row) throw new Error(`${run.file} has no ${what}; the lesson needs it. Run the full bench ("npm run bench").`);
  return row;
}

export function benchFigures(run: BenchRun = readLatestBenchRun()) {
  const idleSizes = [...new Set(run.idle.map((row) => row.waiters))].sort((a, b) => a - b);
  const fanOutSizes = [...new Set(run.fanOut.map((row) => row.clients))].sort((a, b) => a - b);
  const idle = (target: IdleRow['target'], waiters: number) =>
    required(rowFor(run.idle, target, (row) => row.waiters === waiters), `idle row for ${target} at ${waiters}`, run);
  const fanOut = (target: FanOutRow['target'], clients: number) =>
    required(rowFor(run.fanOut, target, (row) => row.clients === clients), `fan-out row for ${target} at ${clients}`, run);
  const largest = idleSizes.at(-1)!;
  const middle = idleSizes.includes(10_000) ? 10_000 : largest;
  const biggestFanOut = fanOutSizes.at(-1)!;
  const thousandFanOut = fanOutSizes.includes(1_000) ? 1_000 : biggestFanOut;
  const worstP99 = (row: IdleRow) => Math.max(row.latencyMs.stats.p99, row.latencyMs.lessonPage?.p99 ?? 0, row.latencyMs.roundTrip.p99);
  const worstIdleRow = idleSizes
    .map((waiters) => idle('site', waiters))
    .reduce((worst, row) => (worstP99(row) > worstP99(worst) ? row : worst));
  const throughputSite = required(rowFor(run.throughput, 'site', () => true), 'throughput row for the site', run);
  const throughputReference = required(rowFor(run.throughput, 'reference', () => true), 'throughput row for the reference', run);
  const { naive, chat, reference } = run.naiveVsEvent;
  const { machine } = run;
  const serverLimit = machine.openFileLimit.server?.soft ?? machine.openFileLimit.bench?.soft;

  const text = {
    file: run.file,
    date: run.startedAt.slice(0, 10),
    machine: `${machine.cpus} × ${machine.cpuModel}, ${mib(machine.totalMemoryBytes)} of memory, ${machine.platform} ${machine.kernel}`,
    node: machine.nodeVersion,
    openFileLimit: serverLimit === null || serverLimit === undefined ? 'unlimited' : count(serverLimit),
    loadAverage: machine.loadAverage ? formatNumber(machine.loadAverage.atStart, 2) : 'not recorded',
    minutes: formatNumber(run.durationSeconds / 60, 1),
    idleSizes: idleSizes.map(count).join(', '),
    largestIdle: count(largest),
    largestHeld: count(idle('site', largest).held),
    largestWorstP99: ms(worstP99(idle('site', largest))),
    worstP99Overall: ms(worstP99(worstIdleRow)),
    worstP99OverallAt: count(worstIdleRow.waiters),
    middleIdle: count(middle),
    idleCpuSite: percent(idle('site', middle).idleCpuPercent, 3),
    idleCpuReference: percent(idle('reference', middle).idleCpuPercent, 3),
    idleWindow: `${formatNumber(idle('site', middle).idleWindowSeconds, 0)} s`,
    rssPerWaiterSite: kib(idle('site', middle).rssPerWaiterBytes),
    rssPerWaiterReference: kib(idle('reference', middle).rssPerWaiterBytes),
    rssRatio: times(idle('site', middle).rssPerWaiterBytes / idle('reference', middle).rssPerWaiterBytes),
    heapPerWaiterSite: kib(idle('site', middle).heapUsedPerWaiterBytes ?? Number.NaN),
    heapPerWaiterReference: kib(idle('reference', middle).heapUsedPerWaiterBytes ?? Number.NaN),
    fanOutSizes: fanOutSizes.map(count).join(', '),
    thousand: count(thousandFanOut),
    thousandP99Site: ms(fanOut('site', thousandFanOut).latencyMs.p99),
    thousandP99Reference: ms(fanOut('reference', thousandFanOut).latencyMs.p99),
    thousandFirstSite: ms(fanOut('site', thousandFanOut).firstMs),
    thousandFirstReference: ms(fanOut('reference', thousandFanOut).firstMs),
    biggestFanOut: count(biggestFanOut),
    biggestCompleteSite: ms(fanOut('site', biggestFanOut).completeMs),
    biggestCompleteReference: ms(fanOut('reference', biggestFanOut).completeMs),
    biggestFirstSite: ms(fanOut('site', biggestFanOut).firstMs),
    biggestRatio: times(fanOut('site', biggestFanOut).completeMs / fanOut('reference', biggestFanOut).completeMs),
    naiveWaiters: count(run.naiveVsEvent.waiters),
    naiveSeconds: `${formatNumber(run.naiveVsEvent.seconds, 0)} s`,
    naiveCpu: percent(naive.cpuSecondsPerSecond * 100, 1),
    chatCpu: percent(chat.cpuSecondsPerSecond * 100, 3),
    referenceCpu: percent(reference.cpuSecondsPerSecond * 100, 3),
    naiveStats: count(naive.statCallsPerSecond),
    chatStats: count(chat.statCallsPerSecond),
    naiveRatio: `${count(run.naiveVsEvent.cpuRatioNaiveToChat)}×`,
    listeners: count(throughputSite.listeners),
    posters: count(throughputSite.posters),
    acceptedSite: count(throughputSite.acceptedPerSecond),
    acceptedReference: count(throughputReference.acceptedPerSecond),
    deliveriesSite: count(throughputSite.deliveriesPerSecond),
    deliveredAll: throughputSite.deliveries === throughputSite.expectedDeliveries ? 'every one of them' : `${count(throughputSite.deliveries)} of ${count(throughputSite.expectedDeliveries)}`,
    deliveryP50Site: ms(throughputSite.latencyMs.p50),
    deliveryP99Site: ms(throughputSite.latencyMs.p99),
    deliveryP50Reference: ms(throughputReference.latencyMs.p50),
    throughputCpuSite: percent(throughputSite.cpuPercent, 0),
    throughputCpuReference: percent(throughputReference.cpuPercent, 0),
    clockFrames: count(run.clock.frames),
    clockHeld: count(run.clock.held),
    clockSeconds: `${formatNumber(run.clock.seconds, 0)} s`,
    clockTicks: formatNumber(run.clock.ticksPerFrame.mean, 2),
    clockExpected: formatNumber(run.clock.expectedTicksPerFrame, 1),
    clockMinTicks: count(run.clock.ticksPerFrame.min),
    clockJitterP99: ms(run.clock.jitterMs.p99),
    clockCpu: percent(run.clock.cpuPercent, 1),
  };

  const charts = {
    memory: {
      title: 'Server memory (RSS) while holding idle long polls',
      caption: `Resident memory of each server holding N idle waiters, measured on a fresh server per N (run of ${text.date}).`,
      series: [
        { name: 'site', tone: 'accent' as const },
        { name: 'bare reference', tone: 'muted' as const },
      ],
      groups: idleSizes.map((waiters) => ({
        label: `${count(waiters)} waiters`,
        values: [idle('site', waiters).rssBytes / 2 ** 20, idle('reference', waiters).rssBytes / 2 ** 20],
      })),
      unit: 'MiB',
      digits: 0,
    },
    responsiveness: {
      title: 'How fast the site still answers while it holds idle waiters',
      caption: 'p99 latency of a plain request, a lesson page, and a post → reply round trip in another room, with N idle waiters held.',
      series: [
        { name: '/api/stats', tone: 'accent' as const },
        { name: 'lesson page', tone: 'focus' as const },
        { name: 'round trip', tone: 'ok' as const },
      ],
      groups: idleSizes.map((waiters) => {
        const row = idle('site', waiters);
        return { label: `${count(waiters)} waiters`, values: [row.latencyMs.stats.p99, row.latencyMs.lessonPage?.p99, row.latencyMs.roundTrip.p99] };
      }),
      unit: 'ms, p99',
      target: { value: 100, label: 'target: p99 under 100 ms' },
    },
    fanOut: {
      title: 'Fan-out: time until each waiting client holds one posted message',
      caption: 'p50 and p99 over every client of every round, from the moment the message was posted. Logarithmic scale.',
      series: [
        { name: 'site p50', tone: 'accent' as const },
        { name: 'site p99', tone: 'bad' as const },
        { name: 'reference p50', tone: 'muted' as const },
        { name: 'reference p99', tone: 'focus' as const },
      ],
      groups: fanOutSizes.map((clients) => ({
        label: `${count(clients)} clients`,
        values: [
          fanOut('site', clients).latencyMs.p50,
          fanOut('site', clients).latencyMs.p99,
          fanOut('reference', clients).latencyMs.p50,
          fanOut('reference', clients).latencyMs.p99,
        ],
      })),
      unit: 'ms',
      scale: 'log' as const,
    },
    naive: {
      title: `CPU used by ${text.naiveWaiters} idle waiters`,
      caption: `Server CPU over ${text.naiveSeconds} with ${text.naiveWaiters} idle waiters, as a share of one core. Logarithmic scale: the bars differ by orders of magnitude.`,
      series: [
        { name: 'naive busy loop', tone: 'bad' as const },
        { name: 'event-driven chat', tone: 'accent' as const },
        { name: 'bare reference', tone: 'muted' as const },
      ],
      groups: [
        {
          label: `${text.naiveWaiters} idle waiters`,
          values: [naive.cpuSecondsPerSecond * 100, chat.cpuSecondsPerSecond * 100, reference.cpuSecondsPerSecond * 100],
        },
      ],
      unit: '% of one core',
      scale: 'log' as const,
      digits: 3,
    },
    throughput: {
      title: `Messages accepted per second, ${text.listeners} listeners and ${text.posters} posters`,
      caption: 'Posts the server acknowledged per second while every listener long-polled the same room.',
      series: [
        { name: 'site (writes each batch to disk first)', tone: 'accent' as const },
        { name: 'bare reference (memory only)', tone: 'muted' as const },
      ],
      groups: [{ label: 'accepted messages per second', values: [throughputSite.acceptedPerSecond, throughputReference.acceptedPerSecond] }],
      unit: 'messages per second',
      digits: 0,
    },
  };

  const targets = run.targets.map((target) => ({
    goal: target.goal,
    measured: target.measured === null ? 'not measured' : `${formatNumber(target.measured, 2)} ${target.unit}`,
    detail: target.detail,
    met: target.met === null ? 'not measured' : target.met ? 'met' : 'missed',
  }));

  return { text, charts, targets, run };
}
