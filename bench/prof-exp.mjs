import { SERVERS } from './lib/server-process.mjs';
for (const m of ['raw','req','reqres']) SERVERS['exp-'+m] = { label: m, script: '/tmp/prof/web-exp.mjs' };
await import('./prof-held.mjs');
