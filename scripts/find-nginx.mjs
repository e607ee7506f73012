// Finds Debian's nginx for tests/http/reverse-proxy.test.ts, or installs `nginx-light` when
// running as root. Installing starts the system's nginx (port 80): it is stopped again at once,
// because the test runs its own nginx with its own configuration on a free port.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const CANDIDATES = ['/usr/sbin/nginx', '/usr/bin/nginx'];

export function findNginx() {
  return CANDIDATES.find((candidate) => existsSync(candidate));
}

/**
 * @returns {{ path: string } | { skip: string }} the nginx binary, or why the test must be skipped
 */
export function provisionNginx({ log = console.log } = {}) {
  const found = findNginx();
  if (found) return { path: found };
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !existsSync('/usr/bin/apt-get')) {
    return { skip: 'nginx is not installed (install it with: sudo apt-get install -y nginx-light), so the reverse-proxy test is skipped' };
  }
  log('No nginx found: installing Debian\'s "nginx-light" package (apt-get)…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
  execFileSync('apt-get', ['install', '-y', '-qq', 'nginx-light'], { stdio: 'ignore', env });
  stopSystemNginx();
  const installed = findNginx();
  return installed ? { path: installed } : { skip: 'installing nginx-light did not provide an nginx binary' };
}

/** Stops the nginx the package's install script may have started (its pid file is /run/nginx.pid). */
function stopSystemNginx() {
  if (!existsSync('/run/nginx.pid')) return;
  const pid = Number(readFileSync('/run/nginx.pid', 'utf8').trim());
  if (!Number.isSafeInteger(pid) || pid <= 1) return;
  try {
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (command.startsWith('nginx: master')) process.kill(pid, 'SIGQUIT');
  } catch {
    // not running
  }
}
