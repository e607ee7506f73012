// A Node module-customization hook (node:module register): wherever the lesson's module is
// imported, load the learner's file instead. The learner's file itself imports its
// neighbours by their own paths, so only the one module is swapped.
let from;
let to;

export function initialize(data) {
  ({ from, to } = data);
}

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  if (resolved.url === from && context.parentURL !== to) return { ...resolved, url: to };
  return resolved;
}
