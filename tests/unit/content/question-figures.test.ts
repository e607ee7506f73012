import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findTypedFigures } from './typed-figure-finder.ts';

// "Check your understanding" is plain text with no way to read a constant, so its questions,
// answers and explanations give no figure about the site at all: a figure typed there would
// drift from the code the moment a constant changes.
const questionsDir = 'src/content/questions';
const files = readdirSync(questionsDir).filter((file) => file.endsWith('.yaml'));

const KEY = /^\s*(?:-\s*)?(?:questions|question|answers|text|explanation|correct):\s?/;

/** The text a learner reads in one questions file: comments and keys dropped, a wrapped value joined into one line. */
function textOfQuestions(source: string): string {
  const lines: string[] = [];
  for (const line of source.split('\n')) {
    if (!line.trim() || /^\s*#/.test(line) || /^\s*correct:/.test(line)) continue;
    if (KEY.test(line) || lines.length === 0) lines.push(line.replace(KEY, ''));
    else lines[lines.length - 1] += ` ${line.trim()}`;
  }
  return lines.join('\n');
}

describe('questions type no figure about the site', () => {
  it('reads a wrapped answer as one line, without its keys', () => {
    const source = "questions:\n- question: How long\n    does it wait?\n  answers:\n  - text: 'About 25\n      s.'\n    correct: true\n";
    expect(textOfQuestions(source).split('\n')).toContain("'About 25 s.'");
    expect(findTypedFigures(textOfQuestions(source))).toEqual([{ line: 4, text: '25 s' }]);
  });

  it.each(files)('%s', (file) => {
    expect(findTypedFigures(textOfQuestions(readFileSync(path.join(questionsDir, file), 'utf8')))).toEqual([]);
  });
});
