// Finds a Chromium for the browser tests, or installs Debian's when running as root.
// Prints the path on success; explains what to do and exits 1 otherwise.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

export function findChromium() {
  if (process.env.CHROMIUM_PATH) {
    if (existsSync(process.env.CHROMIUM_PATH)) return process.env.CHROMIUM_PATH;
    throw new Error(`CHROMIUM_PATH is set to "${process.env.CHROMIUM_PATH}", but there is no file there.`);
  }
  return CANDIDATES.find((candidate) => existsSync(candidate));
}

export function provisionChromium({ log = console.log } = {}) {
  const found = findChromium();
  if (found) return found;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = existsSync('/usr/bin/apt-get');
  if (isRoot && hasApt) {
    log('No Chromium found: installing Debian\'s "chromium" package (apt-get)…');
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    const installed = findChromium();
    if (installed) return installed;
  }
  throw new Error(
    [
      'The browser tests need Chromium, and none was found.',
      hasApt
        ? '  Install it with: sudo apt-get update && sudo apt-get install -y chromium'
        : '  Install Chromium or Google Chrome with your system\'s package manager.',
      '  Or point CHROMIUM_PATH at an existing Chromium or Chrome binary.',
    ].join('\n'),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    console.log(provisionChromium({ log: console.error }));
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
