import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The compose files are not run here (no Docker engine), so what they expose is checked as text: a
 * small line-based reader of the two shapes a compose file publishes ports in (no YAML parser is a
 * dependency of the project, and these files are ours).
 */
const COMPOSE_FILES = ['docker-compose.yml', 'docker-compose.cluster.yml'];
const LOOPBACK = /^(127\.0\.0\.1|\[::1\]):\d+:\d+(\/(tcp|udp))?$/;

/** The lines without comments (a `#` at the start or after a space; our values hold none). */
const lines = (yaml: string) => yaml.split('\n').map((line) => line.replace(/(^|\s)#.*$/, ''));
const unquote = (value: string) => value.trim().replace(/^(['"])(.*)\1$/, '$2');

/**
 * Every port mapping the file publishes, as written: `ports: ['a:b', …]` or a block list under
 * `ports:`, whose items may be strings or the long syntax (kept whole, so it never looks local).
 */
function publishedPorts(yaml: string): string[] {
  const all = lines(yaml);
  const ports: string[] = [];
  all.forEach((line, i) => {
    const match = /^(\s*)ports:\s*(.*)$/.exec(line);
    if (!match) return;
    const [, indent, rest] = match;
    if (rest.trim().startsWith('[')) {
      const inner = rest.trim().replace(/^\[/, '').replace(/\]$/, '');
      ports.push(...inner.split(',').map(unquote).filter(Boolean));
      return;
    }
    if (rest.trim() !== '') {
      ports.push(unquote(rest));
      return;
    }
    for (const next of all.slice(i + 1)) {
      if (next.trim() === '') continue;
      if (next.length - next.trimStart().length <= indent.length) break;
      const item = /^\s*-\s*(.*)$/.exec(next);
      ports.push(item ? unquote(item[1]) : next.trim());
    }
  });
  return ports;
}

/** What in the file lets anyone who reaches the host in: open ports, trust auth, host network. */
function exposures(yaml: string): string[] {
  const found = publishedPorts(yaml)
    .filter((port) => !LOOPBACK.test(port))
    .map((port) => `port ${port} is published beyond 127.0.0.1`);
  for (const line of lines(yaml)) {
    if (/\btrust\b/i.test(line)) found.push(`trust: ${line.trim()}`);
    if (/network_mode:\s*['"]?host/.test(line)) found.push(`host network: ${line.trim()}`);
  }
  return found;
}

describe('the compose files publish nothing beyond this host and trust no one', () => {
  it('the reader finds what the earlier file exposed, in either list shape', () => {
    const earlier = `services:
  postgres:
    environment:
      POSTGRES_HOST_AUTH_METHOD: trust   # anyone is the superuser
    ports: ['5432:5432']
  kafka:
    ports:
      - "9092:9092"
      - 127.0.0.1:9093:9093
      - target: 9094
        published: 9094
  app:
    ports: ["127.0.0.1:3000:3000", '0.0.0.0:3001:3001']
    network_mode: host
`;
    expect(publishedPorts(earlier)).toEqual([
      '5432:5432',
      '9092:9092',
      '127.0.0.1:9093:9093',
      'target: 9094',
      'published: 9094',
      '127.0.0.1:3000:3000',
      '0.0.0.0:3001:3001',
    ]);
    expect(exposures(earlier)).toEqual([
      'port 5432:5432 is published beyond 127.0.0.1',
      'port 9092:9092 is published beyond 127.0.0.1',
      'port target: 9094 is published beyond 127.0.0.1',
      'port published: 9094 is published beyond 127.0.0.1',
      'port 0.0.0.0:3001:3001 is published beyond 127.0.0.1',
      'trust: POSTGRES_HOST_AUTH_METHOD: trust',
      'host network: network_mode: host',
    ]);
  });

  it.each(COMPOSE_FILES)('%s binds every published port to 127.0.0.1 and uses no trust', (file) => {
    const yaml = readFileSync(join(__dirname, '..', file), 'utf8');
    expect(exposures(yaml)).toEqual([]);
  });

  it('docker-compose.yml publishes the apps and PostgreSQL (locally), and never Kafka', () => {
    const yaml = readFileSync(join(__dirname, '..', 'docker-compose.yml'), 'utf8');
    expect(publishedPorts(yaml)).toEqual([
      '127.0.0.1:5432:5432',
      '127.0.0.1:3001:3001',
      '127.0.0.1:3000:3000',
    ]);
    expect(publishedPorts(readFileSync(join(__dirname, '..', COMPOSE_FILES[1]), 'utf8'))).toEqual(
      [],
    );
  });

  it("PostgreSQL's password comes from the environment, and the apps' URLs carry it", () => {
    const yaml = readFileSync(join(__dirname, '..', 'docker-compose.yml'), 'utf8');
    expect(yaml).toMatch(/^\s+POSTGRES_PASSWORD: \$\{POSTGRES_PASSWORD:\?[^}]*\}$/m);
    expect(yaml).toMatch(/^\s+POSTGRES_HOST_AUTH_METHOD: scram-sha-256$/m);
    const urls = yaml.match(/postgres:\/\/[^\s]+/g) ?? [];
    expect(urls).toHaveLength(2);
    for (const url of urls) expect(url).toMatch(/^postgres:\/\/postgres:\$\{POSTGRES_PASSWORD/);
  });
});
