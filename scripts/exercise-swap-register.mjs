// Loaded with `node --import` by `npm run exercise -- <name> --serve`: a module-resolution hook
// (node:module registerHooks) that loads the learner's file wherever the lesson's module is
// imported, for code that Node loads unbundled. The learner's file imports its neighbours
// by their own paths, so only the one module is swapped. Does nothing unless
// COMET_EXERCISE_FROM and COMET_EXERCISE_TO name both files.
import { registerHooks } from 'node:module';
import { pathToFileURL } from 'node:url';

const from = process.env.COMET_EXERCISE_FROM && pathToFileURL(process.env.COMET_EXERCISE_FROM).href;
const to = process.env.COMET_EXERCISE_TO && pathToFileURL(process.env.COMET_EXERCISE_TO).href;
if (from && to) {
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const resolved = nextResolve(specifier, context);
      return resolved.url === from && context.parentURL !== to ? { ...resolved, url: to } : resolved;
    },
  });
}
