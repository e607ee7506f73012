import { startVitest } from 'vitest/node';
import { PROJECT_ROOT, shown } from './catalog.ts';
import { MODULE_ENV } from './implementation.ts';


export interface CheckResult {
  /** The test title, written as an instruction ("Answer at once when …"). */
  title: string;
  passed: boolean;
  /** The first line or few of the failure, in the checks' own words. */
  message?: string;
}

export interface CheckRun {
  results: CheckResult[];
  /** Set when the file under test could not even be loaded (a syntax error, a missing export). */
  loadError?: string;
  passed: boolean;
}

/**
 * Runs one exercise's checks (a Vitest file) against `modulePath`, in Vitest's own workers,
 * silently, and returns every test in file order. Never throws for a failing check.
 */
export async function runChecks(testFile: string, modulePath: string): Promise<CheckRun> {
  const vitest = await startVitest(
    [],
    {
      root: PROJECT_ROOT,
      config: false,
      watch: false,
      include: [shown(testFile)],
      reporters: [{}],
      env: { [MODULE_ENV]: modulePath },
      testTimeout: 10_000,
      passWithNoTests: false,
    },
    { logLevel: 'silent' },
  );
  try {
    const results: CheckResult[] = [];
    let loadError: string | undefined;
    for (const file of vitest.state.getFiles()) {
      const fileErrors = file.result?.errors ?? [];
      if (fileErrors.length && !file.tasks.length) loadError = firstLines(fileErrors[0]?.message ?? 'the file failed to load');
      collect(file.tasks, results);
      if (!loadError && fileErrors.length) loadError = firstLines(fileErrors[0]?.message ?? '');
    }
    return { results, loadError, passed: !loadError && results.length > 0 && results.every((result) => result.passed) };
  } finally {
    await vitest.close();
  }
}

interface TaskLike {
  type: string;
  name: string;
  tasks?: TaskLike[];
  result?: { state?: string; errors?: { message?: string }[] };
}

function collect(tasks: readonly TaskLike[], into: CheckResult[]): void {
  for (const task of tasks) {
    if (task.type === 'suite' && task.tasks) collect(task.tasks, into);
    else if (task.type === 'test') {
      const passed = task.result?.state === 'pass';
      into.push({ title: task.name, passed, message: passed ? undefined : firstLines(task.result?.errors?.[0]?.message ?? 'did not run') });
    }
  }
}

function firstLines(message: string, count = 6): string {
  return message.split('\n').slice(0, count).join('\n').trim();
}
