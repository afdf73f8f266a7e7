// The examples of a markdown file: its fenced blocks, and which shell block each response shows.
//
// The convention (docs/development.md, "Examples are tests"):
//   ```sh            run, in order, in one shell state per file; every curl must answer < 400
//   ```sh no-run     shown, never run (npm start itself, docker compose, another machine)
//   ```sh eventually run again until its response matches (up to 30 s): for what happens
//                    asynchronously (a charge reaching the ledger)
//   ```js file=x.mjs written to x.mjs in the examples' directory, for a later block to run
//   ```text npm-start   lines npm start prints: each must be in its output, in this order
// A ```json, ```http or ```text block right after a shell block (nothing but blank lines
// between) is what that block prints; its first line may be a status line (`HTTP/1.1 201`),
// which the block's last curl must answer.

export interface Fence {
  line: number; // 1-based line of the opening fence
  language: string;
  flags: string[];
  body: string;
}

export interface Example {
  file: string;
  line: number;
  script: string;
  eventually: boolean;
  response?: { line: number; language: string; body: string };
}

export interface StartOutput {
  file: string;
  line: number;
  startOutput: string;
}

export interface FileWrite {
  file: string;
  line: number;
  name: string;
  body: string;
}

const SHELL = new Set(['sh', 'bash', 'shell']);
const RESPONSE = new Set(['json', 'http', 'text']);

export function fences(markdown: string): Fence[] {
  const lines = markdown.split('\n');
  const found: Fence[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([^`\s]*)\s*(.*)$/.exec(lines[i]);
    if (!open) continue;
    const [, , marker, language, rest] = open;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !lines[j].trim().startsWith(marker)) body.push(lines[j++]);
    found.push({
      line: i + 1,
      language: language.toLowerCase(),
      flags: rest.split(/\s+/).filter(Boolean),
      body: body.join('\n'),
    });
    i = j;
  }
  return found;
}

/** Whether only blank lines separate the end of one fence from the start of the next. */
function adjacent(lines: string[], previous: Fence, next: Fence): boolean {
  const closing = previous.line + previous.body.split('\n').length; // 0-based index of the closing fence
  for (let i = closing + 1; i < next.line - 1; i++) if (lines[i].trim() !== '') return false;
  return true;
}

export function examples(file: string, markdown: string): Array<Example | FileWrite | StartOutput> {
  const lines = markdown.split('\n');
  const all = fences(markdown);
  const steps: Array<Example | FileWrite | StartOutput> = [];
  for (let i = 0; i < all.length; i++) {
    const fence = all[i];
    const fileFlag = fence.flags.find((flag) => flag.startsWith('file='));
    if (fileFlag) {
      steps.push({ file, line: fence.line, name: fileFlag.slice(5), body: fence.body });
      continue;
    }
    if (fence.flags.includes('npm-start')) {
      steps.push({ file, line: fence.line, startOutput: fence.body });
      continue;
    }
    if (!SHELL.has(fence.language)) continue;
    const next = all[i + 1];
    const response =
      next && RESPONSE.has(next.language) && adjacent(lines, fence, next) ? next : undefined;
    if (response) i++;
    if (fence.flags.includes('no-run')) continue;
    steps.push({
      file,
      line: fence.line,
      script: fence.body,
      eventually: fence.flags.includes('eventually'),
      response: response && {
        line: response.line,
        language: response.language,
        body: response.body,
      },
    });
  }
  return steps;
}
