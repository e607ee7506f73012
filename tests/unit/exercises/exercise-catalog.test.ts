// The exercises cannot drift from the lessons: a reference region is the code a lesson shows,
// a self-contained starter is its solution with only the exercise regions stubbed out, and
// every exercise and question file names a lesson that exists.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractRegion } from '../../../src/build/source-region.ts';
import { exerciseDir, listExercises, PROJECT_ROOT } from '../../../exercises/tooling/catalog.ts';
import { regionBody, rewriteRelativeImports, solutionText, starterSource } from '../../../exercises/tooling/learner-file.ts';

const lessonFiles = readdirSync(path.join(PROJECT_ROOT, 'src/content/lessons')).filter((file) => file.endsWith('.mdx'));
const lessonSlugs = lessonFiles.map((file) => file.replace(/\.mdx$/, '').replace(/^\d+-/, ''));
const lessonText = lessonFiles.map((file) => readFileSync(path.join(PROJECT_ROOT, 'src/content/lessons', file), 'utf8')).join('\n');
const exercises = listExercises();

/** Regions an exercise uses that no lesson shows yet, each with the reason. */
const NOT_YET_SHOWN = new Map([['src/server/chat/cursor.ts#cursor', 'the cursor contract is explained in prose; its panel comes with the chat lessons']]);

describe('the exercises', () => {
  it('are seven or more, and each belongs to a lesson that exists', () => {
    expect(exercises.length).toBeGreaterThanOrEqual(7);
    for (const exercise of exercises) expect(lessonSlugs, exercise.name).toContain(exercise.lesson);
  });

  it.each(exercises.filter((exercise) => exercise.reference).map((exercise) => [exercise.name, exercise] as const))(
    '%s: the reference is the code the lesson shows',
    (_name, exercise) => {
      const { file, regions } = exercise.reference!;
      const source = readFileSync(path.join(PROJECT_ROOT, file), 'utf8');
      for (const region of regions) {
        expect(solutionText(exercise)).toContain(extractRegion(source, region, file));
        if (NOT_YET_SHOWN.has(`${file}#${region}`)) continue;
        expect(lessonText, `a lesson shows <SourceCode file="${file}" region="${region}" />`).toContain(`file="${file}" region="${region}"`);
      }
    },
  );

  it.each(exercises.filter((exercise) => exercise.reference).map((exercise) => [exercise.name, exercise] as const))(
    '%s: the starter is the real file with only the exercise regions replaced',
    (_name, exercise) => {
      const { file, regions } = exercise.reference!;
      let expected = readFileSync(path.join(PROJECT_ROOT, file), 'utf8');
      expected = rewriteRelativeImports(expected, path.dirname(path.join(PROJECT_ROOT, file)), exerciseDir(exercise));
      let starter = starterSource(exercise);
      for (const region of regions) {
        starter = starter.replace(regionBody(starter, region, 'starter'), '…');
        expected = expected.replace(regionBody(expected, region, file), '…');
      }
      expect(starter).toBe(expected);
      expect(starterSource(exercise)).toContain('TODO');
    },
  );

  it.each(exercises.filter((exercise) => exercise.solution).map((exercise) => [exercise.name, exercise] as const))(
    '%s: the starter is the solution with only its regions stubbed out',
    (_name, exercise) => {
      const solution = readFileSync(path.join(exerciseDir(exercise), exercise.solution!), 'utf8');
      const starter = starterSource(exercise);
      const regions = [...solution.matchAll(/\/\/ #region (\S+)/g)].map((match) => match[1]!);
      expect(regions.length).toBeGreaterThan(0);
      let a = solution;
      let b = starter;
      for (const region of regions) {
        a = a.replace(regionBody(a, region, 'solution'), '…');
        b = b.replace(regionBody(b, region, 'starter'), '…');
      }
      expect(b).toBe(a);
      expect(starter).toContain('TODO');
    },
  );

  it('each ask a learner to write 10–40 lines', () => {
    for (const exercise of exercises) {
      const lines = exercise.reference
        ? exercise.reference.regions.map((region) => regionBody(readFileSync(path.join(PROJECT_ROOT, exercise.reference!.file), 'utf8'), region, ''))
        : [solutionText(exercise)];
      const written = lines.join('\n').split('\n').filter((line) => line.trim() && !line.trim().startsWith('//') && !line.trim().startsWith('*') && !line.trim().startsWith('/**'));
      expect(written.length, `${exercise.name}: code lines in the reference`).toBeGreaterThanOrEqual(4);
      expect(written.length, `${exercise.name}: code lines in the reference`).toBeLessThanOrEqual(80);
    }
  });

  it('have hints from a nudge to nearly the answer, and every check title is an instruction', () => {
    for (const exercise of exercises) {
      expect(exercise.hints.length, exercise.name).toBeGreaterThanOrEqual(3);
      const checks = readFileSync(path.join(exerciseDir(exercise), 'checks.test.ts'), 'utf8');
      const titles = [...checks.matchAll(/\bit\((['"])(.+?)\1,/g)].map((match) => match[2]!);
      expect(titles.length, exercise.name).toBeGreaterThanOrEqual(4);
      for (const title of titles) expect(title, `${exercise.name}: "${title}" starts with a verb in the imperative`).toMatch(/^[A-Z][a-z]+ /);
    }
  });
});

describe('the questions', () => {
  it('exist for a lesson each, named by the lesson slug', () => {
    const files = readdirSync(path.join(PROJECT_ROOT, 'src/content/questions')).filter((file) => file.endsWith('.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(8);
    for (const file of files) expect(lessonSlugs, file).toContain(file.replace(/\.yaml$/, ''));
  });

  it('end every lesson', () => {
    const files = readdirSync(path.join(PROJECT_ROOT, 'src/content/questions'));
    for (const slug of lessonSlugs) expect(files, `src/content/questions/${slug}.yaml`).toContain(`${slug}.yaml`);
  });
});
