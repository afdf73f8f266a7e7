// `npm run test:docs`: every shell example of README.md and docs/*.md, run in order per file
// against a stack of its own, its output held against the response the text shows; and every
// link and repository path in them checked. Needs `npm run build` first.
//   DOCS_ONLY=docs/keys.md     only that file (several: comma-separated)
//   DOCS_REUSE=1               use the stack already answering on the docs ports (and leave it)
//   DOCS_STACK_ONLY=1          only bring the stack up, and keep it until Ctrl-C (for DOCS_REUSE)
//   DOCS_*_PORT, DOCS_DB_PREFIX  where its stack runs (3640, 3641, 3642, Kafka 19640; tally_docs)
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DocsStack, ROOT, docsPorts } from './docs-stack';
import { patternRegExp } from './expected';
import { hygiene } from './hygiene';
import { examples } from './markdown';
import { type Ports, runExample, withPorts } from './run-example';

function documents(): string[] {
  const docs = readdirSync(path.join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`);
  const all = ['README.md', ...docs];
  const only = process.env.DOCS_ONLY?.split(',').filter(Boolean);
  return only ? all.filter((file) => only.includes(file)) : all;
}

/** What npm start printed (the reused stack's log is the one its own run left). */
function logOf(stack: DocsStack | undefined): string {
  if (stack) return stack.output;
  try {
    const file = path.join(ROOT, '.cache', 'docs', 'stack.log');
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Each line the text shows must be among npm start's, in order (`...` lines skipped). */
function startOutputDifference(expected: string, ports: Ports, log: string): string | null {
  const lines = log.split('\n').map((line) => line.trimEnd());
  let at = 0;
  for (const want of withPorts(expected, ports).split('\n')) {
    const line = want.trimEnd();
    if (line === '' || line === '...' || line === '…') continue;
    const pattern = patternRegExp(line);
    const found = lines.findIndex((got, index) => index >= at && pattern.test(got));
    if (found < 0) return `npm start never printed (after the lines before it):\n    ${line}`;
    at = found + 1;
  }
  return null;
}

async function stackUp(ports: Ports): Promise<boolean> {
  try {
    const [gateway, store] = await Promise.all([
      fetch(`http://127.0.0.1:${ports.gateway}/health/ready`),
      fetch(`http://127.0.0.1:${ports.store}/health/ready`),
    ]);
    return gateway.ok && store.ok;
  } catch {
    return false;
  }
}

async function main(): Promise<number> {
  const files = documents();
  const read = (file: string): string => readFileSync(file, 'utf8');
  const problems = files.flatMap((file) => hygiene(ROOT, file, read(path.join(ROOT, file)), read));
  for (const problem of problems) console.error(`✗ ${problem}`);

  const ports = docsPorts();
  const reuse = process.env.DOCS_REUSE === '1' && (await stackUp(ports));
  const stack = reuse ? undefined : new DocsStack(ports);
  // Stopped from outside (a timeout, Ctrl-C): the stack goes with us, not left running.
  process.once('SIGTERM', () => {
    console.error('[docs] stopped: taking the stack down');
    void (stack?.stop() ?? Promise.resolve()).finally(() => process.exit(1));
  });
  const started = Date.now();
  const work = path.join(ROOT, '.cache', 'docs', 'work');
  let failures = problems.length;
  try {
    if (stack) {
      console.log(`[docs] npm start on ports ${JSON.stringify(ports)} (log: ${stack.logFile})`);
      await stack.start();
      console.log(`[docs] up in ${Math.round((Date.now() - started) / 1000)} s`);
      if (process.env.DOCS_STACK_ONLY === '1') {
        await new Promise((resolve) => process.once('SIGINT', resolve));
        return 0;
      }
    }
    for (const file of files) {
      const dir = path.join(work, file.replace(/[/.]/g, '_'));
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      const state = path.join(dir, '.state.sh');
      const steps = examples(file, read(path.join(ROOT, file)));
      let ran = 0;
      const fileStarted = Date.now();
      for (const step of steps) {
        if ('startOutput' in step) {
          const failure = startOutputDifference(step.startOutput, ports, logOf(stack));
          if (failure) {
            failures++;
            console.error(`✗ ${step.file}:${step.line}: ${failure}`);
          }
          continue;
        }
        if ('name' in step) {
          writeFileSync(path.join(dir, step.name), withPorts(step.body, ports));
          continue;
        }
        const failure = await runExample(step, ports, dir, state);
        ran++;
        if (failure) {
          failures++;
          console.error(`✗ ${failure}`);
          console.error(`  (the rest of ${file} was not run: later examples build on this one)`);
          break;
        }
      }
      const seconds = ((Date.now() - fileStarted) / 1000).toFixed(1);
      const total = steps.filter((step) => 'script' in step).length;
      console.log(`[docs] ${file}: ${ran} of ${total} examples in ${seconds} s`);
    }
  } finally {
    if (stack) await stack.stop();
  }
  console.log(
    failures === 0
      ? `[docs] every example works as printed (${Math.round((Date.now() - started) / 1000)} s)`
      : `[docs] ${failures} problem(s)`,
  );
  return failures === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`[docs] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
