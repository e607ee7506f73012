import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The README's table of lessons repeats each lesson's test command: keep the two in step.
describe('README lesson table', () => {
  const readme = readFileSync('README.md', 'utf8');
  const lessons = readdirSync('src/content/lessons').filter((file) => file.endsWith('.mdx'));

  it.each(lessons)('shows the test command of %s', (file) => {
    const command = readFileSync(`src/content/lessons/${file}`, 'utf8').match(/^testCommand: '(.+)'$/m)?.[1];
    expect(command).toBeDefined();
    expect(readme).toContain(`\`${command}\``);
  });
});
