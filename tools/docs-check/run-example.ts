// Runs one shell example in bash, with the variables the file's earlier examples set, and checks
// what it printed against the response the text shows.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { difference, indent, parseActualJson, parseExpectedJson, textDifference } from './expected';
import type { Example } from './markdown';

/** Where the documented ports (the defaults of `npm start`) are on the stack under test. */
export interface Ports {
  gateway: number;
  store: number;
  upstream: number;
  kafka: number;
}

export function withPorts(text: string, ports: Ports): string {
  const map: Record<string, number> = {
    '3000': ports.gateway,
    '3001': ports.store,
    '3900': ports.upstream,
    '9092': ports.kafka,
  };
  return text.replace(
    /\b(localhost|127\.0\.0\.1):(3000|3001|3900|9092)\b/g,
    (_, host: string, port: string) => `${host}:${map[port]}`,
  );
}

// Every curl reports its status on stderr (the reader's curl prints only the body); `set -a`
// exports what the example sets, and the EXIT trap keeps it for the file's next examples.
const PRELUDE = `set -a
[ -f "$DOCS_STATE" ] && . "$DOCS_STATE"
curl() { command curl -w '%{stderr}\\n@@docs-status %{http_code}\\n' "$@"; }
trap 'export -p > "$DOCS_STATE"' EXIT
`;

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
  statuses: number[];
}

function runBash(script: string, cwd: string, state: string, timeoutMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', PRELUDE + script], {
      cwd,
      env: { ...process.env, DOCS_STATE: state },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      const statuses = [...stderr.matchAll(/^@@docs-status (\d+)$/gm)].map((m) => Number(m[1]));
      stderr = stderr.replace(/^\n?@@docs-status \d+\n/gm, '');
      resolve({ code, stdout, stderr, statuses });
    });
  });
}

/** The status line and the headers a response block shows, and its body. */
function splitResponse(body: string): {
  status?: number;
  headers: Array<[string, string]>;
  rest: string;
} {
  const lines = body.split('\n');
  const statusLine = /^HTTP\/[\d.]+ (\d{3})\b/.exec(lines[0] ?? '');
  if (!statusLine) return { headers: [], rest: body };
  let i = 1;
  const headers: Array<[string, string]> = [];
  for (; i < lines.length; i++) {
    const header = /^([A-Za-z0-9-]+): (.*)$/.exec(lines[i]);
    if (!header) break;
    headers.push([header[1].toLowerCase(), header[2]]);
  }
  return { status: Number(statusLine[1]), headers, rest: lines.slice(i).join('\n') };
}

/** The first way the outcome breaks the example's promise, or null. */
function check(example: Example, outcome: Outcome): string | null {
  const expected = example.response ? splitResponse(example.response.body) : undefined;
  const statuses = outcome.statuses;
  const failedCurl = statuses.findIndex(
    (status, index) =>
      !(index === statuses.length - 1 && expected?.status !== undefined) &&
      (status === 0 || status >= 400),
  );
  if (failedCurl >= 0) {
    return `curl #${failedCurl + 1} of the block answered ${statuses[failedCurl] || 'nothing (no connection)'}`;
  }
  if (outcome.code !== 0) return `the block exited with ${outcome.code ?? 'a timeout'}`;
  if (!expected) return null;
  if (expected.status !== undefined) {
    const last = statuses.at(-1);
    if (last !== expected.status) {
      return `expected status ${expected.status}, got ${last ?? 'no curl at all'}`;
    }
  }
  let body = outcome.stdout;
  if (/^HTTP\/[\d.]+ \d{3}/.test(body)) {
    // curl -i: the headers, then the body
    const end = body.search(/\r?\n\r?\n/);
    const head = body.slice(0, end).split(/\r?\n/);
    for (const [name, value] of expected.headers) {
      const line = head.find((h) => h.toLowerCase().startsWith(`${name}:`));
      const got = line?.slice(name.length + 1).trim();
      if (got === undefined) return `expected the header ${name}, got none`;
      if (textDifference(value, got)) return `header ${name}: expected ${value}, got ${got}`;
    }
    body = body.slice(end).replace(/^\s+/, '');
  }
  const want = expected.rest.trim();
  if (want === '') return null;
  if (example.response!.language === 'json' || /^[[{]/.test(want)) {
    let actual: unknown[];
    try {
      actual = parseActualJson(body);
    } catch {
      return `expected JSON, got\n${indent(body)}`;
    }
    let values: ReturnType<typeof parseExpectedJson>;
    try {
      values = parseExpectedJson(want);
    } catch (error) {
      // A status line can only open a response: a block with two statuses is two examples.
      return `the response block is not JSON with wildcards: ${(error as Error).message}`;
    }
    if (values.length !== actual.length) {
      return `expected ${values.length} JSON value(s), got ${actual.length}:\n${indent(body)}`;
    }
    for (let i = 0; i < values.length; i++) {
      const found = difference(values[i], actual[i]);
      if (found) return `${found}\n  whole output:\n${indent(body)}`;
    }
    return null;
  }
  return textDifference(want, body);
}

export async function runExample(
  example: Example,
  ports: Ports,
  cwd: string,
  state: string,
): Promise<string | null> {
  const script = withPorts(example.script, ports);
  const deadline = Date.now() + (example.eventually ? 30_000 : 0);
  for (;;) {
    const before = existsSync(state) ? readFileSync(state, 'utf8') : '';
    const outcome = await runBash(script, cwd, state, 60_000);
    const failure = check(example, outcome);
    if (!failure) return null;
    if (Date.now() >= deadline) {
      const stderr = outcome.stderr.trim() ? `\n  stderr:\n${indent(outcome.stderr)}` : '';
      const where = example.response
        ? `${example.file}:${example.line} (response at line ${example.response.line})`
        : `${example.file}:${example.line}`;
      return `${where}: ${failure}${stderr}\n  the example:\n${indent(example.script)}`;
    }
    // eventually: try again from the same state
    if (before) writeFileSync(state, before);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
