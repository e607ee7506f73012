import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Cuts a named region out of a source file so a lesson can show exactly the code that
 * runs. Regions are marked `// #region NAME` … `// #endregion NAME`; marker lines of any
 * region (nested ones too) never reach the page.
 */
const MARKER = /^\s*\/\/ #(end)?region\b/;

export function extractRegion(source: string, region: string, file = 'the file'): string {
  const lines = source.split(/\r?\n/);
  const start = lines.findIndex((line) => line.trim() === `// #region ${region}`);
  if (start === -1) {
    const known = [...source.matchAll(/\/\/ #region (\S+)/g)].map((match) => match[1]);
    throw new Error(
      `No region "${region}" in ${file}. Received region="${region}"; expected one of: ${known.join(', ') || '(none: mark one with // #region NAME)'}`,
    );
  }
  const end = lines.findIndex((line, index) => index > start && line.trim() === `// #endregion ${region}`);
  if (end === -1) throw new Error(`Region "${region}" in ${file} has no "// #endregion ${region}" line.`);
  return dedent(lines.slice(start + 1, end).filter((line) => !MARKER.test(line)));
}

/** Reads `file` (relative to the project root) and returns the region's code. */
export function readSourceRegion(file: string, region: string, root = process.cwd()): string {
  let source: string;
  try {
    source = readFileSync(path.resolve(root, file), 'utf8');
  } catch {
    throw new Error(`Cannot read source file "${file}" for a code panel. Expected a path relative to the project root.`);
  }
  return extractRegion(source, region, file);
}

/** The text a reader sees once Shiki's `[!code highlight]` notation comments are removed. */
export function displayedText(code: string): string {
  return code
    .split('\n')
    .map((line) => line.replace(/\s*\/\/ \[!code (?:highlight|hl)(?::\d+)?\]\s*$/, ''))
    .join('\n');
}

function dedent(lines: string[]): string {
  const indents = lines.filter((line) => line.trim()).map((line) => line.match(/^ */)![0].length);
  const common = indents.length ? Math.min(...indents) : 0;
  return lines.map((line) => line.slice(common)).join('\n');
}
