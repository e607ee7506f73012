import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const lessonsDir = 'src/content/lessons';
const lessons = readdirSync(lessonsDir).filter((file) => file.endsWith('.mdx'));
const testFiles = (readdirSync('tests', { recursive: true }) as string[])
  .map((file) => path.join('tests', file))
  .filter((file) => /\.(test|spec)\.ts$/.test(file));

describe("each lesson's test command", () => {
  it.each(lessons)('%s selects test files for every name it gives', (file) => {
    const source = readFileSync(path.join(lessonsDir, file), 'utf8');
    const command = source.match(/^testCommand: '(.+)'$/m)?.[1];
    expect(command).toMatch(/^npm run test:lesson -- /);
    const names = command!.replace('npm run test:lesson -- ', '').split(' ');
    for (const name of names) {
      expect(testFiles.filter((test) => test.includes(name)), `no test file path contains "${name}"`).not.toEqual([]);
    }
  });
});
