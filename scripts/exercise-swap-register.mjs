// Loaded with `node --import` by `npm run exercise -- <name> --serve`: registers the hook that
// resolves the lesson's module to the learner's file, for code that Node loads unbundled.
// Does nothing unless COMET_EXERCISE_FROM and COMET_EXERCISE_TO name both files.
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';

const from = process.env.COMET_EXERCISE_FROM;
const to = process.env.COMET_EXERCISE_TO;
if (from && to) {
  register('./exercise-swap-hook.mjs', import.meta.url, {
    data: { from: pathToFileURL(from).href, to: pathToFileURL(to).href },
  });
}
