// `--serve` puts the learner's file in place of the lesson's module: in the bundler (today's
// bundled server) and in Node's resolver (a server that loads src/server unbundled).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { swapModule } from '../../../scripts/exercise-serve.mjs';

const root = path.resolve(import.meta.dirname, '../../..');
const reference = path.join(root, 'src/server/http/allowed-origin.ts');
const dir = mkdtempSync(path.join(tmpdir(), 'comet-swap-'));
const learner = path.join(dir, 'your-code.ts');
writeFileSync(learner, "export function assertAllowedOrigin(): string {\n  return 'the learner';\n}\n");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('serving the learner code', () => {
  it("Node's resolver loads the learner's file wherever the lesson's module is imported", () => {
    const script = `const m = await import(${JSON.stringify(pathToFileURL(reference).href)}); console.log(m.assertAllowedOrigin());`;
    const output = execFileSync(process.execPath, ['--import', './scripts/exercise-swap-register.mjs', '--input-type=module', '-e', script], {
      cwd: root,
      env: { ...process.env, COMET_EXERCISE_FROM: reference, COMET_EXERCISE_TO: learner },
      encoding: 'utf8',
    });
    expect(output.trim()).toBe('the learner');
  });

  it('without the variables, the lesson module loads as usual', () => {
    const script = `const m = await import(${JSON.stringify(pathToFileURL(reference).href)}); console.log(typeof m.assertAllowedOrigin(new Request('http://a/'), []));`;
    const env = { ...process.env };
    delete env.COMET_EXERCISE_FROM;
    delete env.COMET_EXERCISE_TO;
    const output = execFileSync(process.execPath, ['--import', './scripts/exercise-swap-register.mjs', '--input-type=module', '-e', script], { cwd: root, env, encoding: 'utf8' });
    expect(output.trim()).toBe('undefined');
  });

  it("the bundler's resolve step hands out the learner's file for the reference, and nothing else", async () => {
    const plugin = swapModule(reference, learner);
    const context = { resolve: async (source: string) => ({ id: source.startsWith('./allowed-origin') ? reference : path.join(root, 'src/server/http/other.ts') }) };
    const importer = path.join(root, 'src/server/chat/chat-handler.ts');
    expect(await plugin.resolveId.call(context, './allowed-origin.ts', importer, {})).toMatchObject({ id: learner });
    expect(await plugin.resolveId.call(context, './http-error.ts', importer, {})).toBeNull();
  });
});
