import { readFileSync } from 'node:fs';
import path from 'node:path';
import { exerciseDir, referencePath, type Exercise } from './catalog.ts';

/**
 * The starter a learner begins from. For an exercise on a real source file: that file as it
 * is today, with each exercise region's body replaced by its stub from `stubs.txt`, and its
 * relative imports rewritten so that it works from the exercise folder. Generated, never
 * committed, so the code around the regions can change without the starter going stale.
 */
export function starterSource(exercise: Exercise): string {
  if (!exercise.reference) return readFileSync(path.join(exerciseDir(exercise), 'starter.ts'), 'utf8');
  const sourceFile = referencePath(exercise);
  let source = readFileSync(sourceFile, 'utf8');
  const stubs = readFileSync(path.join(exerciseDir(exercise), 'stubs.txt'), 'utf8');
  for (const region of exercise.reference.regions) {
    source = replaceRegion(source, region, regionBody(stubs, region, 'stubs.txt'), exercise.reference.file);
  }
  return rewriteRelativeImports(source, path.dirname(sourceFile), exerciseDir(exercise));
}

/** The reference code of every exercise region, as the lesson shows it. */
export function solutionText(exercise: Exercise): string {
  if (!exercise.reference) return readFileSync(referencePath(exercise), 'utf8');
  const source = readFileSync(referencePath(exercise), 'utf8');
  return exercise.reference.regions
    .map((region) => `// ${exercise.reference!.file} · ${region}\n${dedent(regionBody(source, region, exercise.reference!.file))}`)
    .join('\n\n');
}

/** The lines strictly between `// #region NAME` and `// #endregion NAME`. */
export function regionBody(source: string, region: string, file: string): string {
  const { lines, start, end } = locate(source, region, file);
  return lines.slice(start + 1, end).join('\n');
}

function replaceRegion(source: string, region: string, stub: string, file: string): string {
  const { lines, start, end } = locate(source, region, file);
  const indent = lines[start]!.match(/^\s*/)![0];
  const body = dedent(stub)
    .split('\n')
    .map((line) => (line.trim() ? indent + line : ''));
  return [...lines.slice(0, start + 1), ...body, ...lines.slice(end)].join('\n');
}

function locate(source: string, region: string, file: string) {
  const lines = source.split('\n');
  const start = lines.findIndex((line) => line.trim() === `// #region ${region}`);
  const end = lines.findIndex((line, index) => index > start && line.trim() === `// #endregion ${region}`);
  if (start === -1 || end === -1) {
    throw new Error(`No region "${region}" (with its "// #endregion ${region}") in ${file}.`);
  }
  return { lines, start, end };
}

/** `from './x.ts'` in `fromDir` → the same module seen from `toDir`. */
export function rewriteRelativeImports(source: string, fromDir: string, toDir: string): string {
  return source.replace(/(from\s+|import\s*\(\s*)(['"])(\.{1,2}\/[^'"]+)\2/g, (_match, lead: string, quote: string, specifier: string) => {
    let moved = path.relative(toDir, path.resolve(fromDir, specifier)).split(path.sep).join('/');
    if (!moved.startsWith('.')) moved = `./${moved}`;
    return `${lead}${quote}${moved}${quote}`;
  });
}

function dedent(text: string): string {
  const lines = text.split('\n');
  while (lines.length && !lines[0]!.trim()) lines.shift();
  while (lines.length && !lines.at(-1)!.trim()) lines.pop();
  const indents = lines.filter((line) => line.trim()).map((line) => line.match(/^ */)![0].length);
  const common = indents.length ? Math.min(...indents) : 0;
  return lines.map((line) => line.slice(common)).join('\n');
}

