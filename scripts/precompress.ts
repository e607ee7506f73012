// Writes Brotli (.br) and gzip (.gz) copies of the built site's text files next to them, so
// the server sends them compressed without compressing per request (scripts/static-files.ts).
// Run after `astro build` (npm run build does). Usage: node scripts/precompress.ts [folder]
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** Files worth compressing: text. Images and fonts are compressed already. */
const COMPRESSIBLE = /\.(html|css|js|mjs|svg|json|xml|txt|map|webmanifest)$/;
/** Below this, the headers cost more than compression saves. */
const MIN_BYTES = 1024;

/** Compresses every compressible file under `folder`; returns how many files it compressed. */
export function precompress(folder: string): number {
  let count = 0;
  for (const entry of readdirSync(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !COMPRESSIBLE.test(entry.name)) continue;
    const file = path.join(entry.parentPath, entry.name);
    if (statSync(file).size < MIN_BYTES) continue;
    const bytes = readFileSync(file);
    writeFileSync(`${file}.br`, brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
    writeFileSync(`${file}.gz`, gzipSync(bytes, { level: 9 }));
    count += 1;
  }
  return count;
}

// Run as a script (not imported by a test).
if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const folder = process.argv[2] ?? path.join(process.env.BUILD_DIR || 'dist', 'client');
  console.log(`Precompressed ${precompress(folder)} files in ${folder} (Brotli and gzip).`);
}
