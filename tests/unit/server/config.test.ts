import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, LOOPBACK_HOST_NAMES, readConfig, SETTING_NAMES } from '../../../src/server/config.ts';

describe('readConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const config = readConfig({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 4321,
      dataDir: './data',
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      perClientLimits: true,
      trustProxy: false,
      pollTimeoutMs: 25_000,
      messageMaxChars: 500,
      allowedOrigins: [],
      allowedHosts: LOOPBACK_HOST_NAMES,
    });
  });

  it.each([
    ['MAX_WAITERS', '-1'],
    ['MAX_WAITERS', '0'],
    ['MESSAGE_MAX_CHARS', '600'],
    ['POLL_TIMEOUT_MS', 'abc'],
    ['POLL_TIMEOUT_MS', '3000000000'], // past what a Node timer can hold
    ['HEADERS_TIMEOUT_MS', '1e4'],
    ['PORT', '99999'],
    ['PORT', '-1'],
    ['POSTS_PER_SECOND', '2.5'],
    ['RATE_LIMITS', 'of'],
    ['TRUST_PROXY', 'yes please'],
    ['ALLOWED_ORIGINS', 'https://comet.example/path'],
    ['ALLOWED_ORIGINS', 'comet.example'],
    ['ALLOWED_HOSTS', 'comet.example:8080'],
    ['HOST', 'not a host'],
  ])('%s=%s is refused with one line naming the variable, the value and what is expected', (name, value) => {
    let thrown: unknown;
    try {
      readConfig({ [name]: value });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const message = (thrown as ConfigError).message;
    expect(message.startsWith(`${name}=${JSON.stringify(value)} cannot be used: expected `)).toBe(true);
    expect(message).not.toContain('\n');
  });

  it('reads lists, switches and a PORT of 0', () => {
    const config = readConfig({
      PORT: '0',
      TRUST_PROXY: 'on',
      RATE_LIMITS: 'off',
      ALLOWED_ORIGINS: 'https://comet.example, http://localhost:8080',
      ALLOWED_HOSTS: 'Comet.Example, [::1]',
      REQUEST_TIMEOUT_MS: '5000', // never below the headers timeout
    });
    expect(config.port).toBe(0);
    expect(config.trustProxy).toBe(true);
    expect(config.perClientLimits).toBe(false);
    expect(config.allowedOrigins).toEqual(['https://comet.example', 'http://localhost:8080']);
    expect(config.allowedHosts).toEqual(['comet.example', '[::1]']);
    expect(config.requestTimeoutMs).toBe(10_000);
  });

  it('answers any host name when listening beyond loopback, unless ALLOWED_HOSTS says otherwise', () => {
    expect(readConfig({ HOST: '0.0.0.0' }).allowedHosts).toBeNull();
    expect(readConfig({ HOST: '::1' }).allowedHosts).toEqual(LOOPBACK_HOST_NAMES);
    expect(readConfig({ HOST: '127.0.0.1', ALLOWED_HOSTS: '*' }).allowedHosts).toBeNull();
    expect(readConfig({ HOST: '0.0.0.0', ALLOWED_HOSTS: 'comet.example' }).allowedHosts).toEqual(['comet.example']);
  });
});

describe('the README configuration table', () => {
  it('lists exactly the settings the server reads', () => {
    const readme = readFileSync('README.md', 'utf8');
    // The first table of the Configuration section: the server's settings (build settings may follow in a table of their own).
    const start = readme.indexOf('| Variable |', readme.indexOf('## Configuration'));
    const section = readme.slice(start, readme.indexOf('\n\n', start));
    const documented = [...section.matchAll(/^\| (`[A-Z_]+`(?:, `[A-Z_]+`)*) \|/gm)].flatMap(([, cell]) =>
      cell!.split(', ').map((name) => name.replaceAll('`', '')),
    );
    expect([...documented].sort()).toEqual([...SETTING_NAMES].sort());
  });
});
