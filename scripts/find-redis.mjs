// Finds Debian's redis-server for the scale-out tests and bench, or installs it when running as
// root. A system Redis that the package starts (on port 6379) is stopped and never used: tests
// start their own servers on free ports. Prints the path on success; explains what to do otherwise.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CANDIDATES = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'];

export function findRedisServer() {
  return CANDIDATES.find((candidate) => existsSync(candidate));
}

export function provisionRedisServer({ log = console.log } = {}) {
  const found = findRedisServer();
  if (found) return found;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = existsSync('/usr/bin/apt-get');
  if (isRoot && hasApt) {
    log('No redis-server found: installing Debian\'s "redis-server" package (apt-get)…');
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', '-qq', 'redis-server'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    // The package may start a system Redis on 6379: nothing here uses it, so stop it.
    spawnSync('service', ['redis-server', 'stop'], { stdio: 'ignore' });
    const installed = findRedisServer();
    if (installed) return installed;
  }
  throw new Error(
    [
      'The scale-out tests need redis-server, and none was found.',
      hasApt
        ? '  Install it with: sudo apt-get update && sudo apt-get install -y redis-server'
        : '  Install Redis 7 (redis-server) with your system\'s package manager.',
    ].join('\n'),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    console.log(provisionRedisServer({ log: console.error }));
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
