// The result file as Markdown tables: the targets with the measured value beside each, then
// every measurement with the site next to the bare reference and their ratio.

const number = (value, digits = 1) =>
  value === null || value === undefined || Number.isNaN(value)
    ? '–'
    : Number(value).toLocaleString('en-US', { maximumFractionDigits: digits });
const kib = (bytes) => `${number(bytes / 1024, 1)} KiB`;
const mib = (bytes) => `${number(bytes / 2 ** 20, 1)} MiB`;
const ratio = (site, reference) => (site && reference ? `${number(site / reference, 2)}×` : '–');
const met = (value) => (value === null ? 'not measured' : value ? 'yes' : '**no**');
const row = (cells) => `| ${cells.join(' | ')} |`;
const table = (head, rows) => [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');

export function renderMarkdown(results) {
  const { machine } = results;
  const limit = machine.openFileLimit.server ?? machine.openFileLimit.bench;
  const sections = [
    `# Benchmark results, ${results.startedAt.slice(0, 10)}${results.mode === 'quick' ? ' (quick run)' : ''}`,
    `Machine: ${machine.cpus} × ${machine.cpuModel}, ${mib(machine.totalMemoryBytes)} RAM, ${machine.platform} ${machine.kernel}, ` +
      `Node ${machine.nodeVersion}, open-file limit ${limit?.soft ?? 'unknown'}, ` +
      `load average ${machine.loadAverage.atStart} at start and ${machine.loadAverage.atEnd} at end. ` +
      `Run took ${number(results.durationSeconds, 0)} s. Command: \`${results.command}\`.`,
    '## Targets',
    table(
      ['Target', 'Measured', 'Detail', 'Met'],
      results.targets.map((target) => [
        target.goal,
        target.measured === null ? '–' : `${number(target.measured, 2)} ${target.unit}`,
        target.detail,
        met(target.met),
      ]),
    ),
  ];

  if (results.idle?.length) {
    const reference = (waiters) => results.idle.find((r) => r.target === 'reference' && r.waiters === waiters);
    sections.push(
      '## Idle capacity',
      table(
        ['Waiters', 'Server', 'Held', 'RSS', 'RSS per waiter', 'vs reference', 'Idle CPU', 'p99 /api/stats', 'p99 lesson page', 'p99 round trip'],
        results.idle.map((r) => [
          number(r.waiters, 0),
          r.target,
          number(r.held, 0),
          mib(r.rssBytes),
          kib(r.rssPerWaiterBytes),
          r.target === 'site' ? ratio(r.rssPerWaiterBytes, reference(r.waiters)?.rssPerWaiterBytes) : '',
          `${number(r.idleCpuPercent, 2)} %`,
          `${number(r.latencyMs.stats.p99, 1)} ms`,
          r.latencyMs.lessonPage ? `${number(r.latencyMs.lessonPage.p99, 1)} ms` : '–',
          `${number(r.latencyMs.roundTrip.p99, 1)} ms`,
        ]),
      ),
    );
  }
  if (results.fanOut?.length) {
    const reference = (clients) => results.fanOut.find((r) => r.target === 'reference' && r.clients === clients);
    sections.push(
      '## Fan-out (one message to N waiting clients)',
      table(
        ['Clients', 'Server', 'Rounds', 'p50', 'p99', 'max', 'Last client (median of rounds)', 'vs reference', 'Received'],
        results.fanOut.map((r) => [
          number(r.clients, 0),
          r.target,
          r.rounds,
          `${number(r.latencyMs.p50, 1)} ms`,
          `${number(r.latencyMs.p99, 1)} ms`,
          `${number(r.latencyMs.max, 1)} ms`,
          `${number(r.completeMs, 1)} ms`,
          r.target === 'site' ? ratio(r.completeMs, reference(r.clients)?.completeMs) : '',
          `${number(r.received, 0)} / ${number(r.expected, 0)}`,
        ]),
      ),
    );
  }
  if (results.naiveVsEvent) {
    const n = results.naiveVsEvent;
    sections.push(
      `## Naive loop vs event-driven (${n.waiters} idle waiters, ${number(n.seconds, 0)} s each)`,
      table(
        ['Backend', 'Held', 'CPU s per s', 'Stat calls per s'],
        [
          ['site, naive busy loop', number(n.naive.held, 0), number(n.naive.cpuSecondsPerSecond, 4), number(n.naive.statCallsPerSecond, 0)],
          ['site, event-driven chat', number(n.chat.held, 0), number(n.chat.cpuSecondsPerSecond, 4), number(n.chat.statCallsPerSecond, 0)],
          ['reference chat', number(n.reference.held, 0), number(n.reference.cpuSecondsPerSecond, 4), number(n.reference.statCallsPerSecond, 0)],
        ],
      ),
      `Naive ÷ event-driven CPU: **${number(n.cpuRatioNaiveToChat, 0)}×** (naive ÷ reference: ${number(n.cpuRatioNaiveToReference, 0)}×).`,
    );
  }
  if (results.throughput?.length) {
    const [site, reference] = ['site', 'reference'].map((kind) => results.throughput.find((r) => r.target === kind));
    sections.push(
      '## Throughput',
      table(
        ['Server', 'Listeners × posters', 'Accepted msg/s', 'Deliveries/s', 'Latency p50', 'Latency p99', 'Delivered', 'CPU'],
        results.throughput.map((r) => [
          r.target,
          `${r.listeners} × ${r.posters}`,
          number(r.acceptedPerSecond, 0),
          number(r.deliveriesPerSecond, 0),
          `${number(r.latencyMs.p50, 1)} ms`,
          `${number(r.latencyMs.p99, 1)} ms`,
          `${number(r.deliveries, 0)} / ${number(r.expectedDeliveries, 0)}`,
          `${number(r.cpuPercent, 0)} %`,
        ]),
      ),
      site && reference ? `Site ÷ reference accepted messages per second: ${ratio(site.acceptedPerSecond, reference.acceptedPerSecond)}.` : '',
      site?.logWrites
        ? `The site's log during the run (group commit): ${number(site.logWrites.batches, 0)} batches, ` +
            `${number(site.logWrites.messagesPerBatch, 1)} messages and ${number(site.logWrites.bytesPerBatch, 0)} bytes per batch, ` +
            `${number(site.logWrites.syncMsPerBatch, 1)} ms of sync per batch (slowest ${number(site.logWrites.syncMsMax, 1)} ms).`
        : '',
    );
  }
  if (results.clock) {
    const c = results.clock;
    sections.push(
      `## Clock (${number(c.frames, 0)} forever frames, ${number(c.seconds, 0)} s)`,
      table(
        ['Frames held', 'Ticks per frame (mean / min)', 'Expected', 'Jitter p50', 'Jitter p99', 'Jitter max', 'Server CPU'],
        [[
          number(c.held, 0),
          `${number(c.ticksPerFrame.mean, 2)} / ${c.ticksPerFrame.min}`,
          number(c.expectedTicksPerFrame, 1),
          `${number(c.jitterMs.p50, 1)} ms`,
          `${number(c.jitterMs.p99, 1)} ms`,
          `${number(c.jitterMs.max, 1)} ms`,
          `${number(c.cpuPercent, 1)} %`,
        ]],
      ),
    );
  }
  if (results.oneProcess?.rows.length) sections.push(renderOneProcessMarkdown(results.oneProcess));
  if (results.scaleOut?.rows.length) sections.push(renderScaleOutMarkdown(results.scaleOut));
  if (results.skipped?.length) sections.push('## Skipped', results.skipped.map((line) => `- ${line}`).join('\n'));
  return `${sections.filter(Boolean).join('\n\n')}\n`;
}

/** The side-by-side one-process comparison: the site, the bare node:http reference and Socket.IO (polling). */
export function renderOneProcessMarkdown({ settings, rows, loadAverageAtStart, loadAverageAtEnd }) {
  const reference = rows.find((r) => r.target === 'reference');
  return [
    `## One process: site, bare node:http and Socket.IO (${number(settings.heldPolls, 0)} held polls)`,
    `Each server in a fresh process per measurement; the clients in the bench process on the same cores. ` +
      `Load average ${loadAverageAtStart} at the start of this part and ${loadAverageAtEnd} at its end.`,
    table(
      ['Server', 'Held', 'RSS per held poll', 'CPU per accepted poll', 'Fan-out, last client (median)', 'vs bare', 'p50', 'p99', 'Received', 'Simple requests/s', 'Simple request'],
      rows.map((r) => [
        r.label,
        number(r.held, 0),
        kib(r.rssPerHeldPollBytes),
        `${number(r.cpuMsPerAcceptedPoll, 3)} ms`,
        `${number(r.fanOut.completeMs, 0)} ms`,
        r.target === 'reference' ? '' : ratio(r.fanOut.completeMs, reference?.fanOut.completeMs),
        `${number(r.fanOut.latencyMs.p50, 0)} ms`,
        `${number(r.fanOut.latencyMs.p99, 0)} ms`,
        `${number(r.fanOut.received, 0)} / ${number(r.fanOut.expected, 0)}`,
        number(r.simpleRequests.perSecond, 0),
        r.simpleRequests.request,
      ]),
    ),
  ].join('\n\n');
}

/** Scale-out: fan-out and post throughput with the embedded store and with 1, 2 and 4 processes on Redis. */
export function renderScaleOutMarkdown({ settings, rows, loadAverageAtStart, loadAverageAtEnd }) {
  return [
    `## Scale-out (fan-out to ${number(settings.waiters, 0)} held polls; ${settings.posters} posters and ${settings.listeners} listeners for ${settings.throughputSeconds} s)`,
    `Load average ${loadAverageAtStart} at the start of this part` + (loadAverageAtEnd === undefined ? '.' : ` and ${loadAverageAtEnd} at its end.`),
    table(
      ['Configuration', 'Fan-out, last client (median)', 'p50', 'p99', 'Received', 'Posts/s', 'Deliveries/s'],
      rows.map((r) => [
        r.label,
        r.fanOut.error ? `failed: ${r.fanOut.error}` : `${number(r.fanOut.completeMs, 0)} ms`,
        r.fanOut.error ? '–' : `${number(r.fanOut.p50Ms, 0)} ms`,
        r.fanOut.error ? '–' : `${number(r.fanOut.p99Ms, 0)} ms`,
        r.fanOut.error ? '–' : `${number(r.fanOut.received, 0)} / ${number(r.fanOut.expected, 0)}`,
        number(r.throughput.postsPerSecond, 0),
        number(r.throughput.deliveriesPerSecond, 0),
      ]),
    ),
  ].join('\n\n');
}
