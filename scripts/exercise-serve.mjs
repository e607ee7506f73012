// `npm run exercise -- <name> --serve`: the whole site with the learner's file in place of the
// lesson's module, so the lesson's live widget runs on the learner's code.
//
// Today the server is bundled by `astro build`, so the swap happens in the bundler: a build
// into dist-exercise/ with a resolve step that hands out the learner's file wherever the
// reference module is imported. Pages built this way carry a visible banner naming the file.
// When the server runs src/server unbundled under Node, the same swap is a module hook
// (exercise-swap-register.mjs), loaded with
// `node --import ./scripts/exercise-swap-register.mjs`, which is also passed below.
import { spawn } from 'node:child_process';
import { SERVER_NODE_FLAGS } from '../src/server/runtime-flags.ts';
import path from 'node:path';
import { learnerPath, listExercises, PROJECT_ROOT, referencePath, shown } from '../exercises/tooling/catalog.ts';
import { readProgress } from '../exercises/tooling/progress.ts';

/** The folder the swapped build goes to (git-ignored like every dist-*). */
export const EXERCISE_BUILD_DIR = 'dist-exercise';
/** Read at build time by YourTurn.astro (the banner) and at run time by the swap hook. */
export const SERVE_ENV = 'COMET_EXERCISE_SERVE';

/** A Vite plugin that resolves `from` (an absolute path) to `to` wherever it is imported. */
export function swapModule(from, to) {
  return {
    name: 'comet-exercise-swap',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      if (!importer || path.resolve(path.dirname(importer), source) === to) return null;
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      return resolved && resolved.id.split('?')[0] === from ? { ...resolved, id: to } : null;
    },
  };
}

export async function serveLearnerCode(exercise) {
  if (!exercise.reference) {
    const servable = listExercises().filter((e) => e.reference).map((e) => e.name.replace(/^\d+-/, ''));
    console.error(`"${exercise.name.replace(/^\d+-/, '')}" is checked on its own; no module of the site runs it. Serve one of: ${servable.join(', ')}.`);
    process.exit(2);
  }
  const from = referencePath(exercise);
  const to = learnerPath(exercise);
  const passed = Object.entries(readProgress()).filter(([, entry]) => entry.status === 'passed').map(([name]) => name);
  process.env[SERVE_ENV] = JSON.stringify({ exercise: exercise.name, file: shown(to), replaces: exercise.reference.file, passed });
  process.env.BUILD_DIR = EXERCISE_BUILD_DIR;
  process.env.ASTRO_TELEMETRY_DISABLED = '1';
  console.log(`Building the site with ${shown(to)} in place of ${exercise.reference.file} …`);
  const { build } = await import('astro');
  await build({ root: PROJECT_ROOT, logLevel: 'warn', vite: { plugins: [swapModule(from, to)] } });

  const child = spawn(
    process.execPath,
    [...SERVER_NODE_FLAGS, '--import', './scripts/exercise-swap-register.mjs', 'scripts/serve.ts'],
    { cwd: PROJECT_ROOT, stdio: 'inherit', env: { ...process.env, COMET_EXERCISE_FROM: from, COMET_EXERCISE_TO: to } },
  );
  console.log(`Your code from ${shown(to)} runs in place of ${exercise.reference.file}. Ctrl-C to stop.`);
  const stop = () => child.kill('SIGTERM');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await new Promise((resolve) => child.on('exit', resolve));
}
