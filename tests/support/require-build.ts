import { existsSync } from 'node:fs';

/** HTTP tests run against the built server; say so plainly when there is none. */
export default function requireBuild() {
  const buildDir = process.env.BUILD_DIR || 'dist';
  if (!existsSync(`${buildDir}/client/index.html`)) {
    throw new Error(`No build in ${buildDir}/: run "npm run build" first (npm test does it for you).`);
  }
}
