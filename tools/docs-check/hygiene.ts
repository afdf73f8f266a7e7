// What a reader of the docs cannot follow: a reference to an issue or a spec they cannot open, a
// path outside the repository, a relative link or a repository path that leads nowhere.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fences } from './markdown';

const FORBIDDEN: Array<[RegExp, string]> = [
  [/\bissues?\s+#?\d+/i, 'a reference to an issue'],
  [/\bSPEC\b\s*§|§\s*\d/, 'a reference to the spec'],
  [/(^|[\s`(])\/(?:work|etc|home|root|tmp|var)\//, 'a path outside the repository'],
];

const REPOSITORY_DIRS = 'apps|libs|test|scripts|tools|bench|ops|docs|kafka|docker';

/** GitHub's anchor of a heading. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchors(markdown: string): Set<string> {
  const found = new Set<string>();
  const inFence = fenceLines(markdown);
  markdown.split('\n').forEach((line, index) => {
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (heading && !inFence.has(index + 1)) found.add(slug(heading[1]));
  });
  return found;
}

function fenceLines(markdown: string): Set<number> {
  const lines = new Set<number>();
  for (const fence of fences(markdown)) {
    const count = fence.body.split('\n').length + 2;
    for (let i = 0; i < count; i++) lines.add(fence.line + i);
  }
  return lines;
}

/** Every problem of one file, as `file:line: what`. */
export function hygiene(
  root: string,
  file: string,
  markdown: string,
  read: (p: string) => string,
): string[] {
  const problems: string[] = [];
  const inFence = fenceLines(markdown);
  const here = path.dirname(path.join(root, file));
  markdown.split('\n').forEach((line, index) => {
    const at = `${file}:${index + 1}`;
    for (const [pattern, what] of FORBIDDEN) {
      if (pattern.test(line)) problems.push(`${at}: ${what}: ${line.trim()}`);
    }
    if (inFence.has(index + 1)) return;
    for (const link of line.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = link[1];
      if (/^[a-z]+:/i.test(target)) continue;
      const [file2, anchor] = target.split('#');
      const resolved = file2 ? path.resolve(here, file2) : path.join(root, file);
      if (!resolved.startsWith(root + path.sep) && resolved !== root) {
        problems.push(`${at}: the link ${target} leaves the repository`);
        continue;
      }
      if (!existsSync(resolved)) {
        problems.push(`${at}: the link ${target} leads nowhere`);
        continue;
      }
      if (anchor && resolved.endsWith('.md') && !anchors(read(resolved)).has(anchor)) {
        problems.push(`${at}: the link ${target} names no heading of that file`);
      }
    }
    const paths = new RegExp(`\`((?:${REPOSITORY_DIRS})/[^\`\\s*<>{}]+)\``, 'g');
    for (const named of line.matchAll(paths)) {
      const target = named[1].replace(/[:#].*$/, '');
      if (!existsSync(path.join(root, target))) {
        problems.push(`${at}: \`${named[1]}\` is no file of the repository`);
      }
    }
  });
  return problems;
}
